// `npm run bench [-- name…]`: runs every test/bench/*.bench.ts (or those whose name contains an argument),
// each in its own process (memory figures stay separate; the oracle's preset is per process), and prints their
// tables. Results are measurements to read, not pass/fail checks.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const dir = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error(`no benchmark matches ${filters.join(", ")}`);
  process.exit(2);
}
let failed = 0;
for (const f of files) {
  console.log(`\n## ${f}`);
  const r = spawnSync(process.execPath, ["--expose-gc", "--max-old-space-size=16384", join(dir, f)], {
    stdio: "inherit",
  });
  if (r.status !== 0) {
    failed++;
    console.error(`${f} exited with ${r.status ?? r.signal}`);
  }
}
process.exit(failed === 0 ? 0 : 1);
