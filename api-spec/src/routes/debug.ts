// Beacon API: debug endpoints — full states, chain heads, the fork-choice dump, data column sidecars.
import { anyObject, arrayOf, bool, type JsonCodec, object, oneOf, optional, uint64 } from "../codec/json.ts";
import { blockIdParam, pathParam, queryList, stateIdParam, uintParam } from "../codec/params.ts";
import { sszJson } from "../codec/ssz.ts";
import { bareResponse, dataResponse, forkResponse, NO_PARAMS, type RouteContext, route } from "./define.ts";
import { type ForkValue, rootJson } from "./values.ts";

type VEoFin = "version" | "executionOptimistic" | "finalized";
const V_EO_FIN = ["version", "executionOptimistic", "finalized"] as const;

/** Validity of a fork-choice node's execution payload. */
export const NODE_VALIDITIES = ["valid", "invalid", "optimistic"] as const;

/** Routes of the debug endpoints. */
export function debugRoutes(ctx: RouteContext) {
  const { types } = ctx;
  const checkpoint = sszJson(types.phase0.Checkpoint);
  const forkChoiceNode = object({
    slot: uint64,
    block_root: rootJson,
    parent_root: rootJson,
    justified_epoch: uint64,
    finalized_epoch: uint64,
    weight: uint64,
    validity: oneOf(NODE_VALIDITIES),
    execution_block_hash: rootJson,
    extra_data: optional(anyObject),
  });
  const forkChoice = object({
    justified_checkpoint: checkpoint,
    finalized_checkpoint: checkpoint,
    fork_choice_nodes: arrayOf(forkChoiceNode, { minItems: 1 }),
    extra_data: optional(anyObject),
  });
  return {
    getStateV2: route({
      operationId: "getStateV2",
      method: "GET",
      path: "/eth/v2/debug/beacon/states/{state_id}",
      params: { state_id: pathParam(stateIdParam) },
      response: forkResponse<ForkValue<"BeaconState">, VEoFin>(types, (ns) => ns.BeaconState, V_EO_FIN, {
        stream: true,
      }),
    }),
    getDebugChainHeadsV2: route({
      operationId: "getDebugChainHeadsV2",
      method: "GET",
      path: "/eth/v2/debug/beacon/heads",
      params: NO_PARAMS,
      response: dataResponse(arrayOf(object({ root: rootJson, slot: uint64, execution_optimistic: bool }))),
    }),
    getDebugForkChoice: route({
      operationId: "getDebugForkChoice",
      method: "GET",
      path: "/eth/v1/debug/fork_choice",
      params: NO_PARAMS,
      response: bareResponse(forkChoice as JsonCodec<ReturnType<typeof forkChoice.fromJson>>),
    }),
    getDebugDataColumnSidecars: route({
      operationId: "getDebugDataColumnSidecars",
      method: "GET",
      path: "/eth/v1/debug/beacon/data_column_sidecars/{block_id}",
      params: { block_id: pathParam(blockIdParam), indices: queryList(uintParam) },
      response: forkResponse<ForkValue<"DataColumnSidecar">[], VEoFin>(
        types,
        (ns) => ("DataColumnSidecar" in ns ? ns.DataColumnSidecar : undefined),
        V_EO_FIN,
        { list: true },
      ),
    }),
  };
}
