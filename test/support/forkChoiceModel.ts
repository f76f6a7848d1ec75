// A spec-literal reference model of the fork choice (phase0 fork-choice.md Store, on_tick, on_block,
// on_attestation, on_attester_slashing, get_head by the recursive filter_block_tree and get_weight), slow but
// obvious, to check beacon/src/forkChoice against on random scenarios. Weights are exact bigint Gwei. Blocks
// whose payload was invalidated (optimistic sync) are removed from the store, and votes for them count nowhere.

/** Root as lowercase hex. */
export type Root = string;

/** A checkpoint (epoch, root). */
export interface ModelCheckpoint {
  readonly epoch: number;
  readonly root: Root;
}

/** A block as on_block sees it, with its post-state and pulled-up checkpoints given. */
export interface ModelBlock {
  readonly slot: number;
  readonly root: Root;
  readonly parentRoot: Root;
  readonly justified: ModelCheckpoint;
  readonly finalized: ModelCheckpoint;
  readonly unrealizedJustified: ModelCheckpoint;
  readonly unrealizedFinalized: ModelCheckpoint;
  /** "valid" | "syncing" | "preMerge" at import. */
  status: string;
}

/** Balances of a checkpoint state in increments: per validator (0 when not active-unslashed) and total active. */
export interface ModelBalances {
  readonly increments: ArrayLike<number>;
  readonly totalActiveIncrements: number;
}

/** The constants the model needs. */
export interface ModelParams {
  readonly slotsPerEpoch: number;
  readonly proposerScoreBoost: number;
  readonly attestationDueMs: number;
  readonly effectiveBalanceIncrement: number;
}

/** Thrown when a spec assert fails. */
export class ModelAssertError extends Error {}

function assert(cond: boolean, what: string): asserts cond {
  if (!cond) throw new ModelAssertError(what);
}

/** The spec's Store with the handlers, literally. */
export class ForkChoiceModel {
  readonly p: ModelParams;
  readonly balancesOf: (cp: ModelCheckpoint) => ModelBalances;
  currentSlot: number;
  justified: ModelCheckpoint;
  finalized: ModelCheckpoint;
  unrealizedJustified: ModelCheckpoint;
  unrealizedFinalized: ModelCheckpoint;
  proposerBoostRoot: Root | null = null;
  readonly equivocating = new Set<number>();
  readonly blocks = new Map<Root, ModelBlock>();
  readonly latestMessages = new Map<number, { epoch: number; root: Root }>();

  constructor(
    p: ModelParams,
    anchor: ModelBlock,
    currentSlot: number,
    balancesOf: (cp: ModelCheckpoint) => ModelBalances,
  ) {
    this.p = p;
    this.balancesOf = balancesOf;
    const cp = { epoch: Math.floor(anchor.slot / p.slotsPerEpoch), root: anchor.root };
    this.blocks.set(anchor.root, {
      ...anchor,
      justified: cp,
      finalized: cp,
      unrealizedJustified: cp,
      unrealizedFinalized: cp,
    });
    this.currentSlot = currentSlot;
    this.justified = cp;
    this.finalized = cp;
    this.unrealizedJustified = cp;
    this.unrealizedFinalized = cp;
  }

  epochAt(slot: number): number {
    return Math.floor(slot / this.p.slotsPerEpoch);
  }

  /** get_ancestor; null when the chain leaves the store (removed blocks). */
  getAncestor(root: Root, slot: number): Root | null {
    const block = this.blocks.get(root);
    if (block === undefined) return null;
    if (block.slot > slot) return this.getAncestor(block.parentRoot, slot);
    return root;
  }

  getCheckpointBlock(root: Root, epoch: number): Root | null {
    return this.getAncestor(root, epoch * this.p.slotsPerEpoch);
  }

  /** on_tick slot by slot (on_tick_per_slot). */
  tick(slot: number): void {
    while (this.currentSlot < slot) {
      this.currentSlot++;
      this.proposerBoostRoot = null;
      if (this.currentSlot % this.p.slotsPerEpoch === 0)
        this.updateCheckpoints(this.unrealizedJustified, this.unrealizedFinalized);
    }
  }

  updateCheckpoints(j: ModelCheckpoint, f: ModelCheckpoint): void {
    if (j.epoch > this.justified.epoch) this.justified = j;
    if (f.epoch > this.finalized.epoch) this.finalized = f;
  }

  updateUnrealizedCheckpoints(j: ModelCheckpoint, f: ModelCheckpoint): void {
    if (j.epoch > this.unrealizedJustified.epoch) this.unrealizedJustified = j;
    if (f.epoch > this.unrealizedFinalized.epoch) this.unrealizedFinalized = f;
  }

  /** on_block (the state transition is assumed done: the block carries its post-state checkpoints). */
  onBlock(block: ModelBlock, msIntoSlot: number): void {
    if (this.blocks.has(block.root)) return;
    assert(this.blocks.has(block.parentRoot), "parent block must be known");
    assert(this.currentSlot >= block.slot, "block not from the future");
    const finalizedSlot = this.finalized.epoch * this.p.slotsPerEpoch;
    assert(block.slot > finalizedSlot, "block after finalized slot");
    assert(
      this.getCheckpointBlock(block.parentRoot, this.finalized.epoch) === this.finalized.root,
      "descends from finalized",
    );
    this.blocks.set(block.root, { ...block });
    const isTimely = this.currentSlot === block.slot && msIntoSlot < this.p.attestationDueMs;
    if (isTimely && this.proposerBoostRoot === null) this.proposerBoostRoot = block.root;
    this.updateCheckpoints(block.justified, block.finalized);
    // compute_pulled_up_tip
    this.updateUnrealizedCheckpoints(block.unrealizedJustified, block.unrealizedFinalized);
    if (this.epochAt(block.slot) < this.epochAt(this.currentSlot))
      this.updateCheckpoints(block.unrealizedJustified, block.unrealizedFinalized);
  }

  /** on_attestation (validate_on_attestation + update_latest_messages); signatures assumed valid. */
  onAttestation(
    att: { slot: number; beaconBlockRoot: Root; target: ModelCheckpoint },
    indices: readonly number[],
    isFromBlock = false,
  ): void {
    const target = att.target;
    if (!isFromBlock) {
      const current = this.epochAt(this.currentSlot);
      const previous = current > 0 ? current - 1 : 0;
      assert(target.epoch === current || target.epoch === previous, "target epoch current or previous");
    }
    assert(target.epoch === this.epochAt(att.slot), "target epoch matches slot");
    assert(this.blocks.has(target.root), "target known");
    const block = this.blocks.get(att.beaconBlockRoot);
    assert(block !== undefined, "head block known");
    assert(block.slot <= att.slot, "block not after attestation slot");
    assert(target.root === this.getCheckpointBlock(att.beaconBlockRoot, target.epoch), "LMD consistent with FFG");
    assert(this.currentSlot >= att.slot + 1, "attestation slot is past");
    for (const i of indices) {
      if (this.equivocating.has(i)) continue;
      const m = this.latestMessages.get(i);
      if (m === undefined || target.epoch > m.epoch)
        this.latestMessages.set(i, { epoch: target.epoch, root: att.beaconBlockRoot });
    }
  }

  /** on_attester_slashing with both attestations' indices. */
  onAttesterSlashing(a: readonly number[], b: readonly number[]): void {
    for (const i of a) if (b.includes(i)) this.equivocating.add(i);
  }

  /** Payload VALID: the block and its syncing ancestors. */
  setValid(root: Root): void {
    let r: Root | undefined = root;
    while (r !== undefined) {
      const b = this.blocks.get(r);
      if (b === undefined || b.status !== "syncing") return;
      b.status = "valid";
      r = b.parentRoot;
    }
  }

  /** Payload INVALID back to the latest valid ancestor: those blocks and their descendants leave the store. */
  setInvalid(root: Root, latestValidRoot: Root | null): void {
    assert(this.blocks.has(root), "invalidated block known");
    const chain = [root];
    const lvaIsAncestor =
      latestValidRoot !== null &&
      latestValidRoot !== root &&
      this.blocks.has(latestValidRoot) &&
      this.getAncestor(root, this.blocks.get(latestValidRoot)!.slot) === latestValidRoot;
    if (lvaIsAncestor) {
      for (let r = this.blocks.get(root)!.parentRoot; r !== latestValidRoot; r = this.blocks.get(r)!.parentRoot)
        chain.push(r);
    }
    for (const r of chain) {
      const s = this.blocks.get(r)!.status;
      assert(s !== "valid" && s !== "preMerge", "cannot invalidate a valid block");
    }
    if (lvaIsAncestor) this.setValid(latestValidRoot);
    const gone = new Set(chain);
    let changed = true;
    while (changed) {
      changed = false;
      for (const [r, b] of this.blocks)
        if (!gone.has(r) && gone.has(b.parentRoot)) {
          gone.add(r);
          changed = true;
        }
    }
    for (const r of gone) this.blocks.delete(r);
  }

  proposerScore(): bigint {
    const bal = this.balancesOf(this.justified);
    const inc = BigInt(this.p.effectiveBalanceIncrement);
    let total = BigInt(bal.totalActiveIncrements) * inc;
    if (total < inc) total = inc;
    const committeeWeight = total / BigInt(this.p.slotsPerEpoch);
    return (committeeWeight * BigInt(this.p.proposerScoreBoost)) / 100n;
  }

  /** get_weight */
  getWeight(root: Root): bigint {
    const bal = this.balancesOf(this.justified);
    const inc = BigInt(this.p.effectiveBalanceIncrement);
    const slot = this.blocks.get(root)!.slot;
    let score = 0n;
    for (const [i, m] of this.latestMessages) {
      if (this.equivocating.has(i)) continue;
      const b = bal.increments[i] ?? 0;
      if (b === 0) continue;
      if (this.getAncestor(m.root, slot) === root) score += BigInt(b) * inc;
    }
    if (this.proposerBoostRoot === null || !this.blocks.has(this.proposerBoostRoot)) return score;
    if (this.getAncestor(this.proposerBoostRoot, slot) === root) score += this.proposerScore();
    return score;
  }

  /** get_voting_source */
  getVotingSource(root: Root): ModelCheckpoint {
    const block = this.blocks.get(root)!;
    if (this.epochAt(this.currentSlot) > this.epochAt(block.slot)) return block.unrealizedJustified;
    return block.justified;
  }

  /** filter_block_tree */
  filterBlockTree(root: Root, out: Map<Root, ModelBlock>): boolean {
    const block = this.blocks.get(root)!;
    const children = [...this.blocks.keys()].filter((r) => this.blocks.get(r)!.parentRoot === root);
    if (children.length > 0) {
      const results = children.map((c) => this.filterBlockTree(c, out));
      if (results.some((x) => x)) {
        out.set(root, block);
        return true;
      }
      return false;
    }
    const currentEpoch = this.epochAt(this.currentSlot);
    const votingSource = this.getVotingSource(root);
    const correctJustified =
      this.justified.epoch === 0 ||
      votingSource.epoch === this.justified.epoch ||
      votingSource.epoch + 2 >= currentEpoch;
    const correctFinalized =
      this.finalized.epoch === 0 || this.finalized.root === this.getCheckpointBlock(root, this.finalized.epoch);
    if (correctJustified && correctFinalized) {
      out.set(root, block);
      return true;
    }
    return false;
  }

  /** get_head */
  getHead(): Root {
    const blocks = new Map<Root, ModelBlock>();
    this.filterBlockTree(this.justified.root, blocks);
    let head = this.justified.root;
    for (;;) {
      const children = [...blocks.keys()].filter((r) => blocks.get(r)!.parentRoot === head);
      if (children.length === 0) return head;
      let best = children[0];
      let bestWeight = this.getWeight(best);
      for (const c of children.slice(1)) {
        const w = this.getWeight(c);
        if (w > bestWeight || (w === bestWeight && c > best)) {
          best = c;
          bestWeight = w;
        }
      }
      head = best;
    }
  }
}
