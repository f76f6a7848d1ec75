// The sync committee pools (altair+): SyncCommitteeMessagePool aggregates the members' messages by (slot, block
// root, subcommittee) into the contribution an aggregator publishes (GET /eth/v1/validator/sync_committee_
// contribution); SyncContributionPool keeps the best contribution per (slot, block root, subcommittee) and builds
// the SyncAggregate for a block at slot N+1 from the contributions of slot N for the block's parent root.
//
// Validation (signatures, membership) is the caller's; the pools refuse only structurally impossible items.
import type { ValueOf } from "@chainsafe/ssz";
import { aggregateSignatures } from "@sextant/consensus/bls/index";
import { type Signature, signatureFromBytes } from "@sextant/consensus/bls/keys";
import { G2_POINT_AT_INFINITY, SYNC_COMMITTEE_SUBNET_COUNT } from "@sextant/consensus/params/constants";
import type { BeaconConfig } from "@sextant/consensus/state/types";
import type { SszTypes } from "@sextant/consensus/types/sszTypes";
import { toHex } from "@sextant/consensus/util/hex";
import {
  type Bits,
  bitsOf,
  countBits,
  emptyBits,
  getBit,
  isDisjoint,
  setBit,
  setIndices,
  toBitArray,
  union,
} from "./bits.ts";
import { ensure, OpPoolError } from "./errors.ts";

export type SyncCommitteeMessage = ValueOf<SszTypes["altair"]["SyncCommitteeMessage"]>;
export type SyncCommitteeContribution = ValueOf<SszTypes["altair"]["SyncCommitteeContribution"]>;
export type SyncAggregate = ValueOf<SszTypes["altair"]["SyncAggregate"]>;

/** Limits of the sync pools. */
export interface SyncPoolOptions {
  /** Slots kept; older ones are dropped when a newer one arrives. Default 8. */
  readonly maxSlots?: number;
  /** Distinct block roots per slot. Default 64. */
  readonly maxRootsPerSlot?: number;
}

interface Contribution {
  bits: Bits;
  signature: Signature;
  count: number;
}

function parseSignature(bytes: Uint8Array, what: string): Signature {
  try {
    return signatureFromBytes(bytes);
  } catch (e) {
    throw new OpPoolError("INVALID_ITEM", `${what}: the signature is not a G2 point`, { cause: String(e) });
  }
}

/** Items by slot → block root → subcommittee, with slot-bounded retention. */
class SlotRootStore<T> {
  private readonly slots = new Map<number, Map<string, Map<number, T>>>();
  private lowestSlot = 0;
  private readonly maxSlots: number;
  private readonly maxRoots: number;

  constructor(maxSlots: number, maxRoots: number) {
    this.maxSlots = maxSlots;
    this.maxRoots = maxRoots;
  }

  /** The subcommittee map of (slot, root), created when missing; null for a pruned slot. */
  entry(slot: number, root: Uint8Array): Map<number, T> | null {
    if (slot < this.lowestSlot) return null;
    let bySlot = this.slots.get(slot);
    if (!bySlot) {
      bySlot = new Map();
      this.slots.set(slot, bySlot);
      if (this.slots.size > this.maxSlots) {
        const sorted = [...this.slots.keys()].sort((a, b) => a - b);
        for (const s of sorted.slice(0, sorted.length - this.maxSlots)) this.slots.delete(s);
        if (!this.slots.has(slot)) return null;
      }
    }
    const key = toHex(root);
    let byRoot = bySlot.get(key);
    if (!byRoot) {
      if (bySlot.size >= this.maxRoots) {
        throw new OpPoolError("INVALID_ITEM", "sync committee: too many distinct block roots in this slot", {
          slot,
          limit: this.maxRoots,
        });
      }
      byRoot = new Map();
      bySlot.set(key, byRoot);
    }
    return byRoot;
  }

  get(slot: number, root: Uint8Array): Map<number, T> | undefined {
    return this.slots.get(slot)?.get(toHex(root));
  }

  prune(lowestSlot: number): void {
    this.lowestSlot = Math.max(this.lowestSlot, lowestSlot);
    for (const slot of this.slots.keys()) if (slot < this.lowestSlot) this.slots.delete(slot);
  }

  get slotCount(): number {
    return this.slots.size;
  }
}

/** Members' SyncCommitteeMessages aggregated per (slot, block root, subcommittee). */
export class SyncCommitteeMessagePool {
  private readonly subcommitteeSize: number;
  private readonly store: SlotRootStore<Contribution>;

  constructor(config: BeaconConfig, opts: SyncPoolOptions = {}) {
    this.subcommitteeSize = config.preset.SYNC_COMMITTEE_SIZE / SYNC_COMMITTEE_SUBNET_COUNT;
    this.store = new SlotRootStore(opts.maxSlots ?? 8, opts.maxRootsPerSlot ?? 64);
  }

  /**
   * Adds `message` of a member sitting at `positions` (indices within subcommittee `subcommitteeIndex`; a
   * validator may sit several times, and its signature then counts once per position). Positions already set are
   * skipped. Returns true when a bit was added. Throws OpPoolError INVALID_ITEM for a subcommittee or position
   * out of range, no position, or a signature that is not a G2 point.
   */
  add(subcommitteeIndex: number, message: SyncCommitteeMessage, positions: readonly number[]): boolean {
    const ctx = { slot: message.slot, subcommitteeIndex, validatorIndex: message.validatorIndex, positions };
    ensure(
      Number.isInteger(subcommitteeIndex) && subcommitteeIndex >= 0 && subcommitteeIndex < SYNC_COMMITTEE_SUBNET_COUNT,
      "sync committee message: subcommittee index out of range",
      ctx,
    );
    ensure(positions.length > 0, "sync committee message: no position in the subcommittee", ctx);
    for (const p of positions) {
      ensure(
        Number.isInteger(p) && p >= 0 && p < this.subcommitteeSize,
        "sync committee message: position out of range",
        ctx,
      );
    }
    const signature = parseSignature(message.signature, "sync committee message");
    const bySubnet = this.store.entry(message.slot, message.beaconBlockRoot);
    if (!bySubnet) return false;
    let contribution = bySubnet.get(subcommitteeIndex);
    const fresh = [...new Set(positions)].filter((p) => !contribution || !getBit(contribution.bits, p));
    if (fresh.length === 0) return false;
    const signatures = fresh.map(() => signature);
    if (!contribution) {
      contribution = {
        bits: emptyBits(this.subcommitteeSize),
        signature: signatures.length === 1 ? signature : aggregateSignatures(signatures),
        count: 0,
      };
      bySubnet.set(subcommitteeIndex, contribution);
    } else {
      contribution.signature = aggregateSignatures([contribution.signature, ...signatures]);
    }
    for (const p of fresh) setBit(contribution.bits, p);
    contribution.count = countBits(contribution.bits);
    return true;
  }

  /** The contribution of (slot, block root, subcommittee) from the messages received, or null when none. */
  getContribution(
    slot: number,
    beaconBlockRoot: Uint8Array,
    subcommitteeIndex: number,
  ): SyncCommitteeContribution | null {
    const c = this.store.get(slot, beaconBlockRoot)?.get(subcommitteeIndex);
    if (!c) return null;
    return {
      slot,
      beaconBlockRoot,
      subcommitteeIndex,
      aggregationBits: toBitArray(c.bits),
      signature: c.signature.toBytes(true),
    };
  }

  /** Drops every slot below `lowestSlot`. */
  prune(lowestSlot: number): void {
    this.store.prune(lowestSlot);
  }
}

/** The best contributions per (slot, block root, subcommittee), and the SyncAggregate built from them. */
export class SyncContributionPool {
  private readonly subcommitteeSize: number;
  private readonly committeeSize: number;
  private readonly store: SlotRootStore<Contribution>;

  constructor(config: BeaconConfig, opts: SyncPoolOptions = {}) {
    this.committeeSize = config.preset.SYNC_COMMITTEE_SIZE;
    this.subcommitteeSize = this.committeeSize / SYNC_COMMITTEE_SUBNET_COUNT;
    this.store = new SlotRootStore(opts.maxSlots ?? 8, opts.maxRootsPerSlot ?? 64);
  }

  /**
   * Adds a contribution (from a SignedContributionAndProof): kept when it has more bits than the one held, merged
   * with it (OR + signature aggregation) when their bits are disjoint, otherwise ignored. Returns true when the
   * pool's contribution changed. Throws OpPoolError INVALID_ITEM for a subcommittee out of range, a bit length
   * other than SYNC_COMMITTEE_SIZE / SYNC_COMMITTEE_SUBNET_COUNT, no bit set, or a signature not on G2.
   */
  add(contribution: SyncCommitteeContribution): boolean {
    const { slot, subcommitteeIndex } = contribution;
    const bits = bitsOf(contribution.aggregationBits);
    const ctx = { slot, subcommitteeIndex, bitLen: bits.length };
    ensure(subcommitteeIndex < SYNC_COMMITTEE_SUBNET_COUNT, "sync contribution: subcommittee index out of range", ctx);
    ensure(bits.length === this.subcommitteeSize, "sync contribution: bit length is not the subcommittee size", ctx);
    const count = countBits(bits);
    ensure(count > 0, "sync contribution: no aggregation bit set", ctx);
    const signature = parseSignature(contribution.signature, "sync contribution");
    const bySubnet = this.store.entry(slot, contribution.beaconBlockRoot);
    if (!bySubnet) return false;
    const held = bySubnet.get(subcommitteeIndex);
    if (!held) {
      bySubnet.set(subcommitteeIndex, { bits, signature, count });
      return true;
    }
    if (isDisjoint(held.bits, bits)) {
      held.bits = union(held.bits, bits);
      held.signature = aggregateSignatures([held.signature, signature]);
      held.count = countBits(held.bits);
      return true;
    }
    if (count > held.count) {
      bySubnet.set(subcommitteeIndex, { bits, signature, count });
      return true;
    }
    return false;
  }

  /**
   * The SyncAggregate of the contributions of `slot` for `beaconBlockRoot` — what a block at slot + 1 whose
   * parent is that root carries: each subcommittee's bits at offset subcommittee × subcommittee size, the
   * aggregate of their signatures; no bit and the G2 point at infinity when there is none.
   */
  getSyncAggregate(slot: number, beaconBlockRoot: Uint8Array): SyncAggregate {
    const bits = emptyBits(this.committeeSize);
    const signatures: Signature[] = [];
    const bySubnet = this.store.get(slot, beaconBlockRoot);
    if (bySubnet) {
      for (const [subnet, c] of [...bySubnet].sort((a, b) => a[0] - b[0])) {
        for (const i of setIndices(c.bits)) setBit(bits, subnet * this.subcommitteeSize + i);
        signatures.push(c.signature);
      }
    }
    return {
      syncCommitteeBits: toBitArray(bits),
      syncCommitteeSignature:
        signatures.length === 0 ? Uint8Array.from(G2_POINT_AT_INFINITY) : aggregateSignatures(signatures).toBytes(true),
    };
  }

  /** Drops every slot below `lowestSlot`. */
  prune(lowestSlot: number): void {
    this.store.prune(lowestSlot);
  }
}
