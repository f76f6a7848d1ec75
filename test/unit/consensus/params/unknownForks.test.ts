import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import {
  assertNoUnsupportedForkScheduled,
  chainConfigToYaml,
  isConfigError,
  mainnetChainConfig,
  minimalChainConfig,
  namedChainConfigs,
  parseChainConfigYaml,
  sepoliaChainConfig,
  unknownForkOfKey,
  unknownForksOf,
} from "../../../../consensus/src/params/index.ts";
import { toHex } from "../../../../consensus/src/util/hex.ts";
import { referencePath, referenceSkip } from "../../../support/reference.ts";

/** The message the node prints when it refuses to run into sepolia's gloas. */
const SEPOLIA_GLOAS_MESSAGE =
  "network schedules fork gloas at epoch 353024, which this version of Sextant (consensus-specs v1.6.1) " +
  "does not implement; upgrade Sextant";

function minimalWith(extra: string): string {
  return `${chainConfigToYaml(minimalChainConfig)}${extra}`;
}

describe("sepolia's gloas", { skip: referenceSkip("networks", "sepolia", "config.yaml") }, () => {
  const text = () => readFileSync(referencePath("networks", "sepolia", "config.yaml"), "utf8");

  test("is reported, not a crash", () => {
    const parsed = parseChainConfigYaml(text());
    assert.equal(parsed.unknownForks.length, 1);
    const [gloas] = parsed.unknownForks;
    assert.equal(gloas.name, "gloas");
    assert.equal(gloas.epoch, 353024);
    assert.equal(toHex(gloas.version!), "0x90000076");
    assert.ok(parsed.warnings.includes(SEPOLIA_GLOAS_MESSAGE), "a clear warning");
    assert.equal(parsed.config.FULU_FORK_EPOCH, 272640);
  });

  test("assertNoUnsupportedForkScheduled refuses it with a clear message", () => {
    const { unknownForks } = parseChainConfigYaml(text());
    assert.throws(
      () => assertNoUnsupportedForkScheduled(unknownForks),
      (e: unknown) => {
        assert.ok(isConfigError(e, "UNSUPPORTED_FORK"));
        assert.equal(e.message, SEPOLIA_GLOAS_MESSAGE);
        assert.equal(e.context.key, "GLOAS_FORK_EPOCH");
        assert.equal(e.context.epoch, 353024);
        return true;
      },
    );
  });

  test("with a current epoch, only once the fork is reached", () => {
    const { unknownForks } = parseChainConfigYaml(text());
    assert.doesNotThrow(() => assertNoUnsupportedForkScheduled(unknownForks, 0));
    assert.doesNotThrow(() => assertNoUnsupportedForkScheduled(unknownForks, 353023));
    assert.throws(() => assertNoUnsupportedForkScheduled(unknownForks, 353024), /fork gloas at epoch 353024/);
    assert.throws(() => assertNoUnsupportedForkScheduled(unknownForks, 400000), /upgrade Sextant/);
  });
});

describe("unknown forks of a ChainConfig", () => {
  test("the embedded sepolia config schedules gloas; the others schedule nothing unknown", () => {
    assert.deepEqual(unknownForksOf(sepoliaChainConfig), [
      { name: "gloas", epoch: 353024, version: sepoliaChainConfig.GLOAS_FORK_VERSION },
    ]);
    assert.throws(() => assertNoUnsupportedForkScheduled(sepoliaChainConfig), /fork gloas at epoch 353024/);
    for (const name of ["mainnet", "minimal", "dev"] as const) {
      assert.deepEqual(unknownForksOf(namedChainConfigs[name]), [], name);
      assert.doesNotThrow(() => assertNoUnsupportedForkScheduled(namedChainConfigs[name]));
    }
  });
  test("a far-future epoch is not scheduled", () => {
    assert.equal(mainnetChainConfig.GLOAS_FORK_EPOCH, Infinity);
    assert.doesNotThrow(() => assertNoUnsupportedForkScheduled([{ name: "gloas", epoch: Infinity }]));
  });
  test("fork keys are recognised by name", () => {
    assert.deepEqual(unknownForkOfKey("GLOAS_FORK_EPOCH"), { name: "gloas", field: "EPOCH" });
    assert.deepEqual(unknownForkOfKey("EIP7805_FORK_VERSION"), { name: "eip7805", field: "VERSION" });
    for (const key of ["GENESIS_FORK_VERSION", "FULU_FORK_EPOCH", "ALTAIR_FORK_VERSION", "SECONDS_PER_SLOT"]) {
      assert.equal(unknownForkOfKey(key), undefined, key);
    }
  });
});

describe("unknown keys and forks in a custom YAML", () => {
  test("unknown keys are kept out of the config and warned about", () => {
    const parsed = parseChainConfigYaml(minimalWith("FANCY_NEW_PARAM: 12\nANOTHER_ONE: 0xabcd\n"));
    assert.deepEqual(parsed.config, minimalChainConfig);
    assert.deepEqual(parsed.unknownKeys, ["FANCY_NEW_PARAM", "ANOTHER_ONE"]);
    assert.equal(parsed.warnings.length, 2);
    assert.ok(parsed.warnings[0].includes("FANCY_NEW_PARAM"));
    assert.ok(parsed.warnings[1].includes("ANOTHER_ONE"));
    assert.ok(!("FANCY_NEW_PARAM" in parsed.config));
    const inherited = parseChainConfigYaml(minimalWith("constructor: 1\ntoString: 2\n"));
    assert.deepEqual(inherited.unknownKeys, ["constructor", "toString"], "Object.prototype names are unknown keys too");
  });

  test("a fork ChainConfig does not know (heze) is reported with its version, ordered by epoch", () => {
    const text = minimalWith("HEZE_FORK_VERSION: 0x09000001\nHEZE_FORK_EPOCH: 500\n").replace(
      "EIP7441_FORK_EPOCH: 18446744073709551615",
      "EIP7441_FORK_EPOCH: 20",
    );
    const parsed = parseChainConfigYaml(text);
    assert.deepEqual(
      parsed.unknownForks.map((f) => [f.name, f.epoch, f.version && toHex(f.version)]),
      [
        ["eip7441", 20, "0x08000001"],
        ["heze", 500, "0x09000001"],
      ],
    );
    assert.deepEqual(parsed.unknownKeys, ["HEZE_FORK_VERSION", "HEZE_FORK_EPOCH"]);
    for (const key of parsed.unknownKeys) assert.ok(parsed.warnings.some((w) => w.startsWith(`unknown key ${key}`)));
    assert.equal(parsed.config.EIP7441_FORK_EPOCH, 20);
    assert.ok(parsed.warnings.some((w) => w.startsWith("network schedules fork heze at epoch 500")));
    assert.ok(parsed.warnings.some((w) => w.startsWith("network schedules fork eip7441 at epoch 20")));
    assert.throws(() => assertNoUnsupportedForkScheduled(parsed.unknownForks, 25), /fork eip7441 at epoch 20/);
  });

  test("an unknown fork at FAR_FUTURE, or with only a version, is not scheduled", () => {
    const parsed = parseChainConfigYaml(
      minimalWith("HEZE_FORK_EPOCH: 18446744073709551615\nHEZE_FORK_VERSION: 0x09000001\nXYZ_FORK_VERSION: 0x0a\n"),
    );
    assert.deepEqual(parsed.unknownForks, []);
    assert.doesNotThrow(() => assertNoUnsupportedForkScheduled(parsed.unknownForks));
  });

  test("a malformed value of an unknown fork is a warning, not an error", () => {
    const parsed = parseChainConfigYaml(minimalWith("HEZE_FORK_EPOCH: soon\nHEZE_FORK_VERSION: 0x09\n"));
    assert.deepEqual(parsed.unknownForks, []);
    assert.ok(parsed.warnings.some((w) => w.includes("HEZE_FORK_EPOCH") && w.includes("not implemented")));
    assert.ok(parsed.warnings.some((w) => w.includes("HEZE_FORK_VERSION") && w.includes("4 bytes")));
  });
});
