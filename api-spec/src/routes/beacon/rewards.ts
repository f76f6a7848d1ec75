// Beacon API: rewards of a block, its sync aggregate, and an epoch's attestations (/eth/v1/beacon/rewards/...).
import { arrayOf, int64, object, optional, uint64 } from "../../codec/json.ts";
import { blockIdParam, pathParam, uintParam } from "../../codec/params.ts";
import { dataResponse, jsonBody, type RouteContext, route } from "../define.ts";
import { validatorIdJson } from "../values.ts";

const EO_FIN = ["executionOptimistic", "finalized"] as const;

/** Reward figures of one attestation duty (Int64 Gwei; inclusion_delay only before altair). */
const attestationRewardFields = {
  head: int64,
  target: int64,
  source: int64,
  inclusion_delay: optional(uint64),
  inactivity: int64,
};

/** Routes of the rewards endpoints. */
export function rewardRoutes(_ctx: RouteContext) {
  const idsBody = jsonBody(arrayOf(validatorIdJson), { required: false });
  return {
    getSyncCommitteeRewards: route({
      operationId: "getSyncCommitteeRewards",
      method: "POST",
      path: "/eth/v1/beacon/rewards/sync_committee/{block_id}",
      params: { block_id: pathParam(blockIdParam) },
      body: idsBody,
      response: dataResponse(arrayOf(object({ validator_index: uint64, reward: int64 })), EO_FIN),
    }),
    getBlockRewards: route({
      operationId: "getBlockRewards",
      method: "GET",
      path: "/eth/v1/beacon/rewards/blocks/{block_id}",
      params: { block_id: pathParam(blockIdParam) },
      response: dataResponse(
        object({
          proposer_index: uint64,
          total: uint64,
          attestations: uint64,
          sync_aggregate: uint64,
          proposer_slashings: uint64,
          attester_slashings: uint64,
        }),
        EO_FIN,
      ),
    }),
    getAttestationsRewards: route({
      operationId: "getAttestationsRewards",
      method: "POST",
      path: "/eth/v1/beacon/rewards/attestations/{epoch}",
      params: { epoch: pathParam(uintParam) },
      body: idsBody,
      response: dataResponse(
        object({
          ideal_rewards: arrayOf(object({ effective_balance: uint64, ...attestationRewardFields })),
          total_rewards: arrayOf(object({ validator_index: uint64, ...attestationRewardFields })),
        }),
        EO_FIN,
      ),
    }),
  };
}
