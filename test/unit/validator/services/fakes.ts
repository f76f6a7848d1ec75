// Small fakes of the validator client's ports for the services' unit tests: a beacon-node pool whose one node answers
// per operationId and records every call (with the fake time it was made at), a signer that records its batches and
// refuses chosen keys, fixed duties, a slot clock and head events over FakeTime.
import { ApiClientError } from "@sextant/api-spec";
import { silentLogger } from "@sextant/common";
import type { ForkName } from "@sextant/consensus/params/forkName";
import { getSszTypes } from "@sextant/consensus/types/index";
import { createValidatorMetrics, type ValidatorMetrics } from "../../../../validator/src/metrics.ts";
import type {
  AttesterDuty,
  BeaconApi,
  BeaconNodes,
  Duties,
  HeadEvents,
  NodeHealth,
  ProposerDuty,
  PubkeyHex,
  Signer,
  SignResult,
  SlotClock,
  SyncAggregationDuty,
  SyncCommitteeDuty,
} from "../../../../validator/src/ports.ts";
import { EndpointMemory } from "../../../../validator/src/services/endpoints.ts";
import { FakeTime } from "../../../support/fakeTime.ts";

export const types = getSszTypes("minimal");
export const SLOTS_PER_EPOCH = 8;
export const SLOT_MS = 6000;
export const GENESIS_MS = 1_700_000_000_000;

/** A 48-byte pubkey hex of a small number. */
export function pk(n: number): PubkeyHex {
  return `0x${n.toString(16).padStart(96, "0")}`;
}

/** A recognisable 96-byte signature. */
export function sig(n: number): Uint8Array {
  return new Uint8Array(96).fill(n & 0xff);
}

/** A slot clock over a FakeTime (genesis at GENESIS_MS, 6 s slots, 8 slots per epoch, due points in thirds). */
export class FakeSlotClock implements SlotClock {
  readonly genesisTimeSec = GENESIS_MS / 1000;
  readonly slotDurationMs = SLOT_MS;
  readonly slotsPerEpoch = SLOTS_PER_EPOCH;
  readonly due = { attestation: 2000, aggregate: 4000, syncMessage: 2000, contribution: 4000 };
  readonly time: FakeTime;
  constructor(time: FakeTime) {
    this.time = time;
  }
  currentSlot(): number {
    const d = this.time.now() - GENESIS_MS;
    return d < 0 ? -1 : Math.floor(d / SLOT_MS);
  }
  currentEpoch(): number {
    return this.epochAtSlot(this.currentSlot());
  }
  epochAtSlot(slot: number): number {
    return Math.floor(slot / SLOTS_PER_EPOCH);
  }
  startSlotOfEpoch(epoch: number): number {
    return epoch * SLOTS_PER_EPOCH;
  }
  timeAtSlot(slot: number, offsetMs = 0): number {
    return GENESIS_MS + slot * SLOT_MS + offsetMs;
  }
  sleepUntilSlot(slot: number, offsetMs: number, signal: AbortSignal): Promise<void> {
    return this.time.sleep(this.timeAtSlot(slot, offsetMs) - this.time.now(), signal);
  }
  onEverySlot(): Promise<void> {
    throw new Error("not used by the services");
  }
}

/** Head events: a head of slot S arrives at `arrivals.get(S)` (unix ms), or never. */
export class FakeHead implements HeadEvents {
  readonly arrivals = new Map<number, number>();
  private readonly time: FakeTime;
  constructor(time: FakeTime) {
    this.time = time;
  }
  onHead(): () => void {
    return () => {};
  }
  async waitForHeadOfSlot(slot: number, deadlineMs: number, signal: AbortSignal): Promise<boolean> {
    const at = this.arrivals.get(slot);
    const early = at !== undefined && at < deadlineMs;
    try {
      await this.time.sleep((early ? at : deadlineMs) - this.time.now(), signal);
    } catch {
      return false;
    }
    return early;
  }
}

/** One recorded API call. */
export interface Call {
  op: string;
  args: Record<string, unknown>;
  at: number;
  node: string;
}

type Handler = (args: Record<string, unknown>) => unknown;

/** An HTTP error as the API client throws it. */
export function httpError(op: string, status: number, failures?: { index: number; message: string }[]): ApiClientError {
  return new ApiClientError("API_CLIENT_HTTP", `${op} failed: ${status}`, {
    operationId: op,
    method: "POST",
    url: `http://node/${op}`,
    status,
    ...(failures ? { body: { code: status, message: "some failed", failures } } : {}),
  });
}

/** A pool with one node whose API answers from `handlers` (an unset operation answers 404) and records calls. */
export class FakeNodes implements BeaconNodes {
  readonly calls: Call[] = [];
  readonly handlers = new Map<string, Handler>();
  readonly node: NodeHealth = {
    url: "http://node-a",
    index: 0,
    state: "synced",
    consecutiveFailures: 0,
    nextCheckAt: 0,
  };
  readonly api: BeaconApi;
  private readonly time: FakeTime;

  constructor(time: FakeTime) {
    this.time = time;
    this.api = new Proxy({} as BeaconApi, {
      get:
        (_t, op: string) =>
        async (args: Record<string, unknown> = {}) => {
          this.calls.push({ op, args, at: this.time.now(), node: this.node.url });
          const handler = this.handlers.get(op);
          if (handler === undefined) throw httpError(op, 404);
          return handler(args);
        },
    });
  }

  /** Answers `op` with what `fn` returns (`{ data, meta }`) or throws. */
  answer(op: string, fn: Handler): this {
    this.handlers.set(op, fn);
    return this;
  }

  /** The calls of `op`. */
  of(op: string): Call[] {
    return this.calls.filter((c) => c.op === op);
  }

  nodes(): readonly NodeHealth[] {
    return [this.node];
  }
  isUsable(): boolean {
    return true;
  }
  async waitUntilUsable(): Promise<void> {}
  request<T>(_what: string, call: (api: BeaconApi, node: NodeHealth) => Promise<T>): Promise<T> {
    return call(this.api, this.node);
  }
  async publish(_what: string, call: (api: BeaconApi, node: NodeHealth) => Promise<unknown>): Promise<void> {
    await call(this.api, this.node);
  }
  on(): () => void {
    return () => {};
  }
}

/** A signer that records its calls, signs with recognisable signatures and refuses the keys in `refuse`. */
export class FakeSigner implements Signer {
  readonly keys = new Set<PubkeyHex>();
  readonly refuse = new Set<PubkeyHex>();
  readonly calls: { method: string; items: unknown }[] = [];
  private counter = 1;

  constructor(keys: PubkeyHex[]) {
    for (const k of keys) this.keys.add(k);
  }
  private result(pubkey: PubkeyHex): SignResult {
    if (this.refuse.has(pubkey)) return { ok: false, reason: "slashing protection: double vote", code: "REFUSED" };
    return { ok: true, signature: sig(this.counter++) };
  }
  pubkeys(): PubkeyHex[] {
    return [...this.keys];
  }
  has(pubkey: PubkeyHex): boolean {
    return this.keys.has(pubkey);
  }
  setGate(): void {}
  async signAttestations(items: readonly { pubkey: PubkeyHex }[]): Promise<SignResult[]> {
    this.calls.push({ method: "signAttestations", items });
    return items.map((i) => this.result(i.pubkey));
  }
  async signBlock(pubkey: PubkeyHex, fork: ForkName, blinded: boolean, block: unknown): Promise<Uint8Array> {
    this.calls.push({ method: "signBlock", items: { pubkey, fork, blinded, block } });
    if (this.refuse.has(pubkey)) throw new Error("slashing protection: double proposal");
    return sig(0xbb);
  }
  async signRandaoReveal(pubkey: PubkeyHex, epoch: number): Promise<Uint8Array> {
    this.calls.push({ method: "signRandaoReveal", items: { pubkey, epoch } });
    return sig(0xaa);
  }
  async signSelectionProofs(items: readonly { pubkey: PubkeyHex; slot: number }[]): Promise<Uint8Array[]> {
    this.calls.push({ method: "signSelectionProofs", items });
    return items.map(() => sig(0x5e));
  }
  async signAggregateAndProofs(fork: ForkName, items: readonly { pubkey: PubkeyHex }[]): Promise<SignResult[]> {
    this.calls.push({ method: "signAggregateAndProofs", items: { fork, items } });
    return items.map((i) => this.result(i.pubkey));
  }
  async signSyncCommitteeMessages(items: readonly { pubkey: PubkeyHex }[]): Promise<SignResult[]> {
    this.calls.push({ method: "signSyncCommitteeMessages", items });
    return items.map((i) => this.result(i.pubkey));
  }
  async signSyncSelectionProofs(items: readonly unknown[]): Promise<Uint8Array[]> {
    return items.map(() => sig(0x55));
  }
  async signContributionAndProofs(items: readonly { pubkey: PubkeyHex }[]): Promise<SignResult[]> {
    this.calls.push({ method: "signContributionAndProofs", items });
    return items.map((i) => this.result(i.pubkey));
  }
  async signValidatorRegistrations(items: readonly { pubkey: PubkeyHex }[]): Promise<Uint8Array[]> {
    this.calls.push({ method: "signValidatorRegistrations", items });
    return items.map(() => sig(0x77));
  }
  /** The calls of `method`. */
  of(method: string): unknown[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.items);
  }
}

/** Fixed duties. */
export class FakeDuties implements Duties {
  attester: AttesterDuty[] = [];
  proposer: ProposerDuty[] = [];
  sync: SyncCommitteeDuty[] = [];
  syncAggregation: SyncAggregationDuty[] = [];
  attesterDutiesAt(slot: number): AttesterDuty[] {
    return this.attester.filter((d) => d.slot === slot);
  }
  proposerDutiesAt(slot: number): ProposerDuty[] {
    return this.proposer.filter((d) => d.slot === slot);
  }
  syncDutiesAt(): SyncCommitteeDuty[] {
    return this.sync;
  }
  syncAggregationDutiesAt(): SyncAggregationDuty[] {
    return this.syncAggregation;
  }
}

/** An attester duty of validator `index` (pubkey pk(index)). */
export function attesterDuty(index: number, slot: number, over: Partial<AttesterDuty> = {}): AttesterDuty {
  return {
    pubkey: pk(index),
    validatorIndex: index,
    slot,
    committeeIndex: 0,
    committeeLength: 16,
    committeesAtSlot: 2,
    validatorCommitteeIndex: index % 16,
    isAggregator: false,
    ...over,
  };
}

/** Attestation data of `slot` and committee `index`. */
export function attestationData(slot: number, index: number) {
  const d = types.phase0.AttestationData.defaultValue();
  d.slot = slot;
  d.index = index;
  d.beaconBlockRoot = new Uint8Array(32).fill(7);
  d.target.epoch = Math.floor(slot / SLOTS_PER_EPOCH);
  return d;
}

/** Everything a service test needs, wired. */
export function setup(opts: { fork?: ForkName; startSlot?: number } = {}) {
  const time = new FakeTime(GENESIS_MS + (opts.startSlot ?? 0) * SLOT_MS);
  const clock = new FakeSlotClock(time);
  const head = new FakeHead(time);
  const nodes = new FakeNodes(time);
  const duties = new FakeDuties();
  const signer = new FakeSigner([]);
  const metrics: ValidatorMetrics = createValidatorMetrics({ defaults: false });
  const logger = silentLogger();
  const endpoints = new EndpointMemory({ logger, now: () => time.now() });
  const fork: ForkName = opts.fork ?? "deneb";
  return {
    time,
    clock,
    head,
    nodes,
    duties,
    signer,
    metrics,
    logger,
    endpoints,
    types,
    forkAtEpoch: () => fork,
    ac: new AbortController(),
  };
}

/** The value of a labelled counter/gauge (0 when never set). */
export async function metricValue(
  metric: { get(): Promise<{ values: { labels: Record<string, unknown>; value: number }[] }> },
  labels: Record<string, string>,
): Promise<number> {
  const { values } = await metric.get();
  let sum = 0;
  for (const v of values) if (Object.entries(labels).every(([k, val]) => v.labels[k] === val)) sum += v.value;
  return sum;
}

/** Runs `task` while advancing fake time to `untilMs`, then awaits it. */
export async function runUntil<T>(time: FakeTime, task: Promise<T>, untilMs: number): Promise<T> {
  await time.advanceTo(untilMs);
  return task;
}
