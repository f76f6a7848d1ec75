// Value types of the route table that are not one JSON object: fork-dependent values (the union over the forks
// that have the type) and the shared API-only codecs.
import type { Type } from "@chainsafe/ssz";
import { FORK_NAMES, type ForkName, type ForkTypes, primitives } from "@sextant/consensus";
import { fail, show } from "../codec/errors.ts";
import { hexBytes, type JsonCodec, oneOf, uint64 } from "../codec/json.ts";
import { type ValidatorId, validatorIdParam } from "../codec/params.ts";
import { sszJson } from "../codec/ssz.ts";

/** The value of SSZ type `K` in any fork that has it (a union over forks). */
export type ForkValue<K extends string> = {
  [F in ForkName]: K extends keyof ForkTypes<F> ? (ForkTypes<F>[K] extends Type<infer V> ? V : never) : never;
}[ForkName];

/** The value of SSZ type `K` of fork F. */
export type ValueAt<F extends ForkName, K extends keyof ForkTypes<F>> =
  ForkTypes<F>[K] extends Type<infer V> ? V : never;

/** A 32-byte root as 0x-hex. */
export const rootJson = hexBytes(32);
/** A 48-byte public key as 0x-hex. */
export const pubkeyJson = hexBytes(48);
/** A 96-byte signature as 0x-hex. */
export const signatureJson = hexBytes(96);
/** A 4-byte fork version as 0x-hex. */
export const versionJson = hexBytes(4);
/** An execution address: EIP-55 checksummed out, any case in. */
export const addressJson = sszJson(primitives.ExecutionAddress);
/** A fork name (`version`). */
export const forkNameJson = oneOf(FORK_NAMES);

/** A validator id in a JSON body (`ids`): index or public key, as a string. */
export const validatorIdJson: JsonCodec<ValidatorId> = {
  shape: { kind: "validatorId" },
  toJson: (value) => validatorIdParam.format(value),
  fromJson(json, path) {
    if (typeof json !== "string") fail(path, `expected a validator index or public key string, got ${show(json)}`);
    try {
      return validatorIdParam.parse(json);
    } catch (e) {
      return fail(path, (e as Error & { detail?: string }).detail ?? (e as Error).message);
    }
  },
};

/** Validator indices (uint64 strings). */
export const indexJson = uint64;

/** The statuses of the validator status specification. */
export const VALIDATOR_STATUSES = [
  "pending_initialized",
  "pending_queued",
  "active_ongoing",
  "active_exiting",
  "active_slashed",
  "exited_unslashed",
  "exited_slashed",
  "withdrawal_possible",
  "withdrawal_done",
] as const;

/** A validator status. */
export type ValidatorStatus = (typeof VALIDATOR_STATUSES)[number];

/** Status filters: a status or one of the four groups (`active` = every active_* status, ...). */
export const VALIDATOR_STATUS_FILTERS = [...VALIDATOR_STATUSES, "active", "pending", "exited", "withdrawal"] as const;

/** A status filter of getStateValidators / postStateValidators. */
export type ValidatorStatusFilter = (typeof VALIDATOR_STATUS_FILTERS)[number];

/** Beacon API topics of GET /eth/v1/events (v4.0.0). */
export const EVENT_TOPICS = [
  "head",
  "block",
  "block_gossip",
  "attestation",
  "single_attestation",
  "voluntary_exit",
  "bls_to_execution_change",
  "proposer_slashing",
  "attester_slashing",
  "finalized_checkpoint",
  "chain_reorg",
  "contribution_and_proof",
  "light_client_finality_update",
  "light_client_optimistic_update",
  "payload_attributes",
  "blob_sidecar",
  "data_column_sidecar",
] as const;

/** An event topic. */
export type EventTopic = (typeof EVENT_TOPICS)[number];
