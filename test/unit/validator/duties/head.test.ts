// HeadTracker over real Server-Sent Events on loopback: heads of the primary node reach listeners decoded, waiters
// for a slot resolve on its head or at their deadline (fake time), a change of primary moves the subscription to
// the new node, a stream gap is reported, and a node without an event stream leaves the tracker on deadlines.
import assert from "node:assert/strict";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, describe, it } from "node:test";
import { getSszTypes } from "@sextant/consensus/types/index";
import { HeadTracker } from "../../../../validator/src/duties/head.ts";
import type { HeadEvent, NodeHealth } from "../../../../validator/src/ports.ts";
import { eventually, FakeTime } from "../../../support/fakeTime.ts";
import { FakeNodes, memoryLogger, root } from "./fakes.ts";

const ctx = { types: getSszTypes("minimal") };
const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString("hex")}`;

/** An SSE server of GET /eth/v1/events (or a node refusing it). */
async function sseServer(opts: { refuse?: boolean } = {}) {
  const clients = new Set<ServerResponse>();
  let connections = 0;
  const server = createServer((req, res) => {
    if (!req.url?.startsWith("/eth/v1/events?topics=head")) {
      res.writeHead(404).end();
      return;
    }
    if (opts.refuse) {
      res.writeHead(404, { "content-type": "application/json" }).end('{"code":404,"message":"no event stream"}');
      return;
    }
    connections++;
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    res.flushHeaders();
    clients.add(res);
    res.on("close", () => clients.delete(res));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    clients,
    connections: () => connections,
    send(slot: number, block = root(slot)) {
      const data = {
        slot: String(slot),
        block: hex(block),
        state: hex(root(5000 + slot)),
        epoch_transition: slot % 8 === 0,
        previous_duty_dependent_root: hex(root(100)),
        current_duty_dependent_root: hex(root(101)),
        execution_optimistic: false,
      };
      for (const c of clients) c.write(`event: head\ndata: ${JSON.stringify(data)}\n\n`);
    },
    drop() {
      for (const c of clients) c.destroy();
    },
    close: () =>
      new Promise<void>((r) => {
        for (const c of clients) c.destroy();
        server.close(() => r());
      }),
  };
}

/** Waits (in real time, bounded) for an effect of the loopback stream; the bound keeps a broken test from hanging. */
const until = (cond: () => boolean, what: string) => eventually(cond, what, 5000);

function poolOf(urls: string[]) {
  const nodes = new FakeNodes();
  const health: NodeHealth[] = urls.map((url, index) => ({
    url,
    index,
    state: "synced",
    consecutiveFailures: 0,
    nextCheckAt: 0,
  }));
  nodes.nodes = () => health;
  return { nodes, health };
}

describe("HeadTracker", () => {
  const closers: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of closers) await c();
  });

  it("delivers the primary node's heads, decoded, and resolves waiters for their slot", async () => {
    const a = await sseServer();
    closers.push(a.close);
    const { nodes } = poolOf([a.url]);
    const time = new FakeTime(1_700_000_000_000);
    const tracker = new HeadTracker({
      nodes,
      streamUrlOf: (n) => n.url,
      ctx,
      logger: memoryLogger().logger,
      time,
    });
    const heads: HeadEvent[] = [];
    tracker.onHead((e) => heads.push(e));
    const controller = new AbortController();
    tracker.start(controller.signal);
    await until(() => a.clients.size === 1, "the stream");
    const waiting = tracker.waitForHeadOfSlot(9, time.now() + 4000, controller.signal);
    a.send(8);
    await until(() => heads.length === 1, "head 8");
    assert.deepEqual(heads[0], {
      slot: 8,
      block: root(8),
      previousDutyDependentRoot: root(100),
      currentDutyDependentRoot: root(101),
      epochTransition: true,
    });
    a.send(9);
    assert.equal(await waiting, true);
    assert.equal(await tracker.waitForHeadOfSlot(7, time.now() + 1, controller.signal), true, "an older slot: at once");
    // A later slot: false at the deadline (fake time).
    const late = tracker.waitForHeadOfSlot(10, time.now() + 2000, controller.signal);
    await time.advance(1999);
    await time.advance(1);
    assert.equal(await late, false);
    controller.abort();
    await until(() => a.clients.size === 0, "the stream to close on abort");
  });

  it("follows the pool's primary to another node", async () => {
    const a = await sseServer();
    const b = await sseServer();
    closers.push(a.close, b.close);
    const { nodes } = poolOf([a.url, b.url]);
    const tracker = new HeadTracker({ nodes, streamUrlOf: (n) => n.url, ctx, logger: memoryLogger().logger });
    const slots: number[] = [];
    tracker.onHead((e) => slots.push(e.slot));
    const controller = new AbortController();
    tracker.start(controller.signal);
    await until(() => a.clients.size === 1, "stream of a");
    assert.equal(b.connections(), 0, "the first synced node is followed");
    nodes.emit({ kind: "primary-changed", from: a.url, to: b.url });
    await until(() => b.clients.size === 1 && a.clients.size === 0, "stream moved to b");
    assert.equal(tracker.streamNode(), b.url);
    b.send(20);
    await until(() => slots.includes(20), "head from b");
    controller.abort();
  });

  it("reports a gap when the stream comes back after dropping", async () => {
    const a = await sseServer();
    closers.push(a.close);
    const { nodes } = poolOf([a.url]);
    const log = memoryLogger();
    const tracker = new HeadTracker({ nodes, streamUrlOf: (n) => n.url, ctx, logger: log.logger });
    const gaps: unknown[] = [];
    tracker.onGap((g) => gaps.push(g));
    const controller = new AbortController();
    tracker.start(controller.signal);
    await until(() => a.clients.size === 1, "the stream");
    a.drop();
    await until(() => gaps.length === 1, "a gap report");
    assert.equal((gaps[0] as { reason: string; node: string }).reason, "stream-gap");
    assert.equal((gaps[0] as { node: string }).node, a.url);
    controller.abort();
  });

  it("without an event stream, waits for deadlines", async () => {
    const a = await sseServer({ refuse: true });
    closers.push(a.close);
    const { nodes } = poolOf([a.url]);
    const log = memoryLogger();
    const time = new FakeTime(1_700_000_000_000);
    const tracker = new HeadTracker({ nodes, streamUrlOf: (n) => n.url, ctx, logger: log.logger, time });
    const controller = new AbortController();
    tracker.start(controller.signal);
    await until(
      () => log.lines().some((l) => String(l.msg).startsWith("the beacon node refused the head event stream")),
      "the refusal",
    );
    assert.equal(tracker.streamNode(), undefined);
    const wait = tracker.waitForHeadOfSlot(3, time.now() + 500, controller.signal);
    await time.advance(500);
    assert.equal(await wait, false);
    // Aborting resolves waiters with false.
    const pending = tracker.waitForHeadOfSlot(4, time.now() + 10_000, controller.signal);
    controller.abort();
    assert.equal(await pending, false);
  });

  it("with no usable node, opens nothing until one becomes synced", async () => {
    const a = await sseServer();
    closers.push(a.close);
    const { nodes, health } = poolOf([a.url]);
    health[0].state = "syncing";
    const tracker = new HeadTracker({ nodes, streamUrlOf: (n) => n.url, ctx, logger: memoryLogger().logger });
    const controller = new AbortController();
    tracker.start(controller.signal);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(a.connections(), 0);
    health[0].state = "synced";
    nodes.emit({ kind: "node-synced", url: a.url });
    await until(() => a.clients.size === 1, "the stream after node-synced");
    controller.abort();
  });
});
