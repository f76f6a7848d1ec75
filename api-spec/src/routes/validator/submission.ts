// Validator API: what validators submit — aggregates, contributions, subnet subscriptions, proposer preparation,
// builder registrations, selection proofs (distributed validators) — and the liveness query.
import { arrayOf, bool, object, uint64 } from "../../codec/json.ts";
import { pathParam, uintParam } from "../../codec/params.ts";
import { sszJson } from "../../codec/ssz.ts";
import {
  dataResponse,
  emptyResponse,
  forkBody,
  jsonBody,
  listOf,
  NO_PARAMS,
  type RouteContext,
  route,
  sszBatchBody,
  sszBody,
} from "../define.ts";
import { addressJson, type ForkValue } from "../values.ts";

/** Routes of the submission endpoints. */
export function submissionRoutes(ctx: RouteContext) {
  const { phase0, altair, bellatrix } = ctx.types;
  return {
    publishAggregateAndProofs: route({
      operationId: "publishAggregateAndProofs",
      method: "POST",
      path: "/eth/v1/validator/aggregate_and_proofs",
      params: NO_PARAMS,
      body: sszBatchBody(phase0.SignedAggregateAndProof),
      response: emptyResponse(),
    }),
    publishAggregateAndProofsV2: route({
      operationId: "publishAggregateAndProofsV2",
      method: "POST",
      path: "/eth/v2/validator/aggregate_and_proofs",
      params: NO_PARAMS,
      body: forkBody<ForkValue<"SignedAggregateAndProof">[]>(ctx.types, (ns) => ns.SignedAggregateAndProof, {
        ssz: true,
        batch: true,
      }),
      response: emptyResponse(),
    }),
    prepareBeaconCommitteeSubnet: route({
      operationId: "prepareBeaconCommitteeSubnet",
      method: "POST",
      path: "/eth/v1/validator/beacon_committee_subscriptions",
      params: NO_PARAMS,
      body: jsonBody(
        arrayOf(
          object({
            validator_index: uint64,
            committee_index: uint64,
            committees_at_slot: uint64,
            slot: uint64,
            is_aggregator: bool,
          }),
        ),
      ),
      response: emptyResponse(),
    }),
    prepareSyncCommitteeSubnets: route({
      operationId: "prepareSyncCommitteeSubnets",
      method: "POST",
      path: "/eth/v1/validator/sync_committee_subscriptions",
      params: NO_PARAMS,
      body: jsonBody(
        arrayOf(object({ validator_index: uint64, sync_committee_indices: arrayOf(uint64), until_epoch: uint64 })),
      ),
      response: emptyResponse(),
    }),
    submitBeaconCommitteeSelections: route({
      operationId: "submitBeaconCommitteeSelections",
      method: "POST",
      path: "/eth/v1/validator/beacon_committee_selections",
      params: NO_PARAMS,
      body: jsonBody(arrayOf(sszJson(phase0.BeaconCommitteeSelection))),
      response: dataResponse(arrayOf(sszJson(phase0.BeaconCommitteeSelection))),
    }),
    submitSyncCommitteeSelections: route({
      operationId: "submitSyncCommitteeSelections",
      method: "POST",
      path: "/eth/v1/validator/sync_committee_selections",
      params: NO_PARAMS,
      body: jsonBody(arrayOf(sszJson(altair.SyncCommitteeSelection))),
      response: dataResponse(arrayOf(sszJson(altair.SyncCommitteeSelection))),
    }),
    publishContributionAndProofs: route({
      operationId: "publishContributionAndProofs",
      method: "POST",
      path: "/eth/v1/validator/contribution_and_proofs",
      params: NO_PARAMS,
      body: sszBatchBody(altair.SignedContributionAndProof),
      response: emptyResponse(),
    }),
    prepareBeaconProposer: route({
      operationId: "prepareBeaconProposer",
      method: "POST",
      path: "/eth/v1/validator/prepare_beacon_proposer",
      params: NO_PARAMS,
      body: jsonBody(arrayOf(object({ validator_index: uint64, fee_recipient: addressJson }))),
      response: emptyResponse(),
    }),
    registerValidator: route({
      operationId: "registerValidator",
      method: "POST",
      path: "/eth/v1/validator/register_validator",
      params: NO_PARAMS,
      body: sszBody(listOf(bellatrix.SignedValidatorRegistrationV1)),
      response: emptyResponse(),
    }),
    getLiveness: route({
      operationId: "getLiveness",
      method: "POST",
      path: "/eth/v1/validator/liveness/{epoch}",
      params: { epoch: pathParam(uintParam) },
      body: jsonBody(arrayOf(uint64, { minItems: 1 })),
      response: dataResponse(arrayOf(object({ index: uint64, is_live: bool }))),
    }),
  };
}
