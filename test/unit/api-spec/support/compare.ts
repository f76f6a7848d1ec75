// Comparing API values across a round trip: byte arrays of any class (Buffer, views) as hex, BitArrays by their
// bits, keys holding undefined dropped (an absent optional field), everything else as it is.
import { BitArray } from "@chainsafe/ssz";

/** A plain, comparable form of `value`. */
export function normalize(value: unknown): unknown {
  if (value instanceof Uint8Array)
    return `bytes:${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("hex")}`;
  if (value instanceof BitArray) return `bits:${value.bitLen}:${Buffer.from(value.uint8Array).toString("hex")}`;
  if (Array.isArray(value)) return value.map(normalize);
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = normalize(v);
    return out;
  }
  return value;
}
