// The swap-or-not shuffle (phase0 `compute_shuffled_index`), one index at a time as the spec writes it, and over a
// whole list at once: each round is an involution pairing position i with (pivot - i) mod n, and a pair swaps when
// the source bit of its larger position is set. Walking the pairs outward from the pivot lets one hash serve 256
// positions, so a whole list costs about n/256 hashes per round instead of 2n.
import { digest } from "@chainsafe/as-sha256";
import { SEED_LENGTH, u64LeMod, writeU32Le } from "./seed.ts";

/** Positions served by one source hash: 32 bytes × 8 bits. */
const POSITIONS_PER_HASH = 256;
/** Bytes in one source hash. */
const HASH_LENGTH = 32;
/** Offset of the round byte in a hash input: right after the seed. */
const ROUND_OFFSET = SEED_LENGTH;
/** Offset of the uint32 `position // 256` in a source-hash input: after the seed and the round byte. */
const POSITION_OFFSET = SEED_LENGTH + 1;
/** The round is encoded as a uint8, so at most 256 rounds exist. */
const MAX_ROUNDS = 256;
/** Index counts must fit a uint32 (validator indices live in Uint32Arrays; the spec encodes position // 256 as uint32). */
const MAX_INDEX_COUNT = 2 ** 32;

/** Throws unless `seed` is 32 bytes, `rounds` an integer in [0, 256) and `indexCount` an integer in [0, 2**32]. */
export function assertShuffleArgs(indexCount: number, seed: Uint8Array, rounds: number): void {
  if (seed.length !== SEED_LENGTH) throw new RangeError(`seed must be ${SEED_LENGTH} bytes, got ${seed.length}`);
  if (!Number.isInteger(rounds) || rounds < 0 || rounds >= MAX_ROUNDS) throw new RangeError(`bad rounds: ${rounds}`);
  if (!Number.isInteger(indexCount) || indexCount < 0 || indexCount > MAX_INDEX_COUNT) {
    throw new RangeError(`bad index count: ${indexCount}`);
  }
}

/** Hash inputs `seed ‖ round` (pivot) and `seed ‖ round ‖ uint32(position // 256)` (source), reused across rounds. */
export function makeHashInputs(seed: Uint8Array): { pivotInput: Uint8Array; sourceInput: Uint8Array } {
  const pivotInput = new Uint8Array(SEED_LENGTH + 1);
  pivotInput.set(seed);
  const sourceInput = new Uint8Array(SEED_LENGTH + 1 + 4);
  sourceInput.set(seed);
  return { pivotInput, sourceInput };
}

/** `bytes_to_uint64(hash(seed + uint8(round))[0:8]) % indexCount`, using the caller's reusable input buffer. */
export function computePivot(pivotInput: Uint8Array, round: number, indexCount: number): number {
  pivotInput[ROUND_OFFSET] = round;
  return u64LeMod(digest(pivotInput), 0, indexCount);
}

/** `hash(seed + uint8(round) + uint32(chunk))`: the source bits of positions [256·chunk, 256·chunk + 256). */
export function computeSource(sourceInput: Uint8Array, round: number, chunk: number): Uint8Array {
  sourceInput[ROUND_OFFSET] = round;
  writeU32Le(sourceInput, POSITION_OFFSET, chunk);
  return digest(sourceInput);
}

/**
 * The spec's `compute_shuffled_index(index, index_count, seed)` with `rounds` = SHUFFLE_ROUND_COUNT: where position
 * `index` of a list of `indexCount` lands under the permutation defined by `seed`. Two hashes per round; for many
 * lookups with one seed use `createShuffledIndexFn`, for a whole list `unshuffleList`.
 */
export function computeShuffledIndex(index: number, indexCount: number, seed: Uint8Array, rounds: number): number {
  assertShuffleArgs(indexCount, seed, rounds);
  if (!Number.isInteger(index) || index < 0 || index >= indexCount) {
    throw new RangeError(`index ${index} out of range for count ${indexCount}`);
  }
  const { pivotInput, sourceInput } = makeHashInputs(seed);
  for (let round = 0; round < rounds; round++) {
    const pivot = computePivot(pivotInput, round, indexCount);
    const flip = (pivot + indexCount - index) % indexCount;
    const position = Math.max(index, flip);
    const source = computeSource(sourceInput, round, Math.floor(position / POSITIONS_PER_HASH));
    const byte = source[(position % POSITIONS_PER_HASH) >>> 3];
    if ((byte >>> (position % 8)) & 1) index = flip;
  }
  return index;
}

/**
 * Applies every round of the swap-or-not network to `list` in place, in ascending round order (`forwards`) or
 * descending. Per round: hash only the 256-position chunks the round reads into one bit array, then walk the pairs
 * (i, pivot − i) for i ≤ pivot/2 and (i, pivot + n − i) for pivot < i < (pivot + n + 1)/2, swapping when the bit
 * of the larger position (always the second element) is set.
 */
function applyRounds(list: Uint32Array, seed: Uint8Array, rounds: number, forwards: boolean): Uint32Array {
  const n = list.length;
  assertShuffleArgs(n, seed, rounds);
  if (n <= 1) return list;
  const { pivotInput, sourceInput } = makeHashInputs(seed);
  // Source bits of the whole list, chunk c at byte c·32: the bit of position j is bits[j >> 3] >> (j & 7).
  const bits = new Uint8Array(Math.ceil(n / POSITIONS_PER_HASH) * HASH_LENGTH);
  const lastPosition = n - 1;
  for (let k = 0; k < rounds; k++) {
    const round = forwards ? k : rounds - 1 - k;
    const pivot = computePivot(pivotInput, round, n);
    // First walk: i in [0, mirror1), j = pivot − i runs down from pivot.
    const mirror1 = Math.floor((pivot + 1) / 2);
    // Second walk: i in [pivot + 1, mirror2), j = pivot + n − i runs down from n − 1.
    const mirror2 = Math.floor((pivot + n + 1) / 2);
    let nextChunk = 0;
    if (mirror1 > 0) nextChunk = fillSources(bits, sourceInput, round, pivot - mirror1 + 1, pivot, nextChunk);
    if (mirror2 > pivot + 1) fillSources(bits, sourceInput, round, pivot + n - mirror2 + 1, lastPosition, nextChunk);

    // Branch-free conditional swap (the bits are random, so a branch would mispredict half the time): the mask
    // is all ones when the bit is set, and x ^ ((x ^ y) & mask) selects y.
    for (let i = 0, j = pivot; i < mirror1; i++, j--) {
      const mask = -((bits[j >>> 3] >>> (j & 7)) & 1);
      const x = list[i];
      const y = list[j];
      const d = (x ^ y) & mask;
      list[i] = x ^ d;
      list[j] = y ^ d;
    }
    for (let i = pivot + 1, j = lastPosition; i < mirror2; i++, j--) {
      const mask = -((bits[j >>> 3] >>> (j & 7)) & 1);
      const x = list[i];
      const y = list[j];
      const d = (x ^ y) & mask;
      list[i] = x ^ d;
      list[j] = y ^ d;
    }
  }
  return list;
}

/** Hashes the chunks covering positions [lo, hi] (skipping chunks below `fromChunk`); returns the next chunk. */
function fillSources(
  bits: Uint8Array,
  sourceInput: Uint8Array,
  round: number,
  lo: number,
  hi: number,
  fromChunk: number,
): number {
  const last = Math.floor(hi / POSITIONS_PER_HASH);
  for (let c = Math.max(fromChunk, Math.floor(lo / POSITIONS_PER_HASH)); c <= last; c++) {
    bits.set(computeSource(sourceInput, round, c), c * HASH_LENGTH);
  }
  return last + 1;
}

/**
 * Rearranges `list` in place so that `list'[i] = list[compute_shuffled_index(i, n, seed)]`: the order in which
 * `compute_committee` draws members, so committee k of an epoch is a contiguous slice. (Named as in Lighthouse and
 * Lodestar: it applies the rounds last to first.) Returns `list`.
 */
export function unshuffleList(list: Uint32Array, seed: Uint8Array, rounds: number): Uint32Array {
  return applyRounds(list, seed, rounds, false);
}

/**
 * The inverse of `unshuffleList`, in place: `list'[compute_shuffled_index(i, n, seed)] = list[i]`, i.e. element i
 * moves to its shuffled position. Returns `list`.
 */
export function shuffleList(list: Uint32Array, seed: Uint8Array, rounds: number): Uint32Array {
  return applyRounds(list, seed, rounds, true);
}

// --- Many lookups under one seed: proposer and sync-committee selection call compute_shuffled_index for
// consecutive indices with one seed, which would otherwise cost 2·rounds hashes per candidate.

/** A `compute_shuffled_index` bound to one (indexCount, seed, rounds). */
export type ShuffledIndexFn = (index: number) => number;

/**
 * Returns `index => compute_shuffled_index(index, indexCount, seed)` with SHUFFLE_ROUND_COUNT = `rounds`, sharing
 * pivots and source hashes across calls. Same result as `computeShuffledIndex`, at most one hash per
 * (round, 256-position chunk) over the function's lifetime.
 */
export function createShuffledIndexFn(indexCount: number, seed: Uint8Array, rounds: number): ShuffledIndexFn {
  assertShuffleArgs(indexCount, seed, rounds);
  const { pivotInput, sourceInput } = makeHashInputs(seed);
  const pivots = new Float64Array(rounds);
  if (indexCount > 0) {
    for (let round = 0; round < rounds; round++) pivots[round] = computePivot(pivotInput, round, indexCount);
  }
  const chunkCount = Math.ceil(indexCount / POSITIONS_PER_HASH);
  // Keyed by round · chunkCount + chunk (< 256 · 2**24, an exact integer).
  const sources = new Map<number, Uint8Array>();

  return (index: number): number => {
    if (!Number.isInteger(index) || index < 0 || index >= indexCount) {
      throw new RangeError(`index ${index} out of range for count ${indexCount}`);
    }
    for (let round = 0; round < rounds; round++) {
      const pivot = pivots[round];
      const flip = (pivot + indexCount - index) % indexCount;
      const position = index > flip ? index : flip;
      const chunk = Math.floor(position / POSITIONS_PER_HASH);
      const key = round * chunkCount + chunk;
      let source = sources.get(key);
      if (source === undefined) {
        source = computeSource(sourceInput, round, chunk);
        sources.set(key, source);
      }
      if ((source[(position % POSITIONS_PER_HASH) >>> 3] >>> (position % 8)) & 1) index = flip;
    }
    return index;
  };
}
