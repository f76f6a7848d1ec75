import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FORK_NAMES } from "../../../../consensus/src/params/forkName.ts";
import { getPreset, isPresetName, presets } from "../../../../consensus/src/params/index.ts";
import { mainnetPreset, mainnetPresetByFork } from "../../../../consensus/src/params/presets/mainnet.ts";
import { minimalPreset, minimalPresetByFork } from "../../../../consensus/src/params/presets/minimal.ts";
import { referenceSkip } from "../../../support/reference.ts";
import { assertEqualsYaml, readReferenceYaml } from "./referenceYaml.ts";

const byFork = { mainnet: mainnetPresetByFork, minimal: minimalPresetByFork } as const;
const merged = { mainnet: mainnetPreset, minimal: minimalPreset } as const;

for (const name of ["mainnet", "minimal"] as const) {
  describe(`${name} preset equals consensus-specs presets/${name}`, () => {
    for (const fork of FORK_NAMES) {
      test(`${fork}.yaml`, { skip: referenceSkip("consensus-specs", "presets", name, `${fork}.yaml`) }, () => {
        const yaml = readReferenceYaml("consensus-specs", "presets", name, `${fork}.yaml`);
        const ours = byFork[name][fork] as Record<string, unknown>;
        assert.deepEqual(Object.keys(ours).sort(), Object.keys(yaml).sort(), "same keys as the YAML");
        for (const key of Object.keys(yaml)) {
          assertEqualsYaml(key, ours[key], yaml[key]);
          assert.equal((merged[name] as unknown as Record<string, unknown>)[key], ours[key], `merged ${key}`);
        }
      });
    }
    test("the merged preset is exactly the union of the forks", () => {
      const union = Object.assign({}, ...FORK_NAMES.map((f) => byFork[name][f]));
      const sizes = FORK_NAMES.reduce((n, f) => n + Object.keys(byFork[name][f]).length, 0);
      assert.equal(Object.keys(union).length, sizes, "no key appears in two forks");
      assert.deepEqual(merged[name], union);
    });
  });
}

describe("getPreset", () => {
  test("returns each preset by name", () => {
    assert.equal(getPreset("mainnet"), mainnetPreset);
    assert.equal(getPreset("minimal"), minimalPreset);
    assert.equal(getPreset("mainnet").SLOTS_PER_EPOCH, 32);
    assert.equal(getPreset("minimal").SLOTS_PER_EPOCH, 8);
    assert.deepEqual(Object.keys(presets).sort(), ["mainnet", "minimal"]);
  });
  test("rejects other names", () => {
    assert.equal(isPresetName("gnosis"), false);
    assert.equal(isPresetName("minimal"), true);
    assert.throws(() => getPreset("gnosis" as "mainnet"), /unknown preset gnosis/);
  });
});
