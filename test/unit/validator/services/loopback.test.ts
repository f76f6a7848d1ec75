// The attestation service against a node over real HTTP (loopback, port 0) that serves only the v1 pool endpoint, as
// Lodestar 1.5.x does: the real API client's 404 leads to POST /eth/v1/beacon/pool/attestations with a JSON body the
// node can read, and the next slot goes straight to v1.
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { beaconRoutes, createApiClient } from "@sextant/api-spec";
import type { BeaconApi, BeaconNodes, NodeHealth } from "../../../../validator/src/ports.ts";
import { AttestationService } from "../../../../validator/src/services/attestation.ts";
import { attestationData, attesterDuty, pk, setup, types } from "./fakes.ts";

interface Seen {
  method: string;
  url: string;
  body: string;
}

describe("AttestationService over HTTP with a v1-only node", () => {
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = req.url ?? "";
      seen.push({ method: req.method ?? "", url, body: Buffer.concat(chunks).toString() });
      if (req.method === "GET" && url.startsWith("/eth/v1/validator/attestation_data")) {
        const q = new URL(url, "http://x").searchParams;
        const data = attestationData(Number(q.get("slot")), Number(q.get("committee_index")));
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ data: types.phase0.AttestationData.toJson(data) }));
      } else if (req.method === "POST" && url === "/eth/v1/beacon/pool/attestations") {
        res.writeHead(200).end();
      } else {
        res.writeHead(404, { "content-type": "application/json" });
        res.end(
          JSON.stringify({ message: `Route ${req.method}:${url} not found`, error: "Not Found", statusCode: 404 }),
        );
      }
    });
  });
  let api: BeaconApi;
  let node: NodeHealth;

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    api = createApiClient(beaconRoutes({ types }), { baseUrl: `http://127.0.0.1:${port}`, preferSsz: false });
    node = { url: `http://127.0.0.1:${port}`, index: 0, state: "synced", consecutiveFailures: 0, nextCheckAt: 0 };
  });
  after(async () => {
    await api.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("falls back to v1 with a readable body, and remembers", async () => {
    const env = setup({ fork: "capella", startSlot: 10 });
    const nodes: BeaconNodes = {
      nodes: () => [node],
      isUsable: () => true,
      waitUntilUsable: async () => {},
      request: (_what, call) => call(api, node),
      publish: async (_what, call) => {
        await call(api, node);
      },
      on: () => () => {},
    };
    env.duties.attester = [
      attesterDuty(1, 10, { validatorCommitteeIndex: 2, committeeLength: 8 }),
      attesterDuty(1, 11, { validatorCommitteeIndex: 2, committeeLength: 8 }),
    ];
    env.signer.keys.add(pk(1));
    // Heads arrive at slot start: no fake-time wait, only real I/O.
    env.head.arrivals.set(10, env.clock.timeAtSlot(10));
    const svc = new AttestationService({
      nodes,
      signer: env.signer,
      duties: env.duties,
      clock: env.clock,
      head: env.head,
      forkAtEpoch: env.forkAtEpoch,
      types,
      logger: env.logger,
      endpoints: env.endpoints,
    });
    await svc.onSlot(10, env.ac.signal);
    const posts = seen.filter((s) => s.method === "POST");
    assert.deepEqual(
      posts.map((p) => p.url),
      ["/eth/v2/beacon/pool/attestations", "/eth/v1/beacon/pool/attestations"],
    );
    const body = JSON.parse(posts[1].body) as { aggregation_bits: string; data: { slot: string } }[];
    assert.equal(body.length, 1);
    // Bitlist of length 8 with bit 2: 0b00000100 then the length bit in the next byte.
    assert.equal(body[0].aggregation_bits, "0x0401");
    assert.equal(body[0].data.slot, "10");

    await env.time.advanceTo(env.clock.timeAtSlot(11));
    env.head.arrivals.set(11, env.clock.timeAtSlot(11));
    await svc.onSlot(11, env.ac.signal);
    assert.deepEqual(
      seen.filter((s) => s.method === "POST").map((p) => p.url),
      ["/eth/v2/beacon/pool/attestations", "/eth/v1/beacon/pool/attestations", "/eth/v1/beacon/pool/attestations"],
    );
  });
});
