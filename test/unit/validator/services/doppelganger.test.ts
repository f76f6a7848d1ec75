// Doppelganger: keys wait one full epoch after their registration epoch, clear when liveness shows them not live,
// are detected (onDetected, refused for good) when live; no wait at genesis, after a restart, or when disabled; a
// node without the liveness endpoint keeps them blocked with one error line per epoch.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createLogger, memoryLogDestination } from "@sextant/common";
import type { PubkeyHex } from "../../../../validator/src/ports.ts";
import { Doppelganger } from "../../../../validator/src/services/doppelganger.ts";
import { httpError, metricValue, pk, SLOTS_PER_EPOCH, setup } from "./fakes.ts";

const EPOCH = SLOTS_PER_EPOCH;

function make(opts: { startSlot: number; enabled?: boolean; recent?: Set<PubkeyHex>; live?: Set<number> }) {
  const env = setup({ startSlot: opts.startSlot });
  const logs = memoryLogDestination();
  const logger = createLogger({ format: "json", destination: logs.stream, level: "info" });
  const index = new Map<PubkeyHex, number>([
    [pk(1), 1],
    [pk(2), 2],
  ]);
  const live = opts.live ?? new Set<number>();
  env.nodes.answer("getLiveness", (a) => ({
    data: (a.body as number[]).map((i) => ({ index: i, isLive: live.has(i) })),
  }));
  const detected: PubkeyHex[][] = [];
  const guard = new Doppelganger({
    nodes: env.nodes,
    indices: { indexOf: (p) => index.get(p) },
    clock: env.clock,
    enabled: opts.enabled,
    recentlySigned: (p) => opts.recent?.has(p) ?? false,
    onDetected: (p) => detected.push(p),
    logger,
    metrics: env.metrics,
  });
  return { env, guard, index, live, detected, logs };
}

describe("Doppelganger", () => {
  it("a key registered mid-chain waits; cleared after a full epoch not live (epoch R+2)", async () => {
    const { env, guard } = make({ startSlot: 5 * EPOCH + 3 });
    guard.register(pk(1));
    assert.match(guard.gate(pk(1)) ?? "", /waiting until epoch 7/);
    const signal = env.ac.signal;
    await guard.onSlot(5 * EPOCH + 4, signal);
    assert.equal(env.nodes.calls.length, 0, "nothing to check during the registration epoch");
    await guard.onSlot(6 * EPOCH, signal);
    assert.deepEqual(
      env.nodes.of("getLiveness").map((c) => [c.args.epoch, c.args.body]),
      [[5, [1]]],
    );
    assert.notEqual(guard.gate(pk(1)), undefined, "the partial epoch R is not enough");
    await guard.onSlot(6 * EPOCH + 1, signal);
    assert.equal(env.nodes.of("getLiveness").length, 1, "epoch 5 already checked");
    await guard.onSlot(7 * EPOCH, signal);
    assert.equal(env.nodes.of("getLiveness")[1].args.epoch, 6);
    assert.equal(guard.gate(pk(1)), undefined, "cleared");
    assert.equal(guard.status(pk(1)), "cleared");
    assert.equal(await metricValue(env.metrics.doppelgangerStatus, { status: "cleared" }), 1);
    assert.equal(await metricValue(env.metrics.doppelgangerStatus, { status: "waiting" }), 0);
  });

  it("a key live elsewhere is detected: onDetected, refused for good, error names it", async () => {
    const { env, guard, live, detected, logs } = make({ startSlot: 5 * EPOCH + 3 });
    guard.register(pk(1));
    guard.register(pk(2));
    live.add(2);
    await guard.onSlot(6 * EPOCH, env.ac.signal);
    assert.deepEqual(detected, [[pk(2)]]);
    assert.match(guard.gate(pk(2)) ?? "", /doppelganger detected/);
    guard.register(pk(2));
    assert.equal(guard.status(pk(2)), "detected", "re-registering does not clear a detected key");
    assert.equal(await metricValue(env.metrics.doppelgangerStatus, { status: "detected" }), 1);
    const line = logs.lines().find((l) => l.level === "error");
    assert.ok(line && String(line.msg).includes(pk(2)) && String(line.msg).includes("index 2"));
    await guard.onSlot(7 * EPOCH, env.ac.signal);
    assert.equal(guard.status(pk(1)), "cleared");
  });

  it("keys registered before genesis or in epoch 0 sign at once", () => {
    const before = make({ startSlot: -2 });
    before.guard.register(pk(1));
    assert.equal(before.guard.gate(pk(1)), undefined);
    const epoch0 = make({ startSlot: 5 });
    epoch0.guard.register(pk(1));
    assert.equal(epoch0.guard.gate(pk(1)), undefined);
  });

  it("a restart (slashing protection shows a recent attestation) skips the wait", () => {
    const { guard } = make({ startSlot: 9 * EPOCH, recent: new Set([pk(1)]) });
    guard.register(pk(1));
    guard.register(pk(2));
    assert.equal(guard.gate(pk(1)), undefined);
    assert.notEqual(guard.gate(pk(2)), undefined);
  });

  it("disabled: every key signs; enabled: an unregistered key is refused", () => {
    const off = make({ startSlot: 9 * EPOCH, enabled: false });
    off.guard.register(pk(1));
    assert.equal(off.guard.gate(pk(1)), undefined);
    assert.equal(off.guard.gate(pk(7)), undefined);
    const on = make({ startSlot: 9 * EPOCH });
    assert.match(on.guard.gate(pk(7)) ?? "", /not registered/);
  });

  it("a node without the liveness endpoint keeps the keys blocked, with one error line per epoch", async () => {
    const { env, guard, logs } = make({ startSlot: 5 * EPOCH + 3 });
    env.nodes.answer("getLiveness", () => {
      throw httpError("getLiveness", 404);
    });
    guard.register(pk(1));
    for (let slot = 6 * EPOCH; slot < 8 * EPOCH + 2; slot++) await guard.onSlot(slot, env.ac.signal);
    assert.notEqual(guard.gate(pk(1)), undefined, "fails closed");
    assert.equal(env.nodes.of("getLiveness").length, 2 * EPOCH + 2, "asked again every slot");
    const errors = logs.lines().filter((l) => l.level === "error");
    assert.equal(errors.length, 3, "one per epoch (epochs 6, 7, 8)");
    assert.match(String(errors[0].msg), /--doppelganger-protection false/);
  });

  it("a key unknown to the chain waits until its index is known, then clears at the next check", async () => {
    const { env, guard, index } = make({ startSlot: 5 * EPOCH + 3 });
    guard.register(pk(3));
    await guard.onSlot(6 * EPOCH, env.ac.signal);
    await guard.onSlot(7 * EPOCH, env.ac.signal);
    assert.equal(env.nodes.calls.length, 0);
    assert.notEqual(guard.gate(pk(3)), undefined);
    index.set(pk(3), 3);
    await guard.onSlot(7 * EPOCH + 1, env.ac.signal);
    assert.equal(guard.gate(pk(3)), undefined);
  });
});
