// A state with its caches: the tree-backed view of one fork's BeaconState and the EpochContext derived from it.
// Every transition function takes a CachedState and mutates it in place; callers clone first when they need the
// pre-state (cloning shares the tree and the immutable caches, so it is cheap).
import type { ForkName } from "../params/forkName.ts";
import { forkNameAtEpoch } from "../params/forkSchedule.ts";
import { EpochContext } from "./epochContext.ts";
import type { PubkeyCache } from "./pubkeyCache.ts";
import type { AnyState, BeaconConfig } from "./types.ts";

/** A BeaconState view of fork `fork` and its epoch caches. */
export interface CachedState {
  readonly config: BeaconConfig;
  /** The fork of `state`'s type (what `state.fork.current_version` names). */
  fork: ForkName;
  state: AnyState;
  ctx: EpochContext;
}

/** The fork whose state type a state at `slot` has under `config`. */
export function forkAtSlot(config: BeaconConfig, slot: number): ForkName {
  return forkNameAtEpoch(config.chain, Math.floor(slot / config.preset.SLOTS_PER_EPOCH));
}

/** Wraps a state view with freshly built caches. `pubkeys` shares the chain's pubkey cache when given. */
export function createCachedState(
  config: BeaconConfig,
  state: AnyState,
  fork: ForkName = forkAtSlot(config, state.slot),
  pubkeys?: PubkeyCache,
): CachedState {
  return { config, fork, state, ctx: EpochContext.fromState(config, state, fork, pubkeys) };
}

/** A copy that can be mutated without affecting `cs` (tree and immutable caches shared). */
export function cloneCachedState(cs: CachedState): CachedState {
  cs.state.commit();
  return { config: cs.config, fork: cs.fork, state: cs.state.clone(), ctx: cs.ctx.clone() };
}

/** Deserializes a state of fork `fork` from SSZ bytes into a tree-backed view with caches. */
export function loadCachedState(
  config: BeaconConfig,
  bytes: Uint8Array,
  fork?: ForkName,
  pubkeys?: PubkeyCache,
): CachedState {
  const stateFork = fork ?? forkOfStateBytes(config, bytes);
  const view = config.types[stateFork].BeaconState.deserializeToViewDU(bytes) as AnyState;
  return createCachedState(config, view, stateFork, pubkeys);
}

/**
 * The fork of a serialized BeaconState, from its slot (bytes 40..48: genesis_time u64, genesis_validators_root,
 * then slot) and the config's schedule.
 */
export function forkOfStateBytes(config: BeaconConfig, bytes: Uint8Array): ForkName {
  if (bytes.length < 48) throw new RangeError(`a BeaconState has more than 48 bytes, got ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const slot = view.getUint32(40, true) + view.getUint32(44, true) * 2 ** 32;
  return forkAtSlot(config, slot);
}
