#!/usr/bin/env node
// The sextant executable. The sources are TypeScript run directly by Node 24 (type stripping), so this
// launcher only checks the runtime and hands over.
const major = Number(process.versions.node.split(".")[0]);
if (major < 24) {
  console.error(
    `sextant needs Node.js 24 or newer; this is ${process.version}.\n` +
      "Inside the project run it through npm (`npm start -- --help` or `npx sextant`), which uses the Node 24 it installs.",
  );
  process.exit(2);
}
await import("../src/main.ts");
