// Test fixtures for the beacon database: hand-built SSZ-shaped blocks and states (the fixed fields the store reads
// are real; the rest is filler) with sha256 "roots", deterministic from their inputs.
import { createHash } from "node:crypto";
import type { ForkName } from "../../../../consensus/src/params/forkName.ts";

/** A fake block: SignedBeaconBlock-shaped bytes with the given slot and parent root. */
export interface FakeBlock {
  root: Uint8Array;
  fork: ForkName;
  slot: number;
  parentRoot: Uint8Array;
  bytes: Uint8Array;
}

/** A fake state: BeaconState-shaped bytes (genesis_time, genesis_validators_root, slot, filler). */
export interface FakeState {
  root: Uint8Array;
  fork: ForkName;
  slot: number;
  bytes: Uint8Array;
}

/** sha256 of some bytes as a fresh Uint8Array. */
export function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(data).digest());
}

function fill(out: Uint8Array, from: number, to: number, seed: string): void {
  // xorshift32 seeded from sha256(seed): cheap filler that still differs per seed.
  const h = sha256(Buffer.from(seed));
  let x = (h[0] | (h[1] << 8) | (h[2] << 16) | (h[3] << 24)) >>> 0 || 1;
  for (let i = from; i < to; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
}

/** Builds a block at `slot` on `parentRoot`; `salt` tells apart siblings; `bodyLength` sets the size. */
export function fakeBlock(
  slot: number,
  parentRoot: Uint8Array,
  salt = "",
  fork: ForkName = "fulu",
  bodyLength = 64,
): FakeBlock {
  const bytes = new Uint8Array(184 + bodyLength);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 100, true);
  fill(bytes, 4, 100, `sig${slot}${salt}`);
  view.setBigUint64(100, BigInt(slot), true);
  view.setBigUint64(108, BigInt(slot % 64), true);
  bytes.set(parentRoot, 116);
  fill(bytes, 148, 180, `stateRoot${slot}${salt}`);
  view.setUint32(180, 84, true);
  fill(bytes, 184, bytes.length, `body${slot}${salt}`);
  return { root: sha256(bytes), fork, slot, parentRoot: new Uint8Array(parentRoot), bytes };
}

/** Builds a state at `slot`; `salt` tells apart states at one slot; `fillerLength` sets the size. */
export function fakeState(slot: number, salt = "", fork: ForkName = "fulu", fillerLength = 256): FakeState {
  const bytes = new Uint8Array(48 + fillerLength);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, 1_600_000_000n, true);
  bytes.set(sha256(Buffer.from("gvr")), 8);
  view.setBigUint64(40, BigInt(slot), true);
  fill(bytes, 48, bytes.length, `state${slot}${salt}`);
  return { root: sha256(bytes), fork, slot, bytes };
}

/** A chain of `length` blocks on `parentRoot` starting at `fromSlot`, one per slot. */
export function fakeChain(fromSlot: number, length: number, parentRoot: Uint8Array, salt = ""): FakeBlock[] {
  const out: FakeBlock[] = [];
  let parent = parentRoot;
  for (let i = 0; i < length; i++) {
    const block = fakeBlock(fromSlot + i, parent, salt);
    out.push(block);
    parent = block.root;
  }
  return out;
}

/** Lower-case hex, for readable assertions. */
export function hex(bytes: Uint8Array | undefined): string | undefined {
  return bytes === undefined ? undefined : Buffer.from(bytes).toString("hex");
}
