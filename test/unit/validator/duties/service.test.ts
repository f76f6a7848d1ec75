// DutiesService: duties of the current and next epoch tied to dependent roots, re-fetched exactly when a head event,
// a pool event, a stream gap or new indices say so, replaced whole; selection proofs a few slots ahead with the
// aggregator flags and subnet subscriptions they imply; sync committee duties from altair on; failures retried at
// the next slot and logged once; pruning. A fake pool answers from tables; onSlot is called directly.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ValidatorStatus } from "@sextant/api-spec";
import { isAggregator } from "@sextant/consensus/committees/aggregators";
import type { ForkName } from "@sextant/consensus/params/forkName";
import { ValidatorIndices } from "../../../../validator/src/duties/indices.ts";
import { DutiesService, type DutiesServiceOptions } from "../../../../validator/src/duties/service.ts";
import { createValidatorMetrics } from "../../../../validator/src/metrics.ts";
import type { BeaconApi, HeadEvent, PubkeyHex } from "../../../../validator/src/ports.ts";
import { DutyTables, keys } from "./chain.ts";
import {
  FakeClock,
  FakeHead,
  FakeIndices,
  FakeNodes,
  FakeSigner,
  memoryLogger,
  PRESET,
  pubkeyOf,
  root,
} from "./fakes.ts";

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
/** Attester duties of epoch e have dependent root A(e); proposer duties of e (= attester of e+1) have A(e+1). */
const A = (epoch: number) => root(100 + epoch);

function setup(
  opts: {
    n?: number;
    slot?: number;
    forkAtEpoch?: (epoch: number) => ForkName;
    extra?: Partial<DutiesServiceOptions>;
  } = {},
) {
  const n = opts.n ?? 8;
  const tables = new DutyTables();
  for (let e = 0; e < 8; e++) {
    tables.setAttester(e, A(e), range(n));
    tables.setProposer(e, A(e + 1), [0, 1, 2, 100, 3, 4, 5, 6]);
  }
  const nodes = new FakeNodes(tables.api());
  const signer = new FakeSigner(keys(n));
  const indices = new FakeIndices();
  for (const i of range(n)) indices.table.set(pubkeyOf(i), i);
  const clock = new FakeClock();
  clock.slot = opts.slot ?? 3;
  const head = new FakeHead();
  const log = memoryLogger();
  const metrics = createValidatorMetrics({ defaults: false });
  const service = new DutiesService({
    nodes,
    signer: signer.asSigner(),
    indices,
    clock,
    head,
    preset: PRESET,
    forkAtEpoch: opts.forkAtEpoch ?? (() => "phase0"),
    logger: log.logger,
    metrics,
    ...opts.extra,
  });
  const controller = new AbortController();
  return { tables, nodes, signer, indices, clock, head, log, metrics, service, controller, signal: controller.signal };
}

function headEvent(slot: number, previous: Uint8Array, current: Uint8Array, block = root(999)): HeadEvent {
  return {
    slot,
    block,
    previousDutyDependentRoot: previous,
    currentDutyDependentRoot: current,
    epochTransition: false,
  };
}

describe("DutiesService: fetching", () => {
  it("fetches the current and next epoch's attester duties and the current proposers at start, by slot", async () => {
    const t = setup();
    await t.service.start(t.signal);
    assert.equal(t.tables.count("attester", 0), 1);
    assert.equal(t.tables.count("attester", 1), 1);
    assert.equal(t.tables.count("proposer", 0), 1);
    assert.equal(t.tables.count("proposer", 1), 0, "next-epoch proposers wait for the epoch's last slot");
    const at3 = t.service.attesterDutiesAt(3);
    assert.deepEqual(
      at3.map((d) => [d.validatorIndex, d.pubkey, d.slot, d.committeeIndex, d.committeeLength, d.committeesAtSlot]),
      [[3, pubkeyOf(3), 3, 1, 128, 2]],
    );
    assert.deepEqual(
      t.service.attesterDutiesAt(9).map((d) => d.validatorIndex),
      [1],
    );
    assert.deepEqual(t.service.attesterDutiesAt(20), [], "epoch 2 is not fetched yet");
    // Proposers: only ours (index 100 is not).
    assert.deepEqual(
      t.service.proposerDutiesAt(2).map((d) => [d.validatorIndex, d.slot, d.pubkey]),
      [[2, 2, pubkeyOf(2)]],
    );
    assert.deepEqual(t.service.proposerDutiesAt(3), []);
    const metric = await t.metrics.dutiesKnown.get();
    const byDuty = Object.fromEntries(metric.values.map((v) => [v.labels.duty, v.value]));
    assert.equal(byDuty.attestation, 16);
    assert.equal(byDuty.block, 7);
    t.controller.abort();
  });

  it("asks in chunks of indicesPerRequest", async () => {
    const t = setup({ n: 10, extra: { indicesPerRequest: 4 } });
    await t.service.start(t.signal);
    const bodies = t.tables.calls.filter((c) => c.op === "attester" && c.epoch === 0).map((c) => c.body);
    assert.deepEqual(bodies, [
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    assert.deepEqual(
      t.service.attesterDutiesAt(1).map((d) => d.validatorIndex),
      [1, 9],
    );
    t.controller.abort();
  });

  it("before fulu, next-epoch proposers are fetched when the epoch starts, not before", async () => {
    const t = setup();
    await t.service.start(t.signal);
    await t.service.onSlot(7, t.signal);
    assert.equal(t.tables.count("proposer", 1), 0);
    assert.equal(t.service.hasProposerDuties(1), false);
    await t.service.onSlot(8, t.signal);
    assert.equal(t.tables.count("proposer", 1), 1);
    assert.equal(t.service.hasProposerDuties(1), true);
  });

  it("from fulu, fetches next-epoch proposers at the epoch's last slot; a refusal (400) waits for the epoch start", async () => {
    const t = setup({ forkAtEpoch: () => "fulu" });
    await t.service.start(t.signal);
    t.tables.refuseProposer.add(1);
    await t.service.onSlot(7, t.signal);
    assert.equal(t.tables.count("proposer", 1), 1);
    assert.equal(
      t.log.lines().filter((l) => l.level === "warn").length,
      0,
      "a node refusing next-epoch proposers is not a failure",
    );
    t.tables.refuseProposer.delete(1);
    await t.service.onSlot(7, t.signal);
    assert.equal(t.tables.count("proposer", 1), 1, "not asked again within the epoch");
    await t.service.onSlot(8, t.signal);
    assert.equal(t.tables.count("proposer", 1), 2, "asked at the epoch start");
    assert.deepEqual(
      t.service.proposerDutiesAt(9).map((d) => d.validatorIndex),
      [1],
    );

    // Without a refusal the next epoch's proposers are known during the last slot.
    await t.service.onSlot(15, t.signal);
    assert.equal(t.tables.count("proposer", 2), 1);
    assert.deepEqual(
      t.service.proposerDutiesAt(16).map((d) => d.validatorIndex),
      [0],
    );
    await t.service.onSlot(16, t.signal);
    assert.equal(t.tables.count("proposer", 2), 1, "already known: not asked again at the epoch start");
    t.controller.abort();
  });

  it("fetches epoch e+1 at each epoch start, and keeps epochs current-1..next (prune)", async () => {
    const t = setup();
    await t.service.start(t.signal);
    for (let slot = 4; slot <= 24; slot++) await t.service.onSlot(slot, t.signal);
    for (const e of [0, 1, 2, 3, 4]) assert.equal(t.tables.count("attester", e), 1, `epoch ${e} fetched once`);
    assert.equal(t.service.attesterDutiesAt(8 + 1).length, 0, "epoch 1 pruned at epoch 3");
    assert.equal(t.service.attesterDutiesAt(16 + 1).length, 1, "epoch 2 kept (current-1)");
    assert.equal(t.service.attesterDutiesAt(32 + 1).length, 1, "epoch 4 (next) known");
    assert.equal(t.service.proposerDutiesAt(8 + 1).length, 0, "proposers of epoch 1 pruned");
    assert.equal(t.service.proposerDutiesAt(24).length, 1);
    t.controller.abort();
  });
});

describe("DutiesService: dependent roots", () => {
  it("does not re-fetch when the head's dependent roots match", async () => {
    const t = setup();
    await t.service.start(t.signal);
    t.head.push(headEvent(4, A(0), A(1)));
    t.head.push(headEvent(5, A(0), A(1)));
    // A head of the previous epoch: epoch 0's attesters depend on its current root, epoch 1's on its block.
    t.head.push(headEvent(7, A(0), A(1), A(1)));
    await t.service.onSlot(5, t.signal);
    assert.equal(t.tables.count("attester"), 2);
    assert.equal(t.tables.count("proposer"), 1);
    t.controller.abort();
  });

  it("heads of a node lagging two epochs behind re-fetch nothing", async () => {
    const t = setup({ slot: 20 });
    await t.service.start(t.signal);
    t.head.push(headEvent(5, root(1), root(2), root(3)));
    await t.service.onSlot(20, t.signal);
    assert.equal(t.tables.count("attester"), 2);
    assert.equal(t.tables.count("proposer"), 1);
    t.controller.abort();
  });

  it("a new current_duty_dependent_root re-fetches the next epoch's attesters and the current proposers only", async () => {
    const t = setup();
    await t.service.start(t.signal);
    const newRoot = root(555);
    // A reorg at the end of epoch 0... changes the shuffling of epoch 1 and proposers of epoch 0.
    t.tables.setAttester(1, newRoot, range(8), 3);
    t.tables.setProposer(0, newRoot, [6, 5, 4, 3, 2, 1, 0, 100]);
    t.head.push(headEvent(4, A(0), newRoot));
    await t.service.onSlot(4, t.signal);
    assert.equal(t.tables.count("attester", 0), 1, "epoch 0's attester root did not change");
    assert.equal(t.tables.count("attester", 1), 2);
    assert.equal(t.tables.count("proposer", 0), 2);
    // The new duties replace the old ones.
    assert.deepEqual(
      t.service.attesterDutiesAt(8).map((d) => d.validatorIndex),
      [5],
    );
    assert.deepEqual(
      t.service.proposerDutiesAt(6).map((d) => d.validatorIndex),
      [0],
    );
    // The same head again: nothing more.
    t.head.push(headEvent(5, A(0), newRoot));
    await t.service.onSlot(5, t.signal);
    assert.equal(t.tables.count("attester", 1), 2);
    assert.equal(t.tables.count("proposer", 0), 2);
    const info = t.log
      .lines()
      .find((l) => l.msg === "the head changed the duties' dependent root: re-fetching the affected duties");
    assert.deepEqual(info?.stale, ["attester 1", "proposer 0"]);
    t.controller.abort();
  });

  it("a new previous_duty_dependent_root re-fetches the current epoch's attesters", async () => {
    const t = setup();
    await t.service.start(t.signal);
    t.tables.setAttester(0, root(777), range(8), 1);
    t.head.push(headEvent(4, root(777), A(1)));
    await t.service.onSlot(4, t.signal);
    assert.equal(t.tables.count("attester", 0), 2);
    assert.equal(t.tables.count("attester", 1), 1);
    assert.equal(t.tables.count("proposer", 0), 1);
    assert.deepEqual(
      t.service.attesterDutiesAt(4).map((d) => d.validatorIndex),
      [3],
    );
    t.controller.abort();
  });

  it("next-epoch proposers fetched early (fulu) are checked against the head block (the last slot's block)", async () => {
    const t = setup({ forkAtEpoch: () => "fulu" });
    await t.service.start(t.signal);
    await t.service.onSlot(7, t.signal);
    assert.equal(t.tables.count("proposer", 1), 1);
    // The block of slot 7 arrives: it is the dependent root of epoch 1's proposers.
    t.tables.setProposer(1, root(808), [6, 5, 4, 3, 2, 1, 0, 100]);
    t.head.push(headEvent(7, A(0), A(1), root(808)));
    await t.service.onSlot(7, t.signal);
    assert.equal(t.tables.count("proposer", 1), 2);
    assert.deepEqual(
      t.service.proposerDutiesAt(8).map((d) => d.validatorIndex),
      [6],
    );
    t.controller.abort();
  });

  it("replaces an epoch whole: readers see the old duties until every chunk of the new ones is in", async () => {
    const t = setup({ extra: { indicesPerRequest: 4 } });
    await t.service.start(t.signal);
    t.tables.setAttester(1, root(321), range(8), 2);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let seenMidway: number[] | undefined;
    t.tables.beforeAttester = async (epoch, body) => {
      if (epoch === 1 && body[0] === 4) {
        seenMidway = t.service.attesterDutiesAt(9).map((d) => d.validatorIndex);
        await gate;
      }
    };
    t.head.push(headEvent(4, A(0), root(321)));
    const done = t.service.onSlot(4, t.signal);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    release();
    await done;
    assert.deepEqual(seenMidway, [1], "old duties while the second chunk is pending");
    assert.deepEqual(
      t.service.attesterDutiesAt(9).map((d) => d.validatorIndex),
      [7],
    );
    t.controller.abort();
  });

  it("chunks answered with different dependent roots are asked again, never mixed", async () => {
    const t = setup({ extra: { indicesPerRequest: 4 } });
    await t.service.start(t.signal);
    let flipped = false;
    t.tables.beforeAttester = (epoch, body) => {
      // The head changes between the first and the second chunk of epoch 1's re-fetch.
      if (epoch === 1 && body[0] === 4 && !flipped) {
        flipped = true;
        t.tables.setAttester(1, root(999), range(8), 5);
      }
    };
    t.tables.setAttester(1, root(998), range(8), 2);
    t.head.push(headEvent(4, A(0), root(998)));
    await t.service.onSlot(4, t.signal);
    // First attempt: chunk 1 with 998, chunk 2 with 999 → asked again: both chunks 999.
    const duties = range(8).flatMap((s) => t.service.attesterDutiesAt(8 + s));
    assert.equal(duties.length, 8);
    for (const d of duties) assert.equal(d.slot, 8 + ((d.validatorIndex + 5) % 8), "every duty from root 999");
    t.controller.abort();
  });

  it("node-synced, primary-changed and stream gaps re-fetch everything", async () => {
    const t = setup();
    await t.service.start(t.signal);
    t.nodes.emit({ kind: "node-synced", url: "http://node-b" });
    await t.service.onSlot(3, t.signal);
    assert.equal(t.tables.count("attester", 0), 2);
    assert.equal(t.tables.count("attester", 1), 2);
    assert.equal(t.tables.count("proposer", 0), 2);
    t.nodes.emit({ kind: "primary-changed", from: "http://node-a", to: "http://node-b" });
    await t.service.onSlot(3, t.signal);
    assert.equal(t.tables.count("attester", 0), 3);
    t.head.gap();
    await t.service.onSlot(3, t.signal);
    assert.equal(t.tables.count("attester", 0), 4);
    assert.equal(t.tables.count("proposer", 0), 4);
    t.nodes.emit({ kind: "no-usable-node" });
    await t.service.onSlot(3, t.signal);
    assert.equal(t.tables.count("attester", 0), 4, "no-usable-node re-fetches nothing");
    t.controller.abort();
  });

  it("keeps computed selection proofs across a re-fetch when (slot, pubkey) is unchanged", async () => {
    const t = setup();
    for (const d of t.tables.attester.get(0)!.byIndex.values()) d.committeeLength = 16;
    await t.service.start(t.signal);
    const signed = t.signer.selectionBatches.flat().length;
    t.nodes.emit({ kind: "node-synced", url: "http://node-a" });
    await t.service.onSlot(3, t.signal);
    assert.equal(t.signer.selectionBatches.flat().length, signed, "no proof computed again");
    assert.ok(t.service.attesterDutiesAt(3)[0].selectionProof);
    assert.equal(t.service.attesterDutiesAt(3)[0].isAggregator, true, "aggregator flag follows the kept proof");
    // Subscriptions are sent again (the node may be another one).
    assert.equal(t.tables.calls.filter((c) => c.op === "subscribe").length, 6);
    t.controller.abort();
  });
});

describe("DutiesService: selection proofs and subscriptions", () => {
  it("computes proofs for the current slot and the next two at start, then one slot per slot, one batch each", async () => {
    const t = setup({ n: 16 });
    await t.service.start(t.signal);
    assert.deepEqual(
      t.signer.selectionBatches.map((b) => [...new Set(b.map((i) => i.slot))]),
      [[3], [4], [5]],
    );
    assert.deepEqual(
      t.signer.selectionBatches.map((b) => b.length),
      [2, 2, 2],
    );
    await t.service.onSlot(4, t.signal);
    assert.deepEqual(
      t.signer.selectionBatches.slice(3).map((b) => [...new Set(b.map((i) => i.slot))]),
      [[6]],
    );
    assert.equal(t.service.attesterDutiesAt(7)[0].selectionProof, undefined, "slot 7 not computed yet");
    await t.service.onSlot(5, t.signal);
    await t.service.onSlot(6, t.signal);
    // Across the epoch boundary.
    assert.deepEqual(
      t.signer.selectionBatches.slice(4).map((b) => b[0].slot),
      [7, 8],
    );
    t.controller.abort();
  });

  it("sets isAggregator from the proof and the committee length", async () => {
    const t = setup({ n: 16 });
    // Even validators in small committees (modulo 1: always aggregators), odd ones in huge ones (rarely).
    for (const e of [0, 1]) {
      const table = t.tables.attester.get(e)!;
      for (const [i, d] of table.byIndex) d.committeeLength = i % 2 === 0 ? 16 : 16_000;
    }
    await t.service.start(t.signal);
    const duties = [3, 4, 5].flatMap((s) => t.service.attesterDutiesAt(s));
    assert.equal(duties.length, 6);
    for (const d of duties) {
      assert.ok(d.selectionProof, "proof computed");
      assert.equal(d.isAggregator, isAggregator(d.committeeLength, d.selectionProof));
    }
    assert.ok(duties.some((d) => d.isAggregator));
    assert.ok(duties.some((d) => !d.isAggregator));
    assert.ok(t.service.attesterDutiesAt(6).every((d) => !d.isAggregator && d.selectionProof === undefined));
    t.controller.abort();
  });

  it("subscribes each prepared slot's duties with the API's fields", async () => {
    const t = setup({ n: 16, extra: { subscriptionsPerRequest: 1 } });
    for (const [i, d] of t.tables.attester.get(0)!.byIndex) d.committeeLength = i % 2 === 0 ? 16 : 16_000;
    await t.service.start(t.signal);
    const bodies = t.tables.calls.filter((c) => c.op === "subscribe").map((c) => c.body as unknown[]);
    assert.equal(bodies.length, 6, "2 duties a slot, 3 slots, 1 entry per request");
    const entries = bodies.flat() as Record<string, unknown>[];
    const bySlot3 = entries.filter((e) => e.slot === 3);
    assert.deepEqual(bySlot3, [
      { validatorIndex: 3, committeeIndex: 1, committeesAtSlot: 2, slot: 3, isAggregator: false },
      { validatorIndex: 11, committeeIndex: 1, committeesAtSlot: 2, slot: 3, isAggregator: false },
    ]);
    const slot4 = entries.filter((e) => e.slot === 4);
    assert.deepEqual(
      slot4.map((e) => [e.validatorIndex, e.isAggregator]),
      [
        [4, true],
        [12, true],
      ],
    );
    await t.service.onSlot(4, t.signal);
    assert.equal(t.tables.calls.filter((c) => c.op === "subscribe").length, 8, "slot 6 only");
    t.controller.abort();
  });

  it("a key whose proof is refused does not cost the others theirs", async () => {
    const t = setup({ n: 16 });
    t.signer.refuse.add(pubkeyOf(3));
    await t.service.start(t.signal);
    const duties = t.service.attesterDutiesAt(3);
    assert.equal(duties.find((d) => d.validatorIndex === 3)?.selectionProof, undefined);
    assert.ok(duties.find((d) => d.validatorIndex === 11)?.selectionProof);
    const warns = t.log.lines().filter((l) => l.level === "warn");
    assert.equal(warns.length, 1);
    t.controller.abort();
  });
});

describe("DutiesService: failures", () => {
  it("retries a failed fetch at the next slot and logs it once", async () => {
    const t = setup();
    t.nodes.down = true;
    await t.service.start(t.signal);
    await t.service.onSlot(4, t.signal);
    await t.service.onSlot(5, t.signal);
    assert.deepEqual(t.service.attesterDutiesAt(5), []);
    const warns = t.log.lines().filter((l) => l.level === "warn");
    assert.deepEqual(
      warns.map((l) => l.kind),
      ["attester duties", "proposer duties"],
      "one warning per kind, not one per slot",
    );
    assert.match(String(warns[0].msg), /no usable beacon node/);
    t.nodes.down = false;
    await t.service.onSlot(6, t.signal);
    assert.equal(t.service.attesterDutiesAt(6).length, 1);
    assert.ok(t.log.lines().some((l) => l.level === "info" && l.msg === "attester duties: working again"));
    t.controller.abort();
  });

  it("a failing request (HTTP 500) is retried at the next slot, not in a loop", async () => {
    const t = setup();
    const api = t.tables.api();
    let failures = 0;
    t.nodes.api = {
      ...api,
      getAttesterDuties: (async () => {
        failures++;
        throw new Error("boom (500)");
      }) as BeaconApi["getAttesterDuties"],
    };
    await t.service.start(t.signal);
    assert.equal(failures, 2, "epochs 0 and 1 tried once each");
    await t.service.onSlot(4, t.signal);
    assert.equal(failures, 4);
    t.nodes.api = api;
    await t.service.onSlot(5, t.signal);
    assert.equal(t.service.attesterDutiesAt(5).length, 1);
    t.controller.abort();
  });

  it("asks nothing while no key is known to the chain", async () => {
    const t = setup();
    t.indices.table.clear();
    await t.service.start(t.signal);
    await t.service.onSlot(4, t.signal);
    assert.equal(t.tables.calls.length, 0);
    t.controller.abort();
  });
});

describe("DutiesService: sync committee", () => {
  const altairFrom2 = (epoch: number): ForkName => (epoch < 2 ? "phase0" : "altair");

  it("asks for sync duties only from altair; subscribes until the period's end; aggregators per subcommittee", async () => {
    const t = setup({ forkAtEpoch: altairFrom2 });
    t.tables.sync.set(0, new Map([[5, [1, 9, 10]]]));
    t.tables.sync.set(1, new Map([[6, [30]]]));
    await t.service.start(t.signal);
    assert.equal(t.tables.count("sync"), 0, "phase0: no sync committee");
    assert.deepEqual(t.service.syncDutiesAt(3), []);
    await t.service.onSlot(16, t.signal);
    assert.equal(t.tables.count("sync", 2), 1);
    assert.deepEqual(t.service.syncDutiesAt(16), [
      { pubkey: pubkeyOf(5), validatorIndex: 5, validatorSyncCommitteeIndices: [1, 9, 10] },
    ]);
    const sub = t.tables.calls.find((c) => c.op === "syncSubscribe");
    assert.deepEqual(sub?.body, [{ validatorIndex: 5, syncCommitteeIndices: [1, 9, 10], untilEpoch: 8 }]);
    // Positions 1 | 9, 10 sit in subcommittees 0 and 1 (size 8): one proof each, per slot 16..18.
    assert.deepEqual(
      t.signer.syncBatches.map((b) => b.map((i) => [i.slot, i.subcommitteeIndex])),
      [
        [
          [16, 0],
          [16, 1],
        ],
        [
          [17, 0],
          [17, 1],
        ],
        [
          [18, 0],
          [18, 1],
        ],
      ],
    );
    // Subcommittees of 8 with 16 target aggregators: every member aggregates.
    assert.deepEqual(
      t.service
        .syncAggregationDutiesAt(17)
        .map((d) => [d.validatorIndex, d.subcommitteeIndex, d.selectionProof.length]),
      [
        [5, 0, 96],
        [5, 1, 96],
      ],
    );
    assert.deepEqual(t.service.syncAggregationDutiesAt(19), []);
    assert.equal(t.tables.count("sync", 8), 0, "next period not asked yet (epoch 2 of 8)");
    await t.service.onSlot(24, t.signal);
    assert.equal(t.tables.count("sync", 8), 1, "next period asked 5 epochs ahead");
    assert.deepEqual(
      t.tables.calls.filter((c) => c.op === "syncSubscribe").map((c) => c.body),
      [
        [{ validatorIndex: 5, syncCommitteeIndices: [1, 9, 10], untilEpoch: 8 }],
        [{ validatorIndex: 6, syncCommitteeIndices: [30], untilEpoch: 16 }],
      ],
    );
    // The last slot of period 0 signs for the block of period 1's first slot: period 1's committee.
    assert.deepEqual(
      t.service.syncDutiesAt(63).map((d) => d.validatorIndex),
      [6],
    );
    assert.deepEqual(
      t.service.syncDutiesAt(62).map((d) => d.validatorIndex),
      [5],
    );
    const metric = await t.metrics.dutiesKnown.get();
    assert.equal(metric.values.find((v) => v.labels.duty === "sync_committee_message")?.value, 1);
    t.controller.abort();
  });
});

describe("DutiesService with ValidatorIndices", () => {
  it("a key unknown, then pending, then active gets its duties once the chain knows it", async () => {
    const t = setup();
    const newKey = pubkeyOf(8);
    t.signer.keys.add(newKey);
    const statuses = new Map<PubkeyHex, { index: number; status: ValidatorStatus }>();
    for (const i of range(8)) statuses.set(pubkeyOf(i), { index: i, status: "active_ongoing" });
    const answer = (ids: Uint8Array[]) =>
      ids.flatMap((id) => {
        const pk = `0x${Buffer.from(id).toString("hex")}` as PubkeyHex;
        const s = statuses.get(pk);
        return s === undefined ? [] : [{ index: s.index, balance: 32e9, status: s.status, validator: { pubkey: id } }];
      });
    t.nodes.api = {
      ...t.tables.api(),
      postStateValidators: (async ({ body }: { body: { ids?: Uint8Array[] } }) => ({
        status: 200,
        data: answer(body.ids ?? []),
        meta: { executionOptimistic: false, finalized: false },
        mediaType: "json" as const,
      })) as unknown as BeaconApi["postStateValidators"],
    };
    const log = memoryLogger();
    const indices = new ValidatorIndices({ nodes: t.nodes, pubkeys: () => t.signer.pubkeys(), logger: log.logger });
    const service = new DutiesService({
      nodes: t.nodes,
      signer: t.signer.asSigner(),
      indices,
      clock: t.clock,
      head: t.head,
      preset: PRESET,
      forkAtEpoch: () => "phase0",
      logger: t.log.logger,
    });
    await indices.refresh(t.signal);
    assert.deepEqual(indices.unknownPubkeys(), [newKey]);
    await service.start(t.signal);
    assert.deepEqual(t.tables.calls.find((c) => c.op === "attester")?.body, range(8));
    // Deposit processed: index 8, pending; active from epoch 2 (the node's duties say so).
    statuses.set(newKey, { index: 8, status: "pending_queued" });
    t.tables.setAttester(2, A(2), range(9));
    await indices.refresh(t.signal);
    await service.onSlot(8, t.signal);
    assert.deepEqual(t.tables.calls.filter((c) => c.op === "attester" && c.epoch === 1).at(-1)?.body, range(9));
    assert.deepEqual(t.tables.calls.filter((c) => c.op === "attester" && c.epoch === 2).at(-1)?.body, range(9));
    statuses.set(newKey, { index: 8, status: "active_ongoing" });
    await indices.refresh(t.signal);
    await service.onSlot(16, t.signal);
    assert.deepEqual(
      service.attesterDutiesAt(16).map((d) => d.validatorIndex),
      [0, 8],
    );
    const msgs = log.lines().map((l) => l.msg);
    assert.ok(
      msgs.includes(
        `validator ${newKey.slice(0, 6)}…${newKey.slice(-4)} is known to the chain as index 8, pending_queued`,
      ),
    );
    assert.ok(
      msgs.includes(`validator ${newKey.slice(0, 6)}…${newKey.slice(-4)} (index 8) is now active: active_ongoing`),
    );
    assert.equal(msgs.filter((m) => String(m).includes("is now active")).length, 1, "logged once");
    t.controller.abort();
  });
});
