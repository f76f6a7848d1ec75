// Validator API: duties of an epoch (attester, proposer, sync committee). Every answer carries the metadata a
// validator client needs to know when to refetch: dependent_root (attester, proposer) and execution_optimistic.
import { arrayOf, object, uint64 } from "../../codec/json.ts";
import { pathParam, uintParam } from "../../codec/params.ts";
import { dataResponse, jsonBody, type RouteContext, route } from "../define.ts";
import { pubkeyJson } from "../values.ts";

/** Validator indices of a duties request: at least one. */
const indicesBody = () => jsonBody(arrayOf(uint64, { minItems: 1 }));

/** Routes of the duty endpoints. */
export function dutyRoutes(_ctx: RouteContext) {
  const epoch = pathParam(uintParam);
  return {
    getAttesterDuties: route({
      operationId: "getAttesterDuties",
      method: "POST",
      path: "/eth/v1/validator/duties/attester/{epoch}",
      params: { epoch },
      body: indicesBody(),
      response: dataResponse(
        arrayOf(
          object({
            pubkey: pubkeyJson,
            validator_index: uint64,
            committee_index: uint64,
            committee_length: uint64,
            committees_at_slot: uint64,
            validator_committee_index: uint64,
            slot: uint64,
          }),
        ),
        ["dependentRoot", "executionOptimistic"],
      ),
    }),
    getProposerDuties: route({
      operationId: "getProposerDuties",
      method: "GET",
      path: "/eth/v1/validator/duties/proposer/{epoch}",
      params: { epoch },
      response: dataResponse(arrayOf(object({ pubkey: pubkeyJson, validator_index: uint64, slot: uint64 })), [
        "dependentRoot",
        "executionOptimistic",
      ]),
    }),
    getSyncCommitteeDuties: route({
      operationId: "getSyncCommitteeDuties",
      method: "POST",
      path: "/eth/v1/validator/duties/sync/{epoch}",
      params: { epoch },
      body: indicesBody(),
      response: dataResponse(
        arrayOf(
          object({
            pubkey: pubkeyJson,
            validator_index: uint64,
            validator_sync_committee_indices: arrayOf(uint64, { minItems: 1 }),
          }),
        ),
        ["executionOptimistic"],
      ),
    }),
  };
}
