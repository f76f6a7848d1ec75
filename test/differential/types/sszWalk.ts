// Structural helpers for comparing two @chainsafe/ssz type trees that come from different copies of the library
// (ours and the oracle's): each type's kind is found by walking its prototype chain to a known library class, so
// subclasses (our strict JSON types, Lodestar's ValidatorNodeStructType, ExecutionAddressType) are recognised.
import { BitArray } from "@chainsafe/ssz";
import type { Rng } from "../../support/random.ts";

// biome-ignore lint/suspicious/noExplicitAny: walks types of two independent copies of @chainsafe/ssz
export type AnyType = any;

const KINDS = [
  "ContainerNodeStructType",
  "ContainerType",
  "ListUintNum64Type",
  "ListBasicType",
  "ListCompositeType",
  "VectorBasicType",
  "VectorCompositeType",
  "BitListType",
  "BitVectorType",
  "ByteListType",
  "ByteVectorType",
  "UintNumberType",
  "UintBigintType",
  "BooleanType",
] as const;
export type Kind = (typeof KINDS)[number];

/** The @chainsafe/ssz class a type is (or derives from). */
export function kindOf(t: AnyType): Kind {
  for (let proto = Object.getPrototypeOf(t); proto !== null; proto = Object.getPrototypeOf(proto)) {
    const name = proto.constructor?.name;
    if ((KINDS as readonly string[]).includes(name)) return name as Kind;
  }
  throw new Error(`not an ssz type: ${t?.constructor?.name}`);
}

export function isContainer(t: AnyType): boolean {
  const k = kindOf(t);
  return k === "ContainerType" || k === "ContainerNodeStructType";
}

/**
 * A canonical description of the SSZ shape (what serialization and hashing depend on): container field names, JSON
 * keys and order, list limits, vector lengths, byte sizes. Representation choices that do not change the encoding
 * (number or bigint, node-struct or plain container, the balances list class) are normalised away.
 */
export function describe(t: AnyType, seen = new Map<AnyType, string>()): string {
  const cached = seen.get(t);
  if (cached !== undefined) return cached;
  let out: string;
  switch (kindOf(t)) {
    case "ContainerType":
    case "ContainerNodeStructType":
      out = `{${t.fieldsEntries
        .map((e: AnyType) => `${e.fieldName}/${e.jsonKey}:${describe(e.fieldType, seen)}`)
        .join(",")}}`;
      break;
    case "ListUintNum64Type":
      out = `List[uint64,${t.limit}]`;
      break;
    case "ListBasicType":
    case "ListCompositeType":
      out = `List[${describe(t.elementType, seen)},${t.limit}]`;
      break;
    case "VectorBasicType":
    case "VectorCompositeType":
      out = `Vector[${describe(t.elementType, seen)},${t.length}]`;
      break;
    case "BitListType":
      out = `Bitlist[${t.limitBits}]`;
      break;
    case "BitVectorType":
      out = `Bitvector[${t.lengthBits}]`;
      break;
    case "ByteListType":
      out = `ByteList[${t.limitBytes}]`;
      break;
    case "ByteVectorType":
      out = `ByteVector[${t.lengthBytes}]`;
      break;
    case "UintNumberType":
    case "UintBigintType":
      out = `uint${t.byteLength * 8}`;
      break;
    case "BooleanType":
      out = "boolean";
      break;
  }
  seen.set(t, out);
  return out;
}

/** True for a 64-bit number type that maps 2**64-1 to Infinity. */
function clips(t: AnyType): boolean {
  return t !== undefined && kindOf(t) === "UintNumberType" && t.byteLength === 8 && t.clipInfinity === true;
}

/** Paths (a.b[].c) where `ours` maps 2**64-1 to Infinity and `oracle` does not, or the reverse. */
export function clipDivergences(ours: AnyType, oracle: AnyType, path = ""): string[] {
  if (clips(ours) !== clips(oracle)) return [`${path} (ours ${clips(ours)}, oracle ${clips(oracle)})`];
  if (isContainer(ours)) {
    return Object.keys(ours.fields).flatMap((k) => clipDivergences(ours.fields[k], oracle.fields[k], `${path}.${k}`));
  }
  if (ours.elementType !== undefined) return clipDivergences(ours.elementType, oracle.elementType, `${path}[]`);
  return [];
}

/** Bounds that keep random values small: variable-length collections get at most this many elements/bits/bytes. */
const MAX_LIST_ITEMS = 3;
const MAX_BITLIST_BITS = 40;
const MAX_BYTELIST_BYTES = 48;
/** Lists of elements this large or larger (blobs, 128 KiB) get at most one element: JSON of a blob is slow in the oracle. */
const LARGE_ELEMENT_BYTES = 16 * 1024;
/** Vectors longer than this are filled with one default element plus a few random ones (mainnet state vectors). */
const DENSE_VECTOR_MAX = 64;
const SPARSE_RANDOM_ELEMENTS = 4;

/** `n` pseudo-random bytes from one draw of `rng` (xorshift32 fill: fast for 128 KiB blobs). */
export function fastBytes(rng: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = rng.nextU32() | 1;
  for (let i = 0; i < n; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
    if (i + 1 < n) out[i + 1] = (x >>> 8) & 0xff;
    if (i + 2 < n) out[i + 2] = (x >>> 16) & 0xff;
    if (i + 3 < n) out[i + 3] = (x >>> 24) & 0xff;
  }
  return out;
}

function randomUint64Number(rng: Rng, infinityAllowed: boolean): number {
  switch (rng.int(6)) {
    case 0:
      return 0;
    case 1:
      return infinityAllowed ? Number.POSITIVE_INFINITY : Number.MAX_SAFE_INTEGER;
    case 2:
      return rng.int(256);
    default:
      return rng.int(2 ** 53);
  }
}

function randomBigint(rng: Rng, bytes: number): bigint {
  const max = (1n << BigInt(8 * bytes)) - 1n;
  const pick = rng.int(5);
  if (pick === 0) return 0n;
  if (pick === 1) return max;
  let v = 0n;
  for (let i = 0; i < bytes; i += 8) v = (v << 64n) | rng.nextU64();
  return v & max;
}

/**
 * A random value of our type `t`, walking the oracle's type `o` alongside: 2**64-1 (Infinity) is produced only where
 * both sides decode it to Infinity (elsewhere a uint64 number stays ≤ 2**53-1, a bigint covers the full range).
 */
export function randomValue(t: AnyType, o: AnyType, rng: Rng): unknown {
  switch (kindOf(t)) {
    case "ContainerType":
    case "ContainerNodeStructType": {
      const v: Record<string, unknown> = {};
      for (const k of Object.keys(t.fields)) v[k] = randomValue(t.fields[k], o?.fields[k], rng);
      return v;
    }
    case "ListUintNum64Type":
    case "ListBasicType":
    case "ListCompositeType": {
      const cap = (t.elementType.fixedSize ?? 0) >= LARGE_ELEMENT_BYTES ? 1 : MAX_LIST_ITEMS;
      const n = rng.int(Math.min(t.limit, cap) + 1);
      return Array.from({ length: n }, () => randomValue(t.elementType, o?.elementType, rng));
    }
    case "VectorBasicType":
    case "VectorCompositeType": {
      if (t.length <= DENSE_VECTOR_MAX) {
        return Array.from({ length: t.length }, () => randomValue(t.elementType, o?.elementType, rng));
      }
      const filler = randomValue(t.elementType, o?.elementType, rng);
      const v = new Array(t.length).fill(filler);
      for (let i = 0; i < SPARSE_RANDOM_ELEMENTS; i++) {
        v[rng.int(t.length)] = randomValue(t.elementType, o?.elementType, rng);
      }
      return v;
    }
    case "BitListType":
      return randomBits(rng, rng.int(Math.min(t.limitBits, MAX_BITLIST_BITS) + 1));
    case "BitVectorType":
      return randomBits(rng, t.lengthBits);
    case "ByteListType":
      return fastBytes(rng, rng.int(Math.min(t.limitBytes, MAX_BYTELIST_BYTES) + 1));
    case "ByteVectorType":
      return fastBytes(rng, t.lengthBytes);
    case "UintNumberType":
      if (t.byteLength < 8) return rng.int(2 ** (8 * t.byteLength));
      return randomUint64Number(rng, clips(t) && clips(o));
    case "UintBigintType":
      return randomBigint(rng, t.byteLength);
    case "BooleanType":
      return rng.bool();
  }
}

function randomBits(rng: Rng, bitLen: number): BitArray {
  const bits = BitArray.fromBitLen(bitLen);
  for (let i = 0; i < bitLen; i++) if (rng.int(3) === 0) bits.set(i, true);
  return bits;
}
