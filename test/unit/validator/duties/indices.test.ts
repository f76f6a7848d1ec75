// ValidatorIndices: keys without an index asked with POST in chunks, GET (short chunks) for nodes that answer the
// POST with 404/405 (also over real HTTP with the api-spec client), pending keys re-read until active (logged once),
// keys removed from the signer forgotten, and failures thrown to the caller.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, describe, it } from "node:test";
import { beaconRoutes, createApiClient, type ValidatorStatus } from "@sextant/api-spec";
import { getSszTypes } from "@sextant/consensus/types/index";
import { ValidatorIndices } from "../../../../validator/src/duties/indices.ts";
import type { BeaconApi, PubkeyHex } from "../../../../validator/src/ports.ts";
import { FakeNodes, FakeNoUsableNodeError, httpError, memoryLogger, pubkeyOf } from "./fakes.ts";

const hexOf = (id: Uint8Array) => `0x${Buffer.from(id).toString("hex")}` as PubkeyHex;

/** A node's validator table: pubkey → index and status; records the ids of every request. */
function chain(n: number, status: ValidatorStatus = "active_ongoing") {
  const table = new Map<PubkeyHex, { index: number; status: ValidatorStatus }>();
  for (let i = 0; i < n; i++) table.set(pubkeyOf(i), { index: i, status });
  const posts: number[] = [];
  const gets: number[] = [];
  let postStatus: number | undefined;
  const answer = (ids: Uint8Array[]) =>
    ids.flatMap((id) => {
      const v = table.get(hexOf(id));
      return v === undefined ? [] : [{ index: v.index, balance: 32e9, status: v.status, validator: { pubkey: id } }];
    });
  const meta = { executionOptimistic: false, finalized: false };
  const api = {
    postStateValidators: async ({ body }: { body: { ids?: Uint8Array[] } }) => {
      posts.push(body.ids?.length ?? 0);
      if (postStatus !== undefined) throw httpError("postStateValidators", postStatus);
      return { status: 200, data: answer(body.ids ?? []), meta, mediaType: "json" };
    },
    getStateValidators: async ({ id }: { id?: Uint8Array[] }) => {
      gets.push(id?.length ?? 0);
      return { status: 200, data: answer(id ?? []), meta, mediaType: "json" };
    },
  } as unknown as Partial<BeaconApi>;
  return {
    table,
    posts,
    gets,
    api,
    refusePost(status: number | undefined) {
      postStatus = status;
    },
  };
}

describe("ValidatorIndices", () => {
  it("asks for unknown keys with POST in chunks and maps both ways", async () => {
    const c = chain(5);
    const nodes = new FakeNodes(c.api);
    const keys = [0, 1, 2, 3, 4, 5, 6].map(pubkeyOf); // 5 and 6 are not on chain
    const log = memoryLogger();
    const indices = new ValidatorIndices({ nodes, pubkeys: () => keys, logger: log.logger, postChunkSize: 3 });
    await indices.refresh(AbortSignal.timeout(5000));
    assert.deepEqual(c.posts, [3, 3, 1]);
    assert.deepEqual(indices.indices(), [0, 1, 2, 3, 4]);
    assert.equal(indices.indexOf(pubkeyOf(3)), 3);
    assert.equal(indices.pubkeyOf(4), pubkeyOf(4));
    assert.deepEqual(indices.unknownPubkeys(), [pubkeyOf(5), pubkeyOf(6)]);
    assert.deepEqual(indices.recordOf(pubkeyOf(2)), { index: 2, status: "active_ongoing" });
    const k = pubkeyOf(2);
    assert.ok(
      log
        .lines()
        .some(
          (l) => l.msg === `validator ${k.slice(0, 6)}…${k.slice(-4)} is known to the chain as index 2, active_ongoing`,
        ),
    );
    // Known active keys are not asked again; unknown ones are.
    await indices.refresh(AbortSignal.timeout(5000));
    assert.deepEqual(c.posts, [3, 3, 1, 2]);
  });

  it("splits 2,500 keys into POSTs of at most 1,000 and summarizes the log", async () => {
    const c = chain(2500);
    const nodes = new FakeNodes(c.api);
    const keys = Array.from({ length: 2500 }, (_, i) => pubkeyOf(i));
    const log = memoryLogger();
    const indices = new ValidatorIndices({ nodes, pubkeys: () => keys, logger: log.logger });
    await indices.refresh(AbortSignal.timeout(5000));
    assert.deepEqual(c.posts, [1000, 1000, 500]);
    assert.equal(indices.indices().length, 2500);
    const info = log.lines().filter((l) => l.level === "info");
    assert.equal(info.length, 1, "one summary line, not 2,500");
    assert.deepEqual(info[0].statuses, { active_ongoing: 2500 });
  });

  it("falls back to GET in chunks of at most 64 when the node answers the POST with 405, and remembers it", async () => {
    const c = chain(100);
    c.refusePost(405);
    const nodes = new FakeNodes(c.api);
    const keys = Array.from({ length: 150 }, (_, i) => pubkeyOf(i));
    const indices = new ValidatorIndices({
      nodes,
      pubkeys: () => keys,
      logger: memoryLogger().logger,
      postChunkSize: 100,
      getChunkSize: 500, // capped to 64
    });
    await indices.refresh(AbortSignal.timeout(5000));
    assert.deepEqual(c.posts, [100], "POST tried once");
    assert.deepEqual(c.gets, [64, 36, 50]);
    assert.equal(indices.indices().length, 100);
    await indices.refresh(AbortSignal.timeout(5000));
    assert.deepEqual(c.posts, [100], "not tried again on this node");
    assert.deepEqual(c.gets, [64, 36, 50, 50]);
  });

  it("falls back on 404 too, but not on other errors", async () => {
    const c = chain(3);
    c.refusePost(404);
    const indices = new ValidatorIndices({
      nodes: new FakeNodes(c.api),
      pubkeys: () => [pubkeyOf(0), pubkeyOf(1)],
      logger: memoryLogger().logger,
    });
    await indices.refresh(AbortSignal.timeout(5000));
    assert.deepEqual(indices.indices(), [0, 1]);

    const d = chain(3);
    d.refusePost(400);
    const other = new ValidatorIndices({
      nodes: new FakeNodes(d.api),
      pubkeys: () => [pubkeyOf(0)],
      logger: memoryLogger().logger,
    });
    await assert.rejects(other.refresh(AbortSignal.timeout(5000)), /400/);
    assert.deepEqual(d.gets, []);
  });

  it("re-reads pending keys and logs their activation once", async () => {
    const c = chain(3, "pending_queued");
    const keys = [0, 1, 2].map(pubkeyOf);
    const log = memoryLogger();
    const indices = new ValidatorIndices({ nodes: new FakeNodes(c.api), pubkeys: () => keys, logger: log.logger });
    await indices.refresh(AbortSignal.timeout(5000));
    assert.deepEqual(indices.indices(), [0, 1, 2], "pending validators have indices");
    assert.deepEqual(c.posts, [3]);
    c.table.set(pubkeyOf(1), { index: 1, status: "active_ongoing" });
    await indices.refresh(AbortSignal.timeout(5000));
    assert.deepEqual(c.posts, [3, 3], "pending keys asked again");
    assert.equal(indices.recordOf(pubkeyOf(1))?.status, "active_ongoing");
    await indices.refresh(AbortSignal.timeout(5000));
    assert.deepEqual(c.posts, [3, 3, 2], "the active key is no longer asked");
    const active = log.lines().filter((l) => String(l.msg).includes("is now active"));
    assert.equal(active.length, 1);
    assert.equal(active[0].index, 1);
  });

  it("forgets keys removed from the signer", async () => {
    const c = chain(4);
    let keys = [0, 1, 2, 3].map(pubkeyOf);
    const indices = new ValidatorIndices({
      nodes: new FakeNodes(c.api),
      pubkeys: () => keys,
      logger: memoryLogger().logger,
    });
    await indices.refresh(AbortSignal.timeout(5000));
    keys = [pubkeyOf(0), pubkeyOf(3)];
    assert.deepEqual(indices.indices(), [0, 3]);
    assert.equal(indices.indexOf(pubkeyOf(1)), undefined);
    assert.equal(indices.pubkeyOf(2), undefined);
  });

  it("throws when no node is usable, keeping what earlier chunks taught", async () => {
    const c = chain(4);
    const nodes = new FakeNodes(c.api);
    let calls = 0;
    const original = nodes.request.bind(nodes);
    nodes.request = (async (what: string, call: never) => {
      if (++calls === 2) throw new FakeNoUsableNodeError();
      return original(what, call);
    }) as typeof nodes.request;
    const indices = new ValidatorIndices({
      nodes,
      pubkeys: () => [0, 1, 2, 3].map(pubkeyOf),
      logger: memoryLogger().logger,
      postChunkSize: 2,
    });
    await assert.rejects(indices.refresh(AbortSignal.timeout(5000)), { name: "NoUsableNodeError" });
    assert.deepEqual(indices.indices(), [0, 1]);
    await indices.refresh(AbortSignal.timeout(5000));
    assert.deepEqual(indices.indices(), [0, 1, 2, 3]);
  });
});

describe("ValidatorIndices over HTTP", () => {
  const servers: Server[] = [];
  after(async () => {
    for (const s of servers) await new Promise<void>((r) => s.close(() => r()));
  });

  it("a real node answering POST with 405 is asked with GET (api-spec client, loopback)", async () => {
    const known = new Map([0, 1, 2].map((i) => [pubkeyOf(i), i]));
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url?.split("?")[0]}`);
      if (req.method === "POST") {
        res.writeHead(405, { "content-type": "application/json" }).end('{"code":405,"message":"Method Not Allowed"}');
        return;
      }
      const url = new URL(req.url ?? "/", "http://x");
      const ids = url.searchParams.getAll("id").flatMap((v) => v.split(","));
      const data = ids.flatMap((id) => {
        const index = known.get(id.toLowerCase() as PubkeyHex);
        if (index === undefined) return [];
        return [
          {
            index: String(index),
            balance: "32000000000",
            status: index === 2 ? "pending_queued" : "active_ongoing",
            validator: {
              pubkey: id,
              withdrawal_credentials: `0x${"00".repeat(32)}`,
              effective_balance: "32000000000",
              slashed: false,
              activation_eligibility_epoch: "0",
              activation_epoch: "0",
              exit_epoch: "18446744073709551615",
              withdrawable_epoch: "18446744073709551615",
            },
          },
        ];
      });
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ execution_optimistic: false, finalized: false, data }));
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const { port } = server.address() as AddressInfo;
    const api = createApiClient(beaconRoutes({ types: getSszTypes("minimal") }), {
      baseUrl: `http://127.0.0.1:${port}`,
    });
    after(() => api.close());
    const indices = new ValidatorIndices({
      nodes: new FakeNodes(api),
      pubkeys: () => [0, 1, 2, 3].map(pubkeyOf),
      logger: memoryLogger().logger,
      getChunkSize: 3,
    });
    await indices.refresh(AbortSignal.timeout(5000));
    assert.deepEqual(indices.indices(), [0, 1, 2]);
    assert.equal(indices.recordOf(pubkeyOf(2))?.status, "pending_queued");
    assert.deepEqual(indices.unknownPubkeys(), [pubkeyOf(3)]);
    assert.deepEqual(seen, [
      "POST /eth/v1/beacon/states/head/validators",
      "GET /eth/v1/beacon/states/head/validators",
      "GET /eth/v1/beacon/states/head/validators",
    ]);
  });
});
