// The fastify adapter: content negotiation (Accept with q-values), the served documents and offline interactive docs,
// the seams (beforeHandler refusing with 429/401, onResponse), the node's own faults as 500 (logged, stack traces only
// on request), 501 for operations without a handler, a large list streamed in chunks, and a seeded fuzz: malformed
// requests to every operation are never answered 500.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  ACCEPT_SSZ_THEN_JSON,
  type AnyRoute,
  ApiError,
  chooseMediaType,
  createApiServer,
  loadDocument,
  type ResponseInfo,
} from "@sextant/api-spec";
import { createLogger, memoryLogDestination } from "@sextant/common";
import { request } from "undici";
import { parse } from "yaml";
import { PROJECT_ROOT } from "../../../api-spec/scripts/gen.ts";
import { Rng } from "../../support/random.ts";
import { randomResult, routeForks } from "./support/randomApi.ts";
import { startEchoServer } from "./support/roundtrip.ts";
import { BEACON, KEYMANAGER, TEST_CONTEXT } from "./support/suites.ts";

describe("content negotiation", () => {
  const both = ["json", "ssz"] as const;
  const cases: [string | undefined, readonly ("json" | "ssz")[], "json" | "ssz" | undefined][] = [
    [undefined, both, "json"],
    ["", both, "json"],
    ["*/*", both, "json"],
    ["application/*", both, "json"],
    ["application/octet-stream", both, "ssz"],
    ["application/octet-stream", ["json"], undefined],
    [ACCEPT_SSZ_THEN_JSON, both, "ssz"],
    [ACCEPT_SSZ_THEN_JSON, ["json"], "json"],
    ["application/json;q=0.9, application/octet-stream;q=0.8", both, "json"],
    ["application/json, application/octet-stream", both, "json"],
    ["application/octet-stream, application/json", both, "ssz"],
    ["application/json;q=0, */*", both, "ssz"],
    ["application/json;q=0", ["json"], undefined],
    ["text/html, application/xhtml+xml", both, undefined],
    ["text/html, */*;q=0.1", both, "json"],
    ["APPLICATION/OCTET-STREAM; q=0.5, application/json; q=0.4", both, "ssz"],
    ["application/json;q=abc", both, undefined],
    ["garbage", both, "json"],
  ];
  for (const [accept, offered, expected] of cases) {
    test(`Accept ${JSON.stringify(accept)} offered ${offered.join("+")} → ${expected ?? "406"}`, () => {
      assert.equal(chooseMediaType(accept, offered), expected);
    });
  }
});

describe("served documents", () => {
  test("/openapi.json and /openapi.yaml are our document; /docs is swagger-ui with local assets", async () => {
    const doc = loadDocument("beacon-node");
    const server = createApiServer({ routes: BEACON, handlers: {}, document: doc });
    const url = await server.listen();
    try {
      const json = await request(`${url}/openapi.json`);
      assert.deepEqual(await json.body.json(), doc.json);
      const yaml = await request(`${url}/openapi.yaml`);
      const text = await yaml.body.text();
      assert.equal(text, readFileSync(join(PROJECT_ROOT, "api-spec/openapi/beacon-node.yaml"), "utf8"));
      assert.deepEqual(parse(text), doc.json);
      const page = await request(`${url}/docs`);
      assert.equal(page.statusCode, 200);
      assert.match(await page.body.text(), /swagger-ui/i);
      const bundle = await request(`${url}/docs/static/swagger-ui-bundle.js`);
      assert.equal(bundle.statusCode, 200, "assets come from the npm package (offline)");
      assert.ok((await bundle.body.text()).length > 100_000);
      const spec = await request(`${url}/docs/json`);
      assert.equal(((await spec.body.json()) as { info: { title: string } }).info.title, "Sextant beacon node API");
    } finally {
      await server.close();
    }
  });
});

describe("seams and faults", () => {
  test("beforeHandler refuses before the body is read; onResponse sees every answer", async () => {
    const responses: ResponseInfo[] = [];
    let handled = 0;
    const server = createApiServer({
      routes: BEACON,
      beforeHandler: (info) => {
        if (info.headers["x-test-overload"]) throw new ApiError(503, "overloaded, try later");
        if (info.operationId === "getAttesterDuties" && info.headers["x-test-client"] === "greedy") {
          throw new ApiError(429, "rate limited");
        }
      },
      onResponse: (info) => responses.push(info),
      handlers: {
        getAttesterDuties: () => {
          handled++;
          return { data: [], meta: { dependentRoot: new Uint8Array(32), executionOptimistic: false } };
        },
      },
    });
    const url = await server.listen();
    try {
      const post = (headers: Record<string, string>) =>
        request(`${url}/eth/v1/validator/duties/attester/1`, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: '["1"]',
        });
      const limited = await post({ "x-test-client": "greedy" });
      assert.equal(limited.statusCode, 429);
      assert.deepEqual(await limited.body.json(), { code: 429, message: "rate limited" });
      const shed = await post({ "x-test-overload": "1" });
      assert.equal(shed.statusCode, 503);
      await shed.body.dump();
      const ok = await post({});
      assert.equal(ok.statusCode, 200);
      await ok.body.dump();
      assert.equal(handled, 1);
      assert.deepEqual(
        responses.map((r) => `${r.operationId} ${r.status}`),
        ["getAttesterDuties 429", "getAttesterDuties 503", "getAttesterDuties 200"],
      );
      assert.ok(responses.every((r) => r.durationMs >= 0 && r.method === "POST"));
    } finally {
      await server.close();
    }
  });

  test("a handler's bug is a logged 500 without internals; stack traces only when asked; 501 without a handler", async () => {
    const logs = memoryLogDestination();
    const logger = createLogger({ level: "error", format: "json", destination: logs.stream });
    for (const stacktraces of [false, true]) {
      const server = createApiServer({
        routes: BEACON,
        logger,
        stacktraces,
        handlers: {
          getGenesis: () => {
            throw new RangeError("index out of range in the genesis cache");
          },
        },
      });
      const url = await server.listen();
      try {
        const res = await request(`${url}/eth/v1/beacon/genesis`);
        assert.equal(res.statusCode, 500);
        const body = (await res.body.json()) as { code: number; message: string; stacktraces?: string[] };
        assert.equal(body.message, "Internal server error");
        assert.equal(body.stacktraces !== undefined, stacktraces);
        if (stacktraces) assert.match(body.stacktraces![0], /index out of range/);
        const missing = await request(`${url}/eth/v1/node/version`);
        assert.equal(missing.statusCode, 501);
        await missing.body.dump();
      } finally {
        await server.close();
      }
    }
    const lines = logs.lines();
    assert.equal(lines.length, 2, "each 500 logged once; 501 is not a fault");
    assert.match(JSON.stringify(lines[0]), /index out of range in the genesis cache/);
  });

  test("a large list is streamed in chunks and arrives whole", async () => {
    const VALIDATORS = 20_000;
    const validator = TEST_CONTEXT.types.phase0.Validator.defaultValue();
    const data = Array.from({ length: VALIDATORS }, (_, i) => ({
      index: i,
      balance: 32e9 + i,
      status: "active_ongoing" as const,
      validator,
    }));
    const server = createApiServer({
      routes: BEACON,
      handlers: { getStateValidators: () => ({ data, meta: { executionOptimistic: false, finalized: true } }) },
    });
    const url = await server.listen();
    try {
      const res = await request(`${url}/eth/v1/beacon/states/head/validators`);
      assert.equal(res.headers["transfer-encoding"], "chunked");
      assert.equal(res.headers["content-length"], undefined);
      const body = (await res.body.json()) as { finalized: boolean; data: { index: string; balance: string }[] };
      assert.equal(body.finalized, true);
      assert.equal(body.data.length, VALIDATORS);
      assert.equal(body.data[VALIDATORS - 1].balance, String(32e9 + VALIDATORS - 1));
    } finally {
      await server.close();
    }
  });
});

/** Mutations of a valid request that a client could send by mistake. */
const GARBAGE = [
  "",
  "x",
  "-1",
  "1.5",
  "0x",
  "0xzz",
  "18446744073709551616",
  "null",
  "%00",
  "[]",
  "{}",
  "🙂",
  "a".repeat(300),
];

describe("fuzz: malformed requests are never answered 500", () => {
  for (const [name, table] of [
    ["beacon", BEACON],
    ["keymanager", KEYMANAGER],
  ] as const) {
    test(`${name}: every operation, garbage in each parameter, body and header`, async () => {
      const rng = new Rng(name.length);
      const ctx = await startEchoServer(table);
      const statuses = new Map<number, number>();
      try {
        for (const route of Object.values(table) as AnyRoute[]) {
          if (route.response.kind === "events") continue;
          ctx.echo.result.set(route.operationId, randomResult(route, rng, routeForks(route).at(-1)));
          for (let i = 0; i < 12; i++) {
            const path = route.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(GARBAGE[rng.int(GARBAGE.length)]));
            const query = Object.keys(route.params)
              .filter(() => rng.bool())
              .map((k) => `${k}=${encodeURIComponent(GARBAGE[rng.int(GARBAGE.length)])}`)
              .join("&");
            const body = rng.bool() ? GARBAGE[rng.int(GARBAGE.length)] : JSON.stringify({ a: [GARBAGE[rng.int(4)]] });
            const headers: Record<string, string> = {
              "content-type": ["application/json", "application/octet-stream", "text/plain"][rng.int(3)],
              accept: ["application/json", "application/octet-stream", "*/*", "text/html;q=0.1"][rng.int(4)],
            };
            if (rng.bool()) headers["eth-consensus-version"] = ["fulu", "phase0", "x"][rng.int(3)];
            const res = await request(`${ctx.url}${path}${query ? `?${query}` : ""}`, {
              method: route.method,
              headers,
              body: route.method === "GET" ? undefined : body,
            });
            await res.body.dump();
            statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
            assert.ok(res.statusCode < 500, `${route.operationId} ${path}?${query} answered ${res.statusCode}`);
          }
        }
      } finally {
        await ctx.client.close();
        await ctx.server.close();
      }
      console.log(`${name} fuzz statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
    });
  }
});
