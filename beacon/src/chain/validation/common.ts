// Shared pieces of API-submission validation (gossip rules of p2p-interface.md adapted for the REST API): the
// refusal error, the state whose shuffling covers an epoch (found among states already computed — a request never
// runs an epoch transition), the per-chain "seen" bookkeeping that turns repeats into "already known, accepted",
// and the liveness record getLiveness reads.
import { type SignatureSet, verifySignatureSets } from "@sextant/consensus/bls/index";
import type { CachedState } from "@sextant/consensus/state/cachedState";
import type { BeaconChain } from "../chain.ts";
import { ChainError } from "../errors.ts";

/** ATTESTATION_PROPAGATION_SLOT_RANGE of p2p-interface.md. */
export const ATTESTATION_PROPAGATION_SLOT_RANGE = 32;

/** A refused submission: the API answers 400 with this message. */
export function invalid(message: string, context: Record<string, unknown> = {}): ChainError {
  return new ChainError("OPERATION_INVALID", message, context);
}

/** A submission the node cannot check yet (no state covers it): the API answers 503. */
export function unavailable(message: string, context: Record<string, unknown> = {}): ChainError {
  return new ChainError("STATE_UNAVAILABLE", message, context);
}

/**
 * A verified-but-not-yet-applied submission: its signature sets (verified by the caller, possibly in one batch with
 * other items) and what to do once they verify.
 */
export interface Prepared {
  readonly sets: readonly SignatureSet[];
  /** What a signature failure is called in the answer ("invalid signature", "invalid selection proof", …). */
  readonly setNames: readonly string[];
  /** Applies the item (pools, fork choice, events, liveness). Only called when every set verified. */
  commit(): void;
}

/** A submission that was seen before: accepted without doing anything again (gossip's IGNORE). */
export const KNOWN: Prepared = { sets: [], setNames: [], commit: () => {} };

/**
 * Verifies the sets of several prepared items in one batch and commits those whose sets all verify. Returns, per
 * item, undefined (accepted) or the reason it failed.
 */
export function verifyAndCommit(items: readonly (Prepared | Error)[]): (Error | undefined)[] {
  const sets: SignatureSet[] = [];
  const owner: { item: number; name: string }[] = [];
  items.forEach((p, i) => {
    if (p instanceof Error) return;
    p.sets.forEach((s, k) => {
      sets.push(s);
      owner.push({ item: i, name: p.setNames[k] ?? "invalid signature" });
    });
  });
  const failed = new Map<number, string>();
  if (sets.length > 0) {
    const result = verifySignatureSets(sets);
    for (const k of result.invalid) {
      const { item, name } = owner[k];
      if (!failed.has(item)) failed.set(item, name);
    }
  }
  return items.map((p, i) => {
    if (p instanceof Error) return p;
    const reason = failed.get(i);
    if (reason !== undefined) return invalid(reason);
    try {
      p.commit();
      return undefined;
    } catch (e) {
      return e instanceof Error ? e : new Error(String(e));
    }
  });
}

/** Runs `fn`, returning a thrown error instead of throwing (for per-item batch answers). */
export function attempt<T>(fn: () => T): T | Error {
  try {
    return fn();
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

function stateEpoch(cs: CachedState): number {
  return Math.floor(cs.state.slot / cs.config.preset.SLOTS_PER_EPOCH);
}

/** True when the state's epoch context holds the shuffling of `epoch` (its previous, current or next epoch). */
export function coversEpoch(cs: CachedState, epoch: number): boolean {
  const e = stateEpoch(cs);
  return epoch >= e - 1 && epoch <= e + 1;
}

/**
 * A state already computed whose shuffling of `epoch` is the one of the chain through `targetRoot` (the epoch's
 * checkpoint block): the target block's cached post-state, its cached checkpoint state, or the head's state or
 * checkpoint state when the head descends from the target. Never regenerates and never advances a state: throws
 * STATE_UNAVAILABLE (503) when none is at hand.
 */
export function shufflingState(chain: BeaconChain, epoch: number, targetRoot: string): CachedState {
  const candidates: (CachedState | undefined)[] = [
    chain.states.getBlockState(targetRoot),
    chain.peekCheckpointState(epoch, targetRoot),
  ];
  const head = chain.head();
  if (chain.forkChoice.isDescendant(targetRoot, head.root)) {
    candidates.push(chain.states.getBlockState(head.root), chain.peekCheckpointState(epoch, head.root));
    candidates.push(chain.peekCheckpointState(epoch + 1, head.root));
  }
  for (const cs of candidates) if (cs && coversEpoch(cs, epoch)) return cs;
  throw unavailable(`no computed state holds the committees of epoch ${epoch} (target ${targetRoot}); retry later`, {
    epoch,
    targetRoot,
  });
}

/** Per-chain bookkeeping of the validation layer. */
export interface ValidationRecord {
  /** Validators whose attestation (or aggregate as aggregator) was accepted, per target epoch. */
  readonly attesters: Map<number, Set<number>>;
  readonly aggregators: Map<number, Set<number>>;
  /** Validators seen live (attesting, aggregating, proposing through the API) per epoch. */
  readonly live: Map<number, Set<number>>;
  /** Sync committee messages accepted: `${slot}:${validator}`. */
  readonly syncMessages: Map<number, Set<number>>;
  /** Contributions accepted: `${slot}` → "aggregator:subcommittee". */
  readonly contributions: Map<number, Set<string>>;
}

const records = new WeakMap<BeaconChain, ValidationRecord>();

/** The validation bookkeeping of a chain (created on first use). */
export function validationRecord(chain: BeaconChain): ValidationRecord {
  let r = records.get(chain);
  if (r === undefined) {
    r = {
      attesters: new Map(),
      aggregators: new Map(),
      live: new Map(),
      syncMessages: new Map(),
      contributions: new Map(),
    };
    records.set(chain, r);
  }
  return r;
}

/** Keys of a map below `lowest` are dropped (bounded memory: a few epochs or slots are kept). */
export function pruneBelow<V>(map: Map<number, V>, lowest: number): void {
  for (const k of map.keys()) if (k < lowest) map.delete(k);
}

function setOf<V>(map: Map<number, Set<V>>, key: number): Set<V> {
  let s = map.get(key);
  if (s === undefined) {
    s = new Set();
    map.set(key, s);
  }
  return s;
}

/** Records validators seen live in `epoch` (keeps the last 4 epochs). */
export function markLive(chain: BeaconChain, epoch: number, indices: Iterable<number>): void {
  const r = validationRecord(chain);
  const s = setOf(r.live, epoch);
  for (const i of indices) s.add(i);
  pruneBelow(r.live, epoch - 4);
}

/** True when `index` was recorded live in `epoch`. */
export function isLive(chain: BeaconChain, epoch: number, index: number): boolean {
  return validationRecord(chain).live.get(epoch)?.has(index) ?? false;
}

/** Whether (key, member) was seen; `add` records it. Keeps keys ≥ key − keep. */
export function seen<V>(map: Map<number, Set<V>>, key: number, member: V, add: boolean, keep: number): boolean {
  const s = setOf(map, key);
  if (s.has(member)) return true;
  if (add) {
    s.add(member);
    pruneBelow(map, key - keep);
  }
  return false;
}

/** Verifies one prepared item and commits it; throws the named refusal when a set fails or the commit throws. */
export function commitOne(p: Prepared): void {
  const [result] = verifyAndCommit([p]);
  if (result) throw result;
}
