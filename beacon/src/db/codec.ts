// Binary layouts of the beacon database: big-endian slot keys (so lmdb's byte order is slot order), the block and
// state records (fork name + SSZ bytes), and the few fixed SSZ offsets the store reads without deserializing.
import { type ForkName, isForkName } from "@sextant/consensus/params/index";
import { DbError } from "./errors.ts";

/** Bytes in a root (block root, state root, genesis validators root). */
export const ROOT_LENGTH = 32;

/**
 * SignedBeaconBlock (every fork, blinded too): the fixed part is the 4-byte offset of `message` and the 96-byte
 * signature, so the message starts at byte 100 and begins with slot (uint64), proposer_index (uint64), parent_root.
 */
const SIGNED_BLOCK_MESSAGE_OFFSET = 100;
const SIGNED_BLOCK_SLOT_OFFSET = SIGNED_BLOCK_MESSAGE_OFFSET;
const SIGNED_BLOCK_PARENT_ROOT_OFFSET = SIGNED_BLOCK_MESSAGE_OFFSET + 16;
/** Fixed part of BeaconBlock: slot, proposer_index, parent_root, state_root, body offset. */
const SIGNED_BLOCK_MIN_LENGTH = SIGNED_BLOCK_MESSAGE_OFFSET + 8 + 8 + 32 + 32 + 4;
/** BeaconState (every fork) starts with genesis_time (uint64), genesis_validators_root (32 bytes), slot (uint64). */
const STATE_SLOT_OFFSET = 40;
const STATE_MIN_LENGTH = STATE_SLOT_OFFSET + 8;

/** Lower-case 0x-hex of some bytes, for error contexts and logs. */
export function toHex(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")}`;
}

/** Throws unless `root` is a 32-byte Uint8Array; `what` names it in the error. */
export function assertRoot(root: Uint8Array, what: string): void {
  if (!(root instanceof Uint8Array) || root.length !== ROOT_LENGTH) {
    throw new DbError("DB_INVALID_ARGUMENT", `${what} must be ${ROOT_LENGTH} bytes`, {
      what,
      length: root instanceof Uint8Array ? root.length : typeof root,
    });
  }
}

/** Throws unless `slot` is a non-negative safe integer. */
export function assertSlot(slot: number, what: string): void {
  if (!Number.isSafeInteger(slot) || slot < 0) {
    throw new DbError("DB_INVALID_ARGUMENT", `${what} must be a non-negative safe integer`, { what, slot });
  }
}

function assertFork(fork: string, what: string): asserts fork is ForkName {
  if (typeof fork !== "string" || !isForkName(fork)) {
    throw new DbError("DB_INVALID_ARGUMENT", `${what} is not a known fork name`, { what, fork });
  }
}

function readUint64LE(bytes: Uint8Array, offset: number): number {
  const lo = bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16) | (bytes[offset + 3] << 24);
  const hi = bytes[offset + 4] | (bytes[offset + 5] << 8) | (bytes[offset + 6] << 16) | (bytes[offset + 7] << 24);
  const value = (hi >>> 0) * 2 ** 32 + (lo >>> 0);
  if (!Number.isSafeInteger(value)) {
    throw new DbError("DB_INVALID_ARGUMENT", "uint64 in SSZ bytes exceeds 2^53 - 1", { offset });
  }
  return value;
}

/** Slot as an 8-byte big-endian key: lexicographic byte order equals numeric order. */
export function encodeSlotKey(slot: number): Uint8Array {
  assertSlot(slot, "slot");
  const key = new Uint8Array(8);
  const view = new DataView(key.buffer);
  view.setUint32(0, Math.floor(slot / 2 ** 32));
  view.setUint32(4, slot >>> 0);
  return key;
}

/** Inverse of encodeSlotKey (reads the first 8 bytes of `key`). */
export function decodeSlotKey(key: Uint8Array): number {
  if (key.length < 8) throw new DbError("DB_CORRUPT", "slot key shorter than 8 bytes", { length: key.length });
  const view = new DataView(key.buffer, key.byteOffset, 8);
  return view.getUint32(0) * 2 ** 32 + view.getUint32(4);
}

/** Key of the state-snapshot slot index: slot (8 bytes BE) then state root, so several states may share a slot. */
export function encodeSlotRootKey(slot: number, root: Uint8Array): Uint8Array {
  const key = new Uint8Array(8 + ROOT_LENGTH);
  key.set(encodeSlotKey(slot), 0);
  key.set(root, 8);
  return key;
}

/** Splits a key made by encodeSlotRootKey. */
export function decodeSlotRootKey(key: Uint8Array): { slot: number; root: Uint8Array } {
  if (key.length !== 8 + ROOT_LENGTH) {
    throw new DbError("DB_CORRUPT", "state slot index key has the wrong length", { length: key.length });
  }
  return { slot: decodeSlotKey(key), root: new Uint8Array(key.subarray(8)) };
}

/** The slot of a serialized SignedBeaconBlock (any fork), read at its fixed offset; throws if it cannot be one. */
export function signedBlockSlot(ssz: Uint8Array): number {
  assertSignedBlockShape(ssz);
  return readUint64LE(ssz, SIGNED_BLOCK_SLOT_OFFSET);
}

/** The parent root of a serialized SignedBeaconBlock (any fork). */
export function signedBlockParentRoot(ssz: Uint8Array): Uint8Array {
  assertSignedBlockShape(ssz);
  return new Uint8Array(ssz.subarray(SIGNED_BLOCK_PARENT_ROOT_OFFSET, SIGNED_BLOCK_PARENT_ROOT_OFFSET + ROOT_LENGTH));
}

function assertSignedBlockShape(ssz: Uint8Array): void {
  if (!(ssz instanceof Uint8Array) || ssz.length < SIGNED_BLOCK_MIN_LENGTH) {
    throw new DbError("DB_INVALID_ARGUMENT", "bytes are too short to be a serialized SignedBeaconBlock", {
      length: ssz instanceof Uint8Array ? ssz.length : typeof ssz,
      minLength: SIGNED_BLOCK_MIN_LENGTH,
    });
  }
  const messageOffset = ssz[0] | (ssz[1] << 8) | (ssz[2] << 16) | (ssz[3] << 24);
  if (messageOffset !== SIGNED_BLOCK_MESSAGE_OFFSET) {
    throw new DbError("DB_INVALID_ARGUMENT", "bytes are not a serialized SignedBeaconBlock (wrong message offset)", {
      messageOffset,
      expected: SIGNED_BLOCK_MESSAGE_OFFSET,
    });
  }
}

/** The slot of a serialized BeaconState (any fork), read at its fixed offset. */
export function beaconStateSlot(ssz: Uint8Array): number {
  if (!(ssz instanceof Uint8Array) || ssz.length < STATE_MIN_LENGTH) {
    throw new DbError("DB_INVALID_ARGUMENT", "bytes are too short to be a serialized BeaconState", {
      length: ssz instanceof Uint8Array ? ssz.length : typeof ssz,
      minLength: STATE_MIN_LENGTH,
    });
  }
  return readUint64LE(ssz, STATE_SLOT_OFFSET);
}

function encodeForkPrefix(fork: ForkName, extra: number): { out: Uint8Array; pos: number } {
  const name = Buffer.from(fork, "ascii");
  const out = new Uint8Array(1 + name.length + extra);
  out[0] = name.length;
  out.set(name, 1);
  return { out, pos: 1 + name.length };
}

function decodeForkPrefix(record: Uint8Array, what: string): { fork: ForkName; pos: number } {
  const len = record.length > 0 ? record[0] : 0;
  if (len === 0 || record.length < 1 + len) {
    throw new DbError("DB_CORRUPT", `${what} record has a truncated fork name`, { length: record.length });
  }
  const fork = Buffer.from(record.buffer, record.byteOffset + 1, len).toString("ascii");
  if (!isForkName(fork)) throw new DbError("DB_CORRUPT", `${what} record names an unknown fork`, { fork });
  return { fork, pos: 1 + len };
}

/** Block record: [fork name length u8][fork name ascii][SignedBeaconBlock SSZ]. */
export function encodeBlockRecord(fork: string, ssz: Uint8Array): Uint8Array {
  assertFork(fork, "block fork");
  signedBlockSlot(ssz);
  const { out, pos } = encodeForkPrefix(fork, ssz.length);
  out.set(ssz, pos);
  return out;
}

/** Decodes a block record; `bytes` is a view into `record`. */
export function decodeBlockRecord(record: Uint8Array): { fork: ForkName; slot: number; bytes: Uint8Array } {
  const { fork, pos } = decodeForkPrefix(record, "block");
  const bytes = record.subarray(pos);
  let slot: number;
  try {
    slot = signedBlockSlot(bytes);
  } catch (e) {
    throw new DbError("DB_CORRUPT", "stored block bytes are not a SignedBeaconBlock", { fork }, { cause: e });
  }
  return { fork, slot, bytes };
}

/** State record: [fork name length u8][fork name ascii][slot u64 BE][BeaconState SSZ]. */
export function encodeStateRecord(fork: string, ssz: Uint8Array): { record: Uint8Array; slot: number } {
  assertFork(fork, "state fork");
  const slot = beaconStateSlot(ssz);
  const { out, pos } = encodeForkPrefix(fork, 8 + ssz.length);
  out.set(encodeSlotKey(slot), pos);
  out.set(ssz, pos + 8);
  return { record: out, slot };
}

/** Decodes a state record and checks that the slot in its header is the slot inside its SSZ bytes. */
export function decodeStateRecord(record: Uint8Array): { fork: ForkName; slot: number; bytes: Uint8Array } {
  const { fork, pos } = decodeForkPrefix(record, "state");
  if (record.length < pos + 8) throw new DbError("DB_CORRUPT", "state record has a truncated slot", { fork });
  const slot = decodeSlotKey(record.subarray(pos, pos + 8));
  const bytes = record.subarray(pos + 8);
  let inner: number;
  try {
    inner = beaconStateSlot(bytes);
  } catch (e) {
    throw new DbError("DB_CORRUPT", "stored state bytes are not a BeaconState", { fork, slot }, { cause: e });
  }
  if (inner !== slot) {
    throw new DbError("DB_CORRUPT", "state record header slot differs from the slot in its bytes", {
      fork,
      headerSlot: slot,
      stateSlot: inner,
    });
  }
  return { fork, slot, bytes };
}

/** Anchor record: [epoch u64 BE][block root][state root]. */
export function encodeAnchor(anchor: { epoch: number; blockRoot: Uint8Array; stateRoot: Uint8Array }): Uint8Array {
  assertSlot(anchor.epoch, "anchor epoch");
  assertRoot(anchor.blockRoot, "anchor block root");
  assertRoot(anchor.stateRoot, "anchor state root");
  const out = new Uint8Array(8 + 2 * ROOT_LENGTH);
  out.set(encodeSlotKey(anchor.epoch), 0);
  out.set(anchor.blockRoot, 8);
  out.set(anchor.stateRoot, 8 + ROOT_LENGTH);
  return out;
}

/** Inverse of encodeAnchor. */
export function decodeAnchor(record: Uint8Array): { epoch: number; blockRoot: Uint8Array; stateRoot: Uint8Array } {
  if (record.length !== 8 + 2 * ROOT_LENGTH) {
    throw new DbError("DB_CORRUPT", "anchor record has the wrong length", { length: record.length });
  }
  return {
    epoch: decodeSlotKey(record),
    blockRoot: new Uint8Array(record.subarray(8, 8 + ROOT_LENGTH)),
    stateRoot: new Uint8Array(record.subarray(8 + ROOT_LENGTH)),
  };
}
