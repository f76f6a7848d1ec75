// Unit tests of the interop harness's own parts (no Lodestar needed): the counting proxy over real loopback HTTP
// (forwarding, the syncing rewrite, a dead upstream seen as a network error), the Prometheus parser, and the
// participation / missed-attestation arithmetic from block attestations and committees.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { describe, it } from "node:test";
import { ChainWatcher, committeeMap } from "./lib/chain.ts";
import { countByKey, pathKey, startProxy } from "./lib/proxy.ts";
import { formatTable } from "./lib/report.ts";
import { sumMetric } from "./lib/rest.ts";

async function upstream(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    if (req.url === "/eth/v1/node/syncing") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ data: { head_slot: "7", sync_distance: "0", is_syncing: false } }));
      return;
    }
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(`echo ${req.method} ${req.url}`);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  return { server, url: `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}` };
}

describe("counting proxy", () => {
  it("forwards, rewrites syncing while asked, counts by path template, and drops connections to a dead node", async (t) => {
    const up = await upstream();
    let syncing = true;
    const proxy = await startProxy({
      name: "p",
      target: up.url,
      logFile: "/dev/null",
      reportSyncing: () => syncing,
    });
    t.after(() => proxy.close());
    const s1 = (await (await fetch(`${proxy.url}/eth/v1/node/syncing`)).json()) as { data: Record<string, unknown> };
    assert.equal(s1.data.is_syncing, true);
    assert.equal(s1.data.sync_distance, "1234");
    assert.equal(s1.data.head_slot, "7");
    syncing = false;
    const s2 = (await (await fetch(`${proxy.url}/eth/v1/node/syncing`)).json()) as { data: Record<string, unknown> };
    assert.equal(s2.data.is_syncing, false);
    assert.equal(
      await (await fetch(`${proxy.url}/eth/v1/validator/duties/attester/3`)).text(),
      "echo GET /eth/v1/validator/duties/attester/3",
    );
    await new Promise<void>((r) => up.server.close(() => r()));
    await assert.rejects(fetch(`${proxy.url}/eth/v1/node/syncing`), TypeError);
    assert.deepEqual(countByKey(proxy.entries), [
      ["GET /eth/v1/node/syncing", 3],
      ["GET /eth/v1/validator/duties/attester/{n}", 1],
    ]);
    assert.deepEqual(
      proxy.entries.map((e) => e.rewritten ?? false),
      [true, false, false, false],
    );
    assert.equal(proxy.entries[3].error, "ECONNREFUSED");
  });

  it("templates ids in paths", () => {
    assert.equal(pathKey("/eth/v2/beacon/blocks/12"), "/eth/v2/beacon/blocks/{n}");
    assert.equal(pathKey("/eth/v1/beacon/states/0xab12/validators"), "/eth/v1/beacon/states/{hex}/validators");
  });
});

describe("metrics and tables", () => {
  it("sums a counter's samples matching labels", () => {
    const text = [
      "# HELP validator_duties_missed_total Duties not performed, by reason",
      'validator_duties_missed_total{duty="block",reason="no_node"} 2',
      'validator_duties_missed_total{duty="block",reason="late"} 1',
      'validator_duties_missed_total{duty="attestation",reason="late"} 5',
      'validator_duties_missed_total_other{duty="block"} 100',
    ].join("\n");
    assert.equal(sumMetric(text, "validator_duties_missed_total", { duty: "block" }), 3);
    assert.equal(sumMetric(text, "validator_duties_missed_total"), 8);
    assert.equal(sumMetric(text, "validator_duties_performed_total", { duty: "block" }), 0);
  });

  it("aligns table columns", () => {
    assert.deepEqual(formatTable(["a", "bb"], [["100", "x"]]), ["a   | bb", "----+---", "100 | x "]);
  });
});

describe("participation from block attestations", () => {
  it("maps aggregation bits onto committees, per target epoch and per slot", () => {
    const w = new ChainWatcher("http://127.0.0.1:1", 0, () => undefined);
    // epoch 0: slot 1 has committee 0 = [5, 9, 2]; slot 2 committee 0 = [7, 1]
    w.committees.set(
      0,
      new Map([
        ["1/0", [5, 9, 2]],
        ["2/0", [7, 1]],
      ]),
    );
    // bitlist of length 3 with bits 0 and 2 set: 0b1101 (marker bit at 3) = 0x0d
    w.blocks.set(2, {
      slot: 2,
      proposer: 0,
      attestations: [{ slot: 1, index: 0, targetEpoch: 0, bits: Uint8Array.of(0x0d) }],
    });
    w.blocks.set(3, null);
    // bitlist of length 2, bit 1 set: 0b110 = 0x06
    w.blocks.set(4, {
      slot: 4,
      proposer: 1,
      attestations: [{ slot: 2, index: 0, targetEpoch: 0, bits: Uint8Array.of(0x06) }],
    });
    assert.deepEqual(
      [...(w.participants(0) ?? [])].sort((a, b) => a - b),
      [1, 2, 5],
    );
    assert.deepEqual(w.missingAttesters(1), [9]);
    assert.deepEqual(w.missingAttesters(2), [7]);
    assert.equal(w.participants(1), undefined);
    assert.deepEqual(w.emptySlots(1, 4), [3]);
  });
});

describe("committees", () => {
  const json = (pairs: [number, number][]) =>
    pairs.map(([slot, index], i) => ({ slot: String(slot), index: String(index), validators: [String(i)] }));
  const all = (epoch: number): [number, number][] =>
    Array.from({ length: 16 }, (_, i) => [epoch * 8 + (i >> 1), i & 1] as [number, number]);

  it("reads a spec-shaped answer as is", () => {
    const m = committeeMap(1, json(all(1)));
    assert.deepEqual(m.get("8/1"), [1]);
    assert.deepEqual(m.get("15/0"), [14]);
  });

  it("reads Lodestar 1.5.1's mixed-up answer (index = position in the epoch, slot = committee index)", () => {
    const lodestar = all(1).map(([slot, index]) => [index, slot - 8] as [number, number]);
    const m = committeeMap(1, json(lodestar));
    assert.deepEqual(m.get("8/1"), [1]);
    assert.deepEqual(m.get("15/0"), [14]);
    const m0 = committeeMap(0, json(all(0).map(([slot, index]) => [index, slot] as [number, number])));
    assert.deepEqual(m0.get("7/1"), [15]);
  });
});
