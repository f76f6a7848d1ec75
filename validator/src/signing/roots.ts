// The signing root of every message a validator signs (phase0 → fulu validator.md, builder-specs): which domain
// type, at which epoch, over which SSZ object. Pure functions of a SigningRootContext (chain config, SSZ types,
// genesis validators root), so the signer and the differential tests against Lodestar compute them the same way.
import type { ChainConfig } from "@sextant/consensus/params/config/chainConfig";
import { type ForkName, isForkAtLeast, isForkName } from "@sextant/consensus/params/forkName";
import { forkNameAtEpoch } from "@sextant/consensus/params/forkSchedule";
import { computeSigningRoot, DomainCache, type HashTreeRootType } from "@sextant/consensus/signing/domain";
import {
  DOMAIN_AGGREGATE_AND_PROOF,
  DOMAIN_APPLICATION_BUILDER,
  DOMAIN_BEACON_ATTESTER,
  DOMAIN_BEACON_PROPOSER,
  DOMAIN_CONTRIBUTION_AND_PROOF,
  DOMAIN_RANDAO,
  DOMAIN_SELECTION_PROOF,
  DOMAIN_SYNC_COMMITTEE,
  DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF,
} from "@sextant/consensus/signing/domainTypes";
import { primitives, type SszTypes } from "@sextant/consensus/types/index";
import type { AttestationDataValue } from "../ports.ts";
import { SignerError } from "./errors.ts";

/** What every signing root depends on: the chain (config, genesis validators root) and the preset's SSZ types. */
export interface SigningRootContext {
  readonly config: ChainConfig;
  readonly types: SszTypes;
  readonly slotsPerEpoch: number;
  /** Domains of this chain (genesis validators root), cached. */
  readonly domains: DomainCache;
}

/** A SigningRootContext for one chain. */
export function createSigningRootContext(opts: {
  config: ChainConfig;
  types: SszTypes;
  slotsPerEpoch: number;
  genesisValidatorsRoot: Uint8Array;
}): SigningRootContext {
  if (!Number.isSafeInteger(opts.slotsPerEpoch) || opts.slotsPerEpoch < 1)
    throw new RangeError(`slotsPerEpoch must be a positive integer, got ${opts.slotsPerEpoch}`);
  return {
    config: opts.config,
    types: opts.types,
    slotsPerEpoch: opts.slotsPerEpoch,
    domains: new DomainCache(opts.config, opts.genesisValidatorsRoot),
  };
}

/** The 32-byte root of an object, through its SSZ type; a malformed value is an INVALID_MESSAGE error. */
function rootOf(type: HashTreeRootType<unknown>, value: unknown, what: string): Uint8Array {
  try {
    return type.hashTreeRoot(value);
  } catch (err) {
    throw new SignerError(
      "INVALID_MESSAGE",
      `cannot hash the ${what} to sign: ${(err as Error).message}; the message is malformed`,
      { what },
      { cause: err },
    );
  }
}

function uint(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0)
    throw new SignerError("INVALID_MESSAGE", `${what} must be a non-negative safe integer, got ${String(value)}`, {
      what,
    });
  return value;
}

/** compute_epoch_at_slot. */
function epochOf(ctx: SigningRootContext, slot: number): number {
  return Math.floor(slot / ctx.slotsPerEpoch);
}

/** Reads `obj.a.b…` as a slot or epoch, naming the path in the error when it is missing. */
function field(obj: unknown, path: readonly string[], what: string): number {
  let v: unknown = obj;
  for (const key of path) {
    if (v === null || typeof v !== "object")
      throw new SignerError("INVALID_MESSAGE", `${what} has no ${path.join(".")}; the message is malformed`, { what });
    v = (v as Record<string, unknown>)[key];
  }
  return uint(v, `${what}.${path.join(".")}`);
}

/** Attestation: DOMAIN_BEACON_ATTESTER at data.target.epoch, over AttestationData. */
export function attestationSigningRoot(ctx: SigningRootContext, data: AttestationDataValue): Uint8Array {
  const epoch = field(data, ["target", "epoch"], "attestation data");
  const domain = ctx.domains.getDomain(DOMAIN_BEACON_ATTESTER, epoch);
  return computeSigningRoot(
    rootOf(ctx.types.phase0.AttestationData as unknown as HashTreeRootType<unknown>, data, "attestation data"),
    domain,
  );
}

/** The SSZ type of a block of `fork` (BlindedBeaconBlock when `blinded`: bellatrix and later only). */
export function blockType(ctx: SigningRootContext, fork: ForkName, blinded: boolean): HashTreeRootType<unknown> {
  if (!isForkName(fork)) throw new SignerError("INVALID_MESSAGE", `unknown fork ${String(fork)}`, { fork });
  const ns = ctx.types[fork] as unknown as Record<string, HashTreeRootType<unknown> | undefined>;
  if (blinded && !isForkAtLeast(fork, "bellatrix"))
    throw new SignerError("INVALID_MESSAGE", `a ${fork} block cannot be blinded (blinded blocks start at bellatrix)`, {
      fork,
    });
  const type = ns[blinded ? "BlindedBeaconBlock" : "BeaconBlock"];
  if (type === undefined) throw new SignerError("INVALID_MESSAGE", `no block type for ${fork}`, { fork, blinded });
  return type;
}

/**
 * Block: DOMAIN_BEACON_PROPOSER at the epoch of block.slot, over the fork's BeaconBlock (or BlindedBeaconBlock:
 * same root as the full block with the same payload). Throws INVALID_MESSAGE when `fork` is not the fork the
 * config schedules at the block's slot (the network would reject the signature).
 */
export function blockSigningRoot(
  ctx: SigningRootContext,
  fork: ForkName,
  blinded: boolean,
  block: unknown,
): { slot: number; signingRoot: Uint8Array } {
  const type = blockType(ctx, fork, blinded);
  const slot = field(block, ["slot"], "block");
  const epoch = epochOf(ctx, slot);
  const scheduled = forkNameAtEpoch(ctx.config, epoch);
  if (scheduled !== fork)
    throw new SignerError(
      "INVALID_MESSAGE",
      `a block of slot ${slot} must be a ${scheduled} block, was given as ${fork}; produce it for the right fork`,
      { slot, fork, scheduled },
    );
  const domain = ctx.domains.getDomain(DOMAIN_BEACON_PROPOSER, epoch);
  return { slot, signingRoot: computeSigningRoot(rootOf(type, block, `${fork} block`), domain) };
}

/** RANDAO reveal: DOMAIN_RANDAO at `epoch`, over the epoch (uint64). */
export function randaoSigningRoot(ctx: SigningRootContext, epoch: number): Uint8Array {
  uint(epoch, "epoch");
  return computeSigningRoot(primitives.Epoch.hashTreeRoot(epoch), ctx.domains.getDomain(DOMAIN_RANDAO, epoch));
}

/** Aggregation selection proof: DOMAIN_SELECTION_PROOF at the slot's epoch, over the slot (uint64). */
export function selectionProofSigningRoot(ctx: SigningRootContext, slot: number): Uint8Array {
  uint(slot, "slot");
  const domain = ctx.domains.getDomain(DOMAIN_SELECTION_PROOF, epochOf(ctx, slot));
  return computeSigningRoot(primitives.Slot.hashTreeRoot(slot), domain);
}

/**
 * AggregateAndProof: DOMAIN_AGGREGATE_AND_PROOF at the epoch of aggregate.data.slot, over the AggregateAndProof
 * type of `fork` (electra's aggregate is the electra Attestation, with committee bits).
 */
export function aggregateAndProofSigningRoot(ctx: SigningRootContext, fork: ForkName, message: unknown): Uint8Array {
  if (!isForkName(fork)) throw new SignerError("INVALID_MESSAGE", `unknown fork ${String(fork)}`, { fork });
  const slot = field(message, ["aggregate", "data", "slot"], "aggregate and proof");
  const domain = ctx.domains.getDomain(DOMAIN_AGGREGATE_AND_PROOF, epochOf(ctx, slot));
  const type = ctx.types[fork].AggregateAndProof as unknown as HashTreeRootType<unknown>;
  return computeSigningRoot(rootOf(type, message, `${fork} aggregate and proof`), domain);
}

/** Sync committee message: DOMAIN_SYNC_COMMITTEE at the slot's epoch, over the block root (a Root is its own root). */
export function syncCommitteeMessageSigningRoot(
  ctx: SigningRootContext,
  slot: number,
  beaconBlockRoot: Uint8Array,
): Uint8Array {
  uint(slot, "slot");
  if (!(beaconBlockRoot instanceof Uint8Array) || beaconBlockRoot.length !== 32)
    throw new SignerError("INVALID_MESSAGE", "the beacon block root of a sync committee message must be 32 bytes", {
      length: (beaconBlockRoot as Uint8Array | undefined)?.length,
    });
  const domain = ctx.domains.getDomain(DOMAIN_SYNC_COMMITTEE, epochOf(ctx, slot));
  return computeSigningRoot(primitives.Root.hashTreeRoot(beaconBlockRoot), domain);
}

/** Sync aggregator selection: DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF at the slot's epoch, over SyncAggregatorSelectionData. */
export function syncSelectionSigningRoot(ctx: SigningRootContext, slot: number, subcommitteeIndex: number): Uint8Array {
  uint(slot, "slot");
  uint(subcommitteeIndex, "subcommitteeIndex");
  const domain = ctx.domains.getDomain(DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF, epochOf(ctx, slot));
  const root = ctx.types.altair.SyncAggregatorSelectionData.hashTreeRoot({ slot, subcommitteeIndex });
  return computeSigningRoot(root, domain);
}

/** ContributionAndProof: DOMAIN_CONTRIBUTION_AND_PROOF at the epoch of contribution.slot. */
export function contributionAndProofSigningRoot(ctx: SigningRootContext, message: unknown): Uint8Array {
  const slot = field(message, ["contribution", "slot"], "contribution and proof");
  const domain = ctx.domains.getDomain(DOMAIN_CONTRIBUTION_AND_PROOF, epochOf(ctx, slot));
  const type = ctx.types.altair.ContributionAndProof as unknown as HashTreeRootType<unknown>;
  return computeSigningRoot(rootOf(type, message, "contribution and proof"), domain);
}

/**
 * ValidatorRegistrationV1 (builder-specs): compute_domain(DOMAIN_APPLICATION_BUILDER) with GENESIS_FORK_VERSION and
 * a zero genesis validators root, whatever the epoch.
 */
export function validatorRegistrationSigningRoot(ctx: SigningRootContext, message: unknown): Uint8Array {
  const domain = ctx.domains.domainAt(DOMAIN_APPLICATION_BUILDER, ctx.config.GENESIS_FORK_VERSION, false);
  const type = ctx.types.bellatrix.ValidatorRegistrationV1 as unknown as HashTreeRootType<unknown>;
  return computeSigningRoot(rootOf(type, message, "validator registration"), domain);
}
