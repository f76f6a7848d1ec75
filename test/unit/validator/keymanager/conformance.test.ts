// Conformance of the REAL keymanager server (keys, a remote key, fee recipient / gas limit / graffiti set) with
// the Keymanager API documents: every operation of the route table is called over raw HTTP (fetch) with the
// bearer token, on its success path and its error paths (401, 404 unknown pubkey, 400 bad input); every status
// must be one the operation declares and every JSON body must validate against the response schema, both of our
// api-spec/openapi/keymanager.yaml and (when ../shared/reference is present) of upstream's keymanager-APIs.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { PROJECT_ROOT } from "../../../../api-spec/scripts/gen.ts";
import { asObject, type JsonObject } from "../../../../api-spec/scripts/openapi-doc.ts";
import { referencePath, referenceSkip } from "../../../support/reference.ts";
import { readDocument } from "../../api-spec/support/schemas.ts";
import { validatorsFor } from "../../api-spec/support/suites.ts";
import { keystoresOf, ROUTES, type Running, start, tempDataDir } from "./helpers.ts";

const UPSTREAM = ["keymanager-APIs", "keymanager-oapi.bundled.yaml"] as const;
const UNKNOWN = `0x${"c3".repeat(48)}`;
const REMOTE_A = `0x${"a1".repeat(48)}`;
const REMOTE_B = `0x${"b2".repeat(48)}`;
const FEE_RECIPIENT = `0x${"5e".repeat(20)}`;

/** One call: operation, concrete path (template filled), optional JSON body, expected status. */
interface Case {
  op: keyof typeof ROUTES;
  path: (k: string) => string;
  body?: unknown;
  raw?: string;
  noToken?: boolean;
  status: number;
  what: string;
}

const v = (p: string, suffix: string) => `/eth/v1/validator/${p}/${suffix}`;

/** The declared statuses of (path, method) in `doc`. */
function declaredStatuses(doc: JsonObject, path: string, method: string): number[] {
  const op = asObject(asObject(asObject(doc.paths, "paths")[path], path)[method.toLowerCase()], method);
  return Object.keys(asObject(op.responses, "responses")).map(Number);
}

function cases(): Case[] {
  const perKey = (suffix: string, get: keyof typeof ROUTES, set: keyof typeof ROUTES, del: keyof typeof ROUTES) => {
    const goodBody =
      suffix === "feerecipient"
        ? { ethaddress: FEE_RECIPIENT }
        : suffix === "gas_limit"
          ? { gas_limit: "36000000" }
          : { graffiti: "sextant conformance" };
    const badBody =
      suffix === "feerecipient" ? { ethaddress: "0x1234" } : suffix === "gas_limit" ? { gas_limit: "-5" } : {};
    const list: Case[] = [
      { op: set, path: (k) => v(k, suffix), body: goodBody, status: 202, what: "set" },
      { op: get, path: (k) => v(k, suffix), status: 200, what: "get after set" },
      { op: set, path: (k) => v(k, suffix), body: badBody, status: 400, what: "bad body" },
      { op: set, path: () => v(UNKNOWN, suffix), body: goodBody, status: 404, what: "unknown pubkey" },
      { op: get, path: () => v(UNKNOWN, suffix), status: 404, what: "unknown pubkey" },
      { op: get, path: () => v("0x1234", suffix), status: 400, what: "malformed pubkey" },
      { op: del, path: () => v(UNKNOWN, suffix), status: 404, what: "unknown pubkey" },
      { op: del, path: () => v("nothex", suffix), status: 400, what: "malformed pubkey" },
      { op: del, path: (k) => v(k, suffix), status: 204, what: "delete" },
      { op: get, path: (k) => v(k, suffix), status: 200, what: "get after delete (defaults)" },
      // Leave it set so the later listings run with a configured key.
      { op: set, path: (k) => v(k, suffix), body: goodBody, status: 202, what: "set again" },
      { op: get, path: (k) => v(k, suffix), noToken: true, status: 401, what: "no token" },
    ];
    return list;
  };
  return [
    { op: "listKeys", path: () => "/eth/v1/keystores", status: 200, what: "empty" },
    { op: "listKeys", path: () => "/eth/v1/keystores", noToken: true, status: 401, what: "no token" },
    { op: "importKeystores", path: () => "/eth/v1/keystores", body: "KEYSTORES", status: 200, what: "three keys" },
    { op: "importKeystores", path: () => "/eth/v1/keystores", body: { keystores: 5 }, status: 400, what: "bad body" },
    { op: "importKeystores", path: () => "/eth/v1/keystores", raw: "{not json", status: 400, what: "not JSON" },
    { op: "listKeys", path: () => "/eth/v1/keystores", status: 200, what: "three keys" },
    { op: "deleteKeys", path: () => "/eth/v1/keystores", body: "DELETE_THIRD", status: 200, what: "one + unknown" },
    { op: "deleteKeys", path: () => "/eth/v1/keystores", body: { pubkeys: ["0x12"] }, status: 400, what: "bad key" },
    { op: "listRemoteKeys", path: () => "/eth/v1/remotekeys", status: 200, what: "empty" },
    {
      op: "importRemoteKeys",
      path: () => "/eth/v1/remotekeys",
      body: {
        remote_keys: [
          { pubkey: REMOTE_A, url: "https://signer.example:9000" },
          { pubkey: REMOTE_B, url: "https://signer.example:9000" },
        ],
      },
      status: 200,
      what: "two keys",
    },
    {
      op: "deleteRemoteKeys",
      path: () => "/eth/v1/remotekeys",
      body: { pubkeys: [REMOTE_B, UNKNOWN] },
      status: 200,
      what: "one + unknown",
    },
    { op: "listRemoteKeys", path: () => "/eth/v1/remotekeys", status: 200, what: "one remote key" },
    ...perKey("feerecipient", "listFeeRecipient", "setFeeRecipient", "deleteFeeRecipient"),
    ...perKey("gas_limit", "getGasLimit", "setGasLimit", "deleteGasLimit"),
    ...perKey("graffiti", "getGraffiti", "setGraffiti", "deleteGraffiti"),
    { op: "getGraffiti", path: () => v(REMOTE_A, "graffiti"), status: 200, what: "remote key" },
    { op: "signVoluntaryExit", path: () => v(UNKNOWN, "voluntary_exit"), status: 404, what: "unknown pubkey" },
    { op: "signVoluntaryExit", path: () => v("0xzz", "voluntary_exit"), status: 400, what: "malformed pubkey" },
    { op: "signVoluntaryExit", path: (k) => `${v(k, "voluntary_exit")}?epoch=abc`, status: 400, what: "bad epoch" },
    { op: "signVoluntaryExit", path: (k) => v(k, "voluntary_exit"), noToken: true, status: 401, what: "no token" },
    { op: "listKeys", path: () => "/eth/v1/keystores", status: 200, what: "final" },
    { op: "listRemoteKeys", path: () => "/eth/v1/remotekeys", status: 200, what: "final" },
  ];
}

describe("keymanager conformance with the Keymanager API documents", () => {
  let run: Running;
  let cleanup: () => Promise<void>;
  let token: string;
  let keys: Awaited<ReturnType<typeof keystoresOf>>;
  const validators = validatorsFor("keymanager");
  const ours = readDocument(join(PROJECT_ROOT, "api-spec/openapi/keymanager.yaml"));
  const upstreamSkip = referenceSkip(...UPSTREAM);
  const upstream = upstreamSkip ? undefined : readDocument(referencePath(...UPSTREAM));
  const operations = new Set<string>();
  let responses = 0;

  before(async () => {
    const dir = await tempDataDir();
    cleanup = dir.cleanup;
    keys = await keystoresOf(777, 3);
    run = await start(dir.layout);
    token = (await readFile(run.km.tokenPath, "utf8")).trim();
  });
  after(async () => {
    await run?.stop();
    await cleanup?.();
    console.log(`keymanager conformance: ${operations.size} operations, ${responses} responses validated`);
  });

  const resolveBody = (body: unknown): unknown => {
    if (body === "KEYSTORES") return { keystores: keys.map((k) => k.text), passwords: keys.map((k) => k.password) };
    if (body === "DELETE_THIRD") return { pubkeys: [keys[2].key.pubkey, UNKNOWN] };
    return body;
  };

  for (const c of cases()) {
    const route = ROUTES[c.op];
    test(`${c.op} ${route.method} ${route.path}: ${c.what} → ${c.status}`, async () => {
      const key = keys[0].key.pubkey;
      const body = c.raw ?? (c.body === undefined ? undefined : JSON.stringify(resolveBody(c.body)));
      const headers: Record<string, string> = { accept: "application/json" };
      if (!c.noToken) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers["content-type"] = "application/json";
      const res = await fetch(`${run.url}${c.path(key)}`, { method: route.method, headers, body });
      const text = await res.text();
      assert.equal(res.status, c.status, `status (body: ${text})`);
      const docs: [string, JsonObject | undefined][] = [
        ["ours", ours],
        ["upstream", upstream],
      ];
      for (const [name, doc] of docs) {
        if (doc === undefined) continue;
        assert.ok(
          declaredStatuses(doc, route.path, route.method).includes(res.status),
          `${name} declares ${res.status} for ${route.method} ${route.path}`,
        );
      }
      const { ours: oursV, upstream: upV } = validators();
      if (oursV.hasJson(route.path, route.method, res.status)) {
        const json = JSON.parse(text);
        assert.equal(oursV.validate(route.path, route.method, res.status, json), undefined, "our schema");
        if (upV !== undefined) {
          assert.ok(upV.hasJson(route.path, route.method, res.status), "upstream declares a JSON body too");
          assert.equal(upV.validate(route.path, route.method, res.status, json), undefined, "upstream schema");
        }
      } else {
        assert.equal(text, "", "no body where the document declares none");
        if (upV !== undefined) assert.ok(!upV.hasJson(route.path, route.method, res.status));
      }
      operations.add(c.op);
      responses++;
    });
  }

  test("every operation of the route table was exercised", () => {
    assert.deepEqual([...operations].sort(), Object.keys(ROUTES).sort());
  });

  test("the validators can fail: a listKeys body without data, a bad fee recipient", () => {
    const { ours: oursV, upstream: upV } = validators();
    for (const val of upV === undefined ? [oursV] : [oursV, upV]) {
      assert.notEqual(val.validate("/eth/v1/keystores", "GET", 200, { keys: [] }), undefined);
      const bad = { data: { pubkey: UNKNOWN, ethaddress: "0x12" } };
      assert.notEqual(val.validate("/eth/v1/validator/{pubkey}/feerecipient", "GET", 200, bad), undefined);
    }
  });

  test("upstream document present", { skip: upstreamSkip }, () => assert.ok(upstream !== undefined));

  // Signing an exit needs a beacon node; without one the server answers 501, which no document declares.
  test("signVoluntaryExit of a known key without a beacon node: 501 with an error body", async () => {
    const res = await fetch(`${run.url}${v(keys[0].key.pubkey, "voluntary_exit")}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.status, 501);
    const json = (await res.json()) as { code: number; message: string };
    assert.equal(json.code, 501);
    assert.match(json.message, /needs --beacon-nodes/);
  });
});
