// `sextant transition` end to end: a chain generated with the oracle is written to files (config YAML, pre-state,
// one SSZ file per block) and replayed by the CLI in a child process; every printed post-state root must equal the
// oracle's, --out must hold the final state, and a tampered block must stop the run with exit code 5 naming the
// rule. Bad inputs exit 2 with a message that says what is wrong.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseChainConfigYaml } from "@sextant/consensus/params/index";
import { loadCachedState } from "@sextant/consensus/state/cachedState";
import { toHex } from "@sextant/consensus/util/hex";
import { type GeneratedChain, generateChain, scenario, writeChain } from "../support/chainGen/index.ts";
import { beaconConfigOf } from "../support/dualState.ts";
import { oracleSkip } from "../support/oracle.ts";
import { PROJECT_ROOT } from "../support/reference.ts";

const BIN = join(PROJECT_ROOT, "cli", "src", "main.ts");
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 120_000 });

describe("sextant transition replays recorded blocks", { skip: oracleSkip() }, () => {
  let dir: string;
  let chain: GeneratedChain;
  let blocks: string[];
  let expected: string[];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "sextant-transition-"));
    chain = await generateChain(scenario("forks-every-epoch"));
    writeChain(chain, dir);
    // Blocks up to the capella upgrade: several forks, kept short.
    const steps = chain.steps.filter((s) => s.kind === "block" && s.slot <= 26);
    blocks = steps.map((s) => join(dir, `block_${s.kind === "block" ? s.slot : 0}.ssz`));
    expected = steps.map((s) => toHex(s.postStateRoot));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  /** `transition --config … --pre-state …` on the written chain, then `more`. */
  const transition = (...more: string[]) =>
    run("transition", "--config", join(dir, "config.yaml"), "--pre-state", join(dir, "pre-state.ssz"), ...more);

  it("prints every post-state root the oracle recorded and writes the final state", () => {
    const out = join(dir, "post.ssz");
    const r = transition("--blocks", ...blocks, "--out", out);
    assert.equal(r.status, 0, r.stderr);
    const printed = r.stdout
      .split("\n")
      .filter((l) => l.startsWith("block"))
      .map((l) => l.split("post-state ")[1]);
    assert.deepEqual(printed, expected);
    assert.ok(r.stdout.includes("(capella)"), "crossed into capella");
    const config = beaconConfigOf(parseChainConfigYaml(chain.configYaml).config);
    const final = loadCachedState(config, readFileSync(out));
    assert.equal(toHex(final.state.hashTreeRoot()), expected.at(-1));
    assert.match(r.stdout, new RegExp(`final .* root ${expected.at(-1)}`));
  });

  it("advances empty slots after the blocks with --slots", () => {
    const r = transition("--blocks", blocks[0], "--slots", "9");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /slots {6}to 10 \(altair\)/);
  });

  it("stops at a tampered block with exit code 5 and the rule; without signature checks it passes", () => {
    const bytes = readFileSync(blocks[2]);
    bytes[4 + 10] ^= 0xff; // inside the proposer signature (after the 4-byte message offset)
    const tampered = join(dir, "tampered.ssz");
    writeFileSync(tampered, bytes);
    const args = ["--blocks", blocks[0], blocks[1], tampered];
    const r = transition(...args);
    assert.equal(r.status, 5, r.stderr);
    assert.match(r.stderr, /tampered\.ssz \(slot \d+\) is invalid: verify_block_signature/);
    const unchecked = transition(...args, "--no-verify-signatures");
    assert.equal(unchecked.status, 0, unchecked.stderr);
  });

  it("refuses unreadable or wrong inputs with exit code 2 and says what is wrong", () => {
    const config = join(dir, "config.yaml");
    const missing = run("transition", "--config", config, "--pre-state", join(dir, "nope.ssz"));
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /cannot read --pre-state .*nope\.ssz: ENOENT/);
    const notAState = run("transition", "--config", config, "--pre-state", join(dir, "config.yaml"));
    assert.equal(notAState.status, 2);
    assert.match(notAState.stderr, /is not a BeaconState of this chain/);
    const badConfig = join(dir, "bad.yaml");
    writeFileSync(badConfig, "SECONDS_PER_SLOT: twelve\n");
    const r = run("transition", "--config", badConfig, "--pre-state", join(dir, "pre-state.ssz"));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--config .*SECONDS_PER_SLOT/);
  });
});
