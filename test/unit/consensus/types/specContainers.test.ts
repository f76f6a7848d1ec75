// Every `class X(Container)` of the consensus specification v1.6.1 (phase0 → fulu, light client included), read from
// the spec's markdown and resolved at each fork, must be one of our types with the same JSON keys in the same order
// and the same SSZ shape (list limits, vector lengths, byte sizes), for both presets. Independent of the oracle.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FORK_NAMES } from "../../../../consensus/src/params/forkName.ts";
import { mainnetPreset } from "../../../../consensus/src/params/presets/mainnet.ts";
import { minimalPreset } from "../../../../consensus/src/params/presets/minimal.ts";
import type { Preset } from "../../../../consensus/src/params/presets/preset.ts";
import { createSszTypes } from "../../../../consensus/src/types/index.ts";
import { type AnyType, kindOf } from "../../../differential/types/sszWalk.ts";
import { referenceSkip } from "../../../support/reference.ts";
import { numericEnv, readSpec, specShape } from "./specTables.ts";

/** Our type's shape in the format of specShape (JSON keys, which are the spec's snake_case field names). */
function ourShape(t: AnyType): string {
  switch (kindOf(t)) {
    case "ContainerType":
    case "ContainerNodeStructType":
      return `{${t.fieldsEntries.map((e: AnyType) => `${e.jsonKey}:${ourShape(e.fieldType)}`).join(",")}}`;
    case "ListUintNum64Type":
      return `List[uint64,${t.limit}]`;
    case "ListBasicType":
    case "ListCompositeType":
      return `List[${ourShape(t.elementType)},${t.limit}]`;
    case "VectorBasicType":
    case "VectorCompositeType":
      return `Vector[${ourShape(t.elementType)},${t.length}]`;
    case "BitListType":
      return `Bitlist[${t.limitBits}]`;
    case "BitVectorType":
      return `Bitvector[${t.lengthBits}]`;
    case "ByteListType":
      return `ByteList[${t.limitBytes}]`;
    case "ByteVectorType":
      return `ByteVector[${t.lengthBytes}]`;
    case "UintNumberType":
    case "UintBigintType":
      return `uint${t.byteLength * 8}`;
    case "BooleanType":
      return "boolean";
  }
}

const skip = referenceSkip("consensus-specs", "specs");

describe("containers match the consensus specification", { skip }, () => {
  const spec = skip ? undefined : readSpec();
  for (const [presetName, preset] of [
    ["mainnet", mainnetPreset],
    ["minimal", minimalPreset],
  ] as [string, Preset][]) {
    test(`${presetName}: every spec container of every fork, same keys, order and shape`, (t) => {
      const types = createSszTypes(preset);
      let compared = 0;
      for (const fork of FORK_NAMES) {
        const forkSpec = spec![fork];
        const env = numericEnv(forkSpec, preset as unknown as Record<string, number>);
        const ours: Record<string, AnyType> = types[fork];
        for (const name of forkSpec.containers.keys()) {
          assert.ok(ours[name] !== undefined, `${fork}.${name} is in the spec but not in our types`);
          assert.equal(ourShape(ours[name]), specShape(name, forkSpec, env), `${fork}.${name}`);
          compared++;
        }
      }
      t.diagnostic(`${compared} (fork, container) pairs match the spec`);
      // 27 phase0 containers alone; all forks together define far more.
      assert.ok(compared > 300, `only ${compared} containers compared: is the spec parser still finding them?`);
    });
  }

  test("the parser sees what it should (guards against a silently empty comparison)", () => {
    const phase0 = spec!.phase0.containers;
    assert.deepEqual(phase0.get("Checkpoint")?.fields, [
      ["epoch", "Epoch"],
      ["root", "Root"],
    ]);
    assert.ok(spec!.fulu.containers.has("DataColumnSidecar"));
    assert.ok(spec!.electra.customTypes.get("FinalityBranch")?.includes("FINALIZED_ROOT_GINDEX_ELECTRA"));
  });
});
