// Beacon API: the chain's configuration (/eth/v1/config/...).
import { anyObject, arrayOf, object, uint64 } from "../codec/json.ts";
import { sszJson } from "../codec/ssz.ts";
import { dataResponse, NO_PARAMS, type RouteContext, route } from "./define.ts";
import { addressJson } from "./values.ts";

/** Routes of the config endpoints. */
export function configRoutes(ctx: RouteContext) {
  return {
    getForkSchedule: route({
      operationId: "getForkSchedule",
      method: "GET",
      path: "/eth/v1/config/fork_schedule",
      params: NO_PARAMS,
      response: dataResponse(arrayOf(sszJson(ctx.types.phase0.Fork))),
    }),
    getSpec: route({
      operationId: "getSpec",
      method: "GET",
      path: "/eth/v1/config/spec",
      params: NO_PARAMS,
      // Values are strings, except lists such as BLOB_SCHEDULE (fulu): objects are kept as the node sent them.
      response: dataResponse(anyObject),
    }),
    getDepositContract: route({
      operationId: "getDepositContract",
      method: "GET",
      path: "/eth/v1/config/deposit_contract",
      params: NO_PARAMS,
      response: dataResponse(object({ chain_id: uint64, address: addressJson })),
    }),
  };
}
