// The fork choice store (phase0 fork-choice.md with the bellatrix → fulu changes) on a proto-array: checkpoints
// realized and unrealized, latest messages per validator applied as weight deltas, equivocating indices,
// proposer boost, justified balances and the slot clock of on_tick. The block's state transition, data
// availability and signature checks belong to the caller, which hands over the post-state's checkpoints and
// the attesting indices. Pure: the caller tells the time (updateTime) and supplies justified balances.
import type { ChainConfig, Preset } from "@sextant/consensus/params/index";
import { attestationDueMs } from "@sextant/consensus/time/clock";
import { ForkChoiceError } from "./errors.ts";
import { type Checkpoint, ProtoArray, type ProtoBlock, type ProtoNode, type RootHex } from "./protoArray.ts";

/** Constants the fork choice needs, from the preset and chain config (see forkChoiceOptsFromConfig). */
export interface ForkChoiceOpts {
  readonly slotsPerEpoch: number;
  /** PROPOSER_SCORE_BOOST: percent of a committee's weight. */
  readonly proposerScoreBoost: number;
  /** get_attestation_due_ms: a block received before this offset into its own slot is timely. */
  readonly attestationDueMs: number;
  /** EFFECTIVE_BALANCE_INCREMENT in Gwei: the unit of JustifiedBalances. */
  readonly effectiveBalanceIncrement: number;
  /** prune() drops nodes only when at least this many precede the finalized block. */
  readonly pruneThreshold: number;
}

/** The options for a chain config and preset, with a prune threshold (default 256). */
export function forkChoiceOptsFromConfig(config: ChainConfig, preset: Preset, pruneThreshold = 256): ForkChoiceOpts {
  return {
    slotsPerEpoch: preset.SLOTS_PER_EPOCH,
    proposerScoreBoost: config.PROPOSER_SCORE_BOOST,
    attestationDueMs: attestationDueMs(config),
    effectiveBalanceIncrement: preset.EFFECTIVE_BALANCE_INCREMENT,
    pruneThreshold,
  };
}

/**
 * Balances of the justified checkpoint state (checkpoint_states[justified_checkpoint]) in units of
 * EFFECTIVE_BALANCE_INCREMENT.
 */
export interface JustifiedBalances {
  /** Per validator index: effective balance when active and not slashed in the state's epoch, else 0. */
  readonly increments: ArrayLike<number>;
  /** get_total_active_balance (slashed active validators included) in increments. */
  readonly totalActiveIncrements: number;
}

/** Supplies the balances of a justified checkpoint's state; called whenever store.justified_checkpoint changes. */
export type JustifiedBalancesGetter = (checkpoint: Checkpoint) => JustifiedBalances;

/** The vote carried by an attestation: AttestationData's slot, head block and target. */
export interface AttestationVote {
  readonly slot: number;
  readonly beaconBlockRoot: RootHex;
  readonly target: Checkpoint;
}

/** The fork-choice store's checkpoints and time. */
export interface ForkChoiceStoreView {
  readonly currentSlot: number;
  readonly justified: Checkpoint;
  readonly finalized: Checkpoint;
  readonly unrealizedJustified: Checkpoint;
  readonly unrealizedFinalized: Checkpoint;
  readonly proposerBoostRoot: RootHex | null;
}

const NONE = -1;

/** The fork choice: feed it blocks, attestations, slashings and time; ask it for the head. */
export class ForkChoice {
  readonly protoArray: ProtoArray;
  private readonly opts: ForkChoiceOpts;
  private readonly getJustifiedBalances: JustifiedBalancesGetter;

  private currentSlot: number;
  private justified: Checkpoint;
  private finalized: Checkpoint;
  private unrealizedJustified: Checkpoint;
  private unrealizedFinalized: Checkpoint;
  private proposerBoostRoot: RootHex | null = null;
  private justifiedBalances: JustifiedBalances;

  /** Per validator: proto-array index whose weight holds the vote now (NONE when none). */
  private readonly currentIndices: number[] = [];
  /** Per validator: proto-array index of the latest message (NONE when none or its block was pruned). */
  private readonly nextIndices: number[] = [];
  /** Per validator: target epoch of the latest message (NONE when the validator has none). */
  private readonly nextEpochs: number[] = [];
  private readonly equivocating = new Set<number>();
  /** Balances the weights in the proto-array were computed with. */
  private appliedBalances: ArrayLike<number> = [];
  /** Proposer boost currently inside the proto-array weights. */
  private appliedBoost: { index: number; amount: number } | null = null;
  /** Attestations whose slot is not yet past: applied once it is. */
  private queued: { vote: AttestationVote; indices: number[] }[] = [];

  /**
   * get_forkchoice_store: the anchor block (genesis or a finalized checkpoint block) with the current slot.
   * The anchor's epoch makes both checkpoints: (anchorEpoch, anchorRoot).
   */
  constructor(
    opts: ForkChoiceOpts,
    anchor: Omit<ProtoBlock, "justified" | "finalized" | "unrealizedJustified" | "unrealizedFinalized">,
    anchorStateSlot: number,
    currentSlot: number,
    getJustifiedBalances: JustifiedBalancesGetter,
  ) {
    this.opts = opts;
    const checkpoint: Checkpoint = {
      epoch: Math.floor(anchorStateSlot / opts.slotsPerEpoch),
      root: anchor.blockRoot,
    };
    this.protoArray = new ProtoArray(opts.slotsPerEpoch, {
      ...anchor,
      justified: checkpoint,
      finalized: checkpoint,
      unrealizedJustified: checkpoint,
      unrealizedFinalized: checkpoint,
    });
    this.currentSlot = Math.max(anchorStateSlot, currentSlot);
    this.justified = checkpoint;
    this.finalized = checkpoint;
    this.unrealizedJustified = checkpoint;
    this.unrealizedFinalized = checkpoint;
    this.getJustifiedBalances = getJustifiedBalances;
    this.justifiedBalances = getJustifiedBalances(checkpoint);
  }

  /** The store's checkpoints, slot and proposer boost. */
  get store(): ForkChoiceStoreView {
    return {
      currentSlot: this.currentSlot,
      justified: this.justified,
      finalized: this.finalized,
      unrealizedJustified: this.unrealizedJustified,
      unrealizedFinalized: this.unrealizedFinalized,
      proposerBoostRoot: this.proposerBoostRoot,
    };
  }

  private epochAt(slot: number): number {
    return Math.floor(slot / this.opts.slotsPerEpoch);
  }

  /**
   * on_tick to the start of `slot` (and within it): each new slot clears the proposer boost, each new epoch
   * realizes the unrealized checkpoints. Then attestations queued for past slots are applied.
   */
  updateTime(slot: number): void {
    while (this.currentSlot < slot) {
      this.currentSlot++;
      this.proposerBoostRoot = null;
      if (this.currentSlot % this.opts.slotsPerEpoch === 0)
        this.updateCheckpoints(this.unrealizedJustified, this.unrealizedFinalized);
    }
    if (this.queued.length > 0) {
      const keep: typeof this.queued = [];
      for (const q of this.queued) {
        if (q.vote.slot < this.currentSlot) {
          // The blocks may have been pruned or invalidated since: then the message no longer applies.
          const idx = this.protoArray.indexOf(q.vote.beaconBlockRoot);
          if (idx !== undefined && this.protoArray.nodeAt(idx).executionStatus !== "invalid")
            this.addLatestMessages(q.indices, q.vote.target.epoch, idx);
        } else keep.push(q);
      }
      this.queued = keep;
    }
  }

  /** update_checkpoints: keep the higher epochs; a new justified checkpoint brings its balances. */
  private updateCheckpoints(justified: Checkpoint, finalized: Checkpoint): void {
    if (justified.epoch > this.justified.epoch) {
      this.justified = justified;
      this.justifiedBalances = this.getJustifiedBalances(justified);
    }
    if (finalized.epoch > this.finalized.epoch) this.finalized = finalized;
  }

  /** update_unrealized_checkpoints */
  private updateUnrealizedCheckpoints(justified: Checkpoint, finalized: Checkpoint): void {
    if (justified.epoch > this.unrealizedJustified.epoch) this.unrealizedJustified = justified;
    if (finalized.epoch > this.unrealizedFinalized.epoch) this.unrealizedFinalized = finalized;
  }

  /**
   * on_block for a block the caller has fully validated (state transition, data availability), given its
   * post-state checkpoints and pulled-up (unrealized) checkpoints, and the time into the current slot at
   * which it arrived (for timeliness and proposer boost). A known block is a no-op. Throws, changing nothing,
   * when the parent is unknown or invalid, the block is from the future, not after the finalized slot, or not
   * a descendant of the finalized checkpoint.
   */
  onBlock(block: ProtoBlock, msIntoSlot: number): void {
    if (this.protoArray.indexOf(block.blockRoot) !== undefined) return;
    const parent = this.protoArray.getNode(block.parentRoot);
    const ctx = { blockRoot: block.blockRoot, parentRoot: block.parentRoot, slot: block.slot };
    if (parent === undefined)
      throw new ForkChoiceError("UNKNOWN_PARENT", "block's parent is not in the fork choice", ctx);
    if (parent.executionStatus === "invalid")
      throw new ForkChoiceError("INVALID_PARENT", "block's parent has an invalid execution payload", ctx);
    if (block.slot <= parent.slot)
      throw new ForkChoiceError("BAD_BLOCK_SLOT", "block's slot is not after its parent's", {
        ...ctx,
        parentSlot: parent.slot,
      });
    if (block.slot > this.currentSlot)
      throw new ForkChoiceError("FUTURE_SLOT", "block is from a future slot", {
        ...ctx,
        currentSlot: this.currentSlot,
      });
    const finalizedSlot = this.finalized.epoch * this.opts.slotsPerEpoch;
    if (block.slot <= finalizedSlot)
      throw new ForkChoiceError("NOT_AFTER_FINALIZED_SLOT", "block is not after the finalized epoch's start slot", {
        ...ctx,
        finalizedSlot,
      });
    const checkpointBlock = this.protoArray.getAncestorAtSlot(block.parentRoot, finalizedSlot);
    if (checkpointBlock === undefined || checkpointBlock.blockRoot !== this.finalized.root)
      throw new ForkChoiceError("NOT_FINALIZED_DESCENDANT", "block does not descend from the finalized checkpoint", {
        ...ctx,
        finalized: this.finalized,
      });

    this.protoArray.onBlock(block);
    const isTimely = this.currentSlot === block.slot && msIntoSlot < this.opts.attestationDueMs;
    if (isTimely && this.proposerBoostRoot === null) this.proposerBoostRoot = block.blockRoot;
    this.updateCheckpoints(block.justified, block.finalized);
    // compute_pulled_up_tip
    this.updateUnrealizedCheckpoints(block.unrealizedJustified, block.unrealizedFinalized);
    if (this.epochAt(block.slot) < this.epochAt(this.currentSlot))
      this.updateCheckpoints(block.unrealizedJustified, block.unrealizedFinalized);
  }

  /**
   * on_attestation with the attesting indices of a verified attestation (signature checks are the caller's).
   * `isFromBlock` skips the current/previous target epoch check. An attestation of the current slot or later
   * is valid but queued until its slot is past. Throws when validate_on_attestation fails.
   */
  onAttestation(vote: AttestationVote, attestingIndices: ArrayLike<number>, isFromBlock = false): void {
    const { slot, beaconBlockRoot, target } = vote;
    const ctx = { slot, beaconBlockRoot, target, currentSlot: this.currentSlot };
    if (!isFromBlock) {
      const currentEpoch = this.epochAt(this.currentSlot);
      const previousEpoch = currentEpoch > 0 ? currentEpoch - 1 : 0;
      if (target.epoch !== currentEpoch && target.epoch !== previousEpoch)
        throw new ForkChoiceError(
          "BAD_ATTESTATION_EPOCH",
          "attestation target is not the current or previous epoch",
          ctx,
        );
    }
    if (target.epoch !== this.epochAt(slot))
      throw new ForkChoiceError("BAD_ATTESTATION_EPOCH", "attestation target epoch does not match its slot", ctx);
    const targetNode = this.protoArray.getNode(target.root);
    if (targetNode === undefined || targetNode.executionStatus === "invalid")
      throw new ForkChoiceError("UNKNOWN_BLOCK", "attestation target block is unknown", ctx);
    const idx = this.protoArray.indexOf(beaconBlockRoot);
    const block = idx === undefined ? undefined : this.protoArray.nodeAt(idx);
    if (idx === undefined || block === undefined || block.executionStatus === "invalid")
      throw new ForkChoiceError("UNKNOWN_BLOCK", "attestation head block is unknown", ctx);
    if (block.slot > slot)
      throw new ForkChoiceError("ATTESTATION_FOR_FUTURE_BLOCK", "attestation votes for a block after its slot", ctx);
    const checkpointBlock = this.protoArray.getAncestorAtSlot(beaconBlockRoot, target.epoch * this.opts.slotsPerEpoch);
    if (checkpointBlock === undefined || checkpointBlock.blockRoot !== target.root)
      throw new ForkChoiceError("BAD_ATTESTATION_TARGET", "attestation target is not its head block's checkpoint", ctx);
    if (this.currentSlot < slot + 1) {
      this.queued.push({ vote, indices: Array.from(attestingIndices) });
      return;
    }
    this.addLatestMessages(attestingIndices, target.epoch, idx);
  }

  /** update_latest_messages: a newer target epoch replaces a validator's message; equivocators are skipped. */
  private addLatestMessages(indices: ArrayLike<number>, epoch: number, nodeIndex: number): void {
    for (let k = 0; k < indices.length; k++) {
      const v = indices[k];
      if (this.equivocating.has(v)) continue;
      this.ensureValidator(v);
      if (this.nextEpochs[v] === NONE || epoch > this.nextEpochs[v]) {
        this.nextEpochs[v] = epoch;
        this.nextIndices[v] = nodeIndex;
      }
    }
  }

  private ensureValidator(v: number): void {
    while (this.nextEpochs.length <= v) {
      this.currentIndices.push(NONE);
      this.nextIndices.push(NONE);
      this.nextEpochs.push(NONE);
    }
  }

  /**
   * on_attester_slashing with the attesting indices of both (verified, slashable) attestations: their
   * intersection equivocated, and its votes are removed for good at the next getHead.
   */
  onAttesterSlashing(indices1: ArrayLike<number>, indices2: ArrayLike<number>): void {
    const first = new Set(Array.from(indices1));
    for (let k = 0; k < indices2.length; k++) if (first.has(indices2[k])) this.equivocating.add(indices2[k]);
  }

  /** True when a validator index is in store.equivocating_indices. */
  isEquivocating(index: number): boolean {
    return this.equivocating.has(index);
  }

  /** get_proposer_score in increments: whole increments, plus one half when a fraction of one remains. */
  private proposerScore(): number {
    const inc = BigInt(this.opts.effectiveBalanceIncrement);
    const total = BigInt(this.justifiedBalances.totalActiveIncrements) * inc;
    const totalActive = total > inc ? total : inc;
    const committeeWeight = totalActive / BigInt(this.opts.slotsPerEpoch);
    const score = (committeeWeight * BigInt(this.opts.proposerScoreBoost)) / 100n;
    // Votes weigh whole increments and only one sibling carries the boost, so "whole part + 0.5" orders
    // every comparison exactly as the Gwei values would (and ties only when the remainder is zero).
    return Number(score / inc) + (score % inc > 0n ? 0.5 : 0);
  }

  /**
   * get_head: applies the vote changes since the last call (moved votes, balance changes of a new justified
   * state, equivocations, proposer boost) to the proto-array and returns the head block.
   */
  getHead(): ProtoNode {
    const pa = this.protoArray;
    const deltas = new Array<number>(pa.length).fill(0);
    const oldBalances = this.appliedBalances;
    const newBalances = this.justifiedBalances.increments;
    for (let v = 0; v < this.nextEpochs.length; v++) {
      const cur = this.currentIndices[v];
      if (this.equivocating.has(v)) {
        if (cur !== NONE) deltas[cur] -= oldBalances[v] ?? 0;
        this.currentIndices[v] = NONE;
        this.nextIndices[v] = NONE;
        continue;
      }
      const next = this.nextIndices[v];
      const oldBalance = oldBalances[v] ?? 0;
      const newBalance = newBalances[v] ?? 0;
      if (cur !== next || oldBalance !== newBalance) {
        if (cur !== NONE) deltas[cur] -= oldBalance;
        if (next !== NONE) deltas[next] += newBalance;
        this.currentIndices[v] = next;
      }
    }
    this.appliedBalances = newBalances;
    if (this.appliedBoost !== null) deltas[this.appliedBoost.index] -= this.appliedBoost.amount;
    this.appliedBoost = null;
    if (this.proposerBoostRoot !== null) {
      const index = pa.indexOf(this.proposerBoostRoot);
      if (index !== undefined) {
        const amount = this.proposerScore();
        deltas[index] += amount;
        this.appliedBoost = { index, amount };
      }
    }
    pa.applyScoreChanges(deltas, {
      justifiedEpoch: this.justified.epoch,
      finalized: this.finalized,
      currentEpoch: this.epochAt(this.currentSlot),
    });
    return pa.findHead(this.justified.root);
  }

  /**
   * Drops the blocks before the finalized block once at least `pruneThreshold` precede it; returns them
   * (for the caller to archive). Votes and the applied boost follow the new indices.
   */
  prune(): ProtoBlock[] {
    const { removed, shift } = this.protoArray.prune(this.finalized.root, this.opts.pruneThreshold);
    if (shift === 0) return removed;
    const remap = (i: number): number => (i === NONE || i < shift ? NONE : i - shift);
    for (let v = 0; v < this.nextEpochs.length; v++) {
      this.currentIndices[v] = remap(this.currentIndices[v]);
      this.nextIndices[v] = remap(this.nextIndices[v]);
    }
    if (this.appliedBoost !== null) {
      const index = remap(this.appliedBoost.index);
      this.appliedBoost = index === NONE ? null : { index, amount: this.appliedBoost.amount };
    }
    return removed;
  }

  /** Marks a block's payload (and its syncing ancestors) valid. */
  onExecutionValid(root: RootHex): void {
    this.protoArray.setExecutionValid(root);
  }

  /**
   * Marks a payload invalid back to the latest valid ancestor (see ProtoArray.setExecutionInvalid); their
   * descendants become invalid and lose their weight at the next getHead. Refuses to invalidate the store's
   * justified or finalized block. Returns the roots newly invalid.
   */
  onExecutionInvalid(root: RootHex, latestValidRoot: RootHex | null): RootHex[] {
    for (const cp of [this.justified, this.finalized]) {
      if (this.protoArray.isDescendant(root, cp.root))
        throw new ForkChoiceError("INVALIDATE_CHECKPOINT_BLOCK", "refusing to invalidate a checkpoint block", {
          root,
          checkpoint: cp,
        });
    }
    return this.protoArray.setExecutionInvalid(root, latestValidRoot);
  }

  /** True when the block is known (and not pruned). */
  hasBlock(root: RootHex): boolean {
    return this.protoArray.indexOf(root) !== undefined;
  }

  /** The block's node, or undefined. */
  getBlock(root: RootHex): ProtoNode | undefined {
    return this.protoArray.getNode(root);
  }

  /** True when `ancestorRoot` is `root` or an ancestor of it. */
  isDescendant(ancestorRoot: RootHex, root: RootHex): boolean {
    return this.protoArray.isDescendant(ancestorRoot, root);
  }

  /** get_ancestor: the root of the block on `root`'s chain at `slot` (latest with slot ≤ `slot`), or undefined. */
  getAncestorRoot(root: RootHex, slot: number): RootHex | undefined {
    return this.protoArray.getAncestorAtSlot(root, slot)?.blockRoot;
  }

  /**
   * The block root at the last slot of epoch `epoch - 1` on `headRoot`'s chain (the genesis-side block at
   * slot 0 for epoch 0): what duties of `epoch` depend on when their inputs were fixed at `epoch`'s start.
   * Attester duties of epoch E use getDependentRoot(head, E - 1); proposer duties getDependentRoot(head, E)
   * (before fulu) or getDependentRoot(head, E - 1) (fulu's proposer lookahead). Undefined when pruned.
   */
  getDependentRoot(headRoot: RootHex, epoch: number): RootHex | undefined {
    const slot = Math.max(0, epoch * this.opts.slotsPerEpoch - 1);
    return this.getAncestorRoot(headRoot, slot);
  }

  /** get_safe_execution_block_hash: the justified block's payload hash (null before the merge). */
  getSafeExecutionBlockHash(): RootHex | null {
    return this.protoArray.getNode(this.justified.root)?.executionBlockHash ?? null;
  }

  /** The finalized block's payload hash (null before the merge). */
  getFinalizedExecutionBlockHash(): RootHex | null {
    return this.protoArray.getNode(this.finalized.root)?.executionBlockHash ?? null;
  }
}
