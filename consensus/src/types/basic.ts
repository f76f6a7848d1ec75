// Leaf SSZ types with strict Beacon-API JSON parsing. @chainsafe/ssz already writes the Beacon API's JSON (uint64 as
// decimal strings, bytes and bitfields as 0x-hex); its readers are lenient (a hex string without 0x, or with a
// non-hex digit that silently becomes 0, "12abc" read as 12). These subclasses keep the encoding and the value
// representation and only reject malformed JSON, so a bad request fails loudly instead of becoming other bytes. Also
// ExecutionAddress, whose JSON is EIP-55 checksummed.
import {
  type BitArray,
  BitListType,
  BitVectorType,
  ByteListType,
  ByteVectorType,
  ListUintNum64Type,
  UintBigintType,
  UintNumberType,
} from "@chainsafe/ssz";
import { keccak_256 as keccak256 } from "@noble/hashes/sha3";

/** Byte lengths and options the library's uint constructors accept (not exported by name from its index). */
type UintNumberByteLen = ConstructorParameters<typeof UintNumberType>[0];
type UintNumberOpts = NonNullable<ConstructorParameters<typeof UintNumberType>[1]>;
type UintBigintByteLen = ConstructorParameters<typeof UintBigintType>[0];

/** Decimal digits only: the Beacon API's uint encoding (a JSON string). */
const DECIMAL = /^[0-9]+$/;
/** 2**53 - 1: the largest integer a JS number holds exactly. */
const MAX_SAFE_INTEGER = BigInt(Number.MAX_SAFE_INTEGER);
/** 2**64 - 1: the uint64 that clipInfinity types represent as Infinity. */
const UINT64_MAX = (1n << 64n) - 1n;

/**
 * Reads a JSON unsigned integer of `byteLength` bytes as a bigint: a decimal string (the Beacon API form), or a
 * non-negative safe integer JSON number or a bigint (tolerated). Throws on anything else or on overflow.
 */
export function parseUintJson(json: unknown, byteLength: number): bigint {
  let value: bigint;
  if (typeof json === "string" && DECIMAL.test(json)) value = BigInt(json);
  else if (typeof json === "number" && Number.isSafeInteger(json) && json >= 0) value = BigInt(json);
  else if (typeof json === "bigint" && json >= 0n) value = json;
  else throw new Error(`invalid JSON uint${byteLength * 8}: ${describe(json)}`);
  if (value >= 1n << BigInt(8 * byteLength)) throw new Error(`JSON uint${byteLength * 8} out of range: ${json}`);
  return value;
}

/**
 * Bytes of a JSON 0x-prefixed hex string (either case, whole bytes); throws on anything else. Decodes natively, so a
 * 128 KiB blob takes well under a millisecond.
 */
export function parseHexJson(json: unknown): Uint8Array {
  if (typeof json !== "string" || !json.startsWith("0x") || json.length % 2 !== 0) {
    throw new Error(`invalid JSON hex bytes: ${describe(json)}`);
  }
  const bytes = Buffer.from(json.slice(2), "hex");
  // Buffer stops at the first non-hex pair: a short result means a bad digit.
  if (bytes.length !== (json.length - 2) / 2) throw new Error(`invalid JSON hex bytes: ${describe(json)}`);
  // A plain Uint8Array of its own (small Buffers are views into a shared pool).
  return new Uint8Array(bytes);
}

/** JSON 0x-prefixed lower-case hex of `bytes`. */
export function toHexJson(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")}`;
}

function describe(json: unknown): string {
  const s = typeof json === "string" ? JSON.stringify(json) : String(json);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** uintN as a JS number (64-bit values above 2**53 are rejected from JSON; 2**64-1 is Infinity if clipInfinity). */
export class StrictUintNumberType extends UintNumberType {
  /** Whether 2**64-1 maps to Infinity (the library keeps its own copy of the option private). */
  readonly maxIsInfinity: boolean;

  constructor(byteLength: UintNumberByteLen, opts?: UintNumberOpts) {
    super(byteLength, opts);
    this.maxIsInfinity = opts?.clipInfinity === true;
  }

  override fromJson(json: unknown): number {
    const value = parseUintJson(json, this.byteLength);
    if (value <= MAX_SAFE_INTEGER) return Number(value);
    if (this.maxIsInfinity && value === UINT64_MAX) return Number.POSITIVE_INFINITY;
    throw new Error(`JSON uint${this.byteLength * 8} ${value} exceeds 2**53-1`);
  }
}

/** uintN as a JS bigint (exact over the full range). */
export class StrictUintBigintType extends UintBigintType {
  override fromJson(json: unknown): bigint {
    return parseUintJson(json, this.byteLength);
  }
}

/** ByteVector[N]: JSON 0x-hex of exactly N bytes. */
export class StrictByteVectorType extends ByteVectorType {
  override fromJson(json: unknown): Uint8Array {
    const bytes = parseHexJson(json);
    if (bytes.length !== this.lengthBytes)
      throw new Error(`JSON ByteVector[${this.lengthBytes}] has ${bytes.length} bytes`);
    return bytes;
  }

  override toJson(value: Uint8Array): unknown {
    return toHexJson(value);
  }
}

/** ByteList[N]: JSON 0x-hex of at most N bytes. */
export class StrictByteListType extends ByteListType {
  override fromJson(json: unknown): Uint8Array {
    const bytes = parseHexJson(json);
    if (bytes.length > this.limitBytes) throw new Error(`JSON ByteList[${this.limitBytes}] has ${bytes.length} bytes`);
    return bytes;
  }

  override toJson(value: Uint8Array): unknown {
    return toHexJson(value);
  }
}

/** Bitlist[N]: JSON 0x-hex of its SSZ serialization (with the length bit). */
export class StrictBitListType extends BitListType {
  override fromJson(json: unknown): BitArray {
    return this.deserialize(parseHexJson(json));
  }
}

/** Bitvector[N]: JSON 0x-hex of its SSZ serialization. */
export class StrictBitVectorType extends BitVectorType {
  override fromJson(json: unknown): BitArray {
    return this.deserialize(parseHexJson(json));
  }
}

/** List[uint64, N] of numbers with the fast balances representation; JSON elements parsed strictly. */
export class StrictListUintNum64Type extends ListUintNum64Type {
  override fromJson(json: unknown): number[] {
    if (!Array.isArray(json)) throw new Error(`invalid JSON list: ${describe(json)}`);
    for (const item of json) {
      if (parseUintJson(item, 8) > MAX_SAFE_INTEGER) throw new Error(`JSON uint64 ${item} exceeds 2**53-1`);
    }
    return super.fromJson(json);
  }
}

/** A uintN number type (N = 8·byteLength). */
export function uintNum(byteLength: UintNumberByteLen, clipInfinity = false): StrictUintNumberType {
  return new StrictUintNumberType(byteLength, { clipInfinity });
}

/** A uintN bigint type (N = 8·byteLength). */
export function uintBn(byteLength: UintBigintByteLen): StrictUintBigintType {
  return new StrictUintBigintType(byteLength);
}

// ExecutionAddress (Bytes20) whose JSON is the EIP-55 mixed-case checksum form, as the Beacon API's examples and the
// reference clients write it. Any case is accepted on input (the API's pattern is ^0x[a-fA-F0-9]{40}$).

/** Bytes of an execution-layer address. */
const ADDRESS_BYTES = 20;

/** Bytes20 with EIP-55 checksummed JSON. */
export class ExecutionAddressType extends StrictByteVectorType {
  constructor() {
    super(ADDRESS_BYTES, { typeName: "ExecutionAddress" });
  }

  override toJson(value: Uint8Array): string {
    return toChecksumAddress(value);
  }
}

/**
 * EIP-55 checksum encoding of a 20-byte address: hex digit i is upper-case when it is a letter and nibble i of
 * keccak256(lower-case hex without 0x) is 8 or more.
 */
export function toChecksumAddress(address: Uint8Array): string {
  if (address.length !== ADDRESS_BYTES)
    throw new Error(`address must be ${ADDRESS_BYTES} bytes, got ${address.length}`);
  const lower = Buffer.from(address).toString("hex");
  const hash = keccak256(new TextEncoder().encode(lower));
  let out = "0x";
  for (let i = 0; i < lower.length; i++) {
    const nibble = i % 2 === 0 ? hash[i >> 1] >> 4 : hash[i >> 1] & 0x0f;
    out += nibble >= 8 ? lower[i].toUpperCase() : lower[i];
  }
  return out;
}
