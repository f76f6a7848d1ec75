// Request bodies are read into one buffer (api-spec/src/server/body.ts): with Content-Length and chunked, arriving in
// many pieces; over the route's limit 413 (announced or discovered while reading); a body shorter than its
// Content-Length is a 400 or a closed connection, never a handler call; the connection stays usable after a good body;
// a route's SSZ and JSON limits apply by media type; large bodies beyond the free slots get 503 with Retry-After; JSON
// of too many values is refused before it is parsed.
import assert from "node:assert/strict";
import { connect } from "node:net";
import { describe, test } from "node:test";
import { type AnyRoute, createApiServer, jsonValuesExceed, MAX_JSON_VALUES } from "@sextant/api-spec";
import { Agent, request } from "undici";
import { BEACON } from "./support/suites.ts";

const DUTIES = "/eth/v1/validator/duties/attester/1";

/** A server whose attester-duties handler records the indices it was asked for; body limit `bodyLimit`. */
async function start(bodyLimit: number) {
  const seen: number[][] = [];
  const server = createApiServer({
    routes: BEACON,
    bodyLimit,
    handlers: {
      getAttesterDuties: ({ body }) => {
        seen.push(body.map(Number));
        return { data: [], meta: { dependentRoot: new Uint8Array(32), executionOptimistic: false } };
      },
    },
  });
  const url = await server.listen();
  return { server, url, port: Number(new URL(url).port), seen };
}

/** Writes `parts` to a raw connection, `gapMs` apart, and returns everything the server sent until it closed. */
async function raw(port: number, parts: string[], gapMs = 5): Promise<string> {
  return await new Promise<string>((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    let text = "";
    socket.on("data", (d: Buffer) => {
      text += d.toString("latin1");
    });
    socket.on("error", () => {});
    socket.on("close", () => resolve(text));
    socket.once("connect", async () => {
      for (const p of parts) {
        if (socket.destroyed || text.length > 0) break;
        socket.write(p);
        await new Promise((r) => setTimeout(r, gapMs));
      }
      socket.end();
    });
  });
}

const indicesJson = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => String(i)));

describe("request bodies", () => {
  test("a Content-Length body in many pieces and a chunked body both reach the handler whole", async () => {
    const { server, url, port, seen } = await start(1024 * 1024);
    try {
      const body = indicesJson(20_000);
      const viaUndici = await request(`${url}${DUTIES}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      assert.equal(viaUndici.statusCode, 200);
      await viaUndici.body.dump();
      // Chunked, in pieces of 1000 bytes.
      const pieces: string[] = [];
      for (let i = 0; i < body.length; i += 1000) {
        const c = body.slice(i, i + 1000);
        pieces.push(`${c.length.toString(16)}\r\n${c}\r\n`);
      }
      const answer = await raw(port, [
        `POST ${DUTIES} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n`,
        ...pieces,
        "0\r\n\r\n",
      ]);
      assert.match(answer, /^HTTP\/1\.1 200 /);
      assert.equal(seen.length, 2);
      for (const indices of seen) {
        assert.equal(indices.length, 20_000);
        assert.equal(indices[19_999], 19_999);
      }
    } finally {
      await server.close();
    }
  });

  test("over the limit: 413 from the Content-Length, and 413 while reading a chunked body; the handler never runs", async () => {
    const limit = 64 * 1024;
    const { server, port, seen } = await start(limit);
    try {
      const body = indicesJson(20_000); // ~190 KB
      const announced = await raw(port, [
        `POST ${DUTIES} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`,
      ]);
      assert.match(announced, /^HTTP\/1\.1 413 /);
      assert.match(announced, /\{"code":413,"message":"request body exceeds the limit of 65536 bytes"\}/);
      const pieces: string[] = [];
      for (let i = 0; i < body.length; i += 8192) {
        const c = body.slice(i, i + 8192);
        pieces.push(`${c.length.toString(16)}\r\n${c}\r\n`);
      }
      const answer = await raw(port, [
        `POST ${DUTIES} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n`,
        ...pieces,
        "0\r\n\r\n",
      ]);
      assert.match(answer, /^HTTP\/1\.1 413 /);
      assert.match(answer, /request body exceeds the limit of 65536 bytes/);
      assert.equal(seen.length, 0);
    } finally {
      await server.close();
    }
  });

  test("a body shorter than its Content-Length never reaches the handler; a good request after it is served", async () => {
    const { server, url, port, seen } = await start(1024 * 1024);
    try {
      const answer = await raw(port, [
        `POST ${DUTIES} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n`,
        '["1","2"]',
      ]);
      // The client half-closed after 9 of 100 bytes: the node answers 400 or just closes, and nothing is handled.
      assert.ok(answer === "" || /^HTTP\/1\.1 400 /.test(answer), answer.slice(0, 80));
      assert.equal(seen.length, 0);
      const agent = new Agent({ connections: 1 });
      try {
        for (let i = 0; i < 3; i++) {
          const ok = await request(`${url}${DUTIES}`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: '["7"]',
            dispatcher: agent,
          });
          assert.equal(ok.statusCode, 200);
          await ok.body.dump();
        }
      } finally {
        await agent.close();
      }
      assert.deepEqual(seen, [[7], [7], [7]]);
    } finally {
      await server.close();
    }
  });

  test("an empty JSON body is the API's 400, not a crash", async () => {
    const { server, url, seen } = await start(1024);
    try {
      const r = await request(`${url}${DUTIES}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "",
      });
      assert.equal(r.statusCode, 400);
      const body = (await r.body.json()) as { code: number; message: string };
      assert.equal(body.code, 400);
      assert.equal(seen.length, 0);
    } finally {
      await server.close();
    }
  });
});

describe("limits by media type, large-body slots, JSON value cap", () => {
  test("a route's SSZ limit applies to SSZ bodies and its JSON limit to JSON bodies; the 413 names the limit", async () => {
    const base = BEACON.publishBlockV2 as AnyRoute;
    const routes = {
      publishBlockV2: { ...base, body: { ...base.body!, maxBytes: 4096, maxSszBytes: 1024 } },
    };
    const server = createApiServer({ routes, handlers: {} });
    const url = await server.listen();
    try {
      const post = async (contentType: string, body: Uint8Array) => {
        const r = await request(`${url}/eth/v2/beacon/blocks`, {
          method: "POST",
          headers: { "content-type": contentType, "eth-consensus-version": "fulu" },
          body,
        }).catch((e: unknown) => e as Error);
        if (r instanceof Error) return { status: 0, message: r.message };
        const json = (await r.body.json()) as { message: string };
        return { status: r.statusCode, message: json.message };
      };
      const ssz = await post("application/octet-stream", new Uint8Array(2000));
      assert.equal(ssz.status, 413);
      assert.match(ssz.message, /limit of 1024 bytes/);
      // 2000 bytes of JSON are under the JSON limit: read, then refused as not a block.
      const json = await post("application/json", new TextEncoder().encode(`{"x":"${"a".repeat(1990)}"}`));
      assert.equal(json.status, 400);
      const bigJson = await post("application/json", new TextEncoder().encode(`{"x":"${"a".repeat(5000)}"}`));
      assert.equal(bigJson.status, 413);
      assert.match(bigJson.message, /limit of 4096 bytes/);
    } finally {
      await server.close();
    }
  });

  test("with every large-body slot taken, one more large body is 503 with Retry-After; a small body is read", async () => {
    const seen: number[][] = [];
    const server = createApiServer({
      routes: BEACON,
      bodyLimit: 8 * 1024 * 1024,
      maxLargeBodies: 1,
      handlers: {
        getAttesterDuties: ({ body }) => {
          seen.push(body.map(Number));
          return { data: [], meta: { dependentRoot: new Uint8Array(32), executionOptimistic: false } };
        },
      },
    });
    const url = await server.listen();
    const port = Number(new URL(url).port);
    const size = 2 * 1024 * 1024;
    const holder = connect({ port, host: "127.0.0.1" });
    holder.on("error", () => {});
    try {
      // The first large body: announced, 1 KiB sent, then the client waits (the slot stays taken).
      await new Promise<void>((resolve) => holder.once("connect", () => resolve()));
      holder.write(
        `POST ${DUTIES} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${size}\r\n\r\n[`,
      );
      holder.write(`${'"1",'.repeat(256)}`);
      // Announced only (the node answers from the Content-Length, before any body byte). Until the node has read
      // the holder's head the slot is still free (the announced-only body then ends as a 400): ask again.
      let second = "";
      for (let i = 0; i < 50 && !/^HTTP\/1\.1 503 /.test(second); i++) {
        await new Promise((r) => setTimeout(r, 100));
        second = await raw(port, [
          `POST ${DUTIES} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${size}\r\n\r\n`,
        ]);
      }
      assert.match(second, /^HTTP\/1\.1 503 /);
      assert.match(second, /retry-after: 1\r\n/i);
      assert.match(second, /large request bodies/);
      const small = await request(`${url}${DUTIES}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '["3"]',
      });
      assert.equal(small.statusCode, 200);
      await small.body.dump();
      // The holder leaves: its slot is freed and a large body is read again.
      holder.destroy();
      // Until the node has seen the holder go, the slot is taken (503): ask again.
      let thirdStatus = 0;
      for (let i = 0; i < 50 && thirdStatus !== 200; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const third = await request(`${url}${DUTIES}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: `[${'"2",'.repeat(size / 8)}"2"]`,
        }).catch(() => undefined);
        thirdStatus = third?.statusCode ?? 0;
        await third?.body.dump();
        if (thirdStatus !== 200) assert.ok(thirdStatus === 503 || thirdStatus === 0, `status ${thirdStatus}`);
      }
      assert.equal(thirdStatus, 200);
      assert.deepEqual(
        seen.map((s) => s.length),
        [1, size / 8 + 1],
      );
    } finally {
      holder.destroy();
      await server.close();
    }
  });

  test("jsonValuesExceed counts elements and members outside strings", () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    assert.equal(jsonValuesExceed(enc("[1,2,3]"), 3), false); // '[' and two commas
    assert.equal(jsonValuesExceed(enc("[1,2,3,4]"), 3), true);
    assert.equal(jsonValuesExceed(enc('["a,b,c,d,e"]'), 1), false, "commas inside a string do not count");
    assert.equal(jsonValuesExceed(enc('["a\\\\",1,2]'), 2), true, "an escaped backslash ends before the quote");
    assert.equal(jsonValuesExceed(enc('["x\\",[,[,[,[",1]'), 2), false, "an escaped quote does not end the string");
    assert.equal(jsonValuesExceed(enc('{"a":{"b":[1,2]}}'), 4), false);
    assert.equal(jsonValuesExceed(enc('{"a":{"b":[1,2]}}'), 3), true);
    assert.equal(jsonValuesExceed(enc('["unterminated,,,,'), 1), false, "left to JSON.parse to report");
  });

  test("a JSON body of more than MAX_JSON_VALUES values is 413 before parsing; as many long strings are read", async () => {
    const { server, url, seen } = await start(16 * 1024 * 1024);
    try {
      const bomb = `[${"1,".repeat(MAX_JSON_VALUES)}1]`;
      const r = await request(`${url}${DUTIES}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: bomb,
      });
      assert.equal(r.statusCode, 413);
      assert.match(((await r.body.json()) as { message: string }).message, /more than 524288 values/);
      // Fewer values in more bytes: parsed and handled.
      const ok = await request(`${url}${DUTIES}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: indicesJson(200_000),
      });
      assert.equal(ok.statusCode, 200);
      await ok.body.dump();
      assert.equal(seen.length, 1);
      assert.equal(seen[0].length, 200_000);
    } finally {
      await server.close();
    }
  });
});
