// Beacon API: genesis and queries of a state (/eth/v1/beacon/states/{state_id}/...).
import { container, primitives } from "@sextant/consensus";
import { arrayOf, nullAsAbsent, object, oneOf, optional, uint64 } from "../../codec/json.ts";
import {
  enumParam,
  pathParam,
  queryList,
  queryParam,
  stateIdParam,
  uintParam,
  validatorIdParam,
} from "../../codec/params.ts";
import { sszJson } from "../../codec/ssz.ts";
import {
  dataResponse,
  forkResponse,
  jsonBody,
  listOf,
  NO_PARAMS,
  type RouteContext,
  route,
  sszResponse,
} from "../define.ts";
import {
  type ForkValue,
  indexJson,
  rootJson,
  VALIDATOR_STATUS_FILTERS,
  VALIDATOR_STATUSES,
  validatorIdJson,
  versionJson,
} from "../values.ts";

/** Largest number of validator ids in a GET query (upstream maxItems; above it the answer is 414). */
export const MAX_VALIDATOR_IDS_IN_QUERY = 64;
/** Status of a GET with too many validator ids (upstream: 414 URI Too Long). */
const TOO_MANY_IDS_STATUS = 414;

const EO_FIN = ["executionOptimistic", "finalized"] as const;
const V_EO_FIN = ["version", "executionOptimistic", "finalized"] as const;

/** Routes of genesis and state queries. */
export function stateRoutes(ctx: RouteContext) {
  const { phase0 } = ctx.types;
  const state_id = pathParam(stateIdParam);
  const validatorResponse = object({
    index: indexJson,
    balance: uint64,
    status: oneOf(VALIDATOR_STATUSES),
    validator: sszJson(phase0.Validator),
  });
  const balanceResponse = object({ index: indexJson, balance: uint64 });
  // Served as SSZ too: List[ValidatorIdentity] with this container.
  const ValidatorIdentity = container("ValidatorIdentity", {
    index: primitives.ValidatorIndex,
    pubkey: primitives.BLSPubkey,
    activationEpoch: primitives.EpochInf,
  });
  const idsBody = () => jsonBody(arrayOf(validatorIdJson), { required: false });
  const validatorsQuery = queryList(validatorIdParam, {
    maxItems: MAX_VALIDATOR_IDS_IN_QUERY,
    tooManyStatus: TOO_MANY_IDS_STATUS,
  });
  const checkpoint = sszJson(phase0.Checkpoint);

  return {
    getGenesis: route({
      operationId: "getGenesis",
      method: "GET",
      path: "/eth/v1/beacon/genesis",
      params: NO_PARAMS,
      response: dataResponse(
        object({ genesis_time: uint64, genesis_validators_root: rootJson, genesis_fork_version: versionJson }),
      ),
    }),
    getStateRoot: route({
      operationId: "getStateRoot",
      method: "GET",
      path: "/eth/v1/beacon/states/{state_id}/root",
      params: { state_id },
      response: dataResponse(object({ root: rootJson }), EO_FIN),
    }),
    getStateFork: route({
      operationId: "getStateFork",
      method: "GET",
      path: "/eth/v1/beacon/states/{state_id}/fork",
      params: { state_id },
      response: dataResponse(sszJson(phase0.Fork), EO_FIN),
    }),
    getStateFinalityCheckpoints: route({
      operationId: "getStateFinalityCheckpoints",
      method: "GET",
      path: "/eth/v1/beacon/states/{state_id}/finality_checkpoints",
      params: { state_id },
      response: dataResponse(
        object({ previous_justified: checkpoint, current_justified: checkpoint, finalized: checkpoint }),
        EO_FIN,
      ),
    }),
    getStateValidators: route({
      operationId: "getStateValidators",
      method: "GET",
      path: "/eth/v1/beacon/states/{state_id}/validators",
      params: { state_id, id: validatorsQuery, status: queryList(enumParam(VALIDATOR_STATUS_FILTERS)) },
      response: dataResponse(arrayOf(validatorResponse), EO_FIN, { stream: true }),
    }),
    postStateValidators: route({
      operationId: "postStateValidators",
      method: "POST",
      path: "/eth/v1/beacon/states/{state_id}/validators",
      params: { state_id },
      body: jsonBody(
        object({
          // "Either or both may be null" (the document's description; its schema has no null).
          ids: optional(nullAsAbsent(arrayOf(validatorIdJson))),
          statuses: optional(nullAsAbsent(arrayOf(oneOf(VALIDATOR_STATUS_FILTERS)))),
        }),
      ),
      response: dataResponse(arrayOf(validatorResponse), EO_FIN, { stream: true }),
    }),
    getStateValidator: route({
      operationId: "getStateValidator",
      method: "GET",
      path: "/eth/v1/beacon/states/{state_id}/validators/{validator_id}",
      params: { state_id, validator_id: pathParam(validatorIdParam) },
      response: dataResponse(validatorResponse, EO_FIN),
    }),
    getStateValidatorBalances: route({
      operationId: "getStateValidatorBalances",
      method: "GET",
      path: "/eth/v1/beacon/states/{state_id}/validator_balances",
      params: { state_id, id: validatorsQuery },
      response: dataResponse(arrayOf(balanceResponse), EO_FIN, { stream: true }),
    }),
    postStateValidatorBalances: route({
      operationId: "postStateValidatorBalances",
      method: "POST",
      path: "/eth/v1/beacon/states/{state_id}/validator_balances",
      params: { state_id },
      body: idsBody(),
      response: dataResponse(arrayOf(balanceResponse), EO_FIN, { stream: true }),
    }),
    postStateValidatorIdentities: route({
      operationId: "postStateValidatorIdentities",
      method: "POST",
      path: "/eth/v1/beacon/states/{state_id}/validator_identities",
      params: { state_id },
      body: idsBody(),
      response: sszResponse(listOf(ValidatorIdentity), EO_FIN, { stream: true }),
    }),
    getEpochCommittees: route({
      operationId: "getEpochCommittees",
      method: "GET",
      path: "/eth/v1/beacon/states/{state_id}/committees",
      params: { state_id, epoch: queryParam(uintParam), index: queryParam(uintParam), slot: queryParam(uintParam) },
      response: dataResponse(arrayOf(object({ index: uint64, slot: uint64, validators: arrayOf(uint64) })), EO_FIN),
    }),
    getEpochSyncCommittees: route({
      operationId: "getEpochSyncCommittees",
      method: "GET",
      path: "/eth/v1/beacon/states/{state_id}/sync_committees",
      params: { state_id, epoch: queryParam(uintParam) },
      response: dataResponse(
        object({ validators: arrayOf(uint64), validator_aggregates: arrayOf(arrayOf(uint64)) }),
        EO_FIN,
      ),
    }),
    getStateRandao: route({
      operationId: "getStateRandao",
      method: "GET",
      path: "/eth/v1/beacon/states/{state_id}/randao",
      params: { state_id, epoch: queryParam(uintParam) },
      response: dataResponse(object({ randao: rootJson }), EO_FIN),
    }),
    getPendingConsolidations: route({
      operationId: "getPendingConsolidations",
      method: "GET",
      path: "/eth/v1/beacon/states/{state_id}/pending_consolidations",
      params: { state_id },
      response: forkResponse<ForkValue<"PendingConsolidations">, (typeof V_EO_FIN)[number]>(
        ctx.types,
        (ns) => ("PendingConsolidations" in ns ? ns.PendingConsolidations : undefined),
        V_EO_FIN,
        { stream: true },
      ),
    }),
    getPendingDeposits: route({
      operationId: "getPendingDeposits",
      method: "GET",
      path: "/eth/v1/beacon/states/{state_id}/pending_deposits",
      params: { state_id },
      response: forkResponse<ForkValue<"PendingDeposits">, (typeof V_EO_FIN)[number]>(
        ctx.types,
        (ns) => ("PendingDeposits" in ns ? ns.PendingDeposits : undefined),
        V_EO_FIN,
        { stream: true },
      ),
    }),
    getPendingPartialWithdrawals: route({
      operationId: "getPendingPartialWithdrawals",
      method: "GET",
      path: "/eth/v1/beacon/states/{state_id}/pending_partial_withdrawals",
      params: { state_id },
      response: forkResponse<ForkValue<"PendingPartialWithdrawals">, (typeof V_EO_FIN)[number]>(
        ctx.types,
        (ns) => ("PendingPartialWithdrawals" in ns ? ns.PendingPartialWithdrawals : undefined),
        V_EO_FIN,
        { stream: true },
      ),
    }),
    getProposerLookahead: route({
      operationId: "getProposerLookahead",
      method: "GET",
      path: "/eth/v1/beacon/states/{state_id}/proposer_lookahead",
      params: { state_id },
      response: forkResponse<ForkValue<"ProposerLookahead">, (typeof V_EO_FIN)[number]>(
        ctx.types,
        (ns) => ("ProposerLookahead" in ns ? ns.ProposerLookahead : undefined),
        V_EO_FIN,
      ),
    }),
  };
}
