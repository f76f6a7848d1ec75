// Generates one named scenario and writes it to a folder: `node test/support/chainGen/cli.ts SCENARIO OUTDIR
// [--long] [--verify]` (--verify replays it through the oracle with signatures first). Without arguments, lists
// the scenarios.
import { generateChain } from "./generator.ts";
import { SCENARIOS, scenario } from "./scenarios.ts";
import { replayWithOracle } from "./verify.ts";
import { writeChain } from "./write.ts";

const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith("--")));
const [name, outDir] = args.filter((a) => !a.startsWith("--"));
if (!name || !outDir) {
  console.error(`usage: node test/support/chainGen/cli.ts SCENARIO OUTDIR [--long] [--verify]`);
  console.error(`scenarios: ${Object.keys(SCENARIOS).join(", ")}`);
  process.exit(2);
}
const chain = await generateChain(scenario(name, { long: flags.has("--long") }));
if (flags.has("--verify")) await replayWithOracle(chain, { verifySignatures: true });
const files = writeChain(chain, outDir);
const blocks = chain.steps.filter((s) => s.kind === "block").length;
console.log(`${name}: ${blocks} blocks, ${chain.steps.length} steps, ${files.length} files in ${outDir}`);
