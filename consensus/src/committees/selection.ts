// Selecting validators by effective balance: block proposers (`compute_proposer_index`, the pre-fulu
// `get_beacon_proposer_index`, fulu's `compute_proposer_indices`) and sync committees
// (`get_next_sync_committee_indices`). Both walk the shuffled active set and accept candidate i with probability
// effective_balance / max_effective_balance, using one random byte against MAX_EFFECTIVE_BALANCE (phase0 … deneb)
// or one random little-endian uint16 against MAX_EFFECTIVE_BALANCE_ELECTRA (electra and later) per attempt.
import { digest } from "@chainsafe/as-sha256";
import { type ForkName, isForkAtLeast } from "../params/forkName.ts";
import type { Preset } from "../params/presets/preset.ts";
import { computeSlotSeed, SEED_LENGTH, writeU64Le } from "./seed.ts";
import { createShuffledIndexFn, unshuffleList } from "./shuffle.ts";

/** Phase0 rule: MAX_RANDOM_BYTE = 2**8 - 1, one byte per attempt. */
const MAX_RANDOM_BYTE = 2 ** 8 - 1;
/** Electra rule: MAX_RANDOM_VALUE = 2**16 - 1, two bytes per attempt. */
const MAX_RANDOM_VALUE_ELECTRA = 2 ** 16 - 1;
/** A SHA-256 output yields 32 random bytes: 32 one-byte or 16 two-byte values. */
const HASH_LENGTH = 32;
/**
 * One lazy `compute_shuffled_index` lookup (SHUFFLE_ROUND_COUNT cache probes, most of them a fresh hash on a large
 * list) costs about as much as moving 256 positions through the whole-list shuffle (measured: ~1 µs per round per
 * lookup vs ~4 ns per round per position). So after total / 256 attempts the whole permutation is cheaper.
 */
const FULL_PERMUTATION_DIVISOR = 256;

/** The preset values the sampling loop reads. */
export type SamplingPreset = Pick<
  Preset,
  "SHUFFLE_ROUND_COUNT" | "MAX_EFFECTIVE_BALANCE" | "MAX_EFFECTIVE_BALANCE_ELECTRA" | "EFFECTIVE_BALANCE_INCREMENT"
>;

/**
 * Draws `count` validator indices (with possible repeats) from `activeIndices`, each accepted with probability
 * proportional to its effective balance, as the spec's sampling loops do. `effectiveBalances[v]` is validator v's
 * effective balance in Gwei. Electra and later forks use 16-bit random values against
 * MAX_EFFECTIVE_BALANCE_ELECTRA; earlier forks use random bytes against MAX_EFFECTIVE_BALANCE.
 */
export function sampleByEffectiveBalance(
  effectiveBalances: ArrayLike<number>,
  activeIndices: ArrayLike<number>,
  seed: Uint8Array,
  fork: ForkName,
  preset: SamplingPreset,
  count: number,
  largestEffectiveBalance?: number,
): Uint32Array {
  const total = activeIndices.length;
  if (total === 0) throw new RangeError("cannot sample from an empty active validator set");
  if (seed.length !== SEED_LENGTH) throw new RangeError(`seed must be ${SEED_LENGTH} bytes, got ${seed.length}`);
  const electra = isForkAtLeast(fork, "electra");
  const maxRandom = electra ? MAX_RANDOM_VALUE_ELECTRA : MAX_RANDOM_BYTE;
  const bytesPerValue = electra ? 2 : 1;
  const valuesPerHash = HASH_LENGTH / bytesPerValue;
  const maxEffectiveBalance = electra ? preset.MAX_EFFECTIVE_BALANCE_ELECTRA : preset.MAX_EFFECTIVE_BALANCE;
  const accept = makeAcceptance(maxRandom, maxEffectiveBalance, preset.EFFECTIVE_BALANCE_INCREMENT);
  const ceiling = largestEffectiveBalance ?? maxEffectiveBalanceOf(effectiveBalances, activeIndices);

  // compute_shuffled_index(i % total) either lazily per attempt or, once enough attempts are expected or made,
  // from the whole permutation (one pass over the list, see FULL_PERMUTATION_DIVISOR).
  const rounds = preset.SHUFFLE_ROUND_COUNT;
  const fullAfter = Math.ceil(total / FULL_PERMUTATION_DIVISOR);
  const lazyIndex = createShuffledIndexFn(total, seed, rounds);
  let permutation: Uint32Array | null = null;
  if (count > 1 && expectedAttempts(effectiveBalances, activeIndices, count, maxEffectiveBalance) >= fullAfter) {
    permutation = computePermutation(total, seed, rounds);
  }
  const randomInput = new Uint8Array(SEED_LENGTH + 8);
  randomInput.set(seed);
  let randomBytes: Uint8Array = new Uint8Array(0);
  let randomBlock = -1;

  const out = new Uint32Array(count);
  let selected = 0;
  let lookups = 0;
  for (let i = 0; selected < count; i++) {
    const block = Math.floor(i / valuesPerHash);
    if (block !== randomBlock) {
      writeU64Le(randomInput, SEED_LENGTH, block);
      randomBytes = digest(randomInput);
      randomBlock = block;
    }
    const offset = (i % valuesPerHash) * bytesPerValue;
    const random = electra ? randomBytes[offset] | (randomBytes[offset + 1] << 8) : randomBytes[offset];
    // A random value that even the largest effective balance of the set would reject rejects every candidate:
    // skip computing this attempt's shuffled index (the costly part), with the spec's result unchanged.
    if (!accept(ceiling, random)) continue;
    if (permutation === null && ++lookups >= fullAfter) permutation = computePermutation(total, seed, rounds);
    const position = i % total;
    const candidate = activeIndices[permutation === null ? lazyIndex(position) : permutation[position]];
    const effectiveBalance = effectiveBalances[candidate];
    if (effectiveBalance === undefined) throw new RangeError(`no effective balance for validator ${candidate}`);
    if (accept(effectiveBalance, random)) out[selected++] = candidate;
  }
  return out;
}

/** `perm[i] = compute_shuffled_index(i, total, seed)` for every i: the identity list, unshuffled. */
function computePermutation(total: number, seed: Uint8Array, rounds: number): Uint32Array {
  const identity = new Uint32Array(total);
  for (let i = 0; i < total; i++) identity[i] = i;
  return unshuffleList(identity, seed, rounds);
}

/** Expected attempts to draw `count` validators: count · max / mean effective balance of the active set. */
function expectedAttempts(
  effectiveBalances: ArrayLike<number>,
  activeIndices: ArrayLike<number>,
  count: number,
  maxEffectiveBalance: number,
): number {
  let sum = 0;
  for (let i = 0; i < activeIndices.length; i++) sum += effectiveBalances[activeIndices[i]] ?? 0;
  if (sum === 0) return Number.POSITIVE_INFINITY;
  return (count * maxEffectiveBalance * activeIndices.length) / sum;
}

/**
 * `effective_balance * maxRandom >= maxEffectiveBalance * random`, exact. The products reach 2**57 (2048 ETH in
 * Gwei × 2**16), past the 2**53 a double holds exactly, so both sides are divided by EFFECTIVE_BALANCE_INCREMENT
 * (effective balances are always multiples of it); any other balance falls back to BigInt.
 */
function makeAcceptance(
  maxRandom: number,
  maxEffectiveBalance: number,
  increment: number,
): (effectiveBalance: number, random: number) => boolean {
  const maxIncrements = maxEffectiveBalance / increment;
  const exact = Number.isInteger(maxIncrements);
  return (effectiveBalance, random) => {
    if (exact && effectiveBalance % increment === 0) {
      return (effectiveBalance / increment) * maxRandom >= maxIncrements * random;
    }
    return BigInt(effectiveBalance) * BigInt(maxRandom) >= BigInt(maxEffectiveBalance) * BigInt(random);
  };
}

/** The preset values proposer selection reads. */
export type ProposerPreset = SamplingPreset & Pick<Preset, "SLOTS_PER_EPOCH">;

/**
 * `compute_proposer_index(state, indices, seed)`: one validator from `activeIndices`, sampled by effective balance
 * (`effectiveBalances[v]` in Gwei). `fork` selects the rule: electra and later use 16-bit random values against
 * MAX_EFFECTIVE_BALANCE_ELECTRA, earlier forks random bytes against MAX_EFFECTIVE_BALANCE. Throws on an empty set.
 */
export function computeProposerIndex(
  effectiveBalances: ArrayLike<number>,
  activeIndices: ArrayLike<number>,
  seed: Uint8Array,
  fork: ForkName,
  preset: SamplingPreset,
  largestEffectiveBalance?: number,
): number {
  return sampleByEffectiveBalance(effectiveBalances, activeIndices, seed, fork, preset, 1, largestEffectiveBalance)[0];
}

/**
 * The proposer of `slot` as the pre-fulu `get_beacon_proposer_index` computes it: `epochSeed` is
 * `get_seed(state, epoch_of(slot), DOMAIN_BEACON_PROPOSER)` and the slot seed is `hash(epochSeed + uint64(slot))`.
 */
export function computeBeaconProposerIndex(
  effectiveBalances: ArrayLike<number>,
  activeIndices: ArrayLike<number>,
  epochSeed: Uint8Array,
  slot: number,
  fork: ForkName,
  preset: SamplingPreset,
  largestEffectiveBalance?: number,
): number {
  return computeProposerIndex(
    effectiveBalances,
    activeIndices,
    computeSlotSeed(epochSeed, slot),
    fork,
    preset,
    largestEffectiveBalance,
  );
}

/**
 * The proposers of every slot of `epoch` (fulu's `compute_proposer_indices(state, epoch, seed, indices)`; before
 * fulu, what `get_beacon_proposer_index` yields slot by slot). `epochSeed` is
 * `get_seed(state, epoch, DOMAIN_BEACON_PROPOSER)`. Returns SLOTS_PER_EPOCH validator indices, first slot first.
 */
export function computeEpochProposers(
  effectiveBalances: ArrayLike<number>,
  activeIndices: ArrayLike<number>,
  epochSeed: Uint8Array,
  epoch: number,
  fork: ForkName,
  preset: ProposerPreset,
): Uint32Array {
  const slots = preset.SLOTS_PER_EPOCH;
  const startSlot = epoch * slots;
  const out = new Uint32Array(slots);
  const largest = maxEffectiveBalanceOf(effectiveBalances, activeIndices);
  for (let i = 0; i < slots; i++) {
    out[i] = computeBeaconProposerIndex(
      effectiveBalances,
      activeIndices,
      epochSeed,
      startSlot + i,
      fork,
      preset,
      largest,
    );
  }
  return out;
}

/** Fulu's name for `computeEpochProposers`: `compute_proposer_indices(state, epoch, seed, indices)`. */
export const computeProposerIndices: typeof computeEpochProposers = computeEpochProposers;

/** The preset values sync committee selection reads. */
export type SyncCommitteePreset = SamplingPreset & Pick<Preset, "SYNC_COMMITTEE_SIZE">;

/**
 * `get_next_sync_committee_indices(state)` on plain inputs: `activeIndices` are the active validators of the next
 * epoch (current + 1), `seed` is `get_seed(state, current + 1, DOMAIN_SYNC_COMMITTEE)`, `effectiveBalances[v]` in
 * Gwei. Returns SYNC_COMMITTEE_SIZE validator indices, possibly repeated. Throws before altair or on an empty set.
 */
export function computeSyncCommitteeIndices(
  effectiveBalances: ArrayLike<number>,
  activeIndices: ArrayLike<number>,
  seed: Uint8Array,
  fork: ForkName,
  preset: SyncCommitteePreset,
): Uint32Array {
  if (!isForkAtLeast(fork, "altair")) throw new RangeError(`no sync committees in ${fork}`);
  return sampleByEffectiveBalance(effectiveBalances, activeIndices, seed, fork, preset, preset.SYNC_COMMITTEE_SIZE);
}

/** The largest effective balance among `activeIndices` (what no sampling attempt can exceed). */
export function maxEffectiveBalanceOf(effectiveBalances: ArrayLike<number>, activeIndices: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < activeIndices.length; i++) {
    const b = effectiveBalances[activeIndices[i]] ?? 0;
    if (b > max) max = b;
  }
  return max;
}
