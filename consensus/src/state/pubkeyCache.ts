// The registry's public keys, shared by every state of a chain: pubkey → validator index (deposits, API lookups)
// and index → deserialized BLS key (signature checks). Validators are only ever appended, so an index means the
// same key in every state that has it — except when two competing branches append different deposits at the
// same index. Such indices are marked "conflicted" and then always read from the state in question, so a
// lookup is never wrong, only slower on those rare indices.
//
// Memory: 48 bytes per key in one growing buffer (off the JS heap) and one small-integer map entry per key;
// BLS points are deserialized lazily, the first time a key signs something.
import { PublicKey, publicKeyFromBytes } from "../bls/keys.ts";
import { bytesEqual } from "../util/bytes.ts";

const PUBKEY_LENGTH = 48;

/** Reads validator `index`'s pubkey from a particular state (used for conflicted indices). */
export type StatePubkeyReader = (index: number) => Uint8Array;

function keyOf(pubkey: Uint8Array): number {
  // 32 bits from the middle of the compressed point: uniformly distributed (the first byte carries flag bits).
  return (pubkey[8] | (pubkey[9] << 8) | (pubkey[10] << 16) | (pubkey[11] << 24)) >>> 0;
}

function equalAt(buffer: Uint8Array, offset: number, pubkey: Uint8Array): boolean {
  for (let i = 0; i < PUBKEY_LENGTH; i++) if (buffer[offset + i] !== pubkey[i]) return false;
  return true;
}

/** pubkey ↔ validator index for all states of one chain. */
export class PubkeyCache {
  private bytes = new Uint8Array(PUBKEY_LENGTH * 1024);
  private count = 0;
  /** 32-bit key hash → index, or several indices on a (rare) hash collision. */
  private readonly byHash = new Map<number, number | number[]>();
  private readonly points: (PublicKey | undefined)[] = [];
  private readonly conflicted = new Set<number>();

  /** Number of indices known. */
  get size(): number {
    return this.count;
  }

  /** Stored key bytes of `index` (a view: do not modify). Undefined beyond the known indices. */
  storedPubkey(index: number): Uint8Array | undefined {
    if (index >= this.count) return undefined;
    return this.bytes.subarray(index * PUBKEY_LENGTH, (index + 1) * PUBKEY_LENGTH);
  }

  /**
   * Records that validator `index` has `pubkey` (in some state). Appending the next index is the normal case;
   * re-adding a known index with the same key is a no-op; a different key at a known index marks it conflicted.
   */
  add(index: number, pubkey: Uint8Array): void {
    if (pubkey.length !== PUBKEY_LENGTH) throw new RangeError(`a pubkey has 48 bytes, got ${pubkey.length}`);
    if (index < this.count) {
      if (!equalAt(this.bytes, index * PUBKEY_LENGTH, pubkey)) {
        this.conflicted.add(index);
        this.addHash(pubkey, index);
      }
      return;
    }
    if (index > this.count) throw new RangeError(`pubkey index ${index} skips ${this.count}`);
    if ((this.count + 1) * PUBKEY_LENGTH > this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes.set(pubkey, index * PUBKEY_LENGTH);
    this.count++;
    this.addHash(pubkey, index);
  }

  private addHash(pubkey: Uint8Array, index: number): void {
    const key = keyOf(pubkey);
    const prev = this.byHash.get(key);
    if (prev === undefined) this.byHash.set(key, index);
    else if (typeof prev === "number") {
      if (prev !== index) this.byHash.set(key, [prev, index]);
    } else if (!prev.includes(index)) prev.push(index);
  }

  /**
   * The index of `pubkey` in a state with `validatorCount` validators, or undefined when that state does not
   * hold the key. `readState` reads a pubkey from that state (needed only for conflicted indices).
   */
  indexOf(pubkey: Uint8Array, validatorCount: number, readState: StatePubkeyReader): number | undefined {
    const found = this.byHash.get(keyOf(pubkey));
    if (found === undefined) return undefined;
    const candidates = typeof found === "number" ? [found] : found;
    for (const index of candidates) {
      if (index >= validatorCount) continue;
      if (this.conflicted.has(index)) {
        if (bytesEqual(readState(index), pubkey)) return index;
      } else if (equalAt(this.bytes, index * PUBKEY_LENGTH, pubkey)) return index;
    }
    return undefined;
  }

  /**
   * The deserialized BLS key of validator `index` in a state (`readState` reads that state's pubkey; it is called
   * only for conflicted indices). Deserialized once and kept.
   */
  publicKey(index: number, readState: StatePubkeyReader): PublicKey {
    if (index >= this.count) throw new RangeError(`no pubkey known for validator ${index}`);
    if (this.conflicted.has(index)) return publicKeyFromBytes(readState(index));
    let point = this.points[index];
    if (point === undefined) {
      // A registry key passed KeyValidate when its deposit signature was verified (a key that fails it never
      // enters the registry), so it is decoded without repeating the subgroup check: ~22 µs instead of ~96 µs,
      // which is what the first block after a restart pays for every attester at a million validators.
      point = PublicKey.fromBytes(this.bytes.subarray(index * PUBKEY_LENGTH, (index + 1) * PUBKEY_LENGTH), false);
      this.points[index] = point;
    }
    return point;
  }

  /**
   * Decodes the BLS points of indices [from, to) ahead of use and returns `to` (clamped to the known keys), so a
   * node can warm the cache in slices of idle time after loading a state instead of paying for every key in the
   * first block that needs it (~22 µs per key).
   */
  warm(from: number, to: number): number {
    const end = Math.min(to, this.count);
    for (let i = Math.max(0, from); i < end; i++) {
      if (this.points[i] === undefined && !this.conflicted.has(i)) {
        this.points[i] = PublicKey.fromBytes(this.bytes.subarray(i * PUBKEY_LENGTH, (i + 1) * PUBKEY_LENGTH), false);
      }
    }
    return end;
  }

  /** Number of indices whose BLS point is decoded. */
  get decodedCount(): number {
    let n = 0;
    for (const p of this.points) if (p !== undefined) n++;
    return n;
  }
}
