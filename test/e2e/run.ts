// Runs the end-to-end suites against `sextant dev` processes: `node test/e2e/run.ts [bad-input] [flood]` (default:
// both, one after the other — each starts and stops its own devnet). Exit 1 when any suite failed, 2 on an unknown
// suite name. (`npm run test:e2e` runs this; test/e2e/dev.e2e.test.ts is a node:test file run on its own.)
import { runBadInputSuite } from "./badInput.e2e.ts";
import { runFloodTest } from "./flood.e2e.ts";

const SUITES: Record<string, () => Promise<boolean>> = {
  "bad-input": runBadInputSuite,
  flood: runFloodTest,
};

const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !(name in SUITES));
if (unknown.length > 0) {
  console.error(`unknown suite ${unknown.join(", ")}; known: ${Object.keys(SUITES).join(", ")}`);
  process.exit(2);
}
const names = asked.length > 0 ? asked : Object.keys(SUITES);
const results: [string, boolean][] = [];
for (const name of names) {
  console.log(`\n### e2e suite: ${name}`);
  let ok = false;
  try {
    ok = await SUITES[name]();
  } catch (e) {
    console.error(`suite ${name} crashed: ${(e as Error).stack ?? e}`);
  }
  results.push([name, ok]);
}
console.log("");
for (const [name, ok] of results) console.log(`${ok ? "PASS" : "FAIL"} e2e ${name}`);
process.exit(results.every(([, ok]) => ok) ? 0 : 1);
