// The live bad-input suite (issue 7 §5): `sextant dev` runs (node + validator client as processes) while this
// script throws bad requests at its REST API — every case of the api-spec bad-input table
// (test/unit/api-spec/support/badInputCases.ts, the same Beacon API paths) and the hostile extras: 10 MiB valid
// JSON bodies (413 over the default 2 MiB limit) and valid bodies just under the limit (read and answered), 25 MiB
// bodies (JSON, chunked JSON, SSZ; block submissions have their own 20 MiB SSZ / 44 MiB JSON limits: a body just under
// the SSZ limit, a 25 MiB JSON string and a 25 MiB parse bomb), deep JSON nesting, a 1 MiB URL,
// huge headers, invalid UTF-8, wrong media types, HTTP/1.0 and HTTP/1.1 without Host, pipelined garbage, request
// smuggling shapes, and slow-loris connections (a header byte per second, a body byte per second) that the node
// must cut by its header/request timeouts while it keeps serving. Expectations: no 5xx at all (table cases get the
// table's status and error body, extras a 4xx — 413 oversize, 414/431 huge URL/headers, 400 bad JSON), the node
// stays alive, no block is missed from before the first case to after the last, RSS after ≤ RSS before + 100 MB
// (peak reported), and no request caused an epoch transition. Prints a table (case, status, ms) and PASS/FAIL
// lines; exit 1 on failure. Run: node test/e2e/badInput.e2e.ts (or node test/e2e/run.ts bad-input).
import { setTimeout as sleep } from "node:timers/promises";
import { MAX_BLOCK_SSZ_BYTES } from "@sextant/api-spec";
import { DEFAULT_BODY_LIMIT } from "@sextant/beacon/node/options";
import { allBadInputCases, JSON_HEADERS, ROOT, SIG } from "../unit/api-spec/support/badInputCases.ts";
import { type Devnet, metricValue, startDevnet } from "./lib/devnet.ts";
import { makeAgent, rawExchange, send } from "./lib/http.ts";
import { mib, Report } from "./lib/report.ts";

/**
 * The node's body limit: `sextant dev`'s default (8 MiB, so the 10 MiB bodies get 413 and valid bodies just under
 * 8 MiB are read), or SEXTANT_E2E_BODY_LIMIT bytes passed as --rest.body-limit (e.g. 16777216 to have the 10 MiB
 * bodies read).
 */
const BODY_LIMIT_FLAG = process.env.SEXTANT_E2E_BODY_LIMIT;
const BODY_LIMIT = BODY_LIMIT_FLAG !== undefined ? Number(BODY_LIMIT_FLAG) : DEFAULT_BODY_LIMIT;
const MiB = 1024 * 1024;
/** Allowed RSS growth over the suite. */
const RSS_BUDGET = 100 * 1000 * 1000;
/** Slow-loris connections of each kind (slow headers, slow body). */
const SLOW_SOCKETS = 10;
/** A slow connection still open after this is a failure (headers timeout 10 s / request timeout 30 s + Node's 30 s check interval). */
const SLOW_CUT_LIMIT_MS = 75_000;

/** One extra case's outcome. */
interface Outcome {
  statuses: number[];
  ok: boolean;
  expected: string;
  ms: number;
  note?: string;
}

const is4xx = (s: number) => s >= 400 && s < 500;

/** Statuses for the table, runs collapsed: [200, 200, 200, 400] → "200×3,400"; none → "-". */
function compactStatuses(statuses: number[]): string {
  const runs: [number, number][] = [];
  for (const s of statuses) {
    const last = runs[runs.length - 1];
    if (last && last[0] === s) last[1]++;
    else runs.push([s, 1]);
  }
  return runs.map(([s, n]) => (n > 1 ? `${s}×${n}` : String(s))).join(",") || "-";
}

/** A JSON array text of about `bytes` bytes made of `item` repeated. */
function arrayOfSize(item: string, bytes: number): string {
  const n = Math.ceil(bytes / (item.length + 1));
  return `[${Array(n).fill(item).join(",")}]`;
}

/** A request's bytes: request line, headers, CRLF, body. */
function rawRequest(method: string, path: string, headers: Record<string, string>, version = "HTTP/1.1"): string {
  return `${method} ${path} ${version}\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("")}\r\n`;
}

/** Splits `bytes` into 1 MiB chunks. */
function chunksOf(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += MiB) out.push(bytes.subarray(i, i + MiB));
  return out;
}

/** The extra cases: name → run. */
export function extraCases(devnet: Devnet): { name: string; run: () => Promise<Outcome> }[] {
  const agent = makeAgent({ connections: 2 });
  const url = (p: string) => `${devnet.apiUrl}${p}`;
  const port = devnet.apiPort;
  const host = `127.0.0.1:${port}`;
  const viaUndici = async (
    expected: string,
    accept: (s: number) => boolean,
    init: Parameters<typeof send>[2] & { path: string },
  ): Promise<Outcome> => {
    const r = await send(agent, url(init.path), init);
    return {
      statuses: [r.status],
      ok: accept(r.status),
      expected,
      ms: r.ms,
      note: r.error ?? r.text.slice(0, 120),
    };
  };
  const viaRaw = async (
    expected: string,
    accept: (statuses: number[], end: string) => boolean,
    chunks: (string | Uint8Array)[],
    opts: { timeoutMs?: number; untilStatuses?: number; gapMs?: number } = {},
  ): Promise<Outcome> => {
    const r = await rawExchange({
      port,
      chunks,
      timeoutMs: opts.timeoutMs ?? 30_000,
      // One request, one answer: stop at its status line (a kept-alive connection would wait for the idle timeout).
      untilStatuses: opts.untilStatuses ?? 1,
      gapMs: opts.gapMs,
    });
    return {
      statuses: r.statuses,
      ok: accept(r.statuses, r.end),
      expected,
      ms: r.ms,
      note: `${r.end}${r.error ? ` (${r.error})` : ""}: ${r.head.split("\r\n")[0]}`,
    };
  };
  const one4xx = (codes?: number[]) => (statuses: number[]) =>
    statuses.length >= 1 && statuses.every((s) => (codes ? codes.includes(s) : is4xx(s)));
  const attestation = JSON.stringify({
    committee_index: "0",
    attester_index: "0",
    data: {
      slot: "1",
      index: "0",
      beacon_block_root: ROOT,
      source: { epoch: "0", root: ROOT },
      target: { epoch: "0", root: ROOT },
    },
    signature: SIG,
  });
  const big25 = 25 * MiB;
  const json25 = new TextEncoder().encode(arrayOfSize('"1"', big25));
  const ssz25 = new Uint8Array(big25).fill(7);
  const sszUnder = MAX_BLOCK_SSZ_BYTES - 64 * 1024;
  const jsonString25 = new TextEncoder().encode(`{"message":{"slot":"1"},"x":"0x${"ab".repeat(big25 / 2 - 20)}"}`);
  const jsonBomb25 = new TextEncoder().encode(`[${"1,".repeat(big25 / 2 - 1)}1]`);
  /**
   * POSTs `parts` (a body, or chunked framing when `headers` say so) to `path` after the request head, one part every
   * 200 ms (a node that answers early is heard before the client writes on); `codes` are the accepted answers.
   */
  const paced = (
    expected: string,
    codes: number[],
    path: string,
    headers: Record<string, string>,
    parts: Uint8Array[],
  ) => viaRaw(expected, one4xx(codes), [rawRequest("POST", path, { host, ...headers }), ...parts], { gapMs: 200 });
  /** POSTs `body` to the v2 block route as fulu with its Content-Length. */
  const postBlock = (expected: string, codes: number[], contentType: string, body: Uint8Array) =>
    paced(
      expected,
      codes,
      "/eth/v2/beacon/blocks",
      { "content-type": contentType, "eth-consensus-version": "fulu", "content-length": String(body.length) },
      chunksOf(body),
    );
  const chunked = (bytes: Uint8Array): Uint8Array[] => {
    const out: Uint8Array[] = [];
    for (const c of chunksOf(bytes)) {
      out.push(new TextEncoder().encode(`${c.length.toString(16)}\r\n`), c, new TextEncoder().encode("\r\n"));
    }
    out.push(new TextEncoder().encode("0\r\n\r\n"));
    return out;
  };
  const DUTIES = "/eth/v1/validator/duties/attester/1";
  const VALIDATORS = "/eth/v1/beacon/states/head/validators";
  return [
    ...[10 * MiB, BODY_LIMIT - 64 * 1024].flatMap((size) => {
      const label = size === 10 * MiB ? "10 MiB" : `${(size / MiB).toFixed(2)} MiB (just under the limit)`;
      // Over the node's body limit the answer is 413; under it the body is read and answered (2xx or 4xx).
      const over = size > BODY_LIMIT;
      const expected = over ? "413" : "2xx or 4xx";
      const accept = (s: number) => (over ? s === 413 : (s >= 200 && s < 300) || is4xx(s));
      // Over the limit the node answers before reading the body and closes: a raw socket still reads that answer.
      const postJson = (path: string, body: string, headers: Record<string, string>) =>
        over
          ? viaRaw(
              expected,
              (st) => st.length === 1 && accept(st[0]),
              [
                rawRequest("POST", path, { host, ...headers, "content-length": String(Buffer.byteLength(body)) }),
                ...chunksOf(new TextEncoder().encode(body)),
              ],
              { gapMs: 200 },
            )
          : viaUndici(expected, accept, { path, method: "POST", headers, body });
      return [
        {
          name: `${label} valid JSON: POST states/head/validators, id list`,
          run: () => postJson(VALIDATORS, `{"ids":${arrayOfSize('"12345"', size - 10)}}`, JSON_HEADERS),
        },
        {
          name: `${label} valid JSON: POST v2 pool/attestations, SingleAttestation array`,
          run: () =>
            postJson("/eth/v2/beacon/pool/attestations", arrayOfSize(attestation, size - 10), {
              ...JSON_HEADERS,
              "eth-consensus-version": "fulu",
            }),
        },
      ];
    }),
    {
      name: "25 MiB JSON body (Content-Length)",
      run: () =>
        paced(
          "413",
          [413],
          VALIDATORS,
          { "content-type": "application/json", "content-length": String(json25.length) },
          chunksOf(json25),
        ),
    },
    {
      name: "25 MiB JSON body (chunked, no Content-Length)",
      run: () =>
        paced(
          "413",
          [413],
          VALIDATORS,
          { "content-type": "application/json", "transfer-encoding": "chunked" },
          chunked(json25),
        ),
    },
    {
      name: "25 MiB SSZ body (v2 pool/attestations)",
      run: () =>
        paced(
          "413",
          [413],
          "/eth/v2/beacon/pool/attestations",
          {
            "content-type": "application/octet-stream",
            "eth-consensus-version": "fulu",
            "content-length": String(ssz25.length),
          },
          chunksOf(ssz25),
        ),
    },
    {
      // Block submissions have their own limits (20 MiB SSZ, 44 MiB JSON; a fulu block with blobs is large): a
      // 25 MiB SSZ block cannot be valid and is refused from its Content-Length.
      name: "25 MiB SSZ block body (over the block route's 20 MiB SSZ limit)",
      run: () => postBlock("413", [413], "application/octet-stream", ssz25),
    },
    {
      // Just under the SSZ limit: read whole (one buffer), then refused as invalid SSZ.
      name: "19.9 MiB SSZ block body (just under the SSZ limit)",
      run: () => postBlock("400 (invalid SSZ)", [400], "application/octet-stream", ssz25.subarray(0, sszUnder)),
    },
    {
      // Valid JSON under the 44 MiB JSON limit, made of one 25 MiB string: read, parsed, refused (no signed block).
      name: "25 MiB JSON block body: one long hex string",
      run: () => postBlock("400", [400], "application/json", jsonString25),
    },
    {
      // 13 million JSON values would parse into ~200 MiB of heap: refused by counting before parsing.
      name: "25 MiB JSON block body: 13 million numbers (a parse bomb)",
      run: () => postBlock("413 (too many values)", [413], "application/json", jsonBomb25),
    },
    {
      // Announced as 70 MiB, the first MiB sent: the node answers 413 from the Content-Length without reading on (a
      // client that kept writing the other 69 MiB would see its socket closed under it, EPIPE, before reading the 413).
      name: "70 MiB JSON block body (over the block route's 44 MiB JSON limit)",
      run: () =>
        paced(
          "413",
          [413],
          "/eth/v2/beacon/blocks",
          { "content-type": "application/json", "eth-consensus-version": "fulu", "content-length": String(70 * MiB) },
          [jsonBomb25.subarray(0, MiB)],
        ),
    },
    {
      name: "deep JSON nesting: 1e5 nested arrays",
      run: () =>
        viaUndici("400", (s) => s === 400, {
          path: DUTIES,
          method: "POST",
          headers: JSON_HEADERS,
          body: `${"[".repeat(1e5)}${"]".repeat(1e5)}`,
        }),
    },
    {
      // A million values: over the JSON value cap, refused before parsing.
      name: "deep JSON nesting: 1e6 nested arrays (2 MB)",
      run: () =>
        viaUndici("413 (too many values)", (s) => s === 413, {
          path: DUTIES,
          method: "POST",
          headers: JSON_HEADERS,
          body: `${"[".repeat(1e6)}${"]".repeat(1e6)}`,
        }),
    },
    {
      name: "deep JSON nesting: 1e5 nested objects",
      run: () =>
        viaUndici("400", (s) => s === 400, {
          path: VALIDATORS,
          method: "POST",
          headers: JSON_HEADERS,
          body: `${'{"ids":'.repeat(1e5)}1${"}".repeat(1e5)}`,
        }),
    },
    {
      name: "deep nesting, unterminated (1e6 '[')",
      run: () =>
        viaUndici("400", (s) => s === 400, {
          path: DUTIES,
          method: "POST",
          headers: JSON_HEADERS,
          body: "[".repeat(1e6),
        }),
    },
    {
      name: "1 MiB URL (query string)",
      run: () =>
        viaRaw("414 or 431", one4xx([414, 431]), [
          rawRequest("GET", `${VALIDATORS}?id=${"1,".repeat(MiB / 2)}1`, { host }),
        ]),
    },
    {
      name: "1 MiB path segment",
      run: () =>
        viaRaw("4xx (414/431)", one4xx(), [
          rawRequest("GET", `/eth/v1/beacon/states/${"a".repeat(MiB)}/root`, { host }),
        ]),
    },
    {
      name: "1 MiB header value",
      run: () =>
        viaRaw("431", one4xx([431]), [rawRequest("GET", "/eth/v1/node/version", { host, "x-big": "a".repeat(MiB) })]),
    },
    {
      name: "5000 headers",
      run: () =>
        viaRaw("431", one4xx([431]), [
          rawRequest("GET", "/eth/v1/node/version", {
            host,
            ...Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`x-h${i}`, "v"])),
          }),
        ]),
    },
    {
      name: "invalid UTF-8 in the path (raw bytes 0xff 0xfe)",
      run: () =>
        viaRaw("400", one4xx([400, 404]), [
          Buffer.concat([
            Buffer.from("GET /eth/v1/beacon/states/"),
            Buffer.from([0xff, 0xfe]),
            Buffer.from(`/root HTTP/1.1\r\nHost: ${host}\r\n\r\n`),
          ]),
        ]),
    },
    {
      name: "invalid UTF-8 percent-encoded in the path (%ff%fe)",
      run: () => viaUndici("400", (s) => s === 400, { path: "/eth/v1/beacon/states/%ff%fe/root" }),
    },
    {
      name: "invalid UTF-8 percent-encoded in the query (?id=%ff)",
      run: () => viaUndici("400", (s) => s === 400, { path: `${VALIDATORS}?id=%ff%fe` }),
    },
    {
      name: "invalid UTF-8 in a JSON body",
      run: () =>
        viaUndici("400", (s) => s === 400, {
          path: DUTIES,
          method: "POST",
          headers: JSON_HEADERS,
          body: Buffer.concat([Buffer.from('["'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"]')]),
        }),
    },
    {
      name: "invalid UTF-8 in Eth-Consensus-Version",
      run: () =>
        viaRaw("400", one4xx([400]), [
          Buffer.concat([
            Buffer.from(
              `POST /eth/v2/beacon/blocks HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nEth-Consensus-Version: `,
            ),
            Buffer.from([0xff, 0xc3, 0x28]),
            Buffer.from("\r\n\r\n{}"),
          ]),
        ]),
    },
    {
      name: "Content-Type: application/xml",
      run: () =>
        viaUndici("415", (s) => s === 415, {
          path: DUTIES,
          method: "POST",
          headers: { "content-type": "application/xml" },
          body: "<ids><id>1</id></ids>",
        }),
    },
    {
      name: "Content-Type: multipart/form-data",
      run: () =>
        viaUndici("415", (s) => s === 415, {
          path: DUTIES,
          method: "POST",
          headers: { "content-type": "multipart/form-data; boundary=x" },
          body: '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n',
        }),
    },
    {
      name: "Content-Type: application/json; charset=utf-16",
      run: () =>
        viaUndici("4xx", is4xx, {
          path: DUTIES,
          method: "POST",
          headers: { "content-type": "application/json; charset=utf-16" },
          body: Buffer.from('["1"]', "utf16le"),
        }),
    },
    {
      name: "Content-Type: ;;; (garbage)",
      run: () =>
        viaUndici("4xx", is4xx, { path: DUTIES, method: "POST", headers: { "content-type": ";;;" }, body: '["1"]' }),
    },
    {
      name: "SSZ body with a JSON content type (binary garbage)",
      run: () =>
        viaUndici("400", (s) => s === 400, {
          path: DUTIES,
          method: "POST",
          headers: JSON_HEADERS,
          body: new Uint8Array([0, 1, 2, 0xff, 0xfe, 0x80]),
        }),
    },
    {
      name: "HTTP/1.0 without Host",
      run: () =>
        viaRaw("2xx or 4xx", (st) => st.length === 1 && (is4xx(st[0]) || (st[0] >= 200 && st[0] < 300)), [
          "GET /eth/v1/node/version HTTP/1.0\r\n\r\n",
        ]),
    },
    {
      name: "HTTP/1.1 without Host",
      run: () => viaRaw("400", one4xx([400]), ["GET /eth/v1/node/version HTTP/1.1\r\n\r\n"]),
    },
    {
      // Node's parser reads the whole packet: the garbage's 400 may close the connection before the good request's
      // answer is written (that answer is then lost, which is allowed: the connection is poisoned).
      name: "pipelined garbage after a good request",
      run: () =>
        viaRaw(
          "(200,) 400",
          (st) => st.length >= 1 && st.slice(0, -1).every((s) => s === 200) && is4xx(st[st.length - 1]),
          [
            `GET /eth/v1/node/version HTTP/1.1\r\nHost: ${host}\r\n\r\n` +
              "\x00\x01\x02GARBAGE /// HTTP/9.9\r\n\r\n" +
              `GET /eth/v1/node/version HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
          ],
          { untilStatuses: 3 },
        ),
    },
    {
      name: "pipelined: 50 good requests then garbage",
      run: () =>
        viaRaw(
          "(200 × ≤ 50,) 400",
          (st) => st.length >= 1 && st.slice(0, -1).every((s) => s === 200) && is4xx(st[st.length - 1]),
          [`${`GET /eth/v1/node/version HTTP/1.1\r\nHost: ${host}\r\n\r\n`.repeat(50)}\xff\xfe\xfd\r\n\r\n`],
          { untilStatuses: 51 },
        ),
    },
    {
      name: "pipelined: 20 good requests in one packet",
      run: () =>
        viaRaw(
          "200 × 20",
          (st) => st.length === 20 && st.every((s) => s === 200),
          [`GET /eth/v1/node/version HTTP/1.1\r\nHost: ${host}\r\n\r\n`.repeat(20)],
          { untilStatuses: 20 },
        ),
    },
    {
      name: "garbage on a kept-alive connection after a good request",
      run: () =>
        viaRaw(
          "200 then 400",
          (st) => st.length === 2 && st[0] === 200 && st[1] === 400,
          [`GET /eth/v1/node/version HTTP/1.1\r\nHost: ${host}\r\n\r\n`, "\x00\x01\x02GARBAGE /// HTTP/9.9\r\n\r\n"],
          { untilStatuses: 2, gapMs: 300 },
        ),
    },
    {
      name: "binary garbage instead of a request",
      run: () => viaRaw("400", one4xx([400]), [new Uint8Array(4096).map((_, i) => (i * 37 + 11) & 0xff)]),
    },
    {
      name: "Content-Length and Transfer-Encoding together (smuggling)",
      run: () =>
        viaRaw("400", one4xx([400]), [
          `POST ${DUTIES} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: 5\r\n` +
            'Transfer-Encoding: chunked\r\n\r\n5\r\n["1"]\r\n0\r\n\r\n',
        ]),
    },
    {
      name: "two different Content-Length headers",
      run: () =>
        viaRaw("400", one4xx([400]), [
          `POST ${DUTIES} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: 5\r\n` +
            'Content-Length: 6\r\n\r\n["1"] ',
        ]),
    },
    {
      name: "negative Content-Length",
      run: () =>
        viaRaw("400", one4xx([400]), [
          `POST ${DUTIES} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: -5\r\n\r\n`,
        ]),
    },
    {
      name: "unknown method BREW",
      run: () => viaRaw("4xx", one4xx(), [`BREW /eth/v1/node/version HTTP/1.1\r\nHost: ${host}\r\n\r\n`]),
    },
    {
      name: "DELETE on a GET route",
      run: () => viaRaw("4xx", one4xx(), [`DELETE /eth/v1/node/version HTTP/1.1\r\nHost: ${host}\r\n\r\n`]),
    },
    {
      name: "absolute-form URL to another host",
      run: () =>
        viaRaw("2xx or 4xx", (st) => st.length === 1 && st[0] < 500, [
          `GET http://evil.example/eth/v1/node/version HTTP/1.1\r\nHost: evil.example\r\n\r\n`,
        ]),
    },
  ];
}

/**
 * Slow-loris: SLOW_SOCKETS connections sending a header byte per second and SLOW_SOCKETS sending a body byte per
 * second, while a probe asks GET node/version every second. Every slow connection must be cut by the node before
 * SLOW_CUT_LIMIT_MS, and every probe answered 200.
 */
async function slowLoris(devnet: Devnet): Promise<{ name: string; outcome: Outcome }[]> {
  const port = devnet.apiPort;
  const host = `127.0.0.1:${port}`;
  const drip = (prefix: string): (string | Uint8Array)[] => [prefix, ...Array(120).fill("a")];
  const start = performance.now();
  const headers = Array.from({ length: SLOW_SOCKETS }, () =>
    rawExchange({
      port,
      chunks: drip(`GET /eth/v1/node/version HTTP/1.1\r\nHost: ${host}\r\nX-Slow: `),
      gapMs: 1000,
      timeoutMs: SLOW_CUT_LIMIT_MS,
    }),
  );
  const bodies = Array.from({ length: SLOW_SOCKETS }, () =>
    rawExchange({
      port,
      chunks: drip(
        `POST /eth/v1/validator/duties/attester/1 HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`,
      ),
      gapMs: 1000,
      timeoutMs: SLOW_CUT_LIMIT_MS,
    }),
  );
  const agent = makeAgent({ connections: 1 });
  let probes = 0;
  const probeFailures: string[] = [];
  let probing = true;
  const probeLoop = (async () => {
    while (probing) {
      const r = await send(agent, `${devnet.apiUrl}/eth/v1/node/version`);
      probes++;
      if (r.status !== 200) probeFailures.push(`${r.status}${r.error ? ` ${r.error}` : ""}`);
      await sleep(1000);
    }
  })();
  const [h, b] = await Promise.all([Promise.all(headers), Promise.all(bodies)]);
  probing = false;
  await probeLoop;
  await agent.close();
  const summarize = (name: string, results: typeof h, expected: string): { name: string; outcome: Outcome } => {
    const cut = results.filter((r) => r.end === "server-closed");
    const statuses = results.flatMap((r) => r.statuses);
    const times = cut.map((r) => r.ms / 1000);
    return {
      name,
      outcome: {
        statuses,
        ok: cut.length === results.length && statuses.every(is4xx),
        expected,
        ms: Math.max(...results.map((r) => r.ms)),
        note: `${cut.length}/${results.length} cut by the node after ${times.length ? `${Math.min(...times).toFixed(0)}-${Math.max(...times).toFixed(0)}` : "-"} s; statuses ${[...new Set(statuses)].join(",") || "none (closed)"}`,
      },
    };
  };
  return [
    summarize(`slow-loris: ${SLOW_SOCKETS} sockets, a header byte per second`, h, "cut (408 or closed)"),
    summarize(`slow body: ${SLOW_SOCKETS} sockets, a body byte per second`, b, "cut (408 or closed)"),
    {
      name: "  … probes GET node/version during the slow-loris",
      outcome: {
        statuses: [...new Set(probeFailures.length ? [0] : [200])],
        ok: probeFailures.length === 0 && probes > 0,
        expected: "all 200",
        ms: performance.now() - start,
        note: `${probes} probes, ${probeFailures.length} failed${probeFailures.length ? `: ${probeFailures.slice(0, 3).join("; ")}` : ""}`,
      },
    },
  ];
}

/** Runs the suite; resolves true when every check passed. */
export async function runBadInputSuite(): Promise<boolean> {
  const report = new Report("bad-input suite against a live `sextant dev`", [
    "case",
    "status",
    "expected",
    "ms",
    "RSS MiB",
    "note",
  ]);
  const devnet = await startDevnet({
    name: "bad-input",
    extraArgs: BODY_LIMIT_FLAG !== undefined ? ["--rest.body-limit", BODY_LIMIT_FLAG] : [],
  });
  let ok = false;
  try {
    // The chain runs: the validator client has proposed a couple of blocks.
    await devnet.waitForSlot(2, 1000);
    for (let i = 0; i < 60 && (await devnet.headSlot()) < 2; i++) await sleep(1000);
    const firstSlot = devnet.currentSlot();
    const rssBefore = devnet.rssBytes();
    /** The node's RSS now, MiB (a column of the table: which case moved it). */
    const rssMiB = (): string => (devnet.rssBytes() / MiB).toFixed(0);
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, devnet.rssBytes());
    }, 200);
    const agent = makeAgent({ connections: 1 });
    const fiveXX: string[] = [];
    const started = performance.now();

    // 1. The api-spec table (the oversize case sized for this node's body limit).
    const table = allBadInputCases(BODY_LIMIT);
    let tableOk = 0;
    for (const c of table) {
      const r = await send(agent, `${devnet.apiUrl}${c.path}`, { method: c.method, headers: c.headers, body: c.body });
      let message = "";
      let bodyOk = false;
      try {
        const body = JSON.parse(r.text) as { code?: unknown; message?: unknown };
        message = String(body.message);
        bodyOk = body.code === c.status && typeof body.message === "string" && body.message.includes(c.says);
      } catch {
        message = r.error ?? r.text.slice(0, 80);
      }
      const pass = r.status === c.status && bodyOk;
      if (pass) tableOk++;
      if (r.status >= 500 || r.status === 0) fiveXX.push(`${c.name}: ${r.status} ${message}`);
      report.row(
        c.name,
        r.status,
        c.status,
        r.ms.toFixed(0),
        rssMiB(),
        pass ? "" : `MISMATCH: ${message.slice(0, 100)}`,
      );
    }
    report.check(
      tableOk === table.length,
      `api-spec table: ${tableOk}/${table.length} cases got their status and error body`,
    );

    // 2. The hostile extras, one after the other.
    let extrasOk = 0;
    const extras = extraCases(devnet);
    for (const e of extras) {
      const o = await e.run();
      if (o.ok) extrasOk++;
      if (o.statuses.some((s) => s >= 500)) fiveXX.push(`${e.name}: ${o.statuses.join(",")} ${o.note ?? ""}`);
      report.row(
        e.name,
        compactStatuses(o.statuses),
        o.expected,
        o.ms.toFixed(0),
        rssMiB(),
        `${o.ok ? "" : "UNEXPECTED "}${o.note ?? ""}`.slice(0, 140),
      );
    }
    report.check(extrasOk === extras.length, `hostile extras: ${extrasOk}/${extras.length} answered as expected`);

    // 3. Slow-loris (concurrent slow connections while probing).
    const slow = await slowLoris(devnet);
    for (const s of slow) {
      if (s.outcome.statuses.some((x) => x >= 500)) fiveXX.push(`${s.name}: ${s.outcome.statuses.join(",")}`);
      report.row(
        s.name,
        compactStatuses(s.outcome.statuses),
        s.outcome.expected,
        s.outcome.ms.toFixed(0),
        rssMiB(),
        s.outcome.note ?? "",
      );
      report.check(s.outcome.ok, `${s.name.trim()}: ${s.outcome.note}`);
    }
    await agent.close();
    const total = table.length + extras.length + 2 * SLOW_SOCKETS;
    const lastSlot = devnet.currentSlot();
    clearInterval(sampler);
    console.log(`suite ran ${((performance.now() - started) / 1000).toFixed(0)} s, slots ${firstSlot}..${lastSlot}`);

    report.check(total >= 50, `${total} bad requests sent (≥ 50)`);
    report.check(fiveXX.length === 0, `no 5xx answer${fiveXX.length ? `: ${fiveXX.join(" | ")}` : ""}`);
    report.check(devnet.alive(), `the node process is alive${devnet.alive() ? "" : ` (exited: ${devnet.exitInfo()})`}`);
    // Blocks: wait until the slot after the last case is past, then every slot firstSlot..lastSlot+1 has a block.
    if (devnet.alive()) {
      await devnet.waitForSlot(lastSlot + 2, 1000);
      const empty = await devnet.emptySlots(firstSlot, lastSlot + 1);
      report.check(
        empty.length === 0,
        `no missed block in slots ${firstSlot}..${lastSlot + 1}${empty.length ? `: empty ${empty.join(",")}` : ""}`,
      );
      const rssAfter = devnet.rssBytes();
      rssPeak = Math.max(rssPeak, rssAfter);
      report.check(
        rssAfter <= rssBefore + RSS_BUDGET,
        `RSS before ${mib(rssBefore)}, after ${mib(rssAfter)} (≤ before + 100 MB), peak during the suite ${mib(rssPeak)}, lifetime peak (VmHWM) ${mib(devnet.peakRssBytes())}`,
      );
      const page = await devnet.scrapeMetrics();
      const requestTransitions = metricValue(page, "sextant_epoch_transitions_total", { cause: "request" }) ?? 0;
      report.check(
        requestTransitions === 0,
        `sextant_epoch_transitions_total{cause="request"} = ${requestTransitions}`,
      );
      const server5xx = page
        .split("\n")
        .filter((l) => l.startsWith("sextant_api_responses_total{") && /status="5\d\d"/.test(l) && !/ 0$/.test(l));
      report.check(
        server5xx.length === 0,
        `node metrics count no 5xx response${server5xx.length ? `: ${server5xx.join("; ")}` : ""}`,
      );
    }
    const errors = devnet.logLines(/"level":(50|60)|"level":"(error|fatal)"/);
    if (errors.length > 0) console.log(`node error log lines (${errors.length}):\n${errors.slice(0, 10).join("\n")}`);
    ok = !report.failed;
  } catch (e) {
    report.check(false, `the suite could not run: ${(e as Error).stack ?? e}`);
    console.log(`node output tail:\n${devnet.logTail(30)}`);
  } finally {
    report.print();
    await devnet.stop({ failed: report.failed });
  }
  return ok && !report.failed;
}

if (import.meta.main) {
  const ok = await runBadInputSuite();
  process.exit(ok ? 0 : 1);
}
