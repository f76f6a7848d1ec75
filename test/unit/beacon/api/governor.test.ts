// The REST request governor over real fastify (api-spec's createApiServer on loopback) with a small route table and
// gated fake handlers: per-client token buckets (bearer token or IP; fake clock for the refill math; Retry-After;
// per-route costs; allowlist; bounded memory), load shedding per class (expensive queue full → 503 at once while
// validator work still succeeds; validator priority displaces queued expensive work), and slots released on
// completion and on client abort (no leak after 1,000 aborted requests).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createApiServer, type RequestInfo, type RouteTable, route } from "@sextant/api-spec";
import { emptyResponse, NO_PARAMS } from "@sextant/api-spec/routes/define";
import { parseAllowlist } from "@sextant/beacon/api/governor/allowlist";
import { ClientBuckets } from "@sextant/beacon/api/governor/buckets";
import {
  createRequestGovernor,
  type GovernorOptions,
  type RequestGovernor,
} from "@sextant/beacon/api/governor/governor";
import { request } from "undici";

const ROUTES = {
  getHealth: route({
    operationId: "getHealth",
    method: "GET",
    path: "/health",
    params: NO_PARAMS,
    response: emptyResponse(),
  }),
  getAttesterDuties: route({
    operationId: "getAttesterDuties",
    method: "GET",
    path: "/duties",
    params: NO_PARAMS,
    response: emptyResponse(),
  }),
  getStateValidators: route({
    operationId: "getStateValidators",
    method: "GET",
    path: "/validators",
    params: NO_PARAMS,
    response: emptyResponse(),
  }),
} satisfies RouteTable;

/** Handlers that wait on a gate the test opens (or on the client going away). */
class Gate {
  private waiting: (() => void)[] = [];
  closed = false;
  entered = 0;
  wait(signal: AbortSignal): Promise<void> {
    this.entered++;
    if (!this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      signal.addEventListener("abort", () => resolve(), { once: true });
    });
  }
  close(): void {
    this.closed = true;
  }
  open(): void {
    this.closed = false;
    for (const r of this.waiting.splice(0)) r();
  }
}

interface Harness {
  url: string;
  governor: RequestGovernor;
  gates: Record<"cheap" | "validator" | "expensive", Gate>;
  clock: { t: number };
  events: string[];
  close(): Promise<void>;
}

async function start(opts: Partial<GovernorOptions> = {}): Promise<Harness> {
  const clock = { t: 1_000_000 };
  const events: string[] = [];
  const governor = createRequestGovernor({
    ratePerSecond: 1000,
    burst: 1000,
    allowlist: [],
    now: () => clock.t,
    metrics: {
      rateLimited: (op) => events.push(`429 ${op}`),
      shed: (op, cls, reason) => events.push(`503 ${op} ${cls} ${reason}`),
    },
    ...opts,
  });
  const gates = { cheap: new Gate(), validator: new Gate(), expensive: new Gate() };
  const server = createApiServer({
    routes: ROUTES,
    handlers: {
      getHealth: async (_a, ctx) => gates.cheap.wait(ctx.signal),
      getAttesterDuties: async (_a, ctx) => gates.validator.wait(ctx.signal),
      getStateValidators: async (_a, ctx) => gates.expensive.wait(ctx.signal),
    },
    beforeHandler: (info) => governor.beforeHandler(info),
  });
  const url = await server.listen();
  return { url, governor, gates, clock, events, close: () => server.close() };
}

async function get(
  url: string,
  path: string,
  token?: string,
): Promise<{ status: number; retryAfter?: string; body: string }> {
  const res = await request(`${url}${path}`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  const body = await res.body.text();
  const retry = res.headers["retry-after"];
  return { status: res.statusCode, retryAfter: typeof retry === "string" ? retry : undefined, body };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 2));
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe("rate limiting", () => {
  it("a flooder gets 429 with Retry-After and the spec's body while another client keeps getting 200", async () => {
    const h = await start({ ratePerSecond: 2, burst: 10 });
    try {
      for (let i = 0; i < 10; i++) assert.equal((await get(h.url, "/health", "flooder")).status, 200);
      const refused = await get(h.url, "/health", "flooder");
      assert.equal(refused.status, 429);
      assert.equal(refused.retryAfter, "1");
      const body = JSON.parse(refused.body) as { code: number; message: string };
      assert.equal(body.code, 429);
      assert.match(body.message, /rate limit exceeded: getHealth/);
      for (let i = 0; i < 5; i++) assert.equal((await get(h.url, "/health", "flooder")).status, 429);
      for (let i = 0; i < 10; i++) assert.equal((await get(h.url, "/health", "polite")).status, 200);
      // Refill: 2 tokens per second of the fake clock.
      h.clock.t += 500;
      assert.equal((await get(h.url, "/health", "flooder")).status, 200);
      assert.equal((await get(h.url, "/health", "flooder")).status, 429);
      assert.equal(h.events.filter((e) => e === "429 getHealth").length, 7);
    } finally {
      await h.close();
    }
  });

  it("per-route costs, and Retry-After is the ceiling of the time until enough tokens", async () => {
    const h = await start({ ratePerSecond: 2, burst: 10, costs: { getStateValidators: 8 } });
    try {
      assert.equal((await get(h.url, "/validators", "c")).status, 200); // 10 → 2
      const r1 = await get(h.url, "/validators", "c");
      assert.equal(r1.status, 429);
      assert.equal(r1.retryAfter, "3"); // need 6 more at 2/s
      assert.equal((await get(h.url, "/health", "c")).status, 200); // cheap route still fits: 2 → 1
      h.clock.t += 3000; // 1 + 6 = 7
      const r2 = await get(h.url, "/validators", "c");
      assert.equal(r2.status, 429);
      assert.equal(r2.retryAfter, "1"); // need 1 more at 2/s: 0.5 s → 1
      h.clock.t += 500;
      assert.equal((await get(h.url, "/validators", "c")).status, 200);
    } finally {
      await h.close();
    }
  });

  it("a cost above the burst is capped (the request passes with a full bucket)", () => {
    const b = new ClientBuckets({ ratePerSecond: 1, burst: 5, maxClients: 10, now: () => 0 });
    assert.deepEqual(b.take("k", 50), { ok: true });
    assert.deepEqual(b.take("k", 50), { ok: false, retryAfterSeconds: 5 });
  });

  it("an allowlisted IP is never limited", async () => {
    const h = await start({ ratePerSecond: 1, burst: 2, allowlist: ["127.0.0.0/8", "::1"] });
    try {
      for (let i = 0; i < 50; i++)
        assert.equal((await get(h.url, "/validators", i % 2 ? "vc" : undefined)).status, 200);
      assert.equal(h.governor.stats().clients, 0);
    } finally {
      await h.close();
    }
  });

  it("keys by bearer token when present, else by IP (made-up tokens fall back to the IP when tokens are checked)", () => {
    const info = (ip: string, authorization?: string): RequestInfo => ({
      operationId: "getHealth",
      method: "GET",
      url: "/",
      ip,
      headers: authorization === undefined ? {} : { authorization },
    });
    const g = createRequestGovernor({ ratePerSecond: 1, burst: 1, allowlist: ["10.0.0.0/24"] });
    assert.equal(g.clientKey(info("192.0.2.1")), "ip:192.0.2.1");
    const a = g.clientKey(info("192.0.2.1", "Bearer secret-a"));
    assert.match(a ?? "", /^token:/);
    assert.ok(!(a ?? "").includes("secret"), "the token itself is not kept");
    assert.equal(g.clientKey(info("198.51.100.9", "bearer secret-a")), a, "same token, other IP: same bucket");
    assert.notEqual(g.clientKey(info("192.0.2.1", "Bearer secret-b")), a);
    assert.equal(g.clientKey(info("192.0.2.1", "Basic dXNlcjpwYXNz")), "ip:192.0.2.1");
    assert.equal(g.clientKey(info("10.0.0.77", "Bearer x")), undefined);
    assert.equal(g.clientKey(info("::ffff:10.0.0.5")), undefined);
    const checked = createRequestGovernor({
      ratePerSecond: 1,
      burst: 1,
      allowlist: [],
      isKnownToken: (t) => t === "good",
    });
    assert.equal(checked.clientKey(info("192.0.2.1", "Bearer made-up")), "ip:192.0.2.1");
    assert.match(checked.clientKey(info("192.0.2.1", "Bearer good")) ?? "", /^token:/);
  });

  it("bounded memory: a cap on tracked clients, idle (refilled) buckets dropped", () => {
    let t = 0;
    const b = new ClientBuckets({ ratePerSecond: 1, burst: 4, maxClients: 100, now: () => t });
    for (let i = 0; i < 1000; i++) b.take(`c${i}`, 1);
    assert.equal(b.size, 100);
    // The least recently used were forgotten; a recent one still has its spent bucket.
    for (let i = 0; i < 3; i++) b.take("c999", 1);
    assert.equal(b.take("c999", 1).ok, false);
    // After the fill time every bucket is full again: sweeping drops them as requests come in.
    t += 4000;
    for (let i = 0; i < 40; i++) b.take("active", 0);
    assert.equal(b.size, 1);
  });

  it("allowlist entries: addresses, CIDRs, IPv6, IPv4-mapped; bad entries are rejected by name", () => {
    const list = parseAllowlist(["192.168.1.0/24", "10.1.2.3", "fd00::/8"]);
    assert.ok(list.has("192.168.1.200"));
    assert.ok(!list.has("192.168.2.1"));
    assert.ok(list.has("10.1.2.3"));
    assert.ok(!list.has("10.1.2.4"));
    assert.ok(list.has("::ffff:192.168.1.9"));
    assert.ok(list.has("fd12::1"));
    assert.ok(!list.has("fe80::1"));
    assert.ok(!list.has("not-an-ip"));
    assert.throws(() => parseAllowlist(["10.0.0.0/33"]), /10\.0\.0\.0\/33.*0\.\.32/);
    assert.throws(() => parseAllowlist(["example.com"]), /"example.com" is not an IP or CIDR/);
  });
});

describe("load shedding", () => {
  let h: Harness;
  before(async () => {
    h = await start({
      limits: { validator: { concurrency: 2, queue: 1 }, expensive: { concurrency: 1, queue: 1 } },
      maxQueueWaitMs: 0,
      // Loopback clients are not rate limited here: these tests are about the queues.
      allowlist: ["127.0.0.1", "::1"],
    });
  });
  after(async () => h.close());

  it("expensive queue full → 503 at once with Retry-After: 1 while validator-class requests still succeed", async () => {
    h.events.length = 0;
    h.gates.expensive.close();
    const running = get(h.url, "/validators");
    await until(() => h.governor.stats().expensive.running === 1, "the first expensive request running");
    const queued = get(h.url, "/validators");
    await until(() => h.governor.stats().expensive.queued === 1, "the second expensive request queued");
    const shed = await get(h.url, "/validators");
    assert.equal(shed.status, 503);
    assert.equal(shed.retryAfter, "1");
    assert.equal((JSON.parse(shed.body) as { code: number }).code, 503);
    for (let i = 0; i < 5; i++) assert.equal((await get(h.url, "/duties")).status, 200);
    assert.equal((await get(h.url, "/health")).status, 200);
    h.gates.expensive.open();
    assert.equal((await running).status, 200);
    assert.equal((await queued).status, 200);
    assert.deepEqual(h.events, ["503 getStateValidators expensive queue full"]);
    assert.deepEqual(h.governor.stats().expensive, { running: 0, queued: 0 });
  });

  it("validator priority: a full validator queue displaces queued expensive work instead of refusing", async () => {
    h.events.length = 0;
    h.gates.expensive.close();
    h.gates.validator.close();
    const e1 = get(h.url, "/validators");
    await until(() => h.governor.stats().expensive.running === 1, "expensive running");
    const e2 = get(h.url, "/validators");
    await until(() => h.governor.stats().expensive.queued === 1, "expensive queued");
    const v = [get(h.url, "/duties"), get(h.url, "/duties")];
    await until(() => h.governor.stats().validator.running === 2, "validator slots taken");
    v.push(get(h.url, "/duties"));
    await until(() => h.governor.stats().validator.queued === 1, "validator queue full");
    // Queue full, but expensive work is queued: the queued expensive request is shed, this one waits.
    v.push(get(h.url, "/duties"));
    assert.equal((await e2).status, 503);
    assert.deepEqual(h.governor.stats().validator, { running: 2, queued: 2 });
    // No other class has queued work now: a validator request beyond its queue is refused.
    const refused = await get(h.url, "/duties");
    assert.equal(refused.status, 503);
    h.gates.validator.open();
    for (const r of await Promise.all(v)) assert.equal(r.status, 200);
    h.gates.expensive.open();
    assert.equal((await e1).status, 200);
    assert.deepEqual(h.events, [
      "503 getStateValidators expensive displaced by validator work",
      "503 getAttesterDuties validator queue full",
    ]);
    assert.deepEqual(h.governor.stats().validator, { running: 0, queued: 0 });
  });

  it("slots are released on completion and on client abort: no leak after 1,000 aborted requests", async () => {
    h.events.length = 0;
    h.gates.expensive.close();
    const BATCH = 20;
    for (let done = 0; done < 1000; done += BATCH) {
      const controllers: AbortController[] = [];
      const pending: Promise<unknown>[] = [];
      for (let i = 0; i < BATCH; i++) {
        const ac = new AbortController();
        controllers.push(ac);
        pending.push(
          request(`${h.url}/validators`, { signal: ac.signal }).then(
            (res) => res.body.text(),
            () => undefined,
          ),
        );
      }
      // Abort once every request reached the server: one in its handler, one queued, the others shed with 503.
      const shedSoFar = ((done + BATCH) / BATCH) * (BATCH - 2);
      await until(() => {
        const { running, queued } = h.governor.stats().expensive;
        return running === 1 && queued === 1 && h.events.length === shedSoFar;
      }, "the batch in place");
      for (const ac of controllers) ac.abort();
      await Promise.all(pending);
    }
    await until(
      () => h.governor.stats().expensive.running === 0 && h.governor.stats().expensive.queued === 0,
      "every slot released",
    );
    h.gates.expensive.open();
    assert.equal((await get(h.url, "/validators")).status, 200);
    assert.deepEqual(h.governor.stats().expensive, { running: 0, queued: 0 });
  });

  it("a request waiting too long in the queue is shed with 503", async () => {
    const w = await start({ limits: { expensive: { concurrency: 1, queue: 4 } }, maxQueueWaitMs: 50 });
    try {
      w.gates.expensive.close();
      const first = get(w.url, "/validators");
      await until(() => w.governor.stats().expensive.running === 1, "running");
      const waited = await get(w.url, "/validators");
      assert.equal(waited.status, 503);
      assert.match(waited.body, /queue wait timed out/);
      w.gates.expensive.open();
      assert.equal((await first).status, 200);
    } finally {
      await w.close();
    }
  });
});
