// The duties of our validators, kept current: attester and proposer duties of the current and next epoch, tied to
// the dependent root the node computed them from (a head event that shows another root re-fetches the affected
// epoch, which is then replaced whole), sync committee duties of the current and, near its end, the next period;
// aggregation selection proofs computed a few slots ahead (spread over the epoch, not all at its start), and the
// beacon committee / sync committee subnet subscriptions the node needs to collect what aggregators aggregate.
//
// All fetching and preparing runs in one serialized loop (`update`): at each slot, at start-up, and when something
// says the duties may be stale (a head event with another dependent root, a node that became synced, a new primary
// node, an event-stream gap, new indices). A failed fetch leaves what is missing missing and is retried at the next
// slot; it is logged once per kind of failure, not once per slot.
import type { Logger } from "@sextant/common";
import {
  isAggregator,
  isSyncCommitteeAggregator,
  syncSubcommitteeSize,
} from "@sextant/consensus/committees/aggregators";
import { isForkAtLeast } from "@sextant/consensus/params/forkName";
import type { Preset } from "@sextant/consensus/params/presets/preset";
import { toHex } from "@sextant/consensus/util/hex";
import { bytesEqual, chunks } from "../collections.ts";
import type { ValidatorMetrics } from "../metrics.ts";
import type {
  AttesterDuty,
  BeaconApi,
  BeaconNodes,
  BeaconNodesEvent,
  Duties,
  ForkAtEpoch,
  HeadEvent,
  HeadEvents,
  IndexResolver,
  ProposerDuty,
  PubkeyHex,
  Signer,
  SlotClock,
  SyncAggregationDuty,
  SyncCommitteeDuty,
} from "../ports.ts";
import { httpStatusOf } from "./indices.ts";

/** Slots ahead whose selection proofs are computed at each slot (and subnets subscribed). */
export const DEFAULT_SELECTION_LOOKAHEAD_SLOTS = 2;
/** Validator indices per duties request (a ~100 kB body). */
export const DUTIES_INDICES_PER_REQUEST = 10_000;
/** Entries per subnet subscription request. */
export const SUBSCRIPTIONS_PER_REQUEST = 2_000;
/**
 * The next period's sync duties are fetched (and its subnets subscribed) this many epochs before the period starts:
 * the altair validator guide has nodes join sync subnets 1 to SYNC_COMMITTEE_SUBNET_COUNT (4) epochs ahead, so the
 * subscription must be there before that.
 */
export const SYNC_PERIOD_LOOKAHEAD_EPOCHS = 5;
/** Attempts at reading an epoch's duties when its chunks come back with different dependent roots (a head change). */
const CONSISTENT_FETCH_ATTEMPTS = 3;

/** A report that head events may have been missed (HeadTracker.onGap). */
export interface HeadGapSource {
  onGap(listener: (gap: unknown) => void): () => void;
}

/** Options of DutiesService. */
export interface DutiesServiceOptions {
  nodes: BeaconNodes;
  signer: Signer;
  indices: IndexResolver;
  clock: SlotClock;
  /** Heads (dependent roots); with `onGap`, stream gaps re-poll the duties. */
  head: HeadEvents & Partial<HeadGapSource>;
  preset: Pick<Preset, "SLOTS_PER_EPOCH" | "EPOCHS_PER_SYNC_COMMITTEE_PERIOD" | "SYNC_COMMITTEE_SIZE">;
  forkAtEpoch: ForkAtEpoch;
  logger: Logger;
  metrics?: ValidatorMetrics;
  /** Default DEFAULT_SELECTION_LOOKAHEAD_SLOTS. */
  selectionLookaheadSlots?: number;
  /** Default DUTIES_INDICES_PER_REQUEST. */
  indicesPerRequest?: number;
  /** Default SUBSCRIPTIONS_PER_REQUEST. */
  subscriptionsPerRequest?: number;
  /** Default SYNC_PERIOD_LOOKAHEAD_EPOCHS (capped to the period's length). */
  syncPeriodLookaheadEpochs?: number;
}

/** The attester duties of one epoch, as one answer of the node (one dependent root). */
interface AttesterEpoch {
  epoch: number;
  dependentRoot: Uint8Array;
  bySlot: Map<number, AttesterDuty[]>;
  count: number;
  /** The version of our indices the duties were asked for. */
  indicesVersion: number;
}

/** The proposers of one epoch (every proposer: ours are picked when asked, as keys come and go). */
interface ProposerEpoch {
  epoch: number;
  dependentRoot: Uint8Array;
  bySlot: Map<number, ProposerDuty[]>;
}

/** The sync committee duties of one period. */
interface SyncPeriod {
  period: number;
  duties: SyncCommitteeDuty[];
  indicesVersion: number;
  /** The subnet subscription was accepted. */
  subscribed: boolean;
}

/** Whether an error is the pool's "no usable node" (the pool's class is matched by name: see ports.ts). */
function isNoUsableNode(err: unknown): boolean {
  const e = err as { name?: unknown; code?: unknown } | undefined;
  return e?.name === "NoUsableNodeError" || e?.code === "NO_USABLE_BEACON_NODE";
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The duties of our validators (see the file comment). */
export class DutiesService implements Duties {
  private readonly nodes: BeaconNodes;
  private readonly signer: Signer;
  private readonly indexResolver: IndexResolver;
  private readonly clock: SlotClock;
  private readonly head: HeadEvents & Partial<HeadGapSource>;
  private readonly preset: DutiesServiceOptions["preset"];
  private readonly forkAtEpoch: ForkAtEpoch;
  private readonly logger: Logger;
  private readonly metrics: ValidatorMetrics | undefined;
  private readonly lookahead: number;
  private readonly indicesPerRequest: number;
  private readonly subscriptionsPerRequest: number;
  private readonly syncLookaheadEpochs: number;

  private readonly attester = new Map<number, AttesterEpoch>();
  private readonly proposer = new Map<number, ProposerEpoch>();
  private readonly sync = new Map<number, SyncPeriod>();
  /** Epochs / periods marked stale, with the generation of the mark (a fetch clears only the mark it saw). */
  private readonly staleAttester = new Map<number, number>();
  private readonly staleProposer = new Map<number, number>();
  private readonly staleSync = new Map<number, number>();
  private generation = 0;
  /** Slots whose attester selection proofs are all computed, and whose subscriptions were accepted. */
  private readonly attesterProofsDone = new Set<number>();
  private readonly attesterSubscribed = new Set<number>();
  /** Slots whose sync selection proofs are computed; the aggregators found; proofs by `pubkey:subcommittee`. */
  private readonly syncProofsDone = new Set<number>();
  private readonly syncAggregators = new Map<number, SyncAggregationDuty[]>();
  private readonly syncProofs = new Map<number, Map<string, Uint8Array>>();
  /** The next epoch whose proposers the node refused (400: too far ahead for it): asked again at its start. */
  private proposerRefusedEpoch: number | undefined;

  /** Our indices as last read, and a version bumped when they change. */
  private lastIndices: number[] = [];
  private indicesVersion = 0;
  /** The slot the duties are kept for (the last onSlot's, or the clock's at start). */
  private slot = 0;
  /** The start signal: updates triggered by events run under it. */
  private rootSignal: AbortSignal | undefined;
  /** The serialized update loop: the running pass, and the signal of a pass asked for while it runs. */
  private running: Promise<void> | undefined;
  private pendingSignal: AbortSignal | undefined;
  /** Kinds of work failing now (logged once until they succeed again). */
  private readonly failing = new Set<string>();

  constructor(opts: DutiesServiceOptions) {
    this.nodes = opts.nodes;
    this.signer = opts.signer;
    this.indexResolver = opts.indices;
    this.clock = opts.clock;
    this.head = opts.head;
    this.preset = opts.preset;
    this.forkAtEpoch = opts.forkAtEpoch;
    this.logger = opts.logger;
    this.metrics = opts.metrics;
    this.lookahead = opts.selectionLookaheadSlots ?? DEFAULT_SELECTION_LOOKAHEAD_SLOTS;
    this.indicesPerRequest = opts.indicesPerRequest ?? DUTIES_INDICES_PER_REQUEST;
    this.subscriptionsPerRequest = opts.subscriptionsPerRequest ?? SUBSCRIPTIONS_PER_REQUEST;
    this.syncLookaheadEpochs = Math.min(
      opts.syncPeriodLookaheadEpochs ?? SYNC_PERIOD_LOOKAHEAD_EPOCHS,
      opts.preset.EPOCHS_PER_SYNC_COMMITTEE_PERIOD,
    );
  }

  // ------------------------------------------------------------------------------------------------ lifecycle

  /**
   * Follows head events, pool events and stream gaps until `signal` aborts, and fetches the duties of the current
   * and next epoch (and the current slot's selection proofs). Resolves when that first pass is over (fetch failures
   * included: they are logged and retried at the next slot).
   */
  async start(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    this.rootSignal = signal;
    const offs = [this.head.onHead((event) => this.onHead(event)), this.nodes.on((event) => this.onPoolEvent(event))];
    if (this.head.onGap) offs.push(this.head.onGap(() => this.resync("head event stream gap")));
    signal.addEventListener(
      "abort",
      () => {
        for (const off of offs) off();
      },
      { once: true },
    );
    this.slot = Math.max(0, this.clock.currentSlot());
    await this.update(signal);
  }

  /** Called at the start of every slot: fetches what is due or missing, then prepares the next slots. */
  async onSlot(slot: number, signal: AbortSignal): Promise<void> {
    this.slot = slot;
    await this.update(signal);
  }

  // ------------------------------------------------------------------------------------------------ Duties

  attesterDutiesAt(slot: number): AttesterDuty[] {
    return [...(this.attester.get(this.clock.epochAtSlot(slot))?.bySlot.get(slot) ?? [])];
  }

  /** True when the proposer duties of `epoch` are known (a block service at an epoch start waits for them). */
  hasProposerDuties(epoch: number): boolean {
    return this.proposer.has(epoch) && !this.staleProposer.has(epoch);
  }

  proposerDutiesAt(slot: number): ProposerDuty[] {
    const all = this.proposer.get(this.clock.epochAtSlot(slot))?.bySlot.get(slot) ?? [];
    return all.filter((duty) => this.signer.has(duty.pubkey));
  }

  syncDutiesAt(slot: number): SyncCommitteeDuty[] {
    // Messages of `slot` go into the block of slot+1: the committee is the one of slot+1's period.
    if (this.forkAtEpoch(this.clock.epochAtSlot(slot)) === "phase0") return [];
    return [...(this.sync.get(this.periodOfSlot(slot + 1))?.duties ?? [])];
  }

  syncAggregationDutiesAt(slot: number): SyncAggregationDuty[] {
    return [...(this.syncAggregators.get(slot) ?? [])];
  }

  // ------------------------------------------------------------------------------------------------ triggers

  private onHead(event: HeadEvent): void {
    const headEpoch = this.clock.epochAtSlot(event.slot);
    const stale: string[] = [];
    for (const [epoch, entry] of this.attester) {
      // beacon-APIs getAttesterDuties: previous_duty_dependent_root when the head is in the epoch,
      // current_duty_dependent_root when it is in the epoch before, the head block itself when older still.
      // (The head-block rule is not applied to epochs two or more ahead of the head: only a node lagging behind
      // our clock has such heads, and while it catches up each of its heads would re-fetch.)
      const expected =
        epoch === headEpoch
          ? event.previousDutyDependentRoot
          : epoch === headEpoch + 1
            ? event.currentDutyDependentRoot
            : undefined;
      if (expected !== undefined && !bytesEqual(expected, entry.dependentRoot)) {
        this.staleAttester.set(epoch, ++this.generation);
        stale.push(`attester ${epoch}`);
      }
    }
    for (const [epoch, entry] of this.proposer) {
      // getProposerDuties: current_duty_dependent_root when the head is in the epoch, the head block when older.
      // Next-epoch proposers fetched during the epoch's last slot depend on that slot's block: the head block.
      const expected =
        epoch === headEpoch ? event.currentDutyDependentRoot : epoch === headEpoch + 1 ? event.block : undefined;
      if (expected !== undefined && !bytesEqual(expected, entry.dependentRoot)) {
        this.staleProposer.set(epoch, ++this.generation);
        stale.push(`proposer ${epoch}`);
      }
    }
    if (stale.length === 0) return;
    this.logger.info(
      { headSlot: event.slot, headBlock: toHex(event.block), stale },
      "the head changed the duties' dependent root: re-fetching the affected duties",
    );
    this.updateInBackground();
  }

  private onPoolEvent(event: BeaconNodesEvent): void {
    if (event.kind === "node-synced") this.resync(`beacon node ${event.url} is synced`);
    else if (event.kind === "primary-changed") this.resync(`primary beacon node changed to ${event.to ?? "none"}`);
  }

  /** Marks every duty stale (and subscriptions to be sent again) and runs an update. */
  private resync(reason: string): void {
    const gen = ++this.generation;
    for (const epoch of this.attester.keys()) this.staleAttester.set(epoch, gen);
    for (const epoch of this.proposer.keys()) this.staleProposer.set(epoch, gen);
    for (const period of this.sync.keys()) this.staleSync.set(period, gen);
    this.attesterSubscribed.clear();
    this.logger.debug({ reason }, "duties marked for re-fetch");
    this.updateInBackground();
  }

  private updateInBackground(): void {
    const signal = this.rootSignal;
    if (signal === undefined || signal.aborted) return;
    this.update(signal).catch((err: unknown) => this.logger.error({ err }, "duties update failed"));
  }

  /** Runs an update pass (after the running one, if any); resolves when the pass asked for is over. */
  private update(signal: AbortSignal): Promise<void> {
    this.pendingSignal = signal;
    if (this.running === undefined) {
      this.running = (async () => {
        try {
          while (this.pendingSignal !== undefined) {
            const passSignal = this.pendingSignal;
            this.pendingSignal = undefined;
            if (passSignal.aborted) continue;
            await this.pass(passSignal);
          }
        } finally {
          this.running = undefined;
        }
      })();
    }
    return this.running;
  }

  // ------------------------------------------------------------------------------------------------ one pass

  private async pass(signal: AbortSignal): Promise<void> {
    const slot = this.slot;
    const epoch = this.clock.epochAtSlot(slot);
    this.readIndices();
    this.prune(epoch);
    if (this.lastIndices.length === 0) {
      // No key known to the chain: nothing to ask (duties requests need at least one index).
      this.attester.clear();
      this.sync.clear();
      this.proposer.clear();
      this.syncAggregators.clear();
      this.setMetrics(epoch);
      return;
    }
    for (const e of [epoch, epoch + 1]) {
      if (signal.aborted) return;
      if (this.attesterNeeded(e)) await this.attempt("attester duties", signal, () => this.fetchAttester(e, signal));
    }
    const proposerEpochs = [epoch];
    const lastSlotOfEpoch = this.clock.startSlotOfEpoch(epoch + 1) - 1;
    // Next-epoch proposers are fixed ahead only from fulu (the state's proposer lookahead); before, they depend on
    // the RANDAO mix of the epoch's last block, and some nodes (Lodestar 1.5) answer next-epoch requests with
    // duties of the wrong slots. Before fulu they are fetched when the epoch starts.
    const nextIsFulu = isForkAtLeast(this.forkAtEpoch(epoch + 1), "fulu");
    if (nextIsFulu && (slot >= lastSlotOfEpoch || this.proposer.has(epoch + 1))) proposerEpochs.push(epoch + 1);
    for (const e of proposerEpochs) {
      if (signal.aborted) return;
      if (e > epoch && this.proposerRefusedEpoch === e) continue;
      if (!this.proposer.has(e) || this.staleProposer.has(e))
        await this.attempt("proposer duties", signal, () => this.fetchProposer(e, epoch, signal));
    }
    if (this.forkAtEpoch(epoch) !== "phase0") {
      const period = this.periodOfEpoch(epoch);
      const nextStart = (period + 1) * this.preset.EPOCHS_PER_SYNC_COMMITTEE_PERIOD;
      const wanted: [number, number][] = [[period, epoch]];
      if (epoch >= nextStart - this.syncLookaheadEpochs) wanted.push([period + 1, nextStart]);
      for (const [p, queryEpoch] of wanted) {
        if (signal.aborted) return;
        const entry = this.sync.get(p);
        if (entry === undefined || this.staleSync.has(p) || entry.indicesVersion !== this.indicesVersion)
          await this.attempt("sync committee duties", signal, () => this.fetchSync(p, queryEpoch, signal));
        else if (!entry.subscribed)
          await this.attempt("sync committee subscriptions", signal, () => this.subscribeSync(entry, signal));
      }
    }
    this.setMetrics(epoch);
    for (let s = slot; s <= slot + this.lookahead; s++) {
      if (signal.aborted) return;
      await this.prepareAttesterSlot(s, signal);
      await this.prepareSyncSlot(s, signal);
    }
  }

  /** Runs `work`, logging its failure once per kind until it succeeds again. */
  private async attempt(kind: string, signal: AbortSignal, work: () => Promise<void>): Promise<boolean> {
    try {
      await work();
      if (this.failing.delete(kind)) this.logger.info({ kind }, `${kind}: working again`);
      return true;
    } catch (err) {
      if (signal.aborted) return false;
      if (this.failing.has(kind)) {
        this.logger.debug({ err, kind }, `${kind} failed again; retrying at the next slot`);
      } else {
        this.failing.add(kind);
        if (isNoUsableNode(err))
          this.logger.warn({ kind }, `${kind}: no usable beacon node; retrying at every slot until one is back`);
        else this.logger.warn({ err, kind }, `${kind} failed; retrying at the next slot`);
      }
      return false;
    }
  }

  // ------------------------------------------------------------------------------------------------ indices

  private readIndices(): void {
    const now = this.indexResolver.indices();
    if (sameNumbers(now, this.lastIndices)) return;
    const added = now.length - this.lastIndices.length;
    this.lastIndices = now;
    this.indicesVersion++;
    if (this.indicesVersion > 1)
      this.logger.info({ count: now.length, change: added }, "our validator indices changed: duties are re-fetched");
  }

  private attesterNeeded(epoch: number): boolean {
    const entry = this.attester.get(epoch);
    return entry === undefined || this.staleAttester.has(epoch) || entry.indicesVersion !== this.indicesVersion;
  }

  // ------------------------------------------------------------------------------------------------ attester

  private async fetchAttester(epoch: number, signal: AbortSignal): Promise<void> {
    const gen = this.staleAttester.get(epoch);
    const indices = this.lastIndices;
    const version = this.indicesVersion;
    let root: Uint8Array | undefined;
    let raw: {
      pubkey: Uint8Array;
      validatorIndex: number;
      slot: number;
      committeeIndex: number;
      committeeLength: number;
      committeesAtSlot: number;
      validatorCommitteeIndex: number;
    }[] = [];
    for (let attempt = 1; ; attempt++) {
      root = undefined;
      raw = [];
      let consistent = true;
      for (const chunk of chunks(indices, this.indicesPerRequest)) {
        signal.throwIfAborted();
        const res = await this.nodes.request(
          `getAttesterDuties(${epoch})`,
          (api) => api.getAttesterDuties({ epoch, body: chunk }, { signal }),
          { signal },
        );
        if (root !== undefined && !bytesEqual(root, res.meta.dependentRoot)) {
          consistent = false;
          break;
        }
        root = res.meta.dependentRoot;
        for (const duty of res.data) raw.push(duty);
      }
      if (consistent) break;
      if (attempt >= CONSISTENT_FETCH_ATTEMPTS)
        throw new Error(
          `attester duties of epoch ${epoch} came back with different dependent roots in ${CONSISTENT_FETCH_ATTEMPTS} ` +
            "attempts (the head keeps changing); retrying at the next slot",
        );
    }
    if (root === undefined) throw new Error(`no answer for the attester duties of epoch ${epoch}`);

    const old = this.attester.get(epoch);
    const oldProofs = new Map<string, Uint8Array>();
    if (old !== undefined)
      for (const duties of old.bySlot.values())
        for (const d of duties)
          if (d.selectionProof !== undefined) oldProofs.set(`${d.slot}:${d.pubkey}`, d.selectionProof);

    const first = this.clock.startSlotOfEpoch(epoch);
    const end = this.clock.startSlotOfEpoch(epoch + 1);
    const bySlot = new Map<number, AttesterDuty[]>();
    let count = 0;
    let outside = 0;
    for (const d of raw) {
      if (d.slot < first || d.slot >= end) {
        outside++;
        continue;
      }
      const pubkey = toHex(d.pubkey) as PubkeyHex;
      const proof = oldProofs.get(`${d.slot}:${pubkey}`);
      const duty: AttesterDuty = {
        pubkey,
        validatorIndex: d.validatorIndex,
        slot: d.slot,
        committeeIndex: d.committeeIndex,
        committeeLength: d.committeeLength,
        committeesAtSlot: d.committeesAtSlot,
        validatorCommitteeIndex: d.validatorCommitteeIndex,
        isAggregator: proof !== undefined && isAggregator(d.committeeLength, proof),
        ...(proof !== undefined ? { selectionProof: proof } : {}),
      };
      const list = bySlot.get(d.slot);
      if (list === undefined) bySlot.set(d.slot, [duty]);
      else list.push(duty);
      count++;
    }
    if (outside > 0)
      this.logger.warn({ epoch, outside }, "the beacon node answered attester duties outside the epoch asked; ignored");

    // Replace the epoch whole: never a mix of two dependent roots.
    this.attester.set(epoch, { epoch, dependentRoot: root, bySlot, count, indicesVersion: version });
    if (this.staleAttester.get(epoch) === gen) this.staleAttester.delete(epoch);
    for (let s = first; s < end; s++) {
      this.attesterProofsDone.delete(s);
      this.attesterSubscribed.delete(s);
    }
    if (old === undefined)
      this.logger.debug({ epoch, duties: count, dependentRoot: toHex(root) }, "attester duties fetched");
    else if (!bytesEqual(old.dependentRoot, root))
      this.logger.info(
        { epoch, duties: count, dependentRoot: toHex(root), previousRoot: toHex(old.dependentRoot) },
        "attester duties re-fetched after a change of dependent root",
      );
    else this.logger.debug({ epoch, duties: count }, "attester duties re-fetched (unchanged dependent root)");
  }

  /** Computes the missing selection proofs of `slot`'s duties and subscribes their subnets. */
  private async prepareAttesterSlot(slot: number, signal: AbortSignal): Promise<void> {
    const entry = this.attester.get(this.clock.epochAtSlot(slot));
    if (entry === undefined) return;
    const duties = entry.bySlot.get(slot) ?? [];
    if (duties.length === 0) {
      this.attesterProofsDone.add(slot);
      this.attesterSubscribed.add(slot);
      return;
    }
    let changed = false;
    if (!this.attesterProofsDone.has(slot)) {
      const missing = duties.filter((d) => d.selectionProof === undefined);
      const proofs = await this.signBatch(
        "selection proofs",
        missing.map((d) => ({ pubkey: d.pubkey, slot: d.slot })),
        (items) => this.signer.signSelectionProofs(items),
      );
      let all = true;
      missing.forEach((duty, i) => {
        const proof = proofs[i];
        if (proof === undefined) {
          all = false;
          return;
        }
        duty.selectionProof = proof;
        duty.isAggregator = isAggregator(duty.committeeLength, proof);
        if (duty.isAggregator) changed = true;
      });
      if (all) this.attesterProofsDone.add(slot);
      if (signal.aborted) return;
    }
    if (this.attesterSubscribed.has(slot) && !changed) return;
    const ok = await this.attempt("beacon committee subscriptions", signal, async () => {
      const body = duties.map((d) => ({
        validatorIndex: d.validatorIndex,
        committeeIndex: d.committeeIndex,
        committeesAtSlot: d.committeesAtSlot,
        slot: d.slot,
        isAggregator: d.isAggregator,
      }));
      for (const chunk of chunks(body, this.subscriptionsPerRequest)) {
        signal.throwIfAborted();
        await this.nodes.request(
          "prepareBeaconCommitteeSubnet",
          (api) => api.prepareBeaconCommitteeSubnet({ body: chunk }, { signal }),
          { signal },
        );
      }
    });
    if (ok) this.attesterSubscribed.add(slot);
  }

  /**
   * Signs a batch; when the batch fails (a key refused, a worker error), signs item by item so one key does not cost
   * the others their proofs. Undefined where an item could not be signed.
   */
  private async signBatch<T>(
    kind: string,
    items: T[],
    sign: (items: T[]) => Promise<Uint8Array[]>,
  ): Promise<(Uint8Array | undefined)[]> {
    if (items.length === 0) return [];
    try {
      const out = await sign(items);
      if (out.length !== items.length)
        throw new Error(`the signer returned ${out.length} ${kind} for ${items.length} items`);
      this.failing.delete(kind);
      return out;
    } catch (batchErr) {
      // Stopping (the signer is closed): nothing to retry or report.
      if (this.rootSignal?.aborted) return items.map(() => undefined);
      const settled = await Promise.allSettled(items.map((item) => sign([item])));
      const out = settled.map((r) => (r.status === "fulfilled" ? r.value[0] : undefined));
      const failed = out.filter((p) => p === undefined).length;
      if (failed > 0 && !this.failing.has(kind)) {
        this.failing.add(kind);
        const firstErr = settled.find((r) => r.status === "rejected") as PromiseRejectedResult | undefined;
        this.logger.warn(
          { err: firstErr?.reason ?? batchErr, failed, of: items.length },
          `could not compute ${kind} for some keys: they will not aggregate while this lasts`,
        );
      } else if (failed === 0) this.failing.delete(kind);
      return out;
    }
  }

  // ------------------------------------------------------------------------------------------------ proposer

  private async fetchProposer(epoch: number, currentEpoch: number, signal: AbortSignal): Promise<void> {
    const gen = this.staleProposer.get(epoch);
    let res: Awaited<ReturnType<BeaconApi["getProposerDuties"]>>;
    try {
      res = await this.nodes.request(
        `getProposerDuties(${epoch})`,
        (api) => api.getProposerDuties({ epoch }, { signal }),
        { signal },
      );
    } catch (err) {
      if (epoch > currentEpoch && httpStatusOf(err) === 400) {
        // The node does not compute proposers of the next epoch yet: asked again when that epoch starts.
        this.proposerRefusedEpoch = epoch;
        this.logger.debug({ epoch }, "the beacon node does not give next-epoch proposers yet");
        return;
      }
      throw err;
    }
    const bySlot = new Map<number, ProposerDuty[]>();
    const first = this.clock.startSlotOfEpoch(epoch);
    const outside = res.data.filter((d) => d.slot < first || d.slot >= first + this.clock.slotsPerEpoch);
    if (outside.length > 0)
      throw new Error(
        `the beacon node answered proposer duties of epoch ${epoch} for slots outside it ` +
          `(${outside.map((d) => d.slot).join(", ")}); ignored`,
      );
    for (const d of res.data) {
      const duty: ProposerDuty = {
        pubkey: toHex(d.pubkey) as PubkeyHex,
        validatorIndex: d.validatorIndex,
        slot: d.slot,
      };
      const list = bySlot.get(d.slot);
      if (list === undefined) bySlot.set(d.slot, [duty]);
      else list.push(duty);
    }
    const old = this.proposer.get(epoch);
    this.proposer.set(epoch, { epoch, dependentRoot: res.meta.dependentRoot, bySlot });
    if (this.staleProposer.get(epoch) === gen) this.staleProposer.delete(epoch);
    const ours = res.data.filter((d) => this.signer.has(toHex(d.pubkey) as PubkeyHex));
    const changed = old !== undefined && !bytesEqual(old.dependentRoot, res.meta.dependentRoot);
    for (const d of ours)
      this.logger.info(
        { epoch, slot: d.slot, validatorIndex: d.validatorIndex, pubkey: toHex(d.pubkey) },
        changed ? "block proposal duty (after a change of dependent root)" : "block proposal duty",
      );
    if (changed)
      this.logger.info(
        { epoch, ours: ours.length, dependentRoot: toHex(res.meta.dependentRoot) },
        "proposer duties re-fetched after a change of dependent root",
      );
  }

  // ------------------------------------------------------------------------------------------------ sync committee

  private periodOfEpoch(epoch: number): number {
    return Math.floor(epoch / this.preset.EPOCHS_PER_SYNC_COMMITTEE_PERIOD);
  }

  private periodOfSlot(slot: number): number {
    return this.periodOfEpoch(this.clock.epochAtSlot(slot));
  }

  private async fetchSync(period: number, queryEpoch: number, signal: AbortSignal): Promise<void> {
    const gen = this.staleSync.get(period);
    const version = this.indicesVersion;
    const duties: SyncCommitteeDuty[] = [];
    for (const chunk of chunks(this.lastIndices, this.indicesPerRequest)) {
      signal.throwIfAborted();
      const res = await this.nodes.request(
        `getSyncCommitteeDuties(${queryEpoch})`,
        (api) => api.getSyncCommitteeDuties({ epoch: queryEpoch, body: chunk }, { signal }),
        { signal },
      );
      for (const d of res.data)
        duties.push({
          pubkey: toHex(d.pubkey) as PubkeyHex,
          validatorIndex: d.validatorIndex,
          validatorSyncCommitteeIndices: d.validatorSyncCommitteeIndices,
        });
    }
    const old = this.sync.get(period);
    const entry: SyncPeriod = { period, duties, indicesVersion: version, subscribed: duties.length === 0 };
    this.sync.set(period, entry);
    if (this.staleSync.get(period) === gen) this.staleSync.delete(period);
    // The slots of this period's messages (slot+1 in the period) are prepared again; proofs already made are kept.
    const firstSlot = this.clock.startSlotOfEpoch(period * this.preset.EPOCHS_PER_SYNC_COMMITTEE_PERIOD) - 1;
    const endSlot = this.clock.startSlotOfEpoch((period + 1) * this.preset.EPOCHS_PER_SYNC_COMMITTEE_PERIOD) - 1;
    for (const s of [...this.syncProofsDone]) if (s >= firstSlot && s < endSlot) this.syncProofsDone.delete(s);
    if (old === undefined && duties.length > 0)
      this.logger.info(
        { period, validators: duties.map((d) => d.validatorIndex) },
        `${duties.length} of our validators sit in the sync committee of period ${period}`,
      );
    if (duties.length > 0)
      await this.attempt("sync committee subscriptions", signal, () => this.subscribeSync(entry, signal));
  }

  private async subscribeSync(entry: SyncPeriod, signal: AbortSignal): Promise<void> {
    const untilEpoch = (entry.period + 1) * this.preset.EPOCHS_PER_SYNC_COMMITTEE_PERIOD;
    const body = entry.duties.map((d) => ({
      validatorIndex: d.validatorIndex,
      syncCommitteeIndices: d.validatorSyncCommitteeIndices,
      untilEpoch,
    }));
    for (const chunk of chunks(body, this.subscriptionsPerRequest)) {
      signal.throwIfAborted();
      await this.nodes.request(
        "prepareSyncCommitteeSubnets",
        (api) => api.prepareSyncCommitteeSubnets({ body: chunk }, { signal }),
        { signal },
      );
    }
    entry.subscribed = true;
  }

  /** Computes the sync selection proofs of `slot` (each duty, each subcommittee it sits in) and keeps the aggregators. */
  private async prepareSyncSlot(slot: number, signal: AbortSignal): Promise<void> {
    if (this.syncProofsDone.has(slot)) return;
    if (this.forkAtEpoch(this.clock.epochAtSlot(slot)) === "phase0") return;
    const entry = this.sync.get(this.periodOfSlot(slot + 1));
    if (entry === undefined) return;
    const size = syncSubcommitteeSize(this.preset);
    const cache = this.syncProofs.get(slot) ?? new Map<string, Uint8Array>();
    this.syncProofs.set(slot, cache);
    const seats: { pubkey: PubkeyHex; validatorIndex: number; subcommitteeIndex: number }[] = [];
    for (const duty of entry.duties) {
      const subcommittees = new Set(duty.validatorSyncCommitteeIndices.map((i) => Math.floor(i / size)));
      for (const subcommitteeIndex of subcommittees)
        seats.push({ pubkey: duty.pubkey, validatorIndex: duty.validatorIndex, subcommitteeIndex });
    }
    const missing = seats.filter((s) => !cache.has(`${s.pubkey}:${s.subcommitteeIndex}`));
    const proofs = await this.signBatch(
      "sync selection proofs",
      missing.map((s) => ({ pubkey: s.pubkey, slot, subcommitteeIndex: s.subcommitteeIndex })),
      (items) => this.signer.signSyncSelectionProofs(items),
    );
    let all = true;
    missing.forEach((seat, i) => {
      const proof = proofs[i];
      if (proof === undefined) all = false;
      else cache.set(`${seat.pubkey}:${seat.subcommitteeIndex}`, proof);
    });
    if (signal.aborted) return;
    const aggregators: SyncAggregationDuty[] = [];
    for (const seat of seats) {
      const proof = cache.get(`${seat.pubkey}:${seat.subcommitteeIndex}`);
      if (proof !== undefined && isSyncCommitteeAggregator(proof, this.preset))
        aggregators.push({ ...seat, selectionProof: proof });
    }
    this.syncAggregators.set(slot, aggregators);
    if (all) this.syncProofsDone.add(slot);
  }

  // ------------------------------------------------------------------------------------------------ housekeeping

  /** Drops what is older than the previous epoch (and the next period's duties' predecessors). */
  private prune(epoch: number): void {
    const keepFrom = epoch - 1;
    for (const e of [...this.attester.keys()]) if (e < keepFrom || e > epoch + 1) this.attester.delete(e);
    for (const e of [...this.proposer.keys()]) if (e < keepFrom || e > epoch + 1) this.proposer.delete(e);
    for (const e of [...this.staleAttester.keys()]) if (!this.attester.has(e)) this.staleAttester.delete(e);
    for (const e of [...this.staleProposer.keys()]) if (!this.proposer.has(e)) this.staleProposer.delete(e);
    if (this.proposerRefusedEpoch !== undefined && this.proposerRefusedEpoch <= epoch)
      this.proposerRefusedEpoch = undefined;
    const period = this.periodOfEpoch(keepFrom < 0 ? 0 : keepFrom);
    for (const p of [...this.sync.keys()]) if (p < period) this.sync.delete(p);
    for (const p of [...this.staleSync.keys()]) if (!this.sync.has(p)) this.staleSync.delete(p);
    const firstSlot = this.clock.startSlotOfEpoch(Math.max(0, keepFrom));
    for (const set of [this.attesterProofsDone, this.attesterSubscribed, this.syncProofsDone])
      for (const s of [...set]) if (s < firstSlot) set.delete(s);
    for (const map of [this.syncAggregators, this.syncProofs])
      for (const s of [...map.keys()]) if (s < firstSlot) map.delete(s);
  }

  private setMetrics(epoch: number): void {
    const m = this.metrics;
    if (m === undefined) return;
    let attestations = 0;
    let blocks = 0;
    for (const e of [epoch, epoch + 1]) {
      attestations += this.attester.get(e)?.count ?? 0;
      for (const list of this.proposer.get(e)?.bySlot.values() ?? [])
        for (const d of list) if (this.signer.has(d.pubkey)) blocks++;
    }
    m.dutiesKnown.set({ duty: "attestation" }, attestations);
    m.dutiesKnown.set({ duty: "block" }, blocks);
    m.dutiesKnown.set({ duty: "sync_committee_message" }, this.sync.get(this.periodOfEpoch(epoch))?.duties.length ?? 0);
  }
}
