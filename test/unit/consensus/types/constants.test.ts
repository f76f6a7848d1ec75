// consensus/src/params/constants.ts against the tables of the consensus specification v1.6.1: every export must be
// a spec constant, with the spec's value.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as constants from "../../../../consensus/src/params/constants.ts";
import { mainnetPreset } from "../../../../consensus/src/params/presets/mainnet.ts";
import { minimalPreset } from "../../../../consensus/src/params/presets/minimal.ts";
import { referenceSkip } from "../../../support/reference.ts";
import { numericEnv, readSpec } from "./specTables.ts";

/** The spec's value of a non-numeric constant expression: Bytes1('0x02') → 2, b'ABC' / 'abc' → string. */
function literal(expr: string): number | string | undefined {
  const byte = /^Bytes1\('0x([0-9a-f]{2})'\)$/.exec(expr);
  if (byte) return Number.parseInt(byte[1], 16);
  const str = /^b?'([^']*)'$/.exec(expr);
  if (str) return str[1];
  return undefined;
}

/** A compressed point at infinity: 0xc0 then zero bytes. */
function pointAtInfinity(length: number): Uint8Array {
  const out = new Uint8Array(length);
  out[0] = 0xc0;
  return out;
}

test("every constant has the spec's value", { skip: referenceSkip("consensus-specs", "specs") }, (t) => {
  const spec = readSpec().fulu;
  const env = numericEnv(spec, mainnetPreset as unknown as Record<string, number>);
  let checked = 0;
  for (const [name, ours] of Object.entries(constants)) {
    const expr = spec.constants.get(name);
    assert.ok(expr !== undefined, `${name} is not a constant of the spec`);
    checked++;
    if (ours instanceof Uint8Array) {
      const expected = { G1_POINT_AT_INFINITY: pointAtInfinity(48), G2_POINT_AT_INFINITY: pointAtInfinity(96) }[name];
      assert.ok(expected !== undefined && /\\xc0/.test(expr), `${name}: unexpected bytes constant (${expr})`);
      assert.deepEqual(ours, expected, name);
    } else if (Array.isArray(ours)) {
      // PARTICIPATION_FLAG_WEIGHTS = [TIMELY_SOURCE_WEIGHT, TIMELY_TARGET_WEIGHT, TIMELY_HEAD_WEIGHT]
      const names = expr.replace(/[[\]\s]/g, "").split(",");
      assert.deepEqual(
        ours,
        names.map((n) => Number(env.get(n))),
        name,
      );
    } else if (typeof ours === "string") {
      assert.equal(ours, literal(expr), name);
    } else if (ours === Number.POSITIVE_INFINITY) {
      assert.equal(env.get(name), 2n ** 64n - 1n, `${name}: Infinity stands for 2**64-1`);
    } else if (typeof ours === "bigint") {
      assert.equal(ours, env.get(name), name);
    } else {
      const expected = env.get(name) ?? literal(expr);
      assert.equal(BigInt(ours as number), BigInt(expected as number | bigint), name);
    }
  }
  t.diagnostic(`${checked} constants checked against the spec`);
});

test("the derived byte sizes hold in both presets", () => {
  for (const p of [mainnetPreset, minimalPreset]) {
    assert.equal(constants.BYTES_PER_BLOB, constants.BYTES_PER_FIELD_ELEMENT * p.FIELD_ELEMENTS_PER_BLOB);
    assert.equal(constants.BYTES_PER_CELL, constants.BYTES_PER_FIELD_ELEMENT * p.FIELD_ELEMENTS_PER_CELL);
  }
});
