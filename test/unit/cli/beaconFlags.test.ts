// Flags as commander parses them reach the node options unchanged in meaning: `--rest.rate-limit off` is no rate
// limit (commander stores a parser's null as ""), a rate is kept, and the default is the documented one.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_RATE_LIMIT, resolveBeaconNodeOptions } from "@sextant/beacon/node/options";
import { Command } from "commander";
import { addRestOptions, type NodeFlags, nodeInputOf } from "../../../cli/src/beacon.ts";

function restOf(args: string[]) {
  const cmd = addRestOptions(new Command()).exitOverride();
  cmd.parse(["node", "sextant", ...args]);
  const flags = { ...cmd.opts(), metrics: false } as NodeFlags;
  return nodeInputOf(flags).rest;
}

describe("beacon REST flags", () => {
  it("--rest.rate-limit off disables rate limiting", () => {
    assert.equal(restOf(["--rest.rate-limit", "off"])?.rateLimit, null);
  });
  it("a rate and the default are kept", () => {
    assert.deepEqual(restOf(["--rest.rate-limit", "20/s:40"])?.rateLimit, { ratePerSecond: 20, burst: 40 });
    assert.deepEqual(restOf([])?.rateLimit, DEFAULT_RATE_LIMIT);
  });
  it("off resolves to a valid node configuration", () => {
    const input = { network: "dev", dataDir: "/tmp/x", rest: restOf(["--rest.rate-limit", "off"]) };
    assert.equal(resolveBeaconNodeOptions(input as never).rest.rateLimit, null);
  });
});
