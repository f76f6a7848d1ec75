// Installs the test-only differential oracle (test/oracle: Lodestar's consensus libraries) from its own
// lockfile, so the project's own dependencies are never pinned to the oracle's. Runs after `npm ci` /
// `npm install`. Never fails the install: when the oracle cannot be installed, the differential suites
// skip with a message that says so.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "test", "oracle");
if (process.env.SEXTANT_SKIP_ORACLE === "1") {
  console.log("[sextant] SEXTANT_SKIP_ORACLE=1: not installing the test oracle");
  process.exit(0);
}
const lock = join(dir, "package-lock.json");
const installed = join(dir, "node_modules", ".package-lock.json");
if (existsSync(installed) && existsSync(lock)) {
  const want = JSON.parse(readFileSync(lock, "utf8")).packages;
  const have = JSON.parse(readFileSync(installed, "utf8")).packages;
  const same = Object.keys(want).every((k) => k === "" || have[k]?.version === want[k].version);
  if (same) process.exit(0);
}
try {
  console.log("[sextant] installing the test oracle (test/oracle: @lodestar/* libraries, test-only)");
  execFileSync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir, stdio: "inherit" });
} catch (e) {
  console.warn(
    `[sextant] could not install the test oracle in ${dir}: ${e instanceof Error ? e.message : e}\n` +
      "The differential suites will skip with a message. Run `npm ci` in test/oracle to retry.",
  );
}
