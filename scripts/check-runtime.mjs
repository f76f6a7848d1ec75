// Fails fast with a clear message when npm scripts run on a Node.js older than the one the project brings.
const major = Number(process.versions.node.split(".")[0]);
if (major < 24) {
  console.error(
    `Sextant needs Node.js 24 LTS; this is ${process.version} (${process.execPath}).\n` +
      "Run the command through npm (npm start / npm test) after `npm ci`: the project installs Node 24 as a devDependency and npm puts it first on PATH.",
  );
  process.exit(1);
}
