// The round-trip harness: a real fastify server on 127.0.0.1 (port 0) whose handlers record their arguments and
// answer what the test set, and our client calling it. For each operation and each fork its types vary by, a seeded
// random case goes client → server → handler → back in JSON and, where the operation offers it, SSZ; the handler's
// arguments must equal what the client sent, the client's result what the handler answered, and the JSON body the
// server wrote (as the client received it) must validate against our document's response schema and upstream's.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type AnyRoute, createApiClient, createApiServer, type RouteTable } from "@sextant/api-spec";
import type { ForkName } from "@sextant/consensus";
import { Rng } from "../../../support/random.ts";
import { normalize } from "./compare.ts";
import { randomArgs, randomResult, routeForks } from "./randomApi.ts";
import type { ResponseValidator } from "./schemas.ts";

/** What the echo handlers answer and saw, and the raw body of the client's last response. */
interface Echo {
  result: Map<string, unknown>;
  received: Map<string, unknown>;
  lastBody?: { operationId: string; status: number; contentType: string | undefined; body: Uint8Array };
}

/** The echo server and client of a suite. */
interface EchoContext {
  url: string;
  client: Record<string, unknown>;
  echo: Echo;
}

/** Starts a server for `routes` whose every handler echoes; returns its URL and a client. */
export async function startEchoServer<T extends RouteTable>(routes: T) {
  const echo: Echo = { result: new Map(), received: new Map() };
  const handlers: Record<string, (args: unknown) => unknown> = {};
  for (const route of Object.values(routes) as AnyRoute[]) {
    handlers[route.operationId] = (args) => {
      echo.received.set(route.operationId, args);
      return echo.result.get(route.operationId);
    };
  }
  const server = createApiServer({ routes, handlers: handlers as never });
  const url = await server.listen();
  const client = createApiClient(routes, {
    baseUrl: url,
    timeoutMs: 30_000,
    onResponse: (info) => {
      echo.lastBody = info;
    },
  });
  return { server, url, client, echo };
}

/** Schema validators: ours always, upstream's when the reference is present. */
export interface Validators {
  ours: ResponseValidator;
  upstream?: ResponseValidator;
}

/** Counts of what a run checked (printed by the suites). */
export interface RoundTripCounts {
  cases: number;
  jsonCalls: number;
  sszCalls: number;
  oursValidated: number;
  upstreamValidated: number;
}

function checkEqual(actual: unknown, expected: unknown, what: string): void {
  assert.deepStrictEqual(normalize(actual), normalize(expected), what);
}

/**
 * Defines one node:test test per operation of `operationIds` (each fork a subtest with `casesPerFork` random cases),
 * run against an echo server of `routes`. `seed` makes the cases reproducible.
 */
export function roundTripSuite<T extends RouteTable>(
  name: string,
  routes: T,
  operationIds: readonly string[],
  validators: () => Validators,
  seed: number,
  counts: RoundTripCounts,
  casesPerFork = 1,
): void {
  describe(name, () => {
    let ctx: Awaited<ReturnType<typeof startEchoServer<T>>> & EchoContext;
    before(async () => {
      ctx = (await startEchoServer(routes)) as typeof ctx;
    });
    after(async () => {
      await ctx.client.close();
      await ctx.server.close();
    });

    operationIds.forEach((operationId, index) => {
      const route = routes[operationId] as AnyRoute;
      test(`${operationId} (${route.method} ${route.path})`, async (t) => {
        assert.ok(route, `no route ${operationId}`);
        for (const fork of routeForks(route)) {
          await t.test(fork ?? "any fork", async () => {
            const rng = new Rng(seed * 1000 + index * 10 + (fork === undefined ? 0 : fork.length));
            for (let i = 0; i < casesPerFork; i++) await roundTrip(ctx, route, rng, fork, validators(), counts);
          });
        }
      });
    });
  });
}

async function roundTrip(
  ctx: EchoContext,
  route: AnyRoute,
  rng: Rng,
  fork: ForkName | undefined,
  validators: Validators,
  counts: RoundTripCounts,
): Promise<void> {
  const args = randomArgs(route, rng, fork);
  const result = randomResult(route, rng, fork);
  ctx.echo.result.set(route.operationId, result);
  counts.cases++;
  const call = ctx.client[route.operationId] as (a: unknown, o: unknown) => Promise<Record<string, unknown>>;
  let jsonBody: { status: number; text: string } | undefined;
  const media: ("json" | "ssz")[] = ["json"];
  if (route.response.ssz?.(result.meta as never) !== undefined || route.body?.ssz !== undefined) media.push("ssz");
  for (const mediaType of media) {
    ctx.echo.received.delete(route.operationId);
    const res = await call(args, { mediaType });
    if (mediaType === "json") counts.jsonCalls++;
    else counts.sszCalls++;
    checkEqual(ctx.echo.received.get(route.operationId), args, `${mediaType}: the handler's arguments`);
    assert.equal(res.status, result.status, `${mediaType}: status`);
    const last = ctx.echo.lastBody;
    assert.ok(last !== undefined && last.operationId === route.operationId, "the client saw the response");
    if (route.response.kind === "empty") {
      assert.equal(res.data, undefined);
      assert.equal(last.body.length, 0, "an empty response has no body");
      continue;
    }
    checkEqual(res.data, result.data, `${mediaType}: data`);
    checkEqual(res.meta, result.meta ?? {}, `${mediaType}: metadata`);
    if (last.contentType?.startsWith("application/json")) {
      jsonBody = { status: last.status, text: Buffer.from(last.body).toString("utf8") };
    }
  }
  if (route.response.kind === "empty") return;
  // The JSON body exactly as the server wrote it, against the documents' response schemas.
  assert.ok(jsonBody !== undefined, "a JSON response was seen");
  const body = JSON.parse(jsonBody.text);
  const ours = validators.ours.validate(route.path, route.method, jsonBody.status, body);
  assert.equal(ours, undefined, `our document's schema: ${ours}`);
  counts.oursValidated++;
  if (validators.upstream?.hasJson(route.path, route.method, jsonBody.status)) {
    const upstream = validators.upstream.validate(route.path, route.method, jsonBody.status, body);
    assert.equal(upstream, undefined, `upstream schema: ${upstream}`);
    counts.upstreamValidated++;
  }
}
