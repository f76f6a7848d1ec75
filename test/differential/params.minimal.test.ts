// Our minimal preset and chain config against Lodestar, and dev-config fork schedules against Lodestar's
// fork config given the same fork epochs, versions and blob schedule.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import {
  createDevChainConfig,
  devChainConfig,
  FORK_NAMES,
  type ForkName,
  minimalChainConfig,
  minimalPreset,
} from "../../consensus/src/params/index.ts";
import { loadOracle, type Oracle, oracleSkip } from "../support/oracle.ts";
import { Rng } from "../support/random.ts";
import {
  compareChainConfig,
  compareForkSchedule,
  comparePreset,
  lodestarConfigLike,
  MIN_PRESET_COVERAGE,
} from "./paramsOracle.ts";

/** Chain-config keys ours must have compared with Lodestar (directly or via @lodestar/params). */
const MIN_CONFIG_KEYS_COMPARED = 80;
/**
 * Known difference, not a bug: Lodestar's minimal config schedules altair at 74240 ("for illustrative
 * purposes"), the spec's configs/minimal.yaml (our source, checked in the unit tests) at FAR_FUTURE_EPOCH.
 */
const MINIMAL_SKEW = ["ALTAIR_FORK_EPOCH"];
/** Seeded random dev schedules compared with Lodestar's fork config. */
const RANDOM_SCHEDULES = 40;

describe("params vs the oracle (minimal)", { skip: oracleSkip() }, () => {
  let o: Oracle;
  before(async () => {
    o = await loadOracle("minimal");
  });

  test("every preset value equals @lodestar/params", () => {
    const [compared, total] = comparePreset(o, minimalPreset);
    assert.ok(compared >= MIN_PRESET_COVERAGE * total, `only ${compared}/${total} compared`);
  });
  test("the minimal chain config equals @lodestar/config's default chainConfig", () => {
    const compared = compareChainConfig(o, minimalChainConfig, o.config.defaultChainConfig, MINIMAL_SKEW);
    assert.ok(compared >= MIN_CONFIG_KEYS_COMPARED, `only ${compared} keys compared`);
  });
  test("the dev config's schedule equals Lodestar's for the same forks", () => {
    compareForkSchedule(o, devChainConfig, lodestarConfigLike(o, devChainConfig), 3);
  });
  test(`${RANDOM_SCHEDULES} seeded dev schedules with BPO forks equal Lodestar's`, () => {
    const rng = new Rng(99);
    let epochs = 0;
    for (let i = 0; i < RANDOM_SCHEDULES; i++) {
      const forkEpochs: Partial<Record<ForkName, number>> = {};
      let epoch = 0;
      for (const fork of FORK_NAMES.slice(1)) {
        epoch = rng.int(12) === 0 ? Infinity : epoch + rng.int(5);
        forkEpochs[fork] = epoch;
      }
      const fulu = forkEpochs.fulu!;
      const blobSchedule =
        fulu === Infinity
          ? []
          : Array.from({ length: rng.int(4) }, (_, j) => ({
              EPOCH: fulu + 1 + j * 4 + rng.int(4),
              MAX_BLOBS_PER_BLOCK: 1 + rng.int(64),
            }));
      const config = createDevChainConfig({ forkEpochs, blobSchedule });
      epochs += compareForkSchedule(o, config, lodestarConfigLike(o, config), i);
    }
    console.log(`# compared ${epochs} (schedule, epoch) pairs`);
  });
});
