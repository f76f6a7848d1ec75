import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import {
  type ChainConfig,
  type ConfigErrorCode,
  chainConfigToYaml,
  FORK_CONFIG_KEYS,
  FORK_NAMES,
  isConfigError,
  mainnetChainConfig,
  minimalChainConfig,
  namedChainConfigs,
  parseChainConfigYaml,
  sepoliaChainConfig,
} from "../../../../consensus/src/params/index.ts";
import { Rng } from "../../../support/random.ts";
import { referencePath, referenceSkip } from "../../../support/reference.ts";
import { assertEqualsYaml } from "./referenceYaml.ts";

/** Seeded random configs round-tripped through YAML. */
const RANDOM_CONFIGS = 60;

/** `base` as YAML with the entries of `lines` replacing its own (a value starting with "\n" is a block). */
function yamlWith(base: ChainConfig, lines: Record<string, string>): string {
  const out: string[] = [];
  let dropping = false;
  for (const line of chainConfigToYaml(base).trimEnd().split("\n")) {
    if (line.startsWith(" ")) {
      if (!dropping) out.push(line);
      continue;
    }
    dropping = line.slice(0, line.indexOf(":")) in lines;
    if (!dropping) out.push(line);
  }
  for (const [key, value] of Object.entries(lines))
    out.push(value.startsWith("\n") ? `${key}:${value}` : `${key}: ${value}`);
  return `${out.join("\n")}\n`;
}

function expectError(text: string, code: ConfigErrorCode, key?: string): void {
  assert.throws(
    () => parseChainConfigYaml(text),
    (e: unknown) => {
      assert.ok(isConfigError(e), `a ConfigError, got ${String(e)}`);
      assert.equal(e.code, code, e.message);
      if (key !== undefined) {
        assert.equal(e.context.key, key);
        assert.ok(e.message.includes(key), `message names ${key}: ${e.message}`);
      }
      return true;
    },
  );
}

function randomUint(rng: Rng): number {
  switch (rng.int(4)) {
    case 0:
      return Infinity;
    case 1:
      return rng.int(100);
    case 2:
      return Number.MAX_SAFE_INTEGER - rng.int(3);
    default:
      return rng.int(2 ** 40);
  }
}

function randomConfig(rng: Rng): ChainConfig {
  const base = rng.bool() ? mainnetChainConfig : minimalChainConfig;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(base)) {
    if (typeof value === "number") out[key] = randomUint(rng);
    else if (typeof value === "bigint") out[key] = rng.bool() ? 2n ** 256n - 1n : rng.nextU64() * rng.nextU64();
    else if (value instanceof Uint8Array) out[key] = rng.bytes(value.length);
    else out[key] = value;
  }
  const name = Array.from({ length: 1 + rng.int(12) }, () => "abcdefghijklmnopqrstuvwxyz0123456789-"[rng.int(37)]);
  out.CONFIG_NAME = name.join("");
  let epoch = 0;
  for (const fork of FORK_NAMES.slice(1)) {
    epoch = rng.int(5) === 0 ? Infinity : epoch + rng.int(1000);
    out[FORK_CONFIG_KEYS[fork as Exclude<(typeof FORK_NAMES)[number], "phase0">].epoch] = epoch;
  }
  const seconds = 1 + rng.int(20);
  out.SECONDS_PER_SLOT = seconds;
  out.SLOT_DURATION_MS = seconds * 1000;
  const fulu = out.FULU_FORK_EPOCH as number;
  const entries = fulu === Infinity ? 0 : rng.int(4);
  out.BLOB_SCHEDULE = Array.from({ length: entries }, (_, i) => ({
    EPOCH: fulu + 1 + i * 100 + rng.int(100),
    MAX_BLOBS_PER_BLOCK: rng.int(4097),
  }));
  return out as unknown as ChainConfig;
}

describe("chainConfigToYaml / parseChainConfigYaml round trip", () => {
  for (const [name, config] of Object.entries(namedChainConfigs)) {
    test(`${name}`, () => {
      const parsed = parseChainConfigYaml(chainConfigToYaml(config));
      assert.deepEqual(parsed.config, config);
      assert.deepEqual(parsed.unknownKeys, []);
      assert.deepEqual(parsed.defaultedKeys, []);
      assert.equal(chainConfigToYaml(parsed.config), chainConfigToYaml(config), "text is stable");
    });
  }
  test(`${RANDOM_CONFIGS} seeded random configs`, () => {
    const rng = new Rng(0x51c7a);
    for (let i = 0; i < RANDOM_CONFIGS; i++) {
      const config = randomConfig(rng);
      const parsed = parseChainConfigYaml(chainConfigToYaml(config));
      assert.deepEqual(parsed.config, config, `config #${i}`);
    }
  });
  test("a name with a quote survives", () => {
    const config = { ...mainnetChainConfig, CONFIG_NAME: "it's # not: a comment" };
    const parsed = parseChainConfigYaml(chainConfigToYaml(config));
    assert.equal(parsed.config.CONFIG_NAME, config.CONFIG_NAME);
    assert.ok(parsed.warnings.some((w) => w.includes("CONFIG_NAME")));
  });
  for (const name of ["mainnet", "minimal"] as const) {
    test(`the reference ${name}.yaml reads as our ${name} config`, { skip: referenceSkip("consensus-specs") }, () => {
      const text = readFileSync(referencePath("consensus-specs", "configs", `${name}.yaml`), "utf8");
      const parsed = parseChainConfigYaml(text);
      assert.deepEqual(parsed.config, namedChainConfigs[name]);
      assert.deepEqual(parsed.warnings, []);
      assert.deepEqual(parsed.unknownForks, []);
    });
  }
  test("the written text is what an independent reader sees", async () => {
    const { parse } = await import("yaml");
    const doc = parse(chainConfigToYaml(sepoliaChainConfig), { schema: "failsafe" }) as Record<string, unknown>;
    for (const [key, value] of Object.entries(sepoliaChainConfig)) assertEqualsYaml(key, value, doc[key]);
  });
});

describe("malformed values are rejected naming the key", () => {
  const cases: [string, string, string][] = [
    ["SECONDS_PER_SLOT", "abc", "SECONDS_PER_SLOT"],
    ["SECONDS_PER_SLOT", "-1", "SECONDS_PER_SLOT"],
    ["SECONDS_PER_SLOT", "1.5", "SECONDS_PER_SLOT"],
    ["SECONDS_PER_SLOT", "0x0c", "SECONDS_PER_SLOT"],
    ["SLOT_DURATION_MS", "0", "SLOT_DURATION_MS"],
    ["GENESIS_DELAY", "", "GENESIS_DELAY"],
    ["GENESIS_DELAY", "[1, 2]", "GENESIS_DELAY"],
    ["MIN_GENESIS_TIME", "18446744073709551616", "MIN_GENESIS_TIME"],
    ["MIN_GENESIS_TIME", "9007199254740993", "MIN_GENESIS_TIME"],
    ["ALTAIR_FORK_VERSION", "0x010000", "ALTAIR_FORK_VERSION"],
    ["ALTAIR_FORK_VERSION", "0x0100000000", "ALTAIR_FORK_VERSION"],
    ["ALTAIR_FORK_VERSION", "01000000", "ALTAIR_FORK_VERSION"],
    ["ALTAIR_FORK_VERSION", "0xzz000000", "ALTAIR_FORK_VERSION"],
    ["GLOAS_FORK_VERSION", "0x07", "GLOAS_FORK_VERSION"],
    ["DEPOSIT_CONTRACT_ADDRESS", "0x1234", "DEPOSIT_CONTRACT_ADDRESS"],
    ["TERMINAL_BLOCK_HASH", "0x00", "TERMINAL_BLOCK_HASH"],
    ["TERMINAL_TOTAL_DIFFICULTY", "12e3", "TERMINAL_TOTAL_DIFFICULTY"],
    ["TERMINAL_TOTAL_DIFFICULTY", (2n ** 256n).toString(), "TERMINAL_TOTAL_DIFFICULTY"],
    ["CONFIG_NAME", "[a, b]", "CONFIG_NAME"],
    ["BLOB_SCHEDULE", "5", "BLOB_SCHEDULE"],
    ["BLOB_SCHEDULE", "\n  - EPOCH: x\n    MAX_BLOBS_PER_BLOCK: 1", "BLOB_SCHEDULE[0].EPOCH"],
    ["BLOB_SCHEDULE", "\n  - EPOCH: 412672", "BLOB_SCHEDULE[0].MAX_BLOBS_PER_BLOCK"],
    ["BLOB_SCHEDULE", "\n  - 412672", "BLOB_SCHEDULE[0]"],
  ];
  for (const [key, value, errorKey] of cases) {
    test(`${key}: ${JSON.stringify(value)}`, () => {
      expectError(yamlWith(mainnetChainConfig, { [key]: value }), "INVALID_VALUE", errorKey);
    });
  }
});

describe("other rejected configs", () => {
  for (const text of ["A: [1\n", "- 1\n- 2\n", "", "just a string\n", "A: 1\nA: 2\n", "A: 1\n---\nB: 2\n"]) {
    test(`INVALID_YAML: ${JSON.stringify(text)}`, () => expectError(text, "INVALID_YAML"));
  }
  test("UNSUPPORTED_PRESET: gnosis", () => {
    expectError("PRESET_BASE: 'gnosis'\nCONFIG_NAME: 'gnosis'\n", "UNSUPPORTED_PRESET", "PRESET_BASE");
  });
  test("INVALID_FORK_ORDER: bellatrix before altair", () => {
    const text = yamlWith(mainnetChainConfig, { ALTAIR_FORK_EPOCH: "10", BELLATRIX_FORK_EPOCH: "5" });
    expectError(text, "INVALID_FORK_ORDER", "BELLATRIX_FORK_EPOCH");
  });
  test("INVALID_FORK_ORDER: a fork scheduled after an unscheduled one", () => {
    const text = yamlWith(mainnetChainConfig, { ELECTRA_FORK_EPOCH: "18446744073709551615" });
    expectError(text, "INVALID_FORK_ORDER", "FULU_FORK_EPOCH");
  });
  test("INVALID_BLOB_SCHEDULE: duplicate epoch", () => {
    const schedule = "\n  - EPOCH: 412672\n    MAX_BLOBS_PER_BLOCK: 15\n  - EPOCH: 412672\n    MAX_BLOBS_PER_BLOCK: 21";
    expectError(
      yamlWith(mainnetChainConfig, { BLOB_SCHEDULE: schedule }),
      "INVALID_BLOB_SCHEDULE",
      "BLOB_SCHEDULE[1].EPOCH",
    );
  });
  test("INVALID_BLOB_SCHEDULE: more blobs than MAX_BLOB_COMMITMENTS_PER_BLOCK", () => {
    const schedule = "\n  - EPOCH: 412672\n    MAX_BLOBS_PER_BLOCK: 4097";
    const text = yamlWith(mainnetChainConfig, { BLOB_SCHEDULE: schedule });
    expectError(text, "INVALID_BLOB_SCHEDULE", "BLOB_SCHEDULE[0].MAX_BLOBS_PER_BLOCK");
    const ok = yamlWith(mainnetChainConfig, { BLOB_SCHEDULE: schedule.replace("4097", "4096") });
    assert.equal(parseChainConfigYaml(ok).config.BLOB_SCHEDULE[0].MAX_BLOBS_PER_BLOCK, 4096);
  });
});

describe("defaults and tolerated oddities", () => {
  test("missing keys come from the preset base's reference config", () => {
    const parsed = parseChainConfigYaml("PRESET_BASE: 'minimal'\nCONFIG_NAME: 'tiny'\nGENESIS_DELAY: 7\n");
    assert.deepEqual(parsed.config, { ...minimalChainConfig, CONFIG_NAME: "tiny", GENESIS_DELAY: 7 });
    assert.equal(parsed.defaultedKeys.length, Object.keys(minimalChainConfig).length - 3);
    assert.deepEqual(parsed.warnings, []);
  });
  test("a scheduled fork epoch taken from the defaults is called out", () => {
    const parsed = parseChainConfigYaml("PRESET_BASE: 'mainnet'\nCONFIG_NAME: 'x'\n");
    assert.equal(parsed.config.FULU_FORK_EPOCH, mainnetChainConfig.FULU_FORK_EPOCH);
    assert.ok(parsed.warnings.some((w) => w.startsWith("FULU_FORK_EPOCH not set")));
  });
  test("PRESET_BASE missing: mainnet, with a warning", () => {
    const parsed = parseChainConfigYaml("CONFIG_NAME: 'x'\n");
    assert.equal(parsed.config.PRESET_BASE, "mainnet");
    assert.ok(parsed.warnings.some((w) => w.includes("PRESET_BASE")));
  });
  test("opts.defaults supplies the missing keys; a different PRESET_BASE is rejected", () => {
    const parsed = parseChainConfigYaml("CONFIG_NAME: 'sepolia-fork'\n", { defaults: sepoliaChainConfig });
    assert.deepEqual(parsed.config, { ...sepoliaChainConfig, CONFIG_NAME: "sepolia-fork" });
    assert.deepEqual(
      parsed.unknownForks.map((f) => f.name),
      ["gloas"],
    );
    assert.throws(
      () => parseChainConfigYaml("PRESET_BASE: 'minimal'\n", { defaults: sepoliaChainConfig }),
      (e: unknown) => isConfigError(e, "INVALID_VALUE") && e.context.key === "PRESET_BASE",
    );
  });
  test("SECONDS_PER_SLOT alone sets SLOT_DURATION_MS, and the other way round", () => {
    const a = parseChainConfigYaml("PRESET_BASE: 'minimal'\nSECONDS_PER_SLOT: 2\n");
    assert.equal(a.config.SLOT_DURATION_MS, 2000);
    assert.ok(a.warnings.some((w) => w.includes("SLOT_DURATION_MS")));
    const b = parseChainConfigYaml("PRESET_BASE: 'minimal'\nSLOT_DURATION_MS: 4000\n");
    assert.equal(b.config.SECONDS_PER_SLOT, 4);
    assert.deepEqual(b.warnings, []);
    const c = parseChainConfigYaml("PRESET_BASE: 'minimal'\nSLOT_DURATION_MS: 4000\nSECONDS_PER_SLOT: 6\n");
    assert.equal(c.config.SLOT_DURATION_MS, 4000);
    assert.ok(c.warnings.some((w) => w.includes("disagrees")));
    const d = parseChainConfigYaml("PRESET_BASE: 'minimal'\nSLOT_DURATION_MS: 500\n");
    assert.equal(d.config.SECONDS_PER_SLOT, 1, "a sub-second slot still has a positive SECONDS_PER_SLOT");
    assert.ok(d.warnings.some((w) => w.includes("disagrees")));
  });
  test("blob schedule out of order or before fulu: warnings, not errors", () => {
    const schedule =
      "\n  - EPOCH: 419072\n    MAX_BLOBS_PER_BLOCK: 21\n  - EPOCH: 412672\n    MAX_BLOBS_PER_BLOCK: 15" +
      "\n  - EPOCH: 364032\n    MAX_BLOBS_PER_BLOCK: 9";
    const parsed = parseChainConfigYaml(yamlWith(mainnetChainConfig, { BLOB_SCHEDULE: schedule }));
    assert.equal(parsed.config.BLOB_SCHEDULE.length, 3);
    assert.ok(parsed.warnings.some((w) => w.includes("BLOB_SCHEDULE[1].EPOCH 412672 is out of order")));
    assert.ok(parsed.warnings.some((w) => w.includes("BLOB_SCHEDULE[2].EPOCH 364032 precedes FULU_FORK_EPOCH")));
  });
  test("unknown fields of a blob schedule entry are warned about", () => {
    const schedule = "\n  - EPOCH: 412672\n    MAX_BLOBS_PER_BLOCK: 15\n    TARGET: 10";
    const parsed = parseChainConfigYaml(yamlWith(mainnetChainConfig, { BLOB_SCHEDULE: schedule }));
    assert.deepEqual(parsed.config.BLOB_SCHEDULE, [{ EPOCH: 412672, MAX_BLOBS_PER_BLOCK: 15 }]);
    assert.ok(parsed.warnings.some((w) => w.includes("BLOB_SCHEDULE[0].TARGET")));
  });
});
