// Beacon API: the node itself (/eth/v1/node/...): identity, peers, version, sync status, health.
import { fail, show } from "../codec/errors.ts";
import {
  arrayOf,
  bool,
  hexBytes,
  type JsonCodec,
  nullable,
  object,
  oneOf,
  optional,
  string,
  uint64,
  uint64Big,
  withDefault,
} from "../codec/json.ts";
import { enumParam, intParam, pathParam, queryList, queryParam, stringParam } from "../codec/params.ts";
import { bareResponse, dataResponse, emptyResponse, NO_PARAMS, type RouteContext, route } from "./define.ts";

/** Connection states of a peer. */
export const PEER_STATES = ["disconnected", "connecting", "connected", "disconnecting"] as const;
/** Directions of a peer connection. */
export const PEER_DIRECTIONS = ["inbound", "outbound"] as const;

/** Bytes of the attnets bitvector (ATTESTATION_SUBNET_COUNT = 64 bits). */
const ATTNETS_BYTES = 8;
/** Bytes of the syncnets bitvector (SYNC_COMMITTEE_SUBNET_COUNT = 4 bits). */
const SYNCNETS_BYTES = 1;
/** Status codes the health endpoint may be asked to answer while syncing (an HTTP status). */
const MIN_HTTP_STATUS = 100;
const MAX_HTTP_STATUS = 599;

/** A non-negative JSON number (getPeers' `meta.count` is a number, not a string). */
const count: JsonCodec<number> = {
  shape: { kind: "count" },
  toJson: (value) => value,
  fromJson(json, path) {
    if (typeof json !== "number" || !Number.isSafeInteger(json) || json < 0) {
      fail(path, `expected a non-negative integer, got ${show(json)}`);
    }
    return json;
  },
};

/** Routes of the node endpoints. */
export function nodeRoutes(_ctx: RouteContext) {
  const peer = object({
    peer_id: string,
    enr: nullable(string),
    last_seen_p2p_address: string,
    state: oneOf(PEER_STATES),
    direction: oneOf(PEER_DIRECTIONS),
  });
  return {
    getNetworkIdentity: route({
      operationId: "getNetworkIdentity",
      method: "GET",
      path: "/eth/v1/node/identity",
      params: NO_PARAMS,
      response: dataResponse(
        object({
          peer_id: string,
          enr: string,
          p2p_addresses: arrayOf(string),
          discovery_addresses: arrayOf(string),
          metadata: object({
            seq_number: uint64Big,
            attnets: hexBytes(ATTNETS_BYTES),
            syncnets: optional(hexBytes(SYNCNETS_BYTES)),
            custody_group_count: optional(uint64),
          }),
        }),
      ),
    }),
    getPeers: route({
      operationId: "getPeers",
      method: "GET",
      path: "/eth/v1/node/peers",
      params: { state: queryList(enumParam(PEER_STATES)), direction: queryList(enumParam(PEER_DIRECTIONS)) },
      response: bareResponse(object({ data: arrayOf(peer), meta: object({ count }) })),
    }),
    getPeer: route({
      operationId: "getPeer",
      method: "GET",
      path: "/eth/v1/node/peers/{peer_id}",
      params: { peer_id: pathParam(stringParam) },
      response: dataResponse(peer),
    }),
    getPeerCount: route({
      operationId: "getPeerCount",
      method: "GET",
      path: "/eth/v1/node/peer_count",
      params: NO_PARAMS,
      response: dataResponse(
        object({ disconnected: uint64, connecting: uint64, connected: uint64, disconnecting: uint64 }),
      ),
    }),
    getNodeVersion: route({
      operationId: "getNodeVersion",
      method: "GET",
      path: "/eth/v1/node/version",
      params: NO_PARAMS,
      response: dataResponse(object({ version: string })),
    }),
    getSyncingStatus: route({
      operationId: "getSyncingStatus",
      method: "GET",
      path: "/eth/v1/node/syncing",
      params: NO_PARAMS,
      response: dataResponse(
        // is_optimistic and el_offline are required upstream (and always written), but nodes from before 2023 omit
        // them (Lodestar 1.5 sends no el_offline): a reader takes absent as false, so a validator client still
        // pairs with those nodes.
        object({
          head_slot: uint64,
          sync_distance: uint64,
          is_syncing: bool,
          is_optimistic: withDefault(bool, false),
          el_offline: withDefault(bool, false),
        }),
      ),
    }),
    getHealth: route({
      operationId: "getHealth",
      method: "GET",
      path: "/eth/v1/node/health",
      params: { syncing_status: queryParam(intParam(MIN_HTTP_STATUS, MAX_HTTP_STATUS)) },
      // 200 ready, 206 syncing (or the syncing_status asked for), 503 not initialized or having issues.
      response: emptyResponse([200, 206, 503]),
    }),
  };
}
