// EndpointMemory: fallback on 404/405 and memory per node and feature, one log line, no fallback on other errors,
// nothing remembered when the legacy endpoint fails too, and the re-probe after a while.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createLogger, memoryLogDestination } from "@sextant/common";
import { EndpointMemory, FEATURES } from "../../../../validator/src/services/endpoints.ts";
import { httpError } from "./fakes.ts";

function make() {
  let now = 1_000;
  const logs = memoryLogDestination();
  const memory = new EndpointMemory({
    logger: createLogger({ format: "json", destination: logs.stream }),
    now: () => now,
    reprobeAfterMs: 60_000,
  });
  const calls: string[] = [];
  const modern = (status?: number) => async () => {
    calls.push("modern");
    if (status !== undefined) throw httpError("modern", status);
    return "modern";
  };
  const legacy = (status?: number) => async () => {
    calls.push("legacy");
    if (status !== undefined) throw httpError("legacy", status);
    return "legacy";
  };
  return { memory, calls, modern, legacy, logs, advance: (ms: number) => (now += ms) };
}

const A = { url: "http://a" };
const B = { url: "http://b" };
const F = FEATURES.submitAttestations;

describe("EndpointMemory", () => {
  it("uses legacy after a 405 and remembers it per node and feature, logging once", async () => {
    const { memory, calls, modern, legacy, logs } = make();
    assert.equal(await memory.call(A, F, modern(405), legacy()), "legacy");
    assert.equal(await memory.call(A, F, modern(405), legacy()), "legacy");
    assert.deepEqual(calls, ["modern", "legacy", "legacy"]);
    assert.equal(await memory.call(B, F, modern(), legacy()), "modern", "another node is asked the modern endpoint");
    assert.equal(await memory.call(A, FEATURES.publishBlock, modern(), legacy()), "modern", "another feature too");
    const lines = logs.lines().filter((l) => String(l.msg).includes("does not serve"));
    assert.equal(lines.length, 1);
    assert.match(
      String(lines[0].msg),
      /beacon node http:\/\/a does not serve POST \/eth\/v2\/beacon\/pool\/attestations; using the v1 endpoint/,
    );
  });

  it("other errors are answers: rethrown, no fallback", async () => {
    const { memory, calls, modern, legacy } = make();
    await assert.rejects(memory.call(A, F, modern(400), legacy()), /modern failed: 400/);
    await assert.rejects(memory.call(A, F, modern(503), legacy()), /modern failed: 503/);
    assert.deepEqual(calls, ["modern", "modern"]);
  });

  it("when the legacy endpoint is missing too (a 404 meaning 'not found'), the modern error is thrown, nothing kept", async () => {
    const { memory, calls, modern, legacy } = make();
    await assert.rejects(memory.call(A, F, modern(404), legacy(404)), /modern failed: 404/);
    assert.equal(memory.isLegacy(A, F), false);
    assert.equal(await memory.call(A, F, modern(), legacy()), "modern");
    assert.deepEqual(calls, ["modern", "legacy", "modern"]);
  });

  it("probes the modern endpoint again after a while (an upgraded node)", async () => {
    const { memory, modern, legacy, advance } = make();
    await memory.call(A, F, modern(404), legacy());
    assert.equal(memory.isLegacy(A, F), true);
    advance(60_000);
    assert.equal(await memory.call(A, F, modern(), legacy()), "modern");
  });
});
