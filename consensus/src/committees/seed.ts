// Seeds: `get_seed` (given the RANDAO mix the caller read from its state) and the per-slot proposer seed; and the
// little-endian integer helpers the shuffling code shares (exact uint64 encoding and reduction without BigInt).
import { digest } from "@chainsafe/as-sha256";
import type { Preset } from "../params/presets/preset.ts";

/** Length of a seed (Bytes32). */
export const SEED_LENGTH = 32;
/** Length of a DomainType (Bytes4). */
const DOMAIN_TYPE_LENGTH = 4;
/** Length of a uint64 encoded by `uint_to_bytes`. */
const UINT64_LENGTH = 8;
/** Length of a RANDAO mix (Bytes32). */
const MIX_LENGTH = 32;

/**
 * `get_seed` given its inputs: `hash(domain_type + uint_to_bytes(uint64(epoch)) + mix)`. The caller supplies the
 * mix the spec reads, `randao_mixes[randaoMixIndexForSeed(epoch, preset)]`.
 */
export function computeSeed(randaoMix: Uint8Array, domainType: Uint8Array, epoch: number): Uint8Array {
  if (domainType.length !== DOMAIN_TYPE_LENGTH) throw new RangeError(`domain type must be 4 bytes`);
  if (randaoMix.length !== MIX_LENGTH) throw new RangeError(`randao mix must be 32 bytes`);
  const input = new Uint8Array(DOMAIN_TYPE_LENGTH + UINT64_LENGTH + MIX_LENGTH);
  input.set(domainType, 0);
  writeU64Le(input, DOMAIN_TYPE_LENGTH, epoch);
  input.set(randaoMix, DOMAIN_TYPE_LENGTH + UINT64_LENGTH);
  return digest(input);
}

/**
 * Position in `state.randao_mixes` of the mix `get_seed(state, epoch, …)` uses: the mix of epoch
 * `epoch - MIN_SEED_LOOKAHEAD - 1`, written without underflow as the spec does, modulo EPOCHS_PER_HISTORICAL_VECTOR.
 */
export function randaoMixIndexForSeed(
  epoch: number,
  preset: Pick<Preset, "EPOCHS_PER_HISTORICAL_VECTOR" | "MIN_SEED_LOOKAHEAD">,
): number {
  const vector = preset.EPOCHS_PER_HISTORICAL_VECTOR;
  return (epoch + vector - preset.MIN_SEED_LOOKAHEAD - 1) % vector;
}

/** The proposer seed of one slot: `hash(epoch_seed + uint_to_bytes(uint64(slot)))`. */
export function computeSlotSeed(epochSeed: Uint8Array, slot: number): Uint8Array {
  if (epochSeed.length !== SEED_LENGTH) throw new RangeError(`seed must be ${SEED_LENGTH} bytes`);
  const input = new Uint8Array(SEED_LENGTH + UINT64_LENGTH);
  input.set(epochSeed, 0);
  writeU64Le(input, SEED_LENGTH, slot);
  return digest(input);
}

// --- Little-endian integers, exact without BigInt.

/** 2**32: the weight of the high 32-bit word of a little-endian uint64. */
const TWO_POW_32 = 0x1_0000_0000;
/** 2**16: a uint64 is reduced modulo n in 16-bit steps so every intermediate stays below 2**53 (exact). */
const TWO_POW_16 = 0x1_0000;
/** Largest modulus `u64LeMod` accepts: keeps `residue * 2**16 + 2**16` below 2**53. */
const MAX_U64_MODULUS = 2 ** 36;

/**
 * Writes `value` (an integer in [0, 2**53)) as a little-endian uint64 at `offset` — the spec's
 * `uint_to_bytes(uint64(value))`.
 */
export function writeU64Le(out: Uint8Array, offset: number, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`not a uint64 in the safe range: ${value}`);
  const lo = value % TWO_POW_32;
  const hi = (value - lo) / TWO_POW_32;
  out[offset] = lo & 0xff;
  out[offset + 1] = (lo >>> 8) & 0xff;
  out[offset + 2] = (lo >>> 16) & 0xff;
  out[offset + 3] = lo >>> 24;
  out[offset + 4] = hi & 0xff;
  out[offset + 5] = (hi >>> 8) & 0xff;
  out[offset + 6] = (hi >>> 16) & 0xff;
  out[offset + 7] = hi >>> 24;
}

/** Writes `value` (an integer in [0, 2**32)) as a little-endian uint32 at `offset`. */
export function writeU32Le(out: Uint8Array, offset: number, value: number): void {
  out[offset] = value & 0xff;
  out[offset + 1] = (value >>> 8) & 0xff;
  out[offset + 2] = (value >>> 16) & 0xff;
  out[offset + 3] = value >>> 24;
}

/** Reads a little-endian uint32 at `offset`. */
export function readU32Le(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16) | (bytes[offset + 3] << 24)) >>> 0;
}

/**
 * `bytes_to_uint64(bytes[offset:offset+8]) % modulus`, exact for any modulus in [1, 2**36] without BigInt:
 * the value is hi·2**32 + lo, and the high word is multiplied by 2**32 in two 2**16 steps, reducing after each.
 */
export function u64LeMod(bytes: Uint8Array, offset: number, modulus: number): number {
  if (!Number.isInteger(modulus) || modulus < 1 || modulus > MAX_U64_MODULUS) {
    throw new RangeError(`modulus out of range: ${modulus}`);
  }
  const lo = readU32Le(bytes, offset);
  const hi = readU32Le(bytes, offset + 4);
  let r = hi % modulus;
  r = (r * TWO_POW_16) % modulus;
  r = (r * TWO_POW_16) % modulus;
  return (r + lo) % modulus;
}
