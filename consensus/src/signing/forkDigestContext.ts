// The fork digests of one chain (config + genesis validators root), precomputed once, for gossip topic names and
// ENR / Status checks in both directions: epoch → digest and digest → (fork, epoch range).
import type { ChainConfig } from "../params/config/chainConfig.ts";
import { FORK_NAMES, type ForkName, isForkAtLeast } from "../params/forkName.ts";
import {
  type BlobParameters,
  blobParametersAtEpoch,
  forkEpoch,
  forkNameAtEpoch,
  forkVersion,
} from "../params/forkSchedule.ts";
import { forkDigestOf, ROOT_LENGTH } from "./forkDigest.ts";

/**
 * A fork boundary: a regular fork or a blob-parameters-only (BPO) fork, and the epochs during which its digest is
 * current.
 */
export interface ForkBoundary {
  /** The regular fork in effect. */
  readonly fork: ForkName;
  /** First epoch of this boundary. */
  readonly epoch: number;
  /** First epoch of the next boundary (exclusive end), Infinity for the last one. */
  readonly endEpoch: number;
  /** The blob parameters hashed into the digest (fulu and later), else null. */
  readonly blobParameters: BlobParameters | null;
  /** The 4-byte fork digest: treat as read-only. */
  readonly digest: Uint8Array;
  /** The fork digest as lower-case hex without 0x, as used in gossip topic names. */
  readonly digestHex: string;
}

function bareHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

function normalizeDigestHex(digest: Uint8Array | string): string {
  if (typeof digest !== "string") return bareHex(digest);
  const s = digest.startsWith("0x") || digest.startsWith("0X") ? digest.slice(2) : digest;
  return s.toLowerCase();
}

/** The epochs at which the fork digest may change: scheduled regular forks and BPO entries from fulu on. */
function boundaryEpochs(config: ChainConfig): number[] {
  const epochs = new Set<number>();
  for (const fork of FORK_NAMES) {
    const epoch = forkEpoch(config, fork);
    if (Number.isFinite(epoch)) epochs.add(epoch);
  }
  for (const entry of config.BLOB_SCHEDULE) {
    if (Number.isFinite(entry.EPOCH) && entry.EPOCH >= config.FULU_FORK_EPOCH) epochs.add(entry.EPOCH);
  }
  return [...epochs].sort((a, b) => a - b);
}

/** Epoch ↔ fork digest lookups for one chain, computed once at construction. */
export class ForkDigestContext {
  /** All boundaries in ascending epoch order; the first starts at epoch 0. */
  readonly boundaries: readonly ForkBoundary[];
  readonly genesisValidatorsRoot: Uint8Array;
  private readonly byDigestHex: Map<string, ForkBoundary>;

  /** Precomputes the digest of every boundary of `config` for the chain with `genesisValidatorsRoot`. */
  constructor(config: ChainConfig, genesisValidatorsRoot: Uint8Array) {
    if (genesisValidatorsRoot.length !== ROOT_LENGTH)
      throw new RangeError(`genesis validators root must be ${ROOT_LENGTH} bytes, got ${genesisValidatorsRoot.length}`);
    this.genesisValidatorsRoot = genesisValidatorsRoot.slice();
    const epochs = boundaryEpochs(config);
    const boundaries: ForkBoundary[] = [];
    for (let i = 0; i < epochs.length; i++) {
      const epoch = epochs[i];
      const fork = forkNameAtEpoch(config, epoch);
      const blobParameters = isForkAtLeast(fork, "fulu") ? blobParametersAtEpoch(config, epoch) : null;
      const digest = forkDigestOf(fork, forkVersion(config, fork), this.genesisValidatorsRoot, blobParameters);
      const endEpoch = i + 1 < epochs.length ? epochs[i + 1] : Number.POSITIVE_INFINITY;
      boundaries.push({ fork, epoch, endEpoch, blobParameters, digest, digestHex: bareHex(digest) });
    }
    this.boundaries = boundaries;
    this.byDigestHex = new Map(boundaries.map((b) => [b.digestHex, b]));
  }

  /** The boundary whose epoch range contains `epoch` (negative epochs clamp to the first). */
  boundaryAtEpoch(epoch: number): ForkBoundary {
    const list = this.boundaries;
    // Binary search for the last boundary starting at or before `epoch`.
    let lo = 0;
    let hi = list.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (list[mid].epoch <= epoch) lo = mid;
      else hi = mid - 1;
    }
    return list[lo];
  }

  /** compute_fork_digest(genesis_validators_root, epoch), from the precomputed table. */
  digestAtEpoch(epoch: number): Uint8Array {
    return this.boundaryAtEpoch(epoch).digest;
  }

  /** The next boundary strictly after the one containing `epoch`, or null when none is scheduled. */
  nextBoundary(epoch: number): ForkBoundary | null {
    const current = this.boundaryAtEpoch(epoch);
    const i = this.boundaries.indexOf(current);
    return this.boundaries[i + 1] ?? null;
  }

  /** The boundary with this fork digest (bytes, or hex with or without 0x), or null when it is not this chain's. */
  boundaryOfDigestOrNull(digest: Uint8Array | string): ForkBoundary | null {
    return this.byDigestHex.get(normalizeDigestHex(digest)) ?? null;
  }

  /** The boundary with this fork digest; throws for a digest that is not one of this chain's. */
  boundaryOfDigest(digest: Uint8Array | string): ForkBoundary {
    const boundary = this.boundaryOfDigestOrNull(digest);
    if (boundary === null) throw new Error(`unknown fork digest ${normalizeDigestHex(digest)}`);
    return boundary;
  }
}
