// The pool of the block operations that are not attestations: proposer slashings, attester slashings, voluntary
// exits and BLS-to-execution changes. Deduplicated by the validator(s) they concern; `getForBlock` returns only
// operations still valid against the block's pre-state, applied in block order on a copy (so two operations that
// conflict — a slashing and an exit of the same validator — do not both go in), within the per-block maxima;
// `prune` drops what a state has made useless (included or no longer applicable).
//
// Validation (signatures) before entry is the caller's; the pool refuses only structurally impossible items.
import type { ValueOf } from "@chainsafe/ssz";
import { BLS_WITHDRAWAL_PREFIX, FAR_FUTURE_EPOCH } from "@sextant/consensus/params/constants";
import { currentEpoch, isSlashableValidator, type Validator } from "@sextant/consensus/state/accessors";
import { type CachedState, cloneCachedState } from "@sextant/consensus/state/cachedState";
import { atLeast, type BeaconConfig } from "@sextant/consensus/state/types";
import {
  type AttesterSlashing,
  type ProposerSlashing,
  processAttesterSlashing,
  processBlsToExecutionChange,
  processProposerSlashing,
  processVoluntaryExit,
  type SignedBlsToExecutionChange,
  type SignedVoluntaryExit,
} from "@sextant/consensus/transition/block/operations/index";
import { acceptingExecutionEngine } from "@sextant/consensus/transition/execution";
import type { BlockContext } from "@sextant/consensus/transition/options";
import type { SszTypes } from "@sextant/consensus/types/sszTypes";
import { toHex } from "@sextant/consensus/util/hex";
import { ensure } from "./errors.ts";

export type { AttesterSlashing, ProposerSlashing, SignedBlsToExecutionChange, SignedVoluntaryExit };

/** What `getForBlock` returns: the body lists of those operations. */
export interface BlockOperations {
  proposerSlashings: ProposerSlashing[];
  attesterSlashings: AttesterSlashing[];
  voluntaryExits: SignedVoluntaryExit[];
  /** Empty before capella. */
  blsToExecutionChanges: SignedBlsToExecutionChange[];
}

type BeaconBlockBodyOps = Partial<{
  proposerSlashings: readonly ProposerSlashing[];
  attesterSlashings: readonly AttesterSlashing[];
  voluntaryExits: readonly SignedVoluntaryExit[];
  blsToExecutionChanges: readonly SignedBlsToExecutionChange[];
}>;

type Header = ValueOf<SszTypes["phase0"]["BeaconBlockHeader"]>;

/** Process the operation without signature checks (the pool's entries were verified on the way in). */
const NO_SIGNATURES: BlockContext = { executionEngine: acceptingExecutionEngine, signatureSets: null };

function isAscendingUnique(list: readonly number[]): boolean {
  for (let i = 1; i < list.length; i++) if (list[i - 1] >= list[i]) return false;
  return true;
}

function intersection(a: readonly number[], b: readonly number[]): number[] {
  const set = new Set(b);
  return a.filter((x) => set.has(x));
}

function validator(cs: CachedState, index: number): Validator | null {
  if (index >= cs.state.validators.length) return null;
  return cs.state.validators.getReadonly(index) as unknown as Validator;
}

/** Slashings, exits and BLS changes waiting for a block. */
export class OpPool {
  private readonly config: BeaconConfig;
  private readonly proposerSlashings = new Map<number, ProposerSlashing>();
  /** By the slashing's hex root, with the validators both attestations name. */
  private readonly attesterSlashings = new Map<string, { slashing: AttesterSlashing; indices: number[] }>();
  private readonly voluntaryExits = new Map<number, SignedVoluntaryExit>();
  private readonly blsChanges = new Map<number, SignedBlsToExecutionChange>();

  constructor(config: BeaconConfig) {
    this.config = config;
  }

  /**
   * Adds a proposer slashing unless one for the same proposer is held (returns false). Throws OpPoolError
   * INVALID_ITEM when the two headers are not of the same slot and proposer or are equal.
   */
  addProposerSlashing(slashing: ProposerSlashing): boolean {
    const h1: Header = slashing.signedHeader1.message;
    const h2: Header = slashing.signedHeader2.message;
    const ctx = { proposerIndex: h1.proposerIndex, slot: h1.slot };
    ensure(h1.slot === h2.slot, "proposer slashing: headers of different slots", ctx);
    ensure(h1.proposerIndex === h2.proposerIndex, "proposer slashing: headers of different proposers", ctx);
    const type = this.config.types.phase0.BeaconBlockHeader;
    ensure(!type.equals(h1, h2), "proposer slashing: the two headers are equal", ctx);
    if (this.proposerSlashings.has(h1.proposerIndex)) return false;
    this.proposerSlashings.set(h1.proposerIndex, slashing);
    return true;
  }

  /**
   * Adds an attester slashing unless every validator it would slash (in both attestations) is already covered by
   * a held one (returns false). Throws OpPoolError INVALID_ITEM when an index list is empty, unsorted or
   * repeated, or the two lists share no validator.
   */
  addAttesterSlashing(slashing: AttesterSlashing): boolean {
    const a = slashing.attestation1.attestingIndices;
    const b = slashing.attestation2.attestingIndices;
    ensure(a.length > 0 && b.length > 0, "attester slashing: an attestation without attesting indices");
    ensure(isAscendingUnique(a) && isAscendingUnique(b), "attester slashing: attesting indices not sorted and unique");
    const indices = intersection(a, b);
    ensure(indices.length > 0, "attester slashing: no validator in both attestations");
    const covered = new Set<number>();
    for (const held of this.attesterSlashings.values()) for (const i of held.indices) covered.add(i);
    if (indices.every((i) => covered.has(i))) return false;
    const type = atLeast(this.forkOf(slashing), "electra")
      ? this.config.types.electra.AttesterSlashing
      : this.config.types.phase0.AttesterSlashing;
    const root = toHex(type.hashTreeRoot(slashing as ValueOf<typeof type>));
    this.attesterSlashings.set(root, { slashing, indices });
    return true;
  }

  /** Adds a voluntary exit unless one for the validator is held (returns false). */
  addVoluntaryExit(exit: SignedVoluntaryExit): boolean {
    if (this.voluntaryExits.has(exit.message.validatorIndex)) return false;
    this.voluntaryExits.set(exit.message.validatorIndex, exit);
    return true;
  }

  /** Adds a BLS-to-execution change unless one for the validator is held (returns false). */
  addBlsToExecutionChange(change: SignedBlsToExecutionChange): boolean {
    if (this.blsChanges.has(change.message.validatorIndex)) return false;
    this.blsChanges.set(change.message.validatorIndex, change);
    return true;
  }

  /** The fork whose list limits an attester slashing fits (the wider electra lists when it needs them). */
  private forkOf(slashing: AttesterSlashing): "phase0" | "electra" {
    const limit = this.config.preset.MAX_VALIDATORS_PER_COMMITTEE;
    const wide =
      slashing.attestation1.attestingIndices.length > limit || slashing.attestation2.attestingIndices.length > limit;
    return wide ? "electra" : "phase0";
  }

  /** How many operations of each kind are held. */
  /** Held proposer slashings (the API's pool getter). */
  listProposerSlashings(): ProposerSlashing[] {
    return [...this.proposerSlashings.values()];
  }

  /** Held attester slashings. */
  listAttesterSlashings(): AttesterSlashing[] {
    return [...this.attesterSlashings.values()].map((e) => e.slashing);
  }

  /** Held voluntary exits. */
  listVoluntaryExits(): SignedVoluntaryExit[] {
    return [...this.voluntaryExits.values()];
  }

  /** Held BLS-to-execution changes. */
  listBlsToExecutionChanges(): SignedBlsToExecutionChange[] {
    return [...this.blsChanges.values()];
  }

  size(): { proposerSlashings: number; attesterSlashings: number; voluntaryExits: number; blsChanges: number } {
    return {
      proposerSlashings: this.proposerSlashings.size,
      attesterSlashings: this.attesterSlashings.size,
      voluntaryExits: this.voluntaryExits.size,
      blsChanges: this.blsChanges.size,
    };
  }

  /**
   * The operations for a block at `cs.state.slot` (`cs` is the block's pre-state advanced to its slot; not
   * modified): each kind in block order, each operation applied on a copy of the state carrying the ones chosen
   * before it and kept only when process_* accepts it (signatures not re-checked), up to MAX_PROPOSER_SLASHINGS,
   * MAX_ATTESTER_SLASHINGS (electra: _ELECTRA), MAX_VOLUNTARY_EXITS and (capella+) MAX_BLS_TO_EXECUTION_CHANGES.
   * Attestations come between the slashings and the exits in a block; they cannot make an exit or a BLS change
   * invalid, so checking those after the slashings alone is exact.
   */
  getForBlock(cs: CachedState): BlockOperations {
    const { preset } = this.config;
    let work = cloneCachedState(cs);
    const take = <T>(items: Iterable<T>, max: number, apply: (s: CachedState, item: T) => void): T[] => {
      const out: T[] = [];
      for (const item of items) {
        if (out.length >= max) break;
        const trial = cloneCachedState(work);
        try {
          apply(trial, item);
        } catch {
          continue;
        }
        work = trial;
        out.push(item);
      }
      return out;
    };
    const electra = atLeast(cs.fork, "electra");
    const proposerSlashings = take(this.proposerSlashings.values(), preset.MAX_PROPOSER_SLASHINGS, (s, op) =>
      processProposerSlashing(s, op, NO_SIGNATURES),
    );
    const attesterSlashings = take(
      [...this.attesterSlashings.values()].map((h) => h.slashing),
      electra ? preset.MAX_ATTESTER_SLASHINGS_ELECTRA : preset.MAX_ATTESTER_SLASHINGS,
      (s, op) => {
        if (!electra && this.forkOf(op) === "electra") throw new RangeError("electra-sized attester slashing");
        processAttesterSlashing(s, op, NO_SIGNATURES);
      },
    );
    const voluntaryExits = take(this.voluntaryExits.values(), preset.MAX_VOLUNTARY_EXITS, (s, op) =>
      processVoluntaryExit(s, op, NO_SIGNATURES),
    );
    const blsToExecutionChanges = atLeast(cs.fork, "capella")
      ? take(this.blsChanges.values(), preset.MAX_BLS_TO_EXECUTION_CHANGES, (s, op) =>
          processBlsToExecutionChange(s, op, NO_SIGNATURES),
        )
      : [];
    return { proposerSlashings, attesterSlashings, voluntaryExits, blsToExecutionChanges };
  }

  /** Removes the operations a block body carried. */
  removeIncluded(body: BeaconBlockBodyOps): void {
    for (const s of body.proposerSlashings ?? []) this.proposerSlashings.delete(s.signedHeader1.message.proposerIndex);
    for (const s of body.attesterSlashings ?? []) {
      const indices = new Set(intersection(s.attestation1.attestingIndices, s.attestation2.attestingIndices));
      for (const [key, held] of this.attesterSlashings) {
        if (held.indices.every((i) => indices.has(i))) this.attesterSlashings.delete(key);
      }
    }
    for (const e of body.voluntaryExits ?? []) this.voluntaryExits.delete(e.message.validatorIndex);
    for (const c of body.blsToExecutionChanges ?? []) this.blsChanges.delete(c.message.validatorIndex);
  }

  /**
   * Drops what `cs` (the head state) has made useless: slashings whose validators are no longer slashable, exits
   * of validators already exiting, BLS changes of validators whose credentials are no longer 0x00. Operations
   * that are merely not yet valid (an exit before its epoch or SHARD_COMMITTEE_PERIOD) are kept.
   */
  prune(cs: CachedState): void {
    const epoch = currentEpoch(cs);
    for (const [index] of this.proposerSlashings) {
      const v = validator(cs, index);
      if (!v || !isSlashableValidator(v, epoch)) this.proposerSlashings.delete(index);
    }
    for (const [key, held] of this.attesterSlashings) {
      const any = held.indices.some((i) => {
        const v = validator(cs, i);
        return v !== null && isSlashableValidator(v, epoch);
      });
      if (!any) this.attesterSlashings.delete(key);
    }
    for (const [index] of this.voluntaryExits) {
      const v = validator(cs, index);
      if (!v || v.exitEpoch !== FAR_FUTURE_EPOCH) this.voluntaryExits.delete(index);
    }
    for (const [index] of this.blsChanges) {
      const v = validator(cs, index);
      if (!v || v.withdrawalCredentials[0] !== BLS_WITHDRAWAL_PREFIX) this.blsChanges.delete(index);
    }
  }
}
