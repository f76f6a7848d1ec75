// The Engine API HTTP client end to end: against the loopback Engine API server wrapping the mock engine (every
// method per fork round-trips), against a recording engine (blobs, cell proofs, execution requests, versioned hashes
// cross the wire intact), against fake servers (method versions per fork, timeouts, HTTP and JSON-RPC errors), with
// a wrong JWT and with nothing listening.
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { ENGINE_ERROR } from "@sextant/beacon/execution/errors";
import { HttpExecutionEngine } from "@sextant/beacon/execution/http";
import { CELLS_PER_EXT_BLOB, getPayloadResultToJson } from "@sextant/beacon/execution/json";
import { createJwt } from "@sextant/beacon/execution/jwt";
import { EngineApiServer } from "@sextant/beacon/execution/server";
import {
  ENGINE_METHODS,
  type ExecutionEngineClient,
  type ExecutionRequestsValue,
  type GetPayloadResult,
  type NewPayloadRequest,
} from "@sextant/beacon/execution/types";
import { isSextantError } from "@sextant/common/errors";
import { BYTES_PER_BLOB } from "@sextant/consensus/params/constants";
import type { ForkName } from "@sextant/consensus/params/forkName";
import {
  attributesFor,
  buildBlock,
  bytes,
  EXECUTION_FORKS,
  GENESIS_HASH,
  GENESIS_TIME,
  newMock,
  newPayloadRequest,
  SECRET,
  types,
} from "./fixtures.ts";

const code = (c: string) => (e: unknown) => isSextantError(e, c);
const client = (url: string, extra: Partial<ConstructorParameters<typeof HttpExecutionEngine>[0]> = {}) =>
  new HttpExecutionEngine({ url, jwtSecret: SECRET, types, ...extra });
const GENESIS_STATE = { headBlockHash: GENESIS_HASH, safeBlockHash: GENESIS_HASH, finalizedBlockHash: GENESIS_HASH };

describe("Engine API client ⇄ server ⇄ mock engine", () => {
  for (const fork of EXECUTION_FORKS) {
    it(`${fork}: forkchoiceUpdated, getPayload, newPayload round-trip as the mock answers in process`, async () => {
      const mock = newMock();
      const server = await EngineApiServer.start({ engine: mock, jwtSecret: SECRET, types });
      try {
        const engine = client(server.url);
        const reference = newMock();
        let head: Uint8Array = GENESIS_HASH;
        for (let i = 1; i <= 3; i++) {
          const overHttp = await buildBlock(engine, fork, head, GENESIS_TIME + 6 * i);
          const inProcess = await buildBlock(reference, fork, head, GENESIS_TIME + 6 * i);
          assert.deepEqual(overHttp, inProcess);
          head = overHttp.blockHash;
        }
        assert.equal(mock.blockCount, 4);
        assert.deepEqual(mock.forkchoiceState?.headBlockHash, head);
        // The direct answers and the HTTP answers agree, statuses included.
        const fcu = await engine.forkchoiceUpdated(fork, GENESIS_STATE, attributesFor(fork, GENESIS_TIME + 60));
        const direct = await reference.forkchoiceUpdated(fork, GENESIS_STATE, attributesFor(fork, GENESIS_TIME + 60));
        assert.deepEqual(fcu, direct);
        assert.ok(fcu.payloadId);
        assert.deepEqual(await engine.getPayload(fork, fcu.payloadId), await reference.getPayload(fork, fcu.payloadId));
        const unknownHead = { ...GENESIS_STATE, headBlockHash: bytes(32, 0x55) };
        assert.deepEqual(await engine.forkchoiceUpdated(fork, unknownHead), {
          payloadStatus: { status: "SYNCING", latestValidHash: null, validationError: null },
          payloadId: null,
        });
      } finally {
        await server.close();
      }
    });
  }

  it("reports the engine's JSON-RPC errors with their codes, and exchanges capabilities", async () => {
    const server = await EngineApiServer.start({ engine: newMock(), jwtSecret: SECRET, types });
    try {
      const engine = client(server.url);
      await assert.rejects(
        engine.getPayload("fulu", "0x00000000000000ff"),
        (e) =>
          isSextantError(e, "EXECUTION_RPC_ERROR") &&
          (e.context as { rpcCode?: number }).rpcCode === ENGINE_ERROR.UNKNOWN_PAYLOAD &&
          /engine_getPayloadV5 failed on the execution engine: JSON-RPC error -38001/.test((e as Error).message),
      );
      await assert.rejects(
        engine.forkchoiceUpdated("deneb", { ...GENESIS_STATE, safeBlockHash: bytes(32, 1) }),
        (e) => (e as { context?: { rpcCode?: number } }).context?.rpcCode === ENGINE_ERROR.INVALID_FORKCHOICE_STATE,
      );
      assert.deepEqual(await engine.exchangeCapabilities(ENGINE_METHODS), [...ENGINE_METHODS]);
      // Server side: unknown methods, wrong arity, malformed params, non-JSON.
      const rpc = async (body: string) => {
        const res = await fetch(server.url, {
          method: "POST",
          headers: { authorization: `Bearer ${createJwt(SECRET)}`, "content-type": "application/json" },
          body,
        });
        return (await res.json()) as { error?: { code: number; message: string } };
      };
      const call = (method: string, params: unknown[]) =>
        rpc(JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }));
      assert.equal((await call("engine_getPayloadV9", ["0x0000000000000001"])).error?.code, -32601);
      assert.equal((await call("eth_blockNumber", [])).error?.code, -32601);
      assert.equal((await call("engine_newPayloadV3", [{}])).error?.code, -32602);
      const badParams = await call("engine_forkchoiceUpdatedV3", [{ headBlockHash: "0x12" }, null]);
      assert.equal(badParams.error?.code, -32602);
      assert.match(badParams.error?.message ?? "", /forkchoiceState.headBlockHash: expected 32 bytes/);
      assert.equal((await rpc("{not json")).error?.code, -32700);
      assert.equal((await rpc("[]")).error?.code, -32600);
    } finally {
      await server.close();
    }
  });
});

/** An engine that records what it is sent and returns a payload with blobs and requests. */
class RecordingEngine implements ExecutionEngineClient {
  readonly received: NewPayloadRequest[] = [];
  readonly result: (fork: ForkName) => GetPayloadResult;
  constructor(result: (fork: ForkName) => GetPayloadResult) {
    this.result = result;
  }
  async notifyNewPayload(request: NewPayloadRequest) {
    this.received.push(request);
    return { status: "ACCEPTED" as const, latestValidHash: null, validationError: null };
  }
  async forkchoiceUpdated() {
    return {
      payloadStatus: { status: "INVALID" as const, latestValidHash: bytes(32, 3), validationError: "bad block" },
      payloadId: null,
    };
  }
  async getPayload(fork: ForkName) {
    return this.result(fork);
  }
  async exchangeCapabilities() {
    return ["engine_newPayloadV4"];
  }
}

const REQUESTS: ExecutionRequestsValue = {
  deposits: [],
  withdrawals: [
    { sourceAddress: bytes(20, 1), validatorPubkey: bytes(48, 2), amount: 0n },
    { sourceAddress: bytes(20, 3), validatorPubkey: bytes(48, 4), amount: 2n ** 64n - 1n },
  ],
  consolidations: [{ sourceAddress: bytes(20, 5), sourcePubkey: bytes(48, 6), targetPubkey: bytes(48, 7) }],
};

describe("Engine API client ⇄ server: blobs, cell proofs, requests", () => {
  let server: EngineApiServer;
  let recording: RecordingEngine;
  let payloadOf: (fork: ForkName) => GetPayloadResult["executionPayload"];

  before(async () => {
    const mock = newMock();
    const built = new Map<ForkName, GetPayloadResult["executionPayload"]>();
    for (const fork of EXECUTION_FORKS) built.set(fork, await buildBlock(mock, fork, GENESIS_HASH, GENESIS_TIME + 6));
    payloadOf = (fork) => built.get(fork) as GetPayloadResult["executionPayload"];
    const blob = bytes(BYTES_PER_BLOB, 0x0a);
    recording = new RecordingEngine((fork) => ({
      executionPayload: payloadOf(fork),
      blockValue: 123_456_789_000_000_000_000n,
      blobsBundle: {
        commitments: [bytes(48, 0xc0), bytes(48, 0xc1)],
        proofs: Array.from({ length: 2 * (fork === "fulu" ? CELLS_PER_EXT_BLOB : 1) }, (_, i) => bytes(48, i)),
        blobs: [blob, blob],
      },
      executionRequests: REQUESTS,
      shouldOverrideBuilder: true,
    }));
    server = await EngineApiServer.start({ engine: recording, jwtSecret: SECRET, types });
  });
  after(async () => {
    await server.close();
  });

  it("getPayloadV4 (electra) and V5 (fulu) carry blobs bundle V1 / V2, block value and requests", async () => {
    const engine = client(server.url);
    for (const fork of ["electra", "fulu"] as const) {
      const r = await engine.getPayload(fork, "0x0000000000000001");
      assert.deepEqual(r, recording.result(fork));
      assert.equal(r.blobsBundle?.proofs.length, fork === "fulu" ? 256 : 2);
    }
    const deneb = await engine.getPayload("deneb", "0x0000000000000001");
    assert.equal(deneb.executionRequests, null);
    assert.equal(deneb.blobsBundle?.blobs.length, 2);
    const capella = await engine.getPayload("capella", "0x0000000000000001");
    assert.deepEqual(capella, {
      executionPayload: payloadOf("capella"),
      blockValue: 123_456_789_000_000_000_000n,
      blobsBundle: null,
      executionRequests: null,
      shouldOverrideBuilder: false,
    });
  });

  it("newPayloadV4 carries versioned hashes, the parent root and the requests list; statuses come back as sent", async () => {
    const engine = client(server.url);
    const hashes = [bytes(32, 0x01), bytes(32, 0x02)];
    const status = await engine.notifyNewPayload({
      ...newPayloadRequest("fulu", payloadOf("fulu"), REQUESTS),
      versionedHashes: hashes,
      parentBeaconBlockRoot: bytes(32, 0x33),
    });
    assert.deepEqual(status, { status: "ACCEPTED", latestValidHash: null, validationError: null });
    const got = recording.received.at(-1);
    assert.deepEqual(got, {
      fork: "electra", // newPayloadV4 serves electra and fulu alike
      executionPayload: payloadOf("fulu"),
      versionedHashes: hashes,
      parentBeaconBlockRoot: bytes(32, 0x33),
      executionRequests: REQUESTS,
    });
    await engine.notifyNewPayload(newPayloadRequest("bellatrix", payloadOf("bellatrix")));
    assert.deepEqual(recording.received.at(-1), { fork: "bellatrix", executionPayload: payloadOf("bellatrix") });
    const fcu = await engine.forkchoiceUpdated("capella", GENESIS_STATE);
    assert.deepEqual(fcu.payloadStatus, {
      status: "INVALID",
      latestValidHash: bytes(32, 3),
      validationError: "bad block",
    });
  });

  it("refuses to send a request missing its fork's fields", async () => {
    const engine = client(server.url);
    const invalidRequest = code("EXECUTION_INVALID_REQUEST");
    await assert.rejects(
      engine.notifyNewPayload({ fork: "deneb", executionPayload: payloadOf("deneb") }),
      invalidRequest,
    );
    await assert.rejects(
      engine.notifyNewPayload({ ...newPayloadRequest("electra", payloadOf("electra")), executionRequests: undefined }),
      invalidRequest,
    );
    await assert.rejects(engine.notifyNewPayload(newPayloadRequest("capella", payloadOf("bellatrix"))), invalidRequest);
    await assert.rejects(engine.forkchoiceUpdated("deneb", GENESIS_STATE, attributesFor("capella", 1)), invalidRequest);
    await assert.rejects(engine.getPayload("deneb", "0x01"), invalidRequest);
    await assert.rejects(engine.getPayload("phase0", "0x0000000000000001"), invalidRequest);
  });
});

/** A raw HTTP server answering each POST with `handler` ("hang" = never answer). */
async function fakeServer(
  handler: (body: { method: string; params: unknown[]; id: number }, req: IncomingMessage) => unknown | "hang",
  status = 200,
): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString());
      const out = handler(body, req);
      if (out === "hang") return;
      res.writeHead(status, { "content-type": "application/json" });
      res.end(typeof out === "string" ? out : JSON.stringify(out));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe("Engine API client against fake servers", () => {
  it("calls the method version of each fork, with a fresh valid JWT", async () => {
    const seen: string[] = [];
    const fake = await fakeServer((body, req) => {
      seen.push(`${body.method}/${body.params.length}`);
      assert.match(req.headers.authorization ?? "", /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
      const v = Number(body.method.at(-1));
      if (body.method.startsWith("engine_newPayload")) {
        return {
          jsonrpc: "2.0",
          id: body.id,
          result: { status: "VALID", latestValidHash: null, validationError: null },
        };
      }
      if (body.method.startsWith("engine_forkchoiceUpdated")) {
        const payloadStatus = { status: "VALID", latestValidHash: null, validationError: null };
        return { jsonrpc: "2.0", id: body.id, result: { payloadStatus, payloadId: "0x0000000000000007" } };
      }
      const fork = (["", "bellatrix", "capella", "deneb", "electra", "fulu"] as const)[v] as ForkName;
      const result = getPayloadResultToJson(types, emptyResult(fork), v);
      return { jsonrpc: "2.0", id: body.id, result };
    });
    const mock = newMock();
    try {
      const engine = client(fake.url);
      for (const fork of EXECUTION_FORKS) {
        const payload = await buildBlock(mock, fork, GENESIS_HASH, GENESIS_TIME + 6);
        emptyPayload.set(fork, payload);
        await engine.notifyNewPayload(newPayloadRequest(fork, payload));
        const fcu = await engine.forkchoiceUpdated(fork, GENESIS_STATE, attributesFor(fork, GENESIS_TIME + 6));
        assert.equal(fcu.payloadId, "0x0000000000000007");
        assert.deepEqual(await engine.getPayload(fork, "0x0000000000000007"), emptyResult(fork));
      }
    } finally {
      await fake.close();
    }
    assert.deepEqual(seen, [
      "engine_newPayloadV1/1",
      "engine_forkchoiceUpdatedV1/2",
      "engine_getPayloadV1/1",
      "engine_newPayloadV2/1",
      "engine_forkchoiceUpdatedV2/2",
      "engine_getPayloadV2/1",
      "engine_newPayloadV3/3",
      "engine_forkchoiceUpdatedV3/2",
      "engine_getPayloadV3/1",
      "engine_newPayloadV4/4",
      "engine_forkchoiceUpdatedV3/2",
      "engine_getPayloadV4/1",
      "engine_newPayloadV4/4",
      "engine_forkchoiceUpdatedV3/2",
      "engine_getPayloadV5/1",
    ]);
  });

  it("times out per method with a clear error", async () => {
    const fake = await fakeServer(() => "hang");
    try {
      const engine = client(fake.url, { timeouts: { getPayload: 100, newPayload: 150 } });
      await assert.rejects(
        engine.getPayload("deneb", "0x0000000000000001"),
        (e) =>
          isSextantError(e, "EXECUTION_TIMEOUT") &&
          /engine_getPayloadV3 timed out after 100 ms/.test((e as Error).message),
      );
      const payload = await buildBlock(newMock(), "capella", GENESIS_HASH, GENESIS_TIME + 6);
      await assert.rejects(
        engine.notifyNewPayload(newPayloadRequest("capella", payload)),
        (e) => isSextantError(e, "EXECUTION_TIMEOUT") && (e.context as { timeoutMs?: number }).timeoutMs === 150,
      );
    } finally {
      await fake.close();
    }
  });

  it("tells HTTP errors, non-JSON-RPC answers and mismatched ids apart", async () => {
    const http500 = await fakeServer(() => "upstream broke", 500);
    const garbage = await fakeServer(() => "<html>hello</html>");
    const wrongId = await fakeServer((b) => ({ jsonrpc: "2.0", id: b.id + 1, result: [] }));
    const badResult = await fakeServer((b) => ({ jsonrpc: "2.0", id: b.id, result: { status: "FINE" } }));
    try {
      await assert.rejects(
        client(http500.url).exchangeCapabilities([]),
        (e) => isSextantError(e, "EXECUTION_HTTP_ERROR") && /HTTP 500/.test((e as Error).message),
      );
      await assert.rejects(client(garbage.url).exchangeCapabilities([]), code("EXECUTION_BAD_RESPONSE"));
      await assert.rejects(client(wrongId.url).exchangeCapabilities([]), /response id 2 for request 1/);
      const payload = await buildBlock(newMock(), "bellatrix", GENESIS_HASH, GENESIS_TIME + 6);
      await assert.rejects(
        client(badResult.url).notifyNewPayload(newPayloadRequest("bellatrix", payload)),
        (e) =>
          isSextantError(e, "EXECUTION_BAD_RESPONSE") &&
          /newPayload result.status: unknown status/.test((e as Error).message),
      );
    } finally {
      await Promise.all([http500.close(), garbage.close(), wrongId.close(), badResult.close()]);
    }
  });
});

const emptyPayload = new Map<ForkName, GetPayloadResult["executionPayload"]>();
function emptyResult(fork: ForkName): GetPayloadResult {
  const deneb = fork === "deneb" || fork === "electra" || fork === "fulu";
  return {
    executionPayload: emptyPayload.get(fork) as GetPayloadResult["executionPayload"],
    blockValue: fork === "bellatrix" ? 0n : 5n,
    blobsBundle: deneb ? { commitments: [], proofs: [], blobs: [] } : null,
    executionRequests:
      fork === "electra" || fork === "fulu" ? { deposits: [], withdrawals: [], consolidations: [] } : null,
    shouldOverrideBuilder: false,
  };
}

describe("Engine API client: authentication and reachability", () => {
  it("reports a refused JWT as an auth error, and the server refuses missing and stale tokens", async () => {
    const server = await EngineApiServer.start({ engine: newMock(), jwtSecret: SECRET, types });
    try {
      const wrong = client(server.url, { jwtSecret: new Uint8Array(32).fill(0xee) });
      await assert.rejects(
        wrong.forkchoiceUpdated("fulu", GENESIS_STATE),
        (e) =>
          isSextantError(e, "EXECUTION_AUTH_REFUSED") &&
          /refused our JWT for engine_forkchoiceUpdatedV3 \(HTTP 401\)/.test((e as Error).message) &&
          /bad signature/.test(String((e.context as { body?: string }).body)),
      );
      const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "engine_exchangeCapabilities", params: [[]] });
      const none = await fetch(server.url, { method: "POST", body });
      assert.equal(none.status, 401);
      assert.match(await none.text(), /missing token/);
      const stale = createJwt(SECRET, Math.floor(Date.now() / 1000) - 3600);
      const old = await fetch(server.url, { method: "POST", body, headers: { authorization: `Bearer ${stale}` } });
      assert.equal(old.status, 401);
      assert.match(await old.text(), /stale iat/);
      // The right secret still works on the same server.
      assert.equal((await client(server.url).forkchoiceUpdated("fulu", GENESIS_STATE)).payloadStatus.status, "VALID");
    } finally {
      await server.close();
    }
  });

  it("reports an engine that is not listening as unreachable", async () => {
    const server = await EngineApiServer.start({ engine: newMock(), jwtSecret: SECRET, types });
    const url = server.url;
    await server.close();
    await assert.rejects(
      client(url).forkchoiceUpdated("deneb", GENESIS_STATE),
      (e) =>
        isSextantError(e, "EXECUTION_UNREACHABLE") &&
        (e.context as { sysCode?: string }).sysCode === "ECONNREFUSED" &&
        (e as Error).message.startsWith(`cannot reach the execution engine at ${url}`),
    );
  });

  it("refuses a bad URL or secret at construction", () => {
    assert.throws(() => client("not a url"), code("EXECUTION_INVALID_REQUEST"));
    assert.throws(() => client("ftp://x"), /must be http/);
    assert.throws(() => client("http://127.0.0.1:1", { jwtSecret: new Uint8Array(31) }), code("EXECUTION_JWT_SECRET"));
  });
});
