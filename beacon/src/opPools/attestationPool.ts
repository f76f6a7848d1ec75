// The attestation pool: unaggregated and aggregated attestations by slot, attestation data and committee, merged
// into as few aggregates as possible (OR of disjoint bits, BLS aggregate of the signatures), served to aggregators
// (GET /eth/v2/validator/aggregate_attestation) and packed into blocks: only attestations a block at the state's
// slot may carry (inclusion window of the state's fork, matching source), chosen greedily by the participation
// they add to the state, phase0 … deneb one per committee, electra and later one per data with committee_bits.
//
// Validation (signatures, gossip rules) is the caller's; the pool refuses only items that cannot be right whatever
// the state: bit lists of impossible length, committee indices out of range, the wrong fork's format.
import type { ValueOf } from "@chainsafe/ssz";
import { aggregateSignatures } from "@sextant/consensus/bls/index";
import { type Signature, signatureFromBytes } from "@sextant/consensus/bls/keys";
import {
  PARTICIPATION_FLAG_WEIGHTS,
  TIMELY_HEAD_FLAG_INDEX,
  TIMELY_SOURCE_FLAG_INDEX,
  TIMELY_TARGET_FLAG_INDEX,
} from "@sextant/consensus/params/constants";
import { forkNameAtEpoch } from "@sextant/consensus/params/forkSchedule";
import {
  type AttestationData,
  currentEpoch,
  type ElectraAttestation,
  getBlockRootAtSlot,
  type Phase0Attestation,
  previousEpoch,
} from "@sextant/consensus/state/accessors";
import type { CachedState } from "@sextant/consensus/state/cachedState";
import { type AltairPlusState, atLeast, type BeaconConfig, type StatePhase0 } from "@sextant/consensus/state/types";
import type { SszTypes } from "@sextant/consensus/types/sszTypes";
import { bytesEqual } from "@sextant/consensus/util/bytes";
import { toHex } from "@sextant/consensus/util/hex";
import {
  type Bits,
  bitsOf,
  countBits,
  emptyBits,
  hasNoPadding,
  isDisjoint,
  isSubset,
  setBit,
  setIndices,
  toBitArray,
  union,
} from "./bits.ts";
import { ensure, OpPoolError } from "./errors.ts";

/** electra's SingleAttestation (one attester, its committee named). */
export type SingleAttestation = ValueOf<SszTypes["electra"]["SingleAttestation"]>;

/** What an insertion did: new bits were added (a new aggregate, or merged into one), or nothing new was learnt. */
export type InsertOutcome = "added" | "merged" | "known";

/** Limits of the pool. */
export interface AttestationPoolOptions {
  /** Slots kept (newest first); older slots are dropped when a newer one arrives. Default 3 epochs. */
  readonly maxSlots?: number;
  /** Distinct attestation data per slot. Default 1024. */
  readonly maxDataPerSlot?: number;
  /** Aggregates kept per (data, committee); the smallest is dropped beyond it. Default 16. */
  readonly maxAggregatesPerCommittee?: number;
}

/** Per-call options of block packing. */
export interface PackingOptions {
  /** At most this many on-chain attestations (capped by the fork's MAX_ATTESTATIONS[_ELECTRA]). */
  readonly maxAttestations?: number;
}

/** An aggregate of one committee: its bits and the aggregate signature of those attesters. */
interface Aggregate {
  bits: Bits;
  signature: Signature;
  count: number;
}

/** The aggregates of one committee for one attestation data. */
interface CommitteeGroup {
  /** The committee's size (the bit length every aggregate of it has). */
  readonly size: number;
  aggregates: Aggregate[];
}

/** Everything the pool has for one AttestationData (phase0 … deneb: one committee; electra: data.index == 0). */
interface DataGroup {
  readonly data: AttestationData;
  readonly dataRoot: Uint8Array;
  /** electra format (committee_bits) at this data's slot. */
  readonly electra: boolean;
  readonly committees: Map<number, CommitteeGroup>;
}

/** A candidate of block packing: one aggregate of one committee with its attesting validators. */
interface Entry {
  readonly committeeIndex: number;
  readonly committeeSize: number;
  readonly aggregate: Aggregate;
  readonly attesters: readonly number[];
  used: boolean;
}

/** One attestation data's candidates for packing, with the participation flags it earns in this block. */
interface DataCandidate {
  readonly group: DataGroup;
  /** altair+: the flags a timely inclusion now sets; phase0: unused. */
  readonly flags: number;
  /** The participation of the target epoch: current (true) or previous. */
  readonly currentTarget: boolean;
  readonly committees: Entry[][];
  /** An upper bound of the score of its next bundle (lazy greedy). */
  bound: number;
}

/** Sum of PARTICIPATION_FLAG_WEIGHTS over the flags set in a 3-bit mask. */
const FLAG_MASK_WEIGHT: readonly number[] = Array.from({ length: 8 }, (_, mask) => {
  let weight = 0;
  for (let flag = 0; flag < PARTICIPATION_FLAG_WEIGHTS.length; flag++) {
    if (mask & (1 << flag)) weight += PARTICIPATION_FLAG_WEIGHTS[flag];
  }
  return weight;
});

function checkpointEqual(a: AttestationData["source"], b: AttestationData["source"]): boolean {
  return a.epoch === b.epoch && bytesEqual(a.root, b.root);
}

/**
 * Adds `bits` with `signature` to a committee's aggregates: ignored when an aggregate already has all its bits;
 * aggregates it covers are dropped; merged (OR + signature aggregation) into the first aggregate it is disjoint
 * from, otherwise kept as a new aggregate. At most `max` aggregates are kept (the one with fewest bits goes).
 */
function insertAggregate(group: CommitteeGroup, bits: Bits, signature: Signature, max: number): InsertOutcome {
  for (const agg of group.aggregates) if (isSubset(bits, agg.bits)) return "known";
  let aggregates = group.aggregates.filter((agg) => !isSubset(agg.bits, bits));
  let outcome: InsertOutcome = "added";
  const target = aggregates.find((agg) => isDisjoint(agg.bits, bits));
  if (target) {
    target.bits = union(target.bits, bits);
    target.signature = aggregateSignatures([target.signature, signature]);
    target.count = countBits(target.bits);
    const merged = target;
    aggregates = aggregates.filter((agg) => agg === merged || !isSubset(agg.bits, merged.bits));
    outcome = "merged";
  } else {
    aggregates.push({ bits, signature, count: countBits(bits) });
  }
  aggregates.sort((a, b) => b.count - a.count);
  if (aggregates.length > max) aggregates.length = max;
  group.aggregates = aggregates;
  return outcome;
}

function parseSignature(bytes: Uint8Array, what: string): Signature {
  try {
    return signatureFromBytes(bytes);
  } catch (e) {
    throw new OpPoolError("INVALID_ITEM", `${what}: the signature is not a G2 point`, { cause: String(e) });
  }
}

/**
 * Attestations by slot → data root → committee, aggregated. See the file comment for what is checked on entry.
 * Not thread-safe (one event loop).
 */
export class AttestationPool {
  private readonly config: BeaconConfig;
  private readonly maxSlots: number;
  private readonly maxDataPerSlot: number;
  private readonly maxAggregates: number;
  private readonly slots = new Map<number, Map<string, DataGroup>>();
  /** Slots below this were pruned: items for them are ignored. */
  private lowestSlot = 0;

  constructor(config: BeaconConfig, opts: AttestationPoolOptions = {}) {
    this.config = config;
    this.maxSlots = opts.maxSlots ?? 3 * config.preset.SLOTS_PER_EPOCH;
    this.maxDataPerSlot = opts.maxDataPerSlot ?? 1024;
    this.maxAggregates = opts.maxAggregatesPerCommittee ?? 16;
  }

  /** True when attestations of `slot` use electra's format (committee_bits, data.index == 0). */
  isElectraSlot(slot: number): boolean {
    const epoch = Math.floor(slot / this.config.preset.SLOTS_PER_EPOCH);
    return atLeast(forkNameAtEpoch(this.config.chain, epoch), "electra");
  }

  /**
   * Adds an Attestation (unaggregated or aggregated) in the format of its slot's fork. phase0 … deneb: the
   * committee is data.index and the bits cover it. electra+: data.index must be 0; with one committee bit the
   * bits cover that committee (an aggregate of several committees cannot be split and is refused).
   * `committeeSize`, when given, is checked against the bit length. Throws OpPoolError INVALID_ITEM for a
   * structurally impossible item; returns what was learnt ("known" for nothing new, or a pruned slot).
   */
  add(
    attestation: Phase0Attestation | ElectraAttestation,
    committeeSize?: (committee: number) => number,
  ): InsertOutcome {
    const { preset } = this.config;
    const { data } = attestation;
    const bits = bitsOf(attestation.aggregationBits);
    const ctx = { slot: data.slot, index: data.index, bitLen: bits.length };
    ensure(hasNoPadding(bits), "attestation: aggregation bits set beyond the bit length", ctx);
    ensure(countBits(bits) > 0, "attestation: no aggregation bit set", ctx);
    const signature = parseSignature(attestation.signature, "attestation");
    const electra = this.isElectraSlot(data.slot);
    const committeeBits = (attestation as Partial<ElectraAttestation>).committeeBits;
    if (!electra) {
      ensure(committeeBits === undefined, "attestation: committee_bits before electra", ctx);
      ensure(data.index < preset.MAX_COMMITTEES_PER_SLOT, "attestation: data.index >= MAX_COMMITTEES_PER_SLOT", ctx);
      ensure(bits.length <= preset.MAX_VALIDATORS_PER_COMMITTEE, "attestation: more bits than a committee has", ctx);
      if (committeeSize) {
        const size = committeeSize(data.index);
        ensure(bits.length === size, "attestation: bit length differs from the committee size", { ...ctx, size });
      }
      return this.insert(data, false, data.index, bits, signature);
    }
    ensure(committeeBits !== undefined, "attestation: an electra attestation has committee_bits", ctx);
    ensure(data.index === 0, "attestation: data.index must be 0 from electra on", ctx);
    const committees = committeeBits.getTrueBitIndexes();
    ensure(committees.length > 0, "attestation: no committee bit set", ctx);
    // An on-chain aggregate of several committees has one signature for all of them: it cannot be split into
    // per-committee aggregates, which is what the pool keeps (gossip aggregates name one committee).
    ensure(committees.length === 1, "attestation: an aggregate of several committees cannot be pooled per committee", {
      ...ctx,
      committees,
    });
    const committeeIndex = committees[0];
    ensure(committeeIndex < preset.MAX_COMMITTEES_PER_SLOT, "attestation: committee index out of range", ctx);
    ensure(bits.length <= preset.MAX_VALIDATORS_PER_COMMITTEE, "attestation: more bits than a committee has", ctx);
    if (committeeSize) {
      const size = committeeSize(committeeIndex);
      ensure(bits.length === size, "attestation: bit length differs from the committee size", { ...ctx, size });
    }
    return this.insert(data, true, committeeIndex, bits, signature);
  }

  /**
   * Adds electra's SingleAttestation; `committee` is the validator indices of committee `committeeIndex` at the
   * data's slot (from a shuffling the caller holds). Throws OpPoolError INVALID_ITEM when the slot is before
   * electra, data.index is not 0, the committee index is out of range, or the attester is not in the committee.
   */
  addSingle(attestation: SingleAttestation, committee: ArrayLike<number>): InsertOutcome {
    const { data, committeeIndex, attesterIndex } = attestation;
    const ctx = { slot: data.slot, committeeIndex, attesterIndex };
    ensure(this.isElectraSlot(data.slot), "single attestation: a slot before electra", ctx);
    ensure(data.index === 0, "single attestation: data.index must be 0", ctx);
    ensure(
      committeeIndex < this.config.preset.MAX_COMMITTEES_PER_SLOT,
      "single attestation: committee_index >= MAX_COMMITTEES_PER_SLOT",
      ctx,
    );
    let position = -1;
    for (let i = 0; i < committee.length; i++) {
      if (committee[i] === attesterIndex) {
        position = i;
        break;
      }
    }
    ensure(position >= 0, "single attestation: the attester is not in the committee", ctx);
    const bits = emptyBits(committee.length);
    setBit(bits, position);
    return this.insert(data, true, committeeIndex, bits, parseSignature(attestation.signature, "single attestation"));
  }

  private insert(
    data: AttestationData,
    electra: boolean,
    committeeIndex: number,
    bits: Bits,
    signature: Signature,
  ): InsertOutcome {
    if (data.slot < this.lowestSlot) return "known";
    const types = this.config.types;
    const dataRoot = types.phase0.AttestationData.hashTreeRoot(data);
    const key = toHex(dataRoot);
    let bySlot = this.slots.get(data.slot);
    if (!bySlot) {
      bySlot = new Map();
      this.slots.set(data.slot, bySlot);
      this.enforceSlotLimit();
      if (!this.slots.has(data.slot)) return "known";
    }
    let group = bySlot.get(key);
    if (!group) {
      if (bySlot.size >= this.maxDataPerSlot) {
        throw new OpPoolError("INVALID_ITEM", "attestation: too many distinct attestation data in this slot", {
          slot: data.slot,
          limit: this.maxDataPerSlot,
        });
      }
      group = { data: types.phase0.AttestationData.clone(data), dataRoot, electra, committees: new Map() };
      bySlot.set(key, group);
    }
    let committee = group.committees.get(committeeIndex);
    if (!committee) {
      committee = { size: bits.length, aggregates: [] };
      group.committees.set(committeeIndex, committee);
    }
    ensure(bits.length === committee.size, "attestation: bit length differs from earlier ones of this committee", {
      slot: data.slot,
      committeeIndex,
      bitLen: bits.length,
      expected: committee.size,
    });
    return insertAggregate(committee, bits, signature, this.maxAggregates);
  }

  private enforceSlotLimit(): void {
    if (this.slots.size <= this.maxSlots) return;
    const sorted = [...this.slots.keys()].sort((a, b) => a - b);
    for (const slot of sorted.slice(0, sorted.length - this.maxSlots)) this.slots.delete(slot);
  }

  /** Drops every slot below `lowestSlot` and ignores items for them from now on. */
  prune(lowestSlot: number): void {
    this.lowestSlot = Math.max(this.lowestSlot, lowestSlot);
    for (const slot of this.slots.keys()) if (slot < this.lowestSlot) this.slots.delete(slot);
  }

  /** The number of slots, data and aggregates held. */
  /** (slot, data root, committee index) of every pooled group, slots ascending (the API's pool getter). */
  keys(): { slot: number; dataRoot: Uint8Array; committeeIndex: number }[] {
    const out: { slot: number; dataRoot: Uint8Array; committeeIndex: number }[] = [];
    for (const [slot, bySlot] of [...this.slots].sort((a, b) => a[0] - b[0])) {
      for (const group of bySlot.values()) {
        for (const committeeIndex of group.committees.keys())
          out.push({ slot, dataRoot: group.dataRoot, committeeIndex });
      }
    }
    return out;
  }

  size(): { slots: number; data: number; aggregates: number } {
    let data = 0;
    let aggregates = 0;
    for (const bySlot of this.slots.values()) {
      data += bySlot.size;
      for (const group of bySlot.values()) for (const c of group.committees.values()) aggregates += c.aggregates.length;
    }
    return { slots: this.slots.size, data, aggregates };
  }

  /**
   * The best (most attesters) aggregate for `dataRoot` at `slot`, or null: phase0 … deneb an Attestation of the
   * committee data.index; electra+ an Attestation with the single committee bit `committeeIndex`, which is then
   * required (OpPoolError INVALID_REQUEST without it).
   */
  getAggregate(
    slot: number,
    dataRoot: Uint8Array,
    committeeIndex?: number,
  ): Phase0Attestation | ElectraAttestation | null {
    const group = this.slots.get(slot)?.get(toHex(dataRoot));
    if (!group) return null;
    if (!group.electra) {
      const best = group.committees.get(group.data.index)?.aggregates[0];
      if (!best) return null;
      return { aggregationBits: toBitArray(best.bits), data: group.data, signature: best.signature.toBytes(true) };
    }
    if (committeeIndex === undefined) {
      throw new OpPoolError("INVALID_REQUEST", "aggregate attestation: committee_index is required from electra on", {
        slot,
      });
    }
    const best = group.committees.get(committeeIndex)?.aggregates[0];
    if (!best) return null;
    return this.electraAttestation(group.data, [{ committeeIndex, bits: best.bits }], [best.signature]);
  }

  private electraAttestation(
    data: AttestationData,
    parts: readonly { committeeIndex: number; bits: Bits }[],
    signatures: readonly Signature[],
  ): ElectraAttestation {
    const { types } = this.config;
    const ordered = [...parts].sort((a, b) => a.committeeIndex - b.committeeIndex);
    const committeeBits = types.electra.Attestation.fields.committeeBits.defaultValue();
    let total = 0;
    for (const part of ordered) total += part.bits.length;
    const bits = emptyBits(total);
    let offset = 0;
    for (const part of ordered) {
      committeeBits.set(part.committeeIndex, true);
      for (const i of setIndices(part.bits)) setBit(bits, offset + i);
      offset += part.bits.length;
    }
    const signature = signatures.length === 1 ? signatures[0] : aggregateSignatures(signatures);
    return { aggregationBits: toBitArray(bits), data, signature: signature.toBytes(true), committeeBits };
  }

  /**
   * The attestations a block at `cs.state.slot` should carry; `cs` is the block's pre-state advanced to its slot
   * (not modified). Only data a block of `cs.fork` may include: target epoch the current or previous one and
   * matching the slot, data.slot + MIN_ATTESTATION_INCLUSION_DELAY <= slot (before deneb also slot <= data.slot
   * + SLOTS_PER_EPOCH; EIP-7045 lifts it), source equal to the justified checkpoint of the target epoch, the
   * committee in range with the pooled bit length, and the fork's format. Chosen greedily (lazy greedy: scores
   * only shrink as coverage grows) by the participation they add: altair+ Σ effective-balance increments × weight
   * of the flags not yet set in the state (nor by an attestation already chosen); phase0 the effective balance of
   * validators not yet in the epoch's pending attestations. At most MAX_ATTESTATIONS (electra:
   * MAX_ATTESTATIONS_ELECTRA, each combining one aggregate per committee of the same data).
   */
  getAttestationsForBlock(cs: CachedState, opts: PackingOptions = {}): (Phase0Attestation | ElectraAttestation)[] {
    const { preset } = this.config;
    const electra = atLeast(cs.fork, "electra");
    const forkMax = electra ? preset.MAX_ATTESTATIONS_ELECTRA : preset.MAX_ATTESTATIONS;
    const limit = Math.min(forkMax, opts.maxAttestations ?? forkMax);
    const candidates = this.candidates(cs);
    const coverage = new Coverage(cs);
    const out: (Phase0Attestation | ElectraAttestation)[] = [];
    for (const c of candidates) c.bound = this.bundle(c, coverage).score;
    while (out.length < limit) {
      candidates.sort((a, b) => b.bound - a.bound);
      let chosen: { candidate: DataCandidate; picks: Entry[] } | null = null;
      while (candidates.length > 0 && candidates[0].bound > 0) {
        const top = candidates[0];
        const { score, picks } = this.bundle(top, coverage);
        top.bound = score;
        if (score > 0 && (candidates.length === 1 || score >= candidates[1].bound)) {
          chosen = { candidate: top, picks };
          break;
        }
        // Re-sort: the top's bound fell below the next one's.
        candidates.sort((a, b) => b.bound - a.bound);
      }
      if (!chosen) break;
      const { candidate, picks } = chosen;
      for (const pick of picks) {
        pick.used = true;
        coverage.add(pick.attesters, candidate.flags, candidate.currentTarget);
      }
      const group = candidate.group;
      if (electra) {
        out.push(
          this.electraAttestation(
            group.data,
            picks.map((p) => ({ committeeIndex: p.committeeIndex, bits: p.aggregate.bits })),
            picks.map((p) => p.aggregate.signature),
          ),
        );
      } else {
        const agg = picks[0].aggregate;
        out.push({ aggregationBits: toBitArray(agg.bits), data: group.data, signature: agg.signature.toBytes(true) });
      }
      candidate.bound = this.bundle(candidate, coverage).score;
    }
    return out;
  }

  /** The best unused aggregate of each committee of a candidate and their summed score. */
  private bundle(candidate: DataCandidate, coverage: Coverage): { score: number; picks: Entry[] } {
    let score = 0;
    const picks: Entry[] = [];
    for (const entries of candidate.committees) {
      let best: Entry | null = null;
      let bestScore = 0;
      for (const entry of entries) {
        if (entry.used) continue;
        const s = coverage.score(entry.attesters, candidate.flags, candidate.currentTarget);
        if (s > bestScore) {
          best = entry;
          bestScore = s;
        }
      }
      if (best) {
        picks.push(best);
        score += bestScore;
      }
    }
    // Before electra one attestation names one committee: candidates have a single committee each.
    return { score, picks };
  }

  /** Every pooled data a block at the state's slot may include, with its committees' aggregates resolved. */
  private candidates(cs: CachedState): DataCandidate[] {
    const { preset } = this.config;
    const spe = preset.SLOTS_PER_EPOCH;
    const stateSlot = cs.state.slot;
    const epoch = currentEpoch(cs);
    const prevEpoch = previousEpoch(cs);
    const electra = atLeast(cs.fork, "electra");
    const deneb = atLeast(cs.fork, "deneb");
    const currentJustified = cs.state.currentJustifiedCheckpoint.toValue();
    const previousJustified = cs.state.previousJustifiedCheckpoint.toValue();
    const out: DataCandidate[] = [];
    for (const [slot, bySlot] of this.slots) {
      if (slot + preset.MIN_ATTESTATION_INCLUSION_DELAY > stateSlot) continue;
      if (!deneb && stateSlot > slot + spe) continue;
      const slotEpoch = Math.floor(slot / spe);
      if (slotEpoch !== epoch && slotEpoch !== prevEpoch) continue;
      const committeeCount = cs.ctx.getCommitteeCountPerSlot(slotEpoch);
      for (const group of bySlot.values()) {
        const { data } = group;
        if (group.electra !== electra) continue;
        if (data.target.epoch !== slotEpoch) continue;
        const currentTarget = data.target.epoch === epoch;
        if (!checkpointEqual(data.source, currentTarget ? currentJustified : previousJustified)) continue;
        if (!electra && data.index >= committeeCount) continue;
        const committees: Entry[][] = [];
        for (const [committeeIndex, committeeGroup] of group.committees) {
          if (committeeIndex >= committeeCount) continue;
          const committee = cs.ctx.getBeaconCommittee(slot, committeeIndex);
          if (committee.length !== committeeGroup.size) continue;
          const entries = committeeGroup.aggregates.map((aggregate) => ({
            committeeIndex,
            committeeSize: committee.length,
            aggregate,
            attesters: setIndices(aggregate.bits).map((i) => committee[i]),
            used: false,
          }));
          if (entries.length > 0) committees.push(entries);
        }
        if (committees.length === 0) continue;
        const flags = atLeast(cs.fork, "altair") ? this.flagsFor(cs, data, stateSlot - slot) : 0;
        out.push({ group, flags, currentTarget, committees, bound: 0 });
      }
    }
    return out;
  }

  /** get_attestation_participation_flag_indices as a bit mask, for a matching source. */
  private flagsFor(cs: CachedState, data: AttestationData, inclusionDelay: number): number {
    const { preset } = this.config;
    const targetRoot = getBlockRootAtSlot(cs, data.target.epoch * preset.SLOTS_PER_EPOCH);
    const matchingTarget = bytesEqual(data.target.root, targetRoot);
    const matchingHead = matchingTarget && bytesEqual(data.beaconBlockRoot, getBlockRootAtSlot(cs, data.slot));
    let flags = 0;
    if (inclusionDelay <= Math.floor(Math.sqrt(preset.SLOTS_PER_EPOCH))) flags |= 1 << TIMELY_SOURCE_FLAG_INDEX;
    if (matchingTarget && (atLeast(cs.fork, "deneb") || inclusionDelay <= preset.SLOTS_PER_EPOCH)) {
      flags |= 1 << TIMELY_TARGET_FLAG_INDEX;
    }
    if (matchingHead && inclusionDelay === preset.MIN_ATTESTATION_INCLUSION_DELAY) flags |= 1 << TIMELY_HEAD_FLAG_INDEX;
    return flags;
  }
}

/**
 * What the state and the attestations chosen so far already credit: altair+ participation flags per validator
 * and target epoch (the state's plus the chosen ones), phase0 the validators with a pending attestation.
 */
class Coverage {
  private readonly cs: CachedState;
  private readonly altair: boolean;
  private readonly added = [new Map<number, number>(), new Map<number, number>()];
  private readonly phase0Covered: [Set<number>, Set<number>] = [new Set(), new Set()];

  constructor(cs: CachedState) {
    this.cs = cs;
    this.altair = atLeast(cs.fork, "altair");
    if (!this.altair) {
      const state = cs.state as StatePhase0;
      const lists = [state.previousEpochAttestations, state.currentEpochAttestations];
      lists.forEach((list, which) => {
        for (let i = 0; i < list.length; i++) {
          const pending = list.getReadonly(i);
          const committee = cs.ctx.getBeaconCommittee(pending.data.slot, pending.data.index);
          const bits = pending.aggregationBits;
          for (let j = 0; j < committee.length; j++) if (bits.get(j)) this.phase0Covered[which].add(committee[j]);
        }
      });
    }
  }

  private stateFlags(index: number, current: boolean): number {
    const state = this.cs.state as AltairPlusState;
    const list = current ? state.currentEpochParticipation : state.previousEpochParticipation;
    return list.get(index) | (this.added[current ? 1 : 0].get(index) ?? 0);
  }

  /** The new participation `attesters` would add (see getAttestationsForBlock). */
  score(attesters: readonly number[], flags: number, current: boolean): number {
    const increments = this.cs.ctx.effectiveBalanceIncrements;
    let score = 0;
    if (!this.altair) {
      const covered = this.phase0Covered[current ? 1 : 0];
      for (const index of attesters) if (!covered.has(index)) score += Math.max(1, increments[index]);
      return score;
    }
    for (const index of attesters) {
      const added = flags & ~this.stateFlags(index, current);
      if (added !== 0) score += Math.max(1, increments[index]) * FLAG_MASK_WEIGHT[added];
    }
    return score;
  }

  /** Records `attesters` as credited with `flags`. */
  add(attesters: readonly number[], flags: number, current: boolean): void {
    if (!this.altair) {
      const covered = this.phase0Covered[current ? 1 : 0];
      for (const index of attesters) covered.add(index);
      return;
    }
    const added = this.added[current ? 1 : 0];
    for (const index of attesters) added.set(index, (added.get(index) ?? 0) | flags);
  }
}
