// The undici client: typed errors by cause (timeout, abort, connection refused, HTTP status with the spec's body,
// undecodable response), the SSZ → JSON fallback when a node refuses octet-stream (and that it is remembered),
// connection reuse (keep-alive), credentials and base-URL prefixes. Loopback only, ephemeral ports.
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, test } from "node:test";
import { type ApiClientError, ApiError, createApiClient, createApiServer, isApiClientError } from "@sextant/api-spec";
import { BEACON, KEYMANAGER, TEST_CONTEXT } from "./support/suites.ts";

const { fulu } = TEST_CONTEXT.types;
const BLOCK = fulu.SignedBeaconBlock.defaultValue();
const BLOCK_META = { version: "fulu", executionOptimistic: false, finalized: true } as const;

/** Runs `fn` with a raw HTTP server; closes it after. */
async function withRawServer(
  handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void,
  fn: (url: string, server: Server) => Promise<void>,
): Promise<void> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => handler(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, server);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

async function rejectsWith(p: Promise<unknown>, code: ApiClientError["code"]): Promise<ApiClientError> {
  try {
    await p;
  } catch (err) {
    assert.ok(isApiClientError(err, code), `expected ${code}, got ${(err as Error)?.stack}`);
    return err as ApiClientError;
  }
  assert.fail(`expected ${code}, but the call succeeded`);
}

describe("client errors by cause", () => {
  test("timeout, abort, HTTP status with the spec's body, handler crash, undecodable body", async () => {
    let release: () => void = () => {};
    const slow = new Promise<void>((resolve) => {
      release = resolve;
    });
    const server = createApiServer({
      routes: BEACON,
      handlers: {
        getNodeVersion: async () => {
          await slow;
          return { data: { version: "late" } };
        },
        getBlockV2: () => {
          throw new ApiError(404, "Block not found");
        },
        getBlockRoot: () => {
          throw new TypeError("a bug in the handler");
        },
        getGenesis: () => ({ data: { genesisTime: -1 } }) as never,
      },
    });
    const url = await server.listen();
    const client = createApiClient(BEACON, { baseUrl: url, timeoutMs: 150 });
    try {
      const timedOut = await rejectsWith(client.getNodeVersion(), "API_CLIENT_TIMEOUT");
      assert.equal(timedOut.context.timeoutMs, 150);
      await rejectsWith(client.getNodeVersion(undefined, { timeoutMs: 50 }), "API_CLIENT_TIMEOUT");

      const abort = new AbortController();
      setTimeout(() => abort.abort(), 30);
      await rejectsWith(client.getNodeVersion({}, { signal: abort.signal, timeoutMs: 5000 }), "API_CLIENT_ABORTED");
      await rejectsWith(client.getNodeVersion({}, { signal: AbortSignal.abort() }), "API_CLIENT_ABORTED");

      const notFound = await rejectsWith(client.getBlockV2({ blockId: "head" }), "API_CLIENT_HTTP");
      assert.equal(notFound.status, 404);
      assert.deepEqual(notFound.context.body, { code: 404, message: "Block not found" });
      assert.equal(notFound.context.operationId, "getBlockV2");

      const crashed = await rejectsWith(client.getBlockRoot({ blockId: 1 }), "API_CLIENT_HTTP");
      assert.equal(crashed.status, 500);
      assert.equal(crashed.context.body?.message, "Internal server error", "no internals leak");

      // The handler's bad value fails on the server (500); a bad body from the node is BAD_RESPONSE (below).
      await rejectsWith(client.getGenesis(), "API_CLIENT_HTTP");
    } finally {
      release();
      await client.close();
      await server.close();
    }
  });

  test("connection refused is a network error", async () => {
    let port = 0;
    await withRawServer(
      () => {},
      async (url) => {
        port = Number(new URL(url).port);
      },
    );
    const client = createApiClient(BEACON, { baseUrl: `http://127.0.0.1:${port}` });
    const err = await rejectsWith(client.getGenesis(), "API_CLIENT_NETWORK");
    assert.match(err.context.url, /\/eth\/v1\/beacon\/genesis$/);
    await client.close();
  });

  test("a success status with a body that does not decode is a bad response", async () => {
    await withRawServer(
      (_req, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ data: { genesis_time: 1 } }));
      },
      async (url) => {
        const client = createApiClient(BEACON, { baseUrl: url });
        try {
          const err = await rejectsWith(client.getGenesis(), "API_CLIENT_BAD_RESPONSE");
          assert.match(err.message, /data\.genesis_time: expected a decimal string/);
        } finally {
          await client.close();
        }
      },
    );
  });
});

describe("SSZ preferred, JSON fallback", () => {
  test("a node that refuses octet-stream (406 on Accept, 415 on bodies) is asked again in JSON, and remembered", async () => {
    const seen: string[] = [];
    await withRawServer(
      (req, res, body) => {
        const accept = String(req.headers.accept);
        seen.push(`${req.method} ${accept} ${req.headers["content-type"] ?? "-"}`);
        if (req.method === "GET" && !accept.startsWith("application/json")) {
          res.writeHead(406, { "content-type": "application/json" });
          res.end(JSON.stringify({ code: 406, message: "JSON only" }));
        } else if (req.method === "GET") {
          res.writeHead(200, { "content-type": "application/json", "eth-consensus-version": "fulu" });
          res.end(JSON.stringify({ ...BLOCK_META_JSON, data: fulu.SignedBeaconBlock.toJson(BLOCK) }));
        } else if (req.headers["content-type"] === "application/octet-stream") {
          res.writeHead(415, { "content-type": "application/json" });
          res.end(JSON.stringify({ code: 415, message: "JSON only" }));
        } else {
          assert.ok(body.length > 0);
          res.writeHead(200);
          res.end();
        }
      },
      async (url) => {
        const client = createApiClient(BEACON, { baseUrl: url });
        try {
          for (let i = 0; i < 2; i++) {
            const res = await client.getBlockV2({ blockId: "head" });
            assert.equal(res.mediaType, "json");
            assert.ok(fulu.SignedBeaconBlock.equals(res.data as never, BLOCK));
            await client.publishBlockV2({ version: "fulu", body: fulu.SignedBlockContents.defaultValue() });
          }
        } finally {
          await client.close();
        }
      },
    );
    assert.deepEqual(
      seen.map((s) => s.replace(/^(GET|POST) application\/octet-stream;q=1,application\/json;q=0.9/, "$1 ssz-first")),
      [
        "GET ssz-first -",
        "GET application/json -",
        "POST application/json application/octet-stream",
        "POST application/json application/json",
        "GET application/json -",
        "POST application/json application/json",
      ],
    );
  });

  test("SSZ is used both ways when the node offers it; a JSON-only answer to an SSZ Accept is read as JSON", async () => {
    const server = createApiServer({
      routes: BEACON,
      handlers: {
        getBlockV2: () => ({ data: BLOCK, meta: BLOCK_META }),
        publishBlockV2: (args) => {
          assert.equal(args.version, "fulu");
        },
      },
    });
    const url = await server.listen();
    const types: string[] = [];
    const client = createApiClient(BEACON, {
      baseUrl: url,
      onResponse: (r) => types.push(String(r.contentType).split(";")[0]),
    });
    try {
      const res = await client.getBlockV2({ blockId: 1 });
      assert.equal(res.mediaType, "ssz");
      assert.deepEqual(res.meta, BLOCK_META);
      const json = await client.getBlockV2({ blockId: 1 }, { mediaType: "json" });
      assert.equal(json.mediaType, "json");
      await client.publishBlockV2({ version: "fulu", body: fulu.SignedBlockContents.defaultValue() });
      assert.deepEqual(types.slice(0, 2), ["application/octet-stream", "application/json"]);
    } finally {
      await client.close();
      await server.close();
    }
  });
});

const BLOCK_META_JSON = { version: "fulu", execution_optimistic: false, finalized: true };

describe("connections and credentials", () => {
  test("keep-alive connections serve sequential calls; a base-URL prefix and basic credentials are kept", async () => {
    const CALLS = 20;
    let connections = 0;
    const paths: string[] = [];
    const auth: string[] = [];
    await withRawServer(
      (req, res) => {
        paths.push(String(req.url));
        auth.push(String(req.headers.authorization));
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ data: { version: "Sextant/test" } }));
      },
      async (url, server) => {
        server.on("connection", () => connections++);
        const client = createApiClient(BEACON, { baseUrl: `http://user:secret@${url.slice(7)}/prefix/` });
        try {
          for (let i = 0; i < CALLS; i++) {
            assert.equal((await client.getNodeVersion()).data.version, "Sextant/test");
          }
          assert.doesNotMatch(client.baseUrl, /secret/);
        } finally {
          await client.close();
        }
      },
    );
    // undici's pool may open a second connection while the first finishes a response; never one per call.
    assert.ok(connections <= 2, `${connections} connections for ${CALLS} calls: kept alive`);
    assert.deepEqual(new Set(paths), new Set(["/prefix/eth/v1/node/version"]));
    assert.equal(auth[0], `Basic ${Buffer.from("user:secret").toString("base64")}`);
  });

  test("the keymanager client sends its bearer token", async () => {
    const server = createApiServer({
      routes: KEYMANAGER,
      beforeHandler: (info) => {
        if (info.headers.authorization !== "Bearer t0ken") throw new ApiError(401, "missing or wrong bearer token");
      },
      handlers: { listKeys: () => ({ data: [] }) },
    });
    const url = await server.listen();
    const good = createApiClient(KEYMANAGER, { baseUrl: url, bearerToken: "t0ken" });
    assert.deepEqual((await good.listKeys()).data, []);
    const bad = createApiClient(KEYMANAGER, { baseUrl: url, bearerToken: "nope" });
    const err = await rejectsWith(bad.listKeys(), "API_CLIENT_HTTP");
    assert.equal(err.status, 401);
    await good.close();
    await bad.close();
    await server.close();
  });
});

describe("pairing with older nodes (answers from before beacon-APIs v4)", () => {
  test("list query parameters go as repeated keys (OpenAPI's form/explode default, all some nodes accept)", async () => {
    let seen = "";
    await withRawServer(
      (req, res) => {
        seen = req.url ?? "";
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ execution_optimistic: false, finalized: false, data: [] }));
      },
      async (url) => {
        const client = createApiClient(BEACON, { baseUrl: url });
        await client.getStateValidators({ stateId: "head", id: [1, 2] });
        await client.close();
      },
    );
    assert.match(seen, /[?&]id=1&id=2(&|$)/);
  });

  test("metadata and syncing fields a 2023 node omits (finalized, el_offline) read as false; others stay required", async () => {
    const answers: Record<string, unknown> = {
      "/eth/v1/node/syncing": { data: { head_slot: "7", sync_distance: "0", is_syncing: false, is_optimistic: false } },
      "/eth/v1/beacon/states/head/validators": { execution_optimistic: false, data: [] },
      "/eth/v1/node/version": { data: {} },
    };
    await withRawServer(
      (req, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(answers[(req.url ?? "").split("?")[0]]));
      },
      async (url) => {
        const client = createApiClient(BEACON, { baseUrl: url });
        const syncing = await client.getSyncingStatus();
        assert.equal(syncing.data.elOffline, false);
        const validators = await client.getStateValidators({ stateId: "head" });
        assert.equal(validators.meta.finalized, false);
        // A field without a default is still required.
        await rejectsWith(client.getNodeVersion(), "API_CLIENT_BAD_RESPONSE");
        await client.close();
      },
    );
  });
});
