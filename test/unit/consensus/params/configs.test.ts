import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import {
  CHAIN_CONFIG_NAMES,
  type ChainConfig,
  devChainConfig,
  getChainConfig,
  isChainConfigName,
  mainnetChainConfig,
  minimalChainConfig,
  namedChainConfigs,
  parseChainConfigYaml,
  sepoliaChainConfig,
  validateChainConfig,
} from "../../../../consensus/src/params/index.ts";
import { referencePath, referenceSkip } from "../../../support/reference.ts";
import { assertEqualsYaml, readReferenceYaml } from "./referenceYaml.ts";

function asRecord(config: ChainConfig): Record<string, unknown> {
  return config as unknown as Record<string, unknown>;
}

describe("reference chain configs equal consensus-specs configs/*.yaml", () => {
  for (const [name, config] of [
    ["mainnet", mainnetChainConfig],
    ["minimal", minimalChainConfig],
  ] as const) {
    test(`${name}.yaml: same keys, same values`, { skip: referenceSkip("consensus-specs", "configs") }, () => {
      const yaml = readReferenceYaml("consensus-specs", "configs", `${name}.yaml`);
      assert.deepEqual(Object.keys(config).sort(), Object.keys(yaml).sort());
      for (const key of Object.keys(yaml)) assertEqualsYaml(key, asRecord(config)[key], yaml[key]);
    });
  }
});

describe("sepolia equals networks/sepolia/config.yaml", { skip: referenceSkip("networks", "sepolia") }, () => {
  test("every YAML key equals ours or is reported unknown by the loader", () => {
    const yaml = readReferenceYaml("networks", "sepolia", "config.yaml");
    const parsed = parseChainConfigYaml(readFileSync(referencePath("networks", "sepolia", "config.yaml"), "utf8"));
    let compared = 0;
    for (const key of Object.keys(yaml)) {
      if (key in sepoliaChainConfig) {
        assertEqualsYaml(key, asRecord(sepoliaChainConfig)[key], yaml[key]);
        compared++;
      } else {
        assert.ok(parsed.unknownKeys.includes(key), `${key} reported unknown`);
        assert.ok(
          parsed.warnings.some((w) => w.includes(key)),
          `${key} named in a warning`,
        );
      }
    }
    assert.ok(compared >= 80, `compared ${compared} keys`);
    assert.deepEqual(
      parsed.unknownKeys.sort(),
      Object.keys(yaml)
        .filter((k) => !(k in sepoliaChainConfig))
        .sort(),
    );
    assert.deepEqual(parsed.config, sepoliaChainConfig, "the loader reads the YAML as the embedded config");
  });
  test("keys the YAML omits are mainnet's", () => {
    const yaml = readReferenceYaml("networks", "sepolia", "config.yaml");
    const omitted = Object.keys(mainnetChainConfig).filter((k) => !(k in yaml));
    assert.ok(omitted.includes("EIP7441_FORK_EPOCH"));
    for (const key of omitted) assert.deepEqual(asRecord(sepoliaChainConfig)[key], asRecord(mainnetChainConfig)[key]);
  });
});

describe("named chain configs", () => {
  test("each has its name as CONFIG_NAME and is valid", () => {
    assert.deepEqual([...CHAIN_CONFIG_NAMES].sort(), Object.keys(namedChainConfigs).sort());
    for (const name of CHAIN_CONFIG_NAMES) {
      const config = getChainConfig(name);
      assert.equal(config.CONFIG_NAME, name);
      assert.deepEqual(Object.keys(config).sort(), Object.keys(mainnetChainConfig).sort(), `${name} has every key`);
      assert.deepEqual(validateChainConfig(config), [], `${name} validates without warnings`);
    }
    assert.equal(getChainConfig("dev"), devChainConfig);
    assert.equal(sepoliaChainConfig.PRESET_BASE, "mainnet");
    assert.equal(sepoliaChainConfig.GLOAS_FORK_EPOCH, 353024);
  });
  test("unknown names are rejected", () => {
    assert.equal(isChainConfigName("holesky"), false);
    assert.equal(isChainConfigName("sepolia"), true);
    assert.throws(() => getChainConfig("holesky" as "mainnet"), /unknown chain config holesky/);
  });
});
