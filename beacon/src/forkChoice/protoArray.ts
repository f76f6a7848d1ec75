// The proto-array: the block tree of the fork choice as a flat array in insertion order (a parent always before
// its children), with per-node subtree weight, best child and best descendant. One backward pass applies the
// vote deltas and re-selects best children under the spec's filter_block_tree viability rules (phase0
// fork-choice.md), so get_head is a lookup of the justified node's best descendant. Pure: no I/O, no clock.
import { ForkChoiceError } from "./errors.ts";

/** A 32-byte root as lowercase 0x-prefixed hex: map key, and string order equals byte order for tie-breaks. */
export type RootHex = string;

/** A Casper FFG checkpoint (epoch, block root). */
export interface Checkpoint {
  readonly epoch: number;
  readonly root: RootHex;
}

/**
 * The execution payload status of a block (optimistic sync): "valid" (EL said VALID), "syncing" (imported
 * optimistically, EL has not decided), "invalid" (EL said INVALID: never head, descendants invalid too),
 * "preMerge" (no payload).
 */
export type ExecutionStatus = "valid" | "syncing" | "invalid" | "preMerge";

/** What the fork choice keeps of a block: its place in the tree and its post-state checkpoints. */
export interface ProtoBlock {
  readonly slot: number;
  readonly blockRoot: RootHex;
  readonly parentRoot: RootHex;
  readonly stateRoot: RootHex;
  /** The post-state's current_justified_checkpoint. */
  readonly justified: Checkpoint;
  /** The post-state's finalized_checkpoint. */
  readonly finalized: Checkpoint;
  /** current_justified_checkpoint of the post-state pulled up to the next epoch boundary (compute_pulled_up_tip). */
  readonly unrealizedJustified: Checkpoint;
  /** finalized_checkpoint of the post-state pulled up to the next epoch boundary. */
  readonly unrealizedFinalized: Checkpoint;
  /** The payload's block hash, or null before the merge. */
  readonly executionBlockHash: RootHex | null;
  executionStatus: ExecutionStatus;
}

/** A block in the proto-array with its tree links and weight (indices into the array, undefined when none). */
export interface ProtoNode extends ProtoBlock {
  parent: number | undefined;
  /**
   * Attesting balance of the subtree in units of EFFECTIVE_BALANCE_INCREMENT, plus the proposer boost (which may
   * carry a half unit standing for "a fraction of an increment", see ForkChoice): exact in a double.
   */
  weight: number;
  bestChild: number | undefined;
  /** The viable leaf reached by following best children; undefined when no leaf under this node is viable. */
  bestDescendant: number | undefined;
}

/** The store values the viability rules (filter_block_tree) read. */
export interface ViabilityContext {
  /** store.justified_checkpoint.epoch */
  readonly justifiedEpoch: number;
  /** store.finalized_checkpoint */
  readonly finalized: Checkpoint;
  /** get_current_store_epoch(store) */
  readonly currentEpoch: number;
}

const GENESIS_EPOCH = 0;

/** The block tree as a proto-array. Build it from an anchor block, then add blocks whose parent is known. */
export class ProtoArray {
  readonly slotsPerEpoch: number;
  private nodes: ProtoNode[] = [];
  private readonly indices = new Map<RootHex, number>();

  constructor(slotsPerEpoch: number, anchor: ProtoBlock) {
    if (!Number.isSafeInteger(slotsPerEpoch) || slotsPerEpoch <= 0)
      throw new RangeError(`slotsPerEpoch must be a positive integer, got ${slotsPerEpoch}`);
    this.slotsPerEpoch = slotsPerEpoch;
    this.nodes.push({ ...anchor, parent: undefined, weight: 0, bestChild: undefined, bestDescendant: undefined });
    this.indices.set(anchor.blockRoot, 0);
  }

  /** Number of nodes. */
  get length(): number {
    return this.nodes.length;
  }

  /** Index of a block, or undefined when unknown (never seen or pruned). */
  indexOf(root: RootHex): number | undefined {
    return this.indices.get(root);
  }

  /** The node at an index (no copy: do not mutate). */
  nodeAt(index: number): ProtoNode {
    const node = this.nodes[index];
    if (node === undefined) throw new RangeError(`no proto-array node at index ${index} (length ${this.nodes.length})`);
    return node;
  }

  /** The node of a block root, or undefined. */
  getNode(root: RootHex): ProtoNode | undefined {
    const i = this.indices.get(root);
    return i === undefined ? undefined : this.nodes[i];
  }

  /** All nodes in insertion order (parents before children). */
  allNodes(): readonly ProtoNode[] {
    return this.nodes;
  }

  /**
   * Adds a block whose parent is in the array (the caller checks the fork-choice rules). A known root is
   * ignored. Throws UNKNOWN_PARENT when the parent is not in the array.
   */
  onBlock(block: ProtoBlock): void {
    if (this.indices.has(block.blockRoot)) return;
    const parent = this.indices.get(block.parentRoot);
    if (parent === undefined)
      throw new ForkChoiceError("UNKNOWN_PARENT", "block's parent is not in the proto-array", {
        blockRoot: block.blockRoot,
        parentRoot: block.parentRoot,
        slot: block.slot,
      });
    const parentNode = this.nodes[parent];
    // A child of an invalid payload is invalid too.
    const executionStatus: ExecutionStatus =
      parentNode.executionStatus === "invalid" ? "invalid" : block.executionStatus;
    this.indices.set(block.blockRoot, this.nodes.length);
    this.nodes.push({
      ...block,
      executionStatus,
      parent,
      weight: 0,
      bestChild: undefined,
      bestDescendant: undefined,
    });
  }

  /**
   * Applies per-node weight deltas (consumed: the array is modified) and re-selects best children and best
   * descendants in one backward pass. A leaf is viable when its payload is not invalid and it passes the
   * spec's correct_justified and correct_finalized tests; an inner node leads to a viable head when one of its
   * non-invalid children does (filter_block_tree). An invalid node drops its whole weight from its ancestors
   * and ignores later deltas, so votes for invalid blocks count nowhere.
   */
  applyScoreChanges(deltas: number[], ctx: ViabilityContext): void {
    const n = this.nodes.length;
    if (deltas.length !== n)
      throw new RangeError(`deltas length ${deltas.length} does not match proto-array length ${n}`);
    const nodes = this.nodes;
    // Forward pass: does the block's ancestor at the finalized epoch's start slot equal the finalized root?
    // (get_checkpoint_block(store, root, finalized.epoch) == finalized.root), and reset the selections.
    const checkFinalized = ctx.finalized.epoch !== GENESIS_EPOCH;
    const finalizedSlot = ctx.finalized.epoch * this.slotsPerEpoch;
    const finalizedIndex = this.indices.get(ctx.finalized.root);
    const finalizedOk = new Uint8Array(n);
    const childCount = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const node = nodes[i];
      node.bestChild = undefined;
      node.bestDescendant = undefined;
      if (!checkFinalized) finalizedOk[i] = 1;
      else if (node.slot <= finalizedSlot) finalizedOk[i] = i === finalizedIndex ? 1 : 0;
      else finalizedOk[i] = node.parent !== undefined ? finalizedOk[node.parent] : 0;
    }
    for (let i = n - 1; i >= 0; i--) {
      const node = nodes[i];
      const invalid = node.executionStatus === "invalid";
      let delta: number;
      if (invalid) {
        delta = -node.weight;
        node.weight = 0;
      } else {
        delta = deltas[i];
        node.weight += delta;
      }
      // Children were all visited before: best child is known; a childless node is judged as a leaf.
      if (!invalid) {
        if (childCount[i] === 0) {
          if (this.leafIsViable(node, ctx) && finalizedOk[i] === 1) node.bestDescendant = i;
        } else if (node.bestChild !== undefined) {
          node.bestDescendant = nodes[node.bestChild].bestDescendant;
        }
      }
      const p = node.parent;
      if (p === undefined) continue;
      deltas[p] += delta;
      if (invalid) continue;
      childCount[p]++;
      if (node.bestDescendant === undefined) continue;
      const parent = nodes[p];
      const current = parent.bestChild;
      if (current === undefined) {
        parent.bestChild = i;
      } else {
        const other = nodes[current];
        if (node.weight > other.weight || (node.weight === other.weight && node.blockRoot > other.blockRoot))
          parent.bestChild = i;
      }
    }
  }

  /** correct_justified of filter_block_tree, with the voting source of get_voting_source. */
  private leafIsViable(node: ProtoNode, ctx: ViabilityContext): boolean {
    if (ctx.justifiedEpoch === GENESIS_EPOCH) return true;
    const blockEpoch = Math.floor(node.slot / this.slotsPerEpoch);
    const votingSource = ctx.currentEpoch > blockEpoch ? node.unrealizedJustified : node.justified;
    return votingSource.epoch === ctx.justifiedEpoch || votingSource.epoch + 2 >= ctx.currentEpoch;
  }

  /**
   * The head from the last applyScoreChanges: the best descendant of the justified block, or the justified
   * block itself when no leaf under it is viable (get_head then returns the justified root).
   */
  findHead(justifiedRoot: RootHex): ProtoNode {
    const j = this.indices.get(justifiedRoot);
    if (j === undefined)
      throw new ForkChoiceError("UNKNOWN_JUSTIFIED_ROOT", "justified root is not in the proto-array", {
        justifiedRoot,
      });
    const node = this.nodes[j];
    return node.bestDescendant === undefined ? node : this.nodes[node.bestDescendant];
  }

  /**
   * The block on `root`'s chain at `slot`: the latest ancestor-or-self with slot ≤ `slot` (get_ancestor).
   * Undefined when `root` is unknown or the answer lies before the oldest kept block.
   */
  getAncestorAtSlot(root: RootHex, slot: number): ProtoNode | undefined {
    let i = this.indices.get(root);
    while (i !== undefined) {
      const node = this.nodes[i];
      if (node.slot <= slot) return node;
      i = node.parent;
    }
    return undefined;
  }

  /** True when `ancestorRoot` is `root` or one of its ancestors (both must be known). */
  isDescendant(ancestorRoot: RootHex, root: RootHex): boolean {
    const a = this.indices.get(ancestorRoot);
    if (a === undefined || !this.indices.has(root)) return false;
    const found = this.getAncestorAtSlot(root, this.nodes[a].slot);
    return found !== undefined && found.blockRoot === ancestorRoot;
  }

  /** Ancestors of `root` from itself back to the oldest kept block. */
  *iterateAncestors(root: RootHex): IterableIterator<ProtoNode> {
    let i = this.indices.get(root);
    while (i !== undefined) {
      const node = this.nodes[i];
      yield node;
      i = node.parent;
    }
  }

  /**
   * Marks a block's payload VALID, and with it every "syncing" ancestor (a valid payload's ancestors are
   * valid). Throws when an ancestor is invalid: the execution layer contradicts itself.
   */
  setExecutionValid(root: RootHex): void {
    const start = this.indices.get(root);
    if (start === undefined) throw new ForkChoiceError("UNKNOWN_BLOCK", "cannot mark an unknown block valid", { root });
    for (let i: number | undefined = start; i !== undefined; i = this.nodes[i].parent) {
      const node = this.nodes[i];
      if (node.executionStatus === "invalid")
        throw new ForkChoiceError("INVALIDATE_VALID_BLOCK", "a block marked valid has an invalid ancestor", {
          root,
          invalidAncestor: node.blockRoot,
        });
      if (node.executionStatus !== "syncing") break;
      node.executionStatus = "valid";
    }
  }

  /**
   * Marks a payload INVALID: `root` and its ancestors down to (excluding) `latestValidRoot` when that is one
   * of them (else only `root`), then every descendant of those. `latestValidRoot`, when an ancestor, is
   * marked valid. Throws INVALIDATE_VALID_BLOCK, leaving the array unchanged, when one of them is valid or
   * pre-merge. Returns the roots newly marked invalid.
   */
  setExecutionInvalid(root: RootHex, latestValidRoot: RootHex | null): RootHex[] {
    const start = this.indices.get(root);
    if (start === undefined) throw new ForkChoiceError("UNKNOWN_BLOCK", "cannot invalidate an unknown block", { root });
    const chain: number[] = [start];
    let lva: number | undefined;
    if (latestValidRoot !== null && latestValidRoot !== root && this.isDescendant(latestValidRoot, root)) {
      lva = this.indices.get(latestValidRoot);
      for (let i = this.nodes[start].parent; i !== undefined && i !== lva; i = this.nodes[i].parent) chain.push(i);
    }
    for (const i of chain) {
      const status = this.nodes[i].executionStatus;
      if (status === "valid" || status === "preMerge")
        throw new ForkChoiceError("INVALIDATE_VALID_BLOCK", "execution layer invalidates a block already valid", {
          root,
          latestValidRoot,
          block: this.nodes[i].blockRoot,
          status,
        });
    }
    if (lva !== undefined) this.setExecutionValid(this.nodes[lva].blockRoot);
    const invalidated: RootHex[] = [];
    const marked = new Uint8Array(this.nodes.length);
    let min = start;
    for (const i of chain) {
      marked[i] = 1;
      if (i < min) min = i;
    }
    for (let i = min; i < this.nodes.length; i++) {
      const node = this.nodes[i];
      if (marked[i] === 0 && !(node.parent !== undefined && marked[node.parent] === 1)) continue;
      marked[i] = 1;
      if (node.executionStatus !== "invalid") {
        node.executionStatus = "invalid";
        invalidated.push(node.blockRoot);
      }
    }
    return invalidated;
  }

  /**
   * Drops every node inserted before the finalized block (its ancestors and the forks that left the chain
   * before it) once there are at least `threshold` of them. Returns the dropped blocks in insertion order
   * and the number of positions indices moved by (0 when nothing was pruned).
   */
  prune(finalizedRoot: RootHex, threshold: number): { removed: ProtoBlock[]; shift: number } {
    const f = this.indices.get(finalizedRoot);
    if (f === undefined)
      throw new ForkChoiceError("UNKNOWN_BLOCK", "finalized root is not in the proto-array", { finalizedRoot });
    if (f === 0 || f < threshold) return { removed: [], shift: 0 };
    const removed = this.nodes.slice(0, f);
    for (const node of removed) this.indices.delete(node.blockRoot);
    this.nodes = this.nodes.slice(f);
    const shift = (i: number | undefined): number | undefined => (i === undefined || i < f ? undefined : i - f);
    for (let i = 0; i < this.nodes.length; i++) {
      const node = this.nodes[i];
      node.parent = shift(node.parent);
      node.bestChild = shift(node.bestChild);
      node.bestDescendant = shift(node.bestDescendant);
      this.indices.set(node.blockRoot, i);
    }
    return { removed, shift: f };
  }
}
