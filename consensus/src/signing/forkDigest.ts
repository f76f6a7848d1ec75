// compute_fork_data_root (phase0 beacon-chain.md) and compute_fork_digest (phase0 p2p-interface.md, modified in
// fulu beacon-chain.md for blob-parameter-only forks, EIP-7892).
import { digest, digest2Bytes32 } from "@chainsafe/as-sha256";
import type { ChainConfig } from "../params/config/chainConfig.ts";
import { type ForkName, isForkAtLeast } from "../params/forkName.ts";
import { type BlobParameters, blobParametersAtEpoch, forkNameAtEpoch, forkVersion } from "../params/forkSchedule.ts";
import { DOMAIN_TYPE_LENGTH } from "./domainTypes.ts";

/** Length in bytes of a Root (Bytes32). */
export const ROOT_LENGTH = 32;
/** Length in bytes of a ForkDigest (Bytes4). */
export const FORK_DIGEST_LENGTH = 4;
/** Bytes of a serialized uint64. */
const UINT64_LENGTH = 8;

function assertLength(name: string, bytes: Uint8Array, length: number): void {
  if (bytes.length !== length) throw new RangeError(`${name} must be ${length} bytes, got ${bytes.length}`);
}

/**
 * compute_fork_data_root: hash_tree_root(ForkData{current_version, genesis_validators_root}), i.e. the sha256 of
 * the version right-padded to a 32-byte chunk followed by the root.
 */
export function computeForkDataRoot(currentVersion: Uint8Array, genesisValidatorsRoot: Uint8Array): Uint8Array {
  assertLength("fork version", currentVersion, DOMAIN_TYPE_LENGTH);
  assertLength("genesis validators root", genesisValidatorsRoot, ROOT_LENGTH);
  const versionChunk = new Uint8Array(ROOT_LENGTH);
  versionChunk.set(currentVersion);
  return digest2Bytes32(versionChunk, genesisValidatorsRoot);
}

/** hash(uint_to_bytes(uint64(epoch)) + uint_to_bytes(uint64(max_blobs_per_block))): the fulu digest mask. */
export function blobParametersHash(blobParameters: BlobParameters): Uint8Array {
  const bytes = new Uint8Array(2 * UINT64_LENGTH);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(blobParameters.epoch), true);
  view.setBigUint64(UINT64_LENGTH, BigInt(blobParameters.maxBlobsPerBlock), true);
  return digest(bytes);
}

/**
 * The fork digest of `fork` (with fork version `version`) for the chain with `genesisValidatorsRoot`. Before fulu it is the first 4 bytes of the
 * fork data root; from fulu on the root is first XORed with the hash of the blob parameters in effect.
 */
export function forkDigestOf(
  fork: ForkName,
  version: Uint8Array,
  genesisValidatorsRoot: Uint8Array,
  blobParameters: BlobParameters | null,
): Uint8Array {
  const base = computeForkDataRoot(version, genesisValidatorsRoot);
  const out = new Uint8Array(FORK_DIGEST_LENGTH);
  if (!isForkAtLeast(fork, "fulu")) {
    out.set(base.subarray(0, FORK_DIGEST_LENGTH));
    return out;
  }
  if (blobParameters === null) throw new Error(`blob parameters are required for the ${fork} fork digest`);
  const mask = blobParametersHash(blobParameters);
  for (let i = 0; i < FORK_DIGEST_LENGTH; i++) out[i] = base[i] ^ mask[i];
  return out;
}

/**
 * compute_fork_digest(genesis_validators_root, epoch): the 4-byte p2p fork digest in effect at `epoch`, including
 * the fulu blob-parameters mask (only applied once the fork at `epoch` is fulu or later).
 */
export function computeForkDigest(config: ChainConfig, genesisValidatorsRoot: Uint8Array, epoch: number): Uint8Array {
  const fork = forkNameAtEpoch(config, epoch);
  const blobParameters = isForkAtLeast(fork, "fulu") ? blobParametersAtEpoch(config, epoch) : null;
  return forkDigestOf(fork, forkVersion(config, fork), genesisValidatorsRoot, blobParameters);
}
