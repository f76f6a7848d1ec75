// Signing of voluntary exits for the keymanager API's signVoluntaryExit: the validator index comes from a beacon
// node (getStateValidator on the head state), the domain is DOMAIN_VOLUNTARY_EXIT under get_domain with EIP-7044
// (from deneb on, exits are always signed with the capella fork version), and the epoch defaults to the current
// epoch of the chain's clock.
import { type ApiClient, ApiError, type BeaconRoutes } from "@sextant/api-spec";
import { sign } from "@sextant/consensus/bls/index";
import type { ChainConfig } from "@sextant/consensus/params/config/chainConfig";
import { computeSigningRootOf, getDomain } from "@sextant/consensus/signing/domain";
import { DOMAIN_VOLUNTARY_EXIT } from "@sextant/consensus/signing/domainTypes";
import { slotAtTime } from "@sextant/consensus/time/clock";
import { getSszTypes } from "@sextant/consensus/types/index";
import type { LocalKey } from "./registry.ts";

/** The beacon node calls exit signing needs (an api-spec client of `beaconRoutes` has it). */
export type ValidatorIndexSource = Pick<ApiClient<BeaconRoutes>, "getStateValidator">;

/** A phase0 SignedVoluntaryExit value (as the SSZ type holds it). */
export interface SignedVoluntaryExitValue {
  message: { epoch: number; validatorIndex: number };
  signature: Uint8Array;
}

/** Signs an exit of a local key; `epoch` undefined: the current epoch. */
export type ExitSigner = (key: LocalKey, epoch?: number) => Promise<SignedVoluntaryExitValue>;

export interface ExitSignerOptions {
  beaconNode: ValidatorIndexSource;
  config: ChainConfig;
  /** SLOTS_PER_EPOCH of the chain's preset. */
  slotsPerEpoch: number;
  genesisValidatorsRoot: Uint8Array;
  /** Genesis time of the chain, in seconds since the Unix epoch. */
  genesisTime: number;
  /** The clock, in milliseconds since the Unix epoch (default Date.now; tests pass a fixed one). */
  now?: () => number;
}

/** HTTP status a beacon node answers when it does not know the validator. */
const NOT_FOUND = 404;

/** The index of the validator with `pubkey` in the beacon node's head state; ApiError 404 when it has none. */
export async function fetchValidatorIndex(beaconNode: ValidatorIndexSource, pubkey: Uint8Array): Promise<number> {
  try {
    const res = await beaconNode.getStateValidator({ stateId: "head", validatorId: pubkey });
    return res.data.index;
  } catch (e) {
    const status = (e as { status?: number }).status;
    if (status === NOT_FOUND) throw new ApiError(404, "the beacon node knows no validator with this pubkey");
    throw new ApiError(500, `the beacon node could not give the validator index: ${(e as Error).message}`);
  }
}

/** The current epoch of the chain at `nowMs` (0 before genesis). */
export function currentEpoch(opts: ExitSignerOptions, nowMs: number): number {
  if (nowMs < opts.genesisTime * 1000) return 0;
  return Math.floor(slotAtTime(opts.genesisTime, nowMs, opts.config) / opts.slotsPerEpoch);
}

/** An ExitSigner over a beacon node (validator index) and the chain's config and clock (domain, default epoch). */
export function createExitSigner(opts: ExitSignerOptions): ExitSigner {
  const type = getSszTypes("mainnet").phase0.SignedVoluntaryExit;
  const messageType = type.fields.message;
  return async (key, epoch) => {
    const pubkey = new Uint8Array(Buffer.from(key.pubkey.slice(2), "hex"));
    const validatorIndex = await fetchValidatorIndex(opts.beaconNode, pubkey);
    const stateEpoch = currentEpoch(opts, (opts.now ?? Date.now)());
    const exitEpoch = epoch ?? stateEpoch;
    const domain = getDomain(opts.config, DOMAIN_VOLUNTARY_EXIT, exitEpoch, opts.genesisValidatorsRoot, stateEpoch);
    const message = { epoch: exitEpoch, validatorIndex };
    const root = computeSigningRootOf(messageType, message, domain);
    return { message, signature: sign(key.secretKey, root).toBytes() };
  };
}
