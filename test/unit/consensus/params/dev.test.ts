import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type ChainConfig,
  type ConfigErrorCode,
  createDevChainConfig,
  type DevChainConfigOverrides,
  devChainConfig,
  FORK_NAMES,
  type ForkName,
  forkNameAtEpoch,
  getForkSchedule,
  isConfigError,
  mainnetChainConfig,
  minimalChainConfig,
} from "../../../../consensus/src/params/index.ts";
import { toHex } from "../../../../consensus/src/util/hex.ts";
import { Rng } from "../../../support/random.ts";

/** Seeded random fork-epoch overrides tried against an independent order check. */
const RANDOM_OVERRIDES = 200;

const EPOCH_KEY: Record<Exclude<ForkName, "phase0">, keyof ChainConfig> = {
  altair: "ALTAIR_FORK_EPOCH",
  bellatrix: "BELLATRIX_FORK_EPOCH",
  capella: "CAPELLA_FORK_EPOCH",
  deneb: "DENEB_FORK_EPOCH",
  electra: "ELECTRA_FORK_EPOCH",
  fulu: "FULU_FORK_EPOCH",
};

function expectReject(overrides: DevChainConfigOverrides, code: ConfigErrorCode, key?: string): void {
  assert.throws(
    () => createDevChainConfig(overrides),
    (e: unknown) => {
      assert.ok(isConfigError(e), String(e));
      assert.equal(e.code, code, e.message);
      if (key) assert.equal(e.context.key, key, e.message);
      return true;
    },
  );
}

describe("devChainConfig defaults", () => {
  test("minimal preset, CONFIG_NAME dev, phase0 … fulu at genesis, later forks unscheduled", () => {
    assert.equal(devChainConfig.PRESET_BASE, "minimal");
    assert.equal(devChainConfig.CONFIG_NAME, "dev");
    for (const key of Object.values(EPOCH_KEY)) assert.equal(devChainConfig[key], 0, key);
    for (const key of ["GLOAS_FORK_EPOCH", "EIP7441_FORK_EPOCH", "EIP7805_FORK_EPOCH", "EIP7928_FORK_EPOCH"] as const) {
      assert.equal(devChainConfig[key], Infinity, key);
    }
    assert.equal(forkNameAtEpoch(devChainConfig, 0), "fulu");
    assert.deepEqual(
      getForkSchedule(devChainConfig).map((f) => [f.name, f.epoch]),
      FORK_NAMES.map((f) => [f, 0]),
    );
  });

  test("fork versions end in 0xde and differ from mainnet's, minimal's and each other", () => {
    const versionKeys = Object.keys(devChainConfig).filter((k) => k.endsWith("_FORK_VERSION")) as (keyof ChainConfig)[];
    assert.equal(versionKeys.length, 11);
    const seen = new Set<string>();
    for (const config of [devChainConfig, minimalChainConfig, mainnetChainConfig]) {
      for (const key of versionKeys) seen.add(toHex(config[key] as Uint8Array));
    }
    assert.equal(seen.size, 3 * versionKeys.length, "33 distinct versions");
    assert.equal(toHex(devChainConfig.GENESIS_FORK_VERSION), "0x000000de");
    assert.equal(toHex(devChainConfig.FULU_FORK_VERSION), "0x060000de");
  });

  test("everything else is minimal's", () => {
    for (const [key, value] of Object.entries(minimalChainConfig)) {
      if (key === "CONFIG_NAME" || /_FORK_(EPOCH|VERSION)$/.test(key)) continue;
      assert.deepEqual((devChainConfig as unknown as Record<string, unknown>)[key], value, key);
    }
    assert.deepEqual(createDevChainConfig(), devChainConfig);
  });
});

describe("createDevChainConfig overrides", () => {
  test("fork epochs", () => {
    const c = createDevChainConfig({ forkEpochs: { electra: 3, fulu: 5 } });
    assert.equal(c.DENEB_FORK_EPOCH, 0);
    assert.equal(c.ELECTRA_FORK_EPOCH, 3);
    assert.equal(c.FULU_FORK_EPOCH, 5);
    assert.equal(forkNameAtEpoch(c, 2), "deneb");
    assert.equal(forkNameAtEpoch(c, 4), "electra");
    const noFulu = createDevChainConfig({ forkEpochs: { phase0: 0, fulu: Infinity } });
    assert.equal(noFulu.FULU_FORK_EPOCH, Infinity);
    assert.equal(getForkSchedule(noFulu).length, 6);
    assert.equal(devChainConfig.ELECTRA_FORK_EPOCH, 0, "the default is untouched");
  });

  test("genesis, slot time, blob schedule and raw keys", () => {
    const c = createDevChainConfig({
      genesisDelay: 0,
      secondsPerSlot: 2,
      minGenesisTime: 1700000000,
      minGenesisActiveValidatorCount: 4,
      blobSchedule: [{ EPOCH: 4, MAX_BLOBS_PER_BLOCK: 12 }],
      config: { DEPOSIT_CHAIN_ID: 1337, GENESIS_DELAY: 99 },
    });
    assert.equal(c.GENESIS_DELAY, 0, "named overrides win over raw keys");
    assert.equal(c.SECONDS_PER_SLOT, 2);
    assert.equal(c.SLOT_DURATION_MS, 2000);
    assert.equal(c.MIN_GENESIS_TIME, 1700000000);
    assert.equal(c.MIN_GENESIS_ACTIVE_VALIDATOR_COUNT, 4);
    assert.deepEqual(c.BLOB_SCHEDULE, [{ EPOCH: 4, MAX_BLOBS_PER_BLOCK: 12 }]);
    assert.equal(c.DEPOSIT_CHAIN_ID, 1337);
    assert.equal(c.CONFIG_NAME, "dev");
  });

  test(`${RANDOM_OVERRIDES} seeded fork-epoch overrides: accepted exactly when non-decreasing`, () => {
    const rng = new Rng(7);
    let accepted = 0;
    for (let i = 0; i < RANDOM_OVERRIDES; i++) {
      const forkEpochs: Partial<Record<ForkName, number>> = {};
      if (rng.bool()) {
        // a well-ordered schedule: increments, possibly ending in unscheduled forks
        let epoch = 0;
        for (const fork of FORK_NAMES.slice(1)) {
          epoch = rng.int(8) === 0 ? Infinity : epoch + rng.int(3);
          forkEpochs[fork] = epoch;
        }
      } else {
        for (const fork of FORK_NAMES.slice(1)) {
          if (rng.bool()) forkEpochs[fork] = rng.int(6) === 0 ? Infinity : rng.int(8);
        }
      }
      const epochs = FORK_NAMES.slice(1).map((f) => forkEpochs[f] ?? 0);
      const ordered = epochs.every((e, j) => j === 0 || e >= epochs[j - 1]);
      if (ordered) {
        const c = createDevChainConfig({ forkEpochs });
        FORK_NAMES.slice(1).forEach((f, j) => {
          assert.equal(c[EPOCH_KEY[f as Exclude<ForkName, "phase0">]], epochs[j]);
        });
        accepted++;
      } else {
        expectReject({ forkEpochs }, "INVALID_FORK_ORDER");
      }
    }
    assert.ok(accepted > 10 && accepted < RANDOM_OVERRIDES - 10, `both outcomes exercised (${accepted} accepted)`);
  });
});

describe("invalid overrides are rejected", () => {
  const cases: [string, DevChainConfigOverrides, ConfigErrorCode, string?][] = [
    ["electra after fulu", { forkEpochs: { electra: 5 } }, "INVALID_FORK_ORDER", "FULU_FORK_EPOCH"],
    [
      "bellatrix before altair",
      { forkEpochs: { altair: 3, bellatrix: 1 } },
      "INVALID_FORK_ORDER",
      "BELLATRIX_FORK_EPOCH",
    ],
    ["phase0 not at genesis", { forkEpochs: { phase0: 1 } }, "INVALID_OVERRIDE", "forkEpochs.phase0"],
    ["unknown fork", { forkEpochs: { gloas: 1 } as Partial<Record<ForkName, number>> }, "INVALID_OVERRIDE"],
    ["negative epoch", { forkEpochs: { altair: -1 } }, "INVALID_OVERRIDE", "forkEpochs.altair"],
    ["fractional epoch", { forkEpochs: { altair: 1.5 } }, "INVALID_OVERRIDE", "forkEpochs.altair"],
    ["NaN epoch", { forkEpochs: { fulu: Number.NaN } }, "INVALID_OVERRIDE", "forkEpochs.fulu"],
    ["zero seconds per slot", { secondsPerSlot: 0 }, "INVALID_OVERRIDE", "secondsPerSlot"],
    ["negative genesis delay", { genesisDelay: -1 }, "INVALID_OVERRIDE", "genesisDelay"],
    ["no validators", { minGenesisActiveValidatorCount: 0 }, "INVALID_OVERRIDE"],
    [
      "duplicate blob epoch",
      {
        blobSchedule: [
          { EPOCH: 1, MAX_BLOBS_PER_BLOCK: 1 },
          { EPOCH: 1, MAX_BLOBS_PER_BLOCK: 2 },
        ],
      },
      "INVALID_BLOB_SCHEDULE",
    ],
    ["too many blobs", { blobSchedule: [{ EPOCH: 1, MAX_BLOBS_PER_BLOCK: 5000 }] }, "INVALID_BLOB_SCHEDULE"],
    ["not a config key", { config: { NOT_A_KEY: 1 } as Partial<ChainConfig> }, "INVALID_OVERRIDE", "config.NOT_A_KEY"],
    ["inherited name", { config: { toString: 1 } as Partial<ChainConfig> }, "INVALID_OVERRIDE", "config.toString"],
    ["zero slot duration", { config: { SLOT_DURATION_MS: 0 } }, "INVALID_VALUE", "SLOT_DURATION_MS"],
  ];
  for (const [name, overrides, code, key] of cases) {
    test(name, () => expectReject(overrides, code, key));
  }
});
