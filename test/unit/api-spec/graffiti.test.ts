// The graffiti query parameter: the spec's 0x hex of 32 bytes, and the plain text older validator clients send on
// the deprecated block endpoints (Lodestar 1.5.1: "Lodestar-v1.5.1/<commit>"), zero-padded; anything else refused.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { graffitiParam } from "@sextant/api-spec/codec/params";

describe("graffiti parameter", () => {
  it("reads 32-byte hex", () => {
    const hex = `0x${"ab".repeat(32)}`;
    assert.deepEqual(graffitiParam.parse(hex), new Uint8Array(32).fill(0xab));
    assert.equal(graffitiParam.format(new Uint8Array(32).fill(0xab)), hex);
  });
  it("reads text of at most 32 bytes, zero-padded", () => {
    const value = graffitiParam.parse("Lodestar-v1.5.1/8768637");
    assert.equal(Buffer.from(value).toString("utf8").replace(/\0+$/, ""), "Lodestar-v1.5.1/8768637");
    assert.equal(value.length, 32);
  });
  it("refuses text over 32 bytes and malformed hex", () => {
    assert.throws(() => graffitiParam.parse("x".repeat(33)), /at most 32 bytes/);
    assert.throws(() => graffitiParam.parse("0x1234"), /hex of 32 bytes/);
  });
});
