// Small bitfield helpers for the pools: aggregation bits kept as little-endian Uint8Array bitfields of a known
// length (the SSZ Bitlist/Bitvector byte layout), with subset, disjointness and union tests.
import { BitArray } from "@chainsafe/ssz";

/** A bitfield of `length` bits; bit i is bit (i % 8) of byte i / 8. */
export interface Bits {
  readonly bytes: Uint8Array;
  readonly length: number;
}

/** An all-zero bitfield of `length` bits. */
export function emptyBits(length: number): Bits {
  return { bytes: new Uint8Array(Math.ceil(length / 8)), length };
}

/** A copy of an SSZ BitArray's bits. */
export function bitsOf(array: BitArray): Bits {
  return { bytes: Uint8Array.from(array.uint8Array), length: array.bitLen };
}

/** The bits as an SSZ BitArray (copied). */
export function toBitArray(bits: Bits): BitArray {
  return new BitArray(Uint8Array.from(bits.bytes), bits.length);
}

/** Bit `i`. */
export function getBit(bits: Bits, i: number): boolean {
  return ((bits.bytes[i >> 3] >> (i & 7)) & 1) === 1;
}

/** Sets bit `i` in place. */
export function setBit(bits: Bits, i: number): void {
  bits.bytes[i >> 3] |= 1 << (i & 7);
}

/** The number of set bits. */
export function countBits(bits: Bits): number {
  let n = 0;
  for (const byte of bits.bytes) {
    let b = byte;
    while (b) {
      b &= b - 1;
      n++;
    }
  }
  return n;
}

/** Indices of the set bits, ascending. */
export function setIndices(bits: Bits): number[] {
  const out: number[] = [];
  for (let i = 0; i < bits.length; i++) if (getBit(bits, i)) out.push(i);
  return out;
}

/** True when every bit of `a` is set in `b` (same length). */
export function isSubset(a: Bits, b: Bits): boolean {
  for (let i = 0; i < a.bytes.length; i++) if ((a.bytes[i] & ~b.bytes[i]) !== 0) return false;
  return true;
}

/** True when `a` and `b` share no set bit. */
export function isDisjoint(a: Bits, b: Bits): boolean {
  for (let i = 0; i < a.bytes.length; i++) if ((a.bytes[i] & b.bytes[i]) !== 0) return false;
  return true;
}

/** The union of two bitfields of the same length. */
export function union(a: Bits, b: Bits): Bits {
  const bytes = new Uint8Array(a.bytes.length);
  for (let i = 0; i < bytes.length; i++) bytes[i] = a.bytes[i] | b.bytes[i];
  return { bytes, length: a.length };
}

/** True when no bit beyond `length` is set in the last byte (a well-formed bitfield). */
export function hasNoPadding(bits: Bits): boolean {
  const rem = bits.length & 7;
  if (rem === 0) return true;
  return bits.bytes[bits.bytes.length - 1] >> rem === 0;
}
