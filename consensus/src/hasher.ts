// The merkle hasher used by @chainsafe/persistent-merkle-tree (and so by every @chainsafe/ssz hashTreeRoot).
// Its default is the pure-JS noble hasher; programs call installFastHasher() once at startup to switch to the
// native SIMD hashtree hasher, or to as-sha256 (WebAssembly) when hashtree's native binding cannot load.
// This is the one intended process-wide side effect in consensus/.
import { digest2Bytes32 } from "@chainsafe/as-sha256";
import { type Hasher, hasher, setHasher } from "@chainsafe/persistent-merkle-tree";
import { hasher as asSha256Hasher } from "@chainsafe/persistent-merkle-tree/hasher/as-sha256";

/** Which hasher is active after an install attempt, and why the fast one is not when it is not. */
export interface HasherStatus {
  /** The active hasher's name: "hashtree", "as-sha256" or "noble". */
  readonly name: string;
  /** True when the native hashtree hasher is active. */
  readonly fast: boolean;
  /** Why hashtree is not active (load or self-test failure); undefined when it is. */
  readonly reason?: string;
}

/** The name of the hasher persistent-merkle-tree uses right now. */
export function activeHasherName(): string {
  return hasher.name;
}

/** Loads the native hashtree hasher (dynamic import: a missing native binding must not break this module). */
async function loadHashtreeHasher(): Promise<Hasher> {
  const mod = await import("@chainsafe/persistent-merkle-tree/hasher/hashtree");
  return mod.hasher;
}

/** Throws unless `candidate` hashes two 32-byte chunks exactly as as-sha256 does. */
function selfTest(candidate: Hasher): void {
  const left = new Uint8Array(32).map((_, i) => i);
  const right = new Uint8Array(32).map((_, i) => 255 - i);
  const expected = digest2Bytes32(left, right);
  const actual = candidate.digest64(left, right);
  if (actual.length !== expected.length || actual.some((b, i) => b !== expected[i]))
    throw new Error(`${candidate.name} self-test gave a wrong digest`);
}

/**
 * Installs the hasher returned by `loadFast` after a self-test, or as-sha256 when loading or the self-test fails
 * (the failure becomes `reason`). Not memoized: programs use installFastHasher; tests inject a loader.
 */
export async function installHasherFrom(loadFast: () => Promise<Hasher>): Promise<HasherStatus> {
  try {
    const fast = await loadFast();
    selfTest(fast);
    setHasher(fast);
    return { name: fast.name, fast: fast.name === "hashtree" };
  } catch (e) {
    setHasher(asSha256Hasher);
    const reason = `hashtree unavailable, using as-sha256: ${e instanceof Error ? e.message : String(e)}`;
    return { name: asSha256Hasher.name, fast: false, reason };
  }
}

let installed: Promise<HasherStatus> | undefined;

/**
 * Installs the fastest available hasher for persistent-merkle-tree once per process (later calls return the same
 * status). Call it at program startup, before hashing anything large.
 */
export function installFastHasher(): Promise<HasherStatus> {
  installed ??= installHasherFrom(loadHashtreeHasher);
  return installed;
}
