// compute_domain / get_domain (phase0 beacon-chain.md) with the per-message rules of later forks: deposits and
// builder registrations (GENESIS_FORK_VERSION, zero root), BLS-to-execution changes (GENESIS_FORK_VERSION,
// genesis validators root) and voluntary exits from deneb on (CAPELLA_FORK_VERSION, EIP-7044); and
// compute_signing_root: hash_tree_root(SigningData{object_root, domain}).
import { digest2Bytes32 } from "@chainsafe/as-sha256";
import type { ChainConfig } from "../params/config/chainConfig.ts";
import { forkInfo, forkNameAtEpoch } from "../params/forkSchedule.ts";
import {
  bytes4Equal,
  bytes4ToUint,
  DOMAIN_APPLICATION_BUILDER,
  DOMAIN_BLS_TO_EXECUTION_CHANGE,
  DOMAIN_DEPOSIT,
  DOMAIN_TYPE_LENGTH,
  DOMAIN_VOLUNTARY_EXIT,
  type DomainType,
} from "./domainTypes.ts";
import { computeForkDataRoot, ROOT_LENGTH } from "./forkDigest.ts";

/** Length in bytes of a Domain (Bytes32). */
export const DOMAIN_LENGTH = 32;
/** The all-zero Root, compute_domain's default genesis validators root. */
export const ZERO_ROOT: Uint8Array = new Uint8Array(ROOT_LENGTH);

/** compute_domain: domain_type ‖ compute_fork_data_root(fork_version, genesis_validators_root)[:28]. */
export function computeDomain(
  domainType: DomainType,
  forkVersion: Uint8Array,
  genesisValidatorsRoot: Uint8Array = ZERO_ROOT,
): Uint8Array {
  if (domainType.length !== DOMAIN_TYPE_LENGTH)
    throw new RangeError(`domain type must be ${DOMAIN_TYPE_LENGTH} bytes, got ${domainType.length}`);
  const forkDataRoot = computeForkDataRoot(forkVersion, genesisValidatorsRoot);
  const domain = new Uint8Array(DOMAIN_LENGTH);
  domain.set(domainType, 0);
  domain.set(forkDataRoot.subarray(0, DOMAIN_LENGTH - DOMAIN_TYPE_LENGTH), DOMAIN_TYPE_LENGTH);
  return domain;
}

/** Which fork version and which root a domain is computed with. */
export interface DomainInputs {
  readonly forkVersion: Uint8Array;
  /** True: the chain's genesis validators root; false: the zero root (deposits, builder registrations). */
  readonly withGenesisRoot: boolean;
}

/**
 * The fork version and root to sign `domainType` with, for a message of `messageEpoch` checked against a state at
 * `stateEpoch` (get_domain uses the state's fork: its previous version for messages before the fork epoch).
 */
export function domainInputs(
  config: ChainConfig,
  domainType: DomainType,
  messageEpoch: number,
  stateEpoch: number = messageEpoch,
): DomainInputs {
  const fixed = fixedDomainInputs(config, domainType, stateEpoch >= config.DENEB_FORK_EPOCH);
  if (fixed !== undefined) return fixed;
  // get_domain: state.fork.previous_version if epoch < state.fork.epoch else state.fork.current_version
  const stateFork = forkInfo(config, forkNameAtEpoch(config, stateEpoch));
  const version = messageEpoch < stateFork.epoch ? stateFork.previousVersion : stateFork.version;
  return { forkVersion: version, withGenesisRoot: true };
}

/**
 * The domain inputs the spec fixes whatever the state's fork record says, or undefined for the usual
 * get_domain rule: deposits and builder registrations sign with GENESIS_FORK_VERSION and the zero root,
 * BLS-to-execution changes with GENESIS_FORK_VERSION, and voluntary exits checked by a deneb or later state with
 * CAPELLA_FORK_VERSION (EIP-7044).
 */
export function fixedDomainInputs(
  config: ChainConfig,
  domainType: DomainType,
  stateIsDenebOrLater: boolean,
): DomainInputs | undefined {
  if (bytes4Equal(domainType, DOMAIN_DEPOSIT) || bytes4Equal(domainType, DOMAIN_APPLICATION_BUILDER))
    return { forkVersion: config.GENESIS_FORK_VERSION, withGenesisRoot: false };
  if (bytes4Equal(domainType, DOMAIN_BLS_TO_EXECUTION_CHANGE))
    return { forkVersion: config.GENESIS_FORK_VERSION, withGenesisRoot: true };
  if (bytes4Equal(domainType, DOMAIN_VOLUNTARY_EXIT) && stateIsDenebOrLater)
    return { forkVersion: config.CAPELLA_FORK_VERSION, withGenesisRoot: true };
  return undefined;
}

/**
 * get_domain for a message of `messageEpoch`, with the special rules of deposits, builder registrations,
 * BLS-to-execution changes and (deneb+) voluntary exits. `stateEpoch` is the epoch of the state the message is
 * verified against (defaults to the message epoch).
 */
export function getDomain(
  config: ChainConfig,
  domainType: DomainType,
  messageEpoch: number,
  genesisValidatorsRoot: Uint8Array,
  stateEpoch: number = messageEpoch,
): Uint8Array {
  const inputs = domainInputs(config, domainType, messageEpoch, stateEpoch);
  return computeDomain(domainType, inputs.forkVersion, inputs.withGenesisRoot ? genesisValidatorsRoot : ZERO_ROOT);
}

/** getDomain with every computed domain cached by (domain type, fork version, root kind), for one chain. */
export class DomainCache {
  private readonly config: ChainConfig;
  private readonly genesisValidatorsRoot: Uint8Array;
  /** uint32(domainType) → uint32(forkVersion) → domain, for the genesis validators root and the zero root. */
  private readonly withGenesisRoot = new Map<number, Map<number, Uint8Array>>();
  private readonly withZeroRoot = new Map<number, Map<number, Uint8Array>>();

  constructor(config: ChainConfig, genesisValidatorsRoot: Uint8Array) {
    if (genesisValidatorsRoot.length !== ROOT_LENGTH)
      throw new RangeError(`genesis validators root must be ${ROOT_LENGTH} bytes, got ${genesisValidatorsRoot.length}`);
    this.config = config;
    this.genesisValidatorsRoot = genesisValidatorsRoot.slice();
  }

  /** Cached getDomain (same arguments minus config and root). The returned bytes are shared: do not mutate. */
  getDomain(domainType: DomainType, messageEpoch: number, stateEpoch: number = messageEpoch): Uint8Array {
    const inputs = domainInputs(this.config, domainType, messageEpoch, stateEpoch);
    return this.domainAt(domainType, inputs.forkVersion, inputs.withGenesisRoot);
  }

  /** Cached compute_domain(domainType, forkVersion, genesis validators root or zero root). Do not mutate. */
  domainAt(domainType: DomainType, forkVersion: Uint8Array, withGenesisRoot = true): Uint8Array {
    const cache = withGenesisRoot ? this.withGenesisRoot : this.withZeroRoot;
    const typeKey = bytes4ToUint(domainType);
    const versionKey = bytes4ToUint(forkVersion);
    let byVersion = cache.get(typeKey);
    if (byVersion === undefined) {
      byVersion = new Map();
      cache.set(typeKey, byVersion);
    }
    let domain = byVersion.get(versionKey);
    if (domain === undefined) {
      domain = computeDomain(domainType, forkVersion, withGenesisRoot ? this.genesisValidatorsRoot : ZERO_ROOT);
      byVersion.set(versionKey, domain);
    }
    return domain;
  }
}

/** Anything that can hash a value to its 32-byte SSZ hash_tree_root, e.g. an @chainsafe/ssz Type. */
export interface HashTreeRootType<T> {
  hashTreeRoot(value: T): Uint8Array;
}

/**
 * The signing root of an object whose hash_tree_root is `objectRoot`, under `domain`: the sha256 of the two 32-byte
 * chunks object_root ‖ domain (SigningData is a two-field container of Bytes32).
 */
export function computeSigningRoot(objectRoot: Uint8Array, domain: Uint8Array): Uint8Array {
  if (objectRoot.length !== ROOT_LENGTH)
    throw new RangeError(`object root must be ${ROOT_LENGTH} bytes, got ${objectRoot.length}`);
  if (domain.length !== DOMAIN_LENGTH)
    throw new RangeError(`domain must be ${DOMAIN_LENGTH} bytes, got ${domain.length}`);
  return digest2Bytes32(objectRoot, domain);
}

/** compute_signing_root(ssz_object, domain) for a value of an SSZ type: the type hashes the value first. */
export function computeSigningRootOf<T>(type: HashTreeRootType<T>, value: T, domain: Uint8Array): Uint8Array {
  return computeSigningRoot(type.hashTreeRoot(value), domain);
}
