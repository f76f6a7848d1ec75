// Our mainnet preset, mainnet and sepolia chain configs and their fork schedules against Lodestar.
import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { mainnetChainConfig, mainnetPreset, sepoliaChainConfig } from "../../consensus/src/params/index.ts";
import { loadOracle, type Oracle, oracleSkip } from "../support/oracle.ts";
import { PROJECT_ROOT } from "../support/reference.ts";
import { compareChainConfig, compareForkSchedule, comparePreset, MIN_PRESET_COVERAGE } from "./paramsOracle.ts";

/** Chain-config keys ours must have compared with Lodestar (directly or via @lodestar/params). */
const MIN_CONFIG_KEYS_COMPARED = 80;

/**
 * Known differences, not bugs. GLOAS_FORK_EPOCH: Lodestar's config 1.48 still has sepolia's gloas
 * unscheduled, while the network's published config.yaml (our source) schedules it at 353024.
 * TERMINAL_BLOCK_HASH(_ACTIVATION_EPOCH): Lodestar's sepolia inherits mainnet's unused values; the published
 * YAML sets the merge-transition override (0xd07c…, 3599). The unit tests check ours equal the YAML.
 */
const SEPOLIA_SKEW = ["GLOAS_FORK_EPOCH", "TERMINAL_BLOCK_HASH", "TERMINAL_BLOCK_HASH_ACTIVATION_EPOCH"];

describe("params vs the oracle (mainnet)", { skip: oracleSkip() }, () => {
  let o: Oracle;
  // biome-ignore lint/suspicious/noExplicitAny: the oracle's networks module is untyped
  let networks: any;
  before(async () => {
    o = await loadOracle("mainnet");
    const path = join(PROJECT_ROOT, "test/oracle/node_modules/@lodestar/config/lib/networks.js");
    networks = await import(pathToFileURL(path).href);
  });

  test("every preset value equals @lodestar/params", () => {
    const [compared, total] = comparePreset(o, mainnetPreset);
    assert.ok(compared >= MIN_PRESET_COVERAGE * total, `only ${compared}/${total} compared`);
  });
  test("the mainnet chain config equals @lodestar/config's default chainConfig", () => {
    const compared = compareChainConfig(o, mainnetChainConfig, o.config.defaultChainConfig);
    assert.ok(compared >= MIN_CONFIG_KEYS_COMPARED, `only ${compared} keys compared`);
    compareChainConfig(o, mainnetChainConfig, networks.mainnetChainConfig);
  });
  test("the sepolia chain config equals @lodestar/config's networks sepolia", () => {
    const compared = compareChainConfig(o, sepoliaChainConfig, networks.sepoliaChainConfig, SEPOLIA_SKEW);
    assert.ok(compared >= MIN_CONFIG_KEYS_COMPARED, `only ${compared} keys compared`);
  });
  test("fork schedule and blob parameters equal Lodestar's fork config", () => {
    const a = compareForkSchedule(o, mainnetChainConfig, o.config.defaultChainConfig, 1);
    const b = compareForkSchedule(o, sepoliaChainConfig, networks.sepoliaChainConfig, 2);
    console.log(`# compared fork schedule at ${a} mainnet and ${b} sepolia epochs`);
  });
});
