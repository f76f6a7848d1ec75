// Test helper: reads a reference YAML with the yaml library's failsafe schema (every scalar a string) and
// compares one of our values with its YAML text, independently of the loader under test.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { toHex } from "../../../../consensus/src/util/hex.ts";
import { referencePath } from "../../../support/reference.ts";

/** 2**64-1 as the YAMLs write it (FAR_FUTURE_EPOCH; Infinity in our configs). */
export const FAR_FUTURE_TEXT = "18446744073709551615";

/** The reference YAML at `parts` (under the reference folder), every scalar a string. */
export function readReferenceYaml(...parts: string[]): Record<string, unknown> {
  return parse(readFileSync(referencePath(...parts), "utf8"), { schema: "failsafe" }) as Record<string, unknown>;
}

/** Asserts our `value` of `key` is the value the YAML writes as `text`. */
export function assertEqualsYaml(key: string, value: unknown, text: unknown): void {
  if (typeof value === "number") {
    assert.equal(typeof text, "string", key);
    if (value === Infinity) assert.equal(text, FAR_FUTURE_TEXT, key);
    else assert.equal(BigInt(value), BigInt(text as string), key);
  } else if (typeof value === "bigint") {
    assert.equal(value, BigInt(text as string), key);
  } else if (value instanceof Uint8Array) {
    assert.equal(toHex(value), (text as string).toLowerCase(), key);
  } else if (typeof value === "string") {
    assert.equal(value, text, key);
  } else if (Array.isArray(value)) {
    assert.ok(Array.isArray(text), `${key} is a list in the YAML`);
    assert.equal(value.length, (text as unknown[]).length, `${key} length`);
    value.forEach((entry: Record<string, unknown>, i) => {
      const yamlEntry = (text as Record<string, unknown>[])[i];
      assert.deepEqual(Object.keys(entry).sort(), Object.keys(yamlEntry).sort(), `${key}[${i}] fields`);
      for (const f of Object.keys(entry)) assertEqualsYaml(`${key}[${i}].${f}`, entry[f], yamlEntry[f]);
    });
  } else {
    assert.fail(`${key}: unexpected value ${String(value)}`);
  }
}
