// Every operation of the keymanager route table answers 401 with the spec's error body when the bearer token is
// missing, wrong, or sent with another scheme; the right token gets through.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ROUTES, type Running, start, tempDataDir } from "./helpers.ts";

const PUBKEY = `0x${"a1".repeat(48)}`;
/** Number of operations in keymanager-APIs v1.1.0. */
const OPERATIONS = 16;

describe("keymanager API bearer token", () => {
  let run: Running;
  let cleanup: () => Promise<void>;
  let token: string;
  before(async () => {
    const dir = await tempDataDir();
    cleanup = dir.cleanup;
    run = await start(dir.layout);
    const { readFile } = await import("node:fs/promises");
    token = (await readFile(run.km.tokenPath, "utf8")).trim();
  });
  after(async () => {
    await run.stop();
    await cleanup();
  });

  const routes = Object.values(ROUTES);
  test("the table has every operation", () => assert.equal(routes.length, OPERATIONS));

  const badHeaders: [string, Record<string, string>][] = [
    ["no Authorization", {}],
    ["wrong token", { authorization: `Bearer ${"0".repeat(64)}` }],
    ["token of another length", { authorization: "Bearer abc" }],
    ["Basic scheme", { authorization: "Basic dXNlcjpwYXNz" }],
  ];
  for (const r of routes) {
    test(`${r.operationId} (${r.method} ${r.path}) refuses a request without the right token`, async () => {
      const path = r.path.replace("{pubkey}", PUBKEY);
      const body = r.method === "GET" ? undefined : "{}";
      for (const [what, headers] of badHeaders) {
        const res = await fetch(`${run.url}${path}`, {
          method: r.method,
          headers: { ...headers, ...(body ? { "content-type": "application/json" } : {}) },
          body,
        });
        assert.equal(res.status, 401, `${what}`);
        const json = (await res.json()) as { code: number; message: string };
        assert.equal(json.code, 401, what);
        assert.equal(typeof json.message, "string");
        assert.ok(!json.message.includes(token), "the answer never contains the token");
      }
      const ok = await fetch(`${run.url}${path}`, {
        method: r.method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
        body,
      });
      assert.notEqual(ok.status, 401, "the right token is accepted");
      await ok.arrayBuffer();
    });
  }

  test("the typed client with the token lists keys; without it gets 401", async () => {
    assert.deepEqual((await run.client(token).listKeys()).data, []);
    await assert.rejects(run.client().listKeys(), (e: { status?: number }) => e.status === 401);
    await assert.rejects(run.client("f".repeat(64)).listKeys(), (e: { status?: number }) => e.status === 401);
  });
});
