// The state transition, differentially: chains generated with the oracle (Lodestar's state transition, test-only)
// from interop genesis states of every fork, covering every operation kind and every fork upgrade, are replayed
// through ours with signatures verified; after every block and every run of empty slots our post-state root must
// equal the oracle's (and, after a block, the block's state_root). The default run is the short version of every
// scenario; SEXTANT_DIFF_LONG=1 (`npm run test:diff:long`) runs the long versions and the 16,384-validator one.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  coverageOf,
  DEFAULT_SCENARIOS,
  type GeneratedChain,
  generateChain,
  missingKinds,
  SCENARIOS,
  scenario,
} from "../support/chainGen/index.ts";
import { oracleSkip } from "../support/oracle.ts";
import { replayChain } from "../support/replay.ts";

const LONG = process.env.SEXTANT_DIFF_LONG === "1";
const names = LONG ? Object.keys(SCENARIOS) : DEFAULT_SCENARIOS;
const skip = oracleSkip();

describe(`state transition replays oracle chains (${LONG ? "long" : "default"} set)`, { skip }, () => {
  const chains: GeneratedChain[] = [];
  let blocks = 0;
  let slotSteps = 0;

  for (const name of names) {
    it(`${name}: every post-state root equals the oracle's`, { timeout: LONG ? 3_600_000 : 300_000 }, async () => {
      const chain = await generateChain(scenario(name, { long: LONG }));
      chains.push(chain);
      const result = replayChain(chain, true);
      assert.equal(result.blocks + result.slotSteps, chain.steps.length);
      assert.ok(result.blocks > 0, "the scenario has blocks");
      blocks += result.blocks;
      slotSteps += result.slotSteps;
    });
  }

  it("the scenarios covered every operation kind, fork at genesis and fork upgrade", () => {
    assert.equal(chains.length, names.length, "every scenario ran");
    assert.deepEqual(missingKinds(coverageOf(chains)), []);
    console.log(`# replayed ${blocks} blocks and ${slotSteps} slot runs over ${chains.length} chains`);
  });
});
