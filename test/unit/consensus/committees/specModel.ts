// A literal, slow transcription of the spec's shuffling and sampling functions for the unit tests: node:crypto
// SHA-256 and BigInt arithmetic throughout, sharing no code with consensus/src/committees.
import { createHash } from "node:crypto";

export function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/** `uint_to_bytes(uintN(value))`, little-endian. */
export function uintToBytes(value: number | bigint, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let v = BigInt(value);
  for (let i = 0; i < bytes; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** `bytes_to_uint64`, little-endian. */
export function bytesToUint64(bytes: Uint8Array): bigint {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  return v;
}

export function specComputeShuffledIndex(index: number, indexCount: number, seed: Uint8Array, rounds: number): number {
  let idx = BigInt(index);
  const count = BigInt(indexCount);
  for (let round = 0; round < rounds; round++) {
    const pivot = bytesToUint64(sha256(seed, uintToBytes(round, 1)).subarray(0, 8)) % count;
    const flip = (pivot + count - idx) % count;
    const position = idx > flip ? idx : flip;
    const source = sha256(seed, uintToBytes(round, 1), uintToBytes(position / 256n, 4));
    const byte = source[Number((position % 256n) / 8n)];
    const bit = (byte >> Number(position % 8n)) % 2;
    if (bit) idx = flip;
  }
  return Number(idx);
}

export interface SpecSamplingPreset {
  SHUFFLE_ROUND_COUNT: number;
  MAX_EFFECTIVE_BALANCE: number;
  MAX_EFFECTIVE_BALANCE_ELECTRA: number;
}

/** The loop of compute_proposer_index / get_next_sync_committee_indices, phase0 (`electra` false) or electra rule. */
export function specSample(
  effectiveBalances: ArrayLike<number>,
  indices: ArrayLike<number>,
  seed: Uint8Array,
  electra: boolean,
  preset: SpecSamplingPreset,
  count: number,
  stats?: { attempts: number },
): number[] {
  const total = indices.length;
  const out: number[] = [];
  for (let i = 0; out.length < count; i++) {
    if (stats) stats.attempts = i + 1;
    const candidate = indices[specComputeShuffledIndex(i % total, total, seed, preset.SHUFFLE_ROUND_COUNT)];
    const eb = BigInt(effectiveBalances[candidate]);
    let accepted: boolean;
    if (electra) {
      const randomBytes = sha256(seed, uintToBytes(Math.floor(i / 16), 8));
      const offset = (i % 16) * 2;
      const randomValue = bytesToUint64(randomBytes.subarray(offset, offset + 2));
      accepted = eb * 65535n >= BigInt(preset.MAX_EFFECTIVE_BALANCE_ELECTRA) * randomValue;
    } else {
      const randomByte = BigInt(sha256(seed, uintToBytes(Math.floor(i / 32), 8))[i % 32]);
      accepted = eb * 255n >= BigInt(preset.MAX_EFFECTIVE_BALANCE) * randomByte;
    }
    if (accepted) out.push(candidate);
  }
  return out;
}
