// Spec compatibility of a beacon node (GET /eth/v1/config/spec) with the validator client's config and preset, and
// a chain config built from a node's spec.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ChainConfig } from "../../../../consensus/src/params/config/chainConfig.ts";
import { mainnetChainConfig } from "../../../../consensus/src/params/config/mainnet.ts";
import { minimalChainConfig } from "../../../../consensus/src/params/config/minimal.ts";
import { isConfigError } from "../../../../consensus/src/params/errors.ts";
import { mainnetPreset } from "../../../../consensus/src/params/presets/mainnet.ts";
import { minimalPreset } from "../../../../consensus/src/params/presets/minimal.ts";
import { fromHex } from "../../../../consensus/src/util/hex.ts";
import { chainConfigFromSpec, checkSpecCompatible } from "../../../../validator/src/beaconNodes/spec.ts";
import { specOf } from "./support.ts";

const FAR_FUTURE = "18446744073709551615";
const OURS = { config: mainnetChainConfig, preset: mainnetPreset };
const MAINNET_SPEC = specOf(mainnetChainConfig, mainnetPreset);

function without(spec: Record<string, unknown>, ...keys: string[]): Record<string, unknown> {
  const out = { ...spec };
  for (const k of keys) delete out[k];
  return out;
}

describe("checkSpecCompatible", () => {
  it("accepts a node of the same network (BLOB_SCHEDULE, extra keys and number-typed values included)", () => {
    assert.equal(checkSpecCompatible(OURS, MAINNET_SPEC), undefined);
    assert.equal(checkSpecCompatible(OURS, { ...MAINNET_SPEC, SOME_NEW_KEY: "7", SLOTS_PER_EPOCH: 32 }), undefined);
  });

  it("refuses another network, naming the key and both values", () => {
    const reason = checkSpecCompatible(OURS, { ...MAINNET_SPEC, GENESIS_FORK_VERSION: "0x10000910" });
    assert.equal(reason, "GENESIS_FORK_VERSION 0x10000910 ≠ ours 0x00000000");
    assert.match(
      checkSpecCompatible(OURS, { ...MAINNET_SPEC, ELECTRA_FORK_EPOCH: "1" }) ?? "",
      /^ELECTRA_FORK_EPOCH 1 ≠ ours 364032$/,
    );
    assert.match(
      checkSpecCompatible(OURS, { ...MAINNET_SPEC, CAPELLA_FORK_VERSION: "0x03000001" }) ?? "",
      /CAPELLA_FORK_VERSION 0x03000001 ≠ ours 0x03000000/,
    );
  });

  it("refuses another preset or slot time", () => {
    const minimal = specOf(minimalChainConfig, minimalPreset);
    const reason = checkSpecCompatible(OURS, { ...minimal, ...forkKeysOf(MAINNET_SPEC) }) ?? "";
    assert.match(reason, /PRESET_BASE minimal ≠ ours mainnet/);
    assert.match(reason, /SECONDS_PER_SLOT 6 ≠ ours 12/);
    assert.match(reason, /\(and \d+ more\)$/);
    assert.match(
      checkSpecCompatible(OURS, { ...MAINNET_SPEC, SLOTS_PER_EPOCH: "8" }) ?? "",
      /SLOTS_PER_EPOCH 8 ≠ ours 32/,
    );
    assert.match(
      checkSpecCompatible(OURS, { ...MAINNET_SPEC, SYNC_COMMITTEE_SIZE: "32" }) ?? "",
      /SYNC_COMMITTEE_SIZE 32 ≠ ours 512/,
    );
    assert.match(
      checkSpecCompatible(OURS, { ...MAINNET_SPEC, TARGET_AGGREGATORS_PER_COMMITTEE: "8" }) ?? "",
      /TARGET_AGGREGATORS_PER_COMMITTEE 8 ≠ ours 16/,
    );
    assert.match(
      checkSpecCompatible(OURS, { ...MAINNET_SPEC, DOMAIN_BEACON_ATTESTER: "0x01000001" }) ?? "",
      /DOMAIN_BEACON_ATTESTER 0x01000001 ≠ ours 0x01000000/,
    );
  });

  it("keys absent on one side are not compared (an older node without SLOT_DURATION_MS, DUE_BPS, domains)", () => {
    const old = without(
      MAINNET_SPEC,
      "SLOT_DURATION_MS",
      "ATTESTATION_DUE_BPS",
      "DOMAIN_SYNC_COMMITTEE",
      "MAX_SEED_LOOKAHEAD",
    );
    assert.equal(checkSpecCompatible(OURS, old), undefined);
  });

  it("an older node that lacks a fork we schedule is refused; one we do not schedule is fine", () => {
    const oldNode = without(MAINNET_SPEC, "FULU_FORK_EPOCH", "FULU_FORK_VERSION");
    assert.match(
      checkSpecCompatible(OURS, oldNode) ?? "",
      /FULU_FORK_EPOCH absent \(the node does not know this fork\) but ours schedules it at epoch 411392: upgrade the beacon node/,
    );
    const ours: ChainConfig = { ...mainnetChainConfig, FULU_FORK_EPOCH: Infinity };
    const theirs = without(specOf(ours, mainnetPreset), "FULU_FORK_EPOCH", "FULU_FORK_VERSION");
    assert.equal(checkSpecCompatible({ config: ours, preset: mainnetPreset }, theirs), undefined);
  });

  it("a node that schedules a fork this client does not know is refused; unscheduled, it is fine", () => {
    assert.equal(
      checkSpecCompatible(OURS, { ...MAINNET_SPEC, HEZE_FORK_EPOCH: FAR_FUTURE, HEZE_FORK_VERSION: "0x08000000" }),
      undefined,
    );
    assert.match(
      checkSpecCompatible(OURS, { ...MAINNET_SPEC, HEZE_FORK_EPOCH: "500000", HEZE_FORK_VERSION: "0x08000000" }) ?? "",
      /HEZE_FORK_EPOCH 500000 is a fork this validator client does not know: upgrade the validator client/,
    );
  });
});

/** The fork keys of a spec (to give a minimal-preset spec mainnet's fork schedule). */
function forkKeysOf(spec: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(spec).filter(([k]) => /_FORK_(EPOCH|VERSION)$/.test(k)));
}

describe("chainConfigFromSpec", () => {
  it("reads every config key of a node's spec onto the base (bytes, FAR_FUTURE, BLOB_SCHEDULE)", () => {
    const devnet: ChainConfig = {
      ...mainnetChainConfig,
      CONFIG_NAME: "devnet-7",
      GENESIS_FORK_VERSION: fromHex("0x10000910"),
      DENEB_FORK_EPOCH: 0,
      ELECTRA_FORK_EPOCH: 5,
      FULU_FORK_EPOCH: Infinity,
      SECONDS_PER_SLOT: 6,
      SLOT_DURATION_MS: 6000,
      TERMINAL_TOTAL_DIFFICULTY: 0n,
      BLOB_SCHEDULE: [{ EPOCH: 5, MAX_BLOBS_PER_BLOCK: 9 }],
    };
    const config = chainConfigFromSpec(specOf(devnet, mainnetPreset), mainnetChainConfig);
    assert.deepEqual(config, devnet);
  });

  it("derives SLOT_DURATION_MS from an older node's SECONDS_PER_SLOT; missing keys keep the base's", () => {
    const spec = without(specOf(mainnetChainConfig, mainnetPreset), "SLOT_DURATION_MS", "ATTESTATION_DUE_BPS");
    spec.SECONDS_PER_SLOT = "4";
    const config = chainConfigFromSpec(spec, mainnetChainConfig);
    assert.equal(config.SECONDS_PER_SLOT, 4);
    assert.equal(config.SLOT_DURATION_MS, 4000);
    assert.equal(config.ATTESTATION_DUE_BPS, mainnetChainConfig.ATTESTATION_DUE_BPS);
  });

  it("refuses a base of another preset and malformed values, naming the key", () => {
    assert.throws(
      () => chainConfigFromSpec(specOf(minimalChainConfig, minimalPreset), mainnetChainConfig),
      /PRESET_BASE is minimal but the base config is mainnet/,
    );
    assert.throws(
      () => chainConfigFromSpec({ ...MAINNET_SPEC, ALTAIR_FORK_VERSION: "0x0100" }, mainnetChainConfig),
      (err) => isConfigError(err, "INVALID_VALUE") && err.context.key === "ALTAIR_FORK_VERSION",
    );
  });
});
