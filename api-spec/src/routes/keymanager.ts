// Keymanager API (served by the validator client): local keystores, remote signer keys, and per-key fee recipient,
// gas limit and graffiti, and signing a voluntary exit. Every operation requires the bearer token (the server's
// `beforeHandler` hook checks it).
import { arrayOf, bool, hexBytes, type JsonCodec, object, oneOf, optional, string, uint64 } from "../codec/json.ts";
import { pathParam, pubkeyParam, queryParam, uintParam } from "../codec/params.ts";
import { sszJson } from "../codec/ssz.ts";
import { bareResponse, dataResponse, emptyResponse, jsonBody, NO_PARAMS, type RouteContext, route } from "./define.ts";
import { pubkeyJson } from "./values.ts";

/** Bytes of an execution address. */
const ADDRESS_BYTES = 20;

/** Outcomes of importing a key. */
export const IMPORT_STATUSES = ["imported", "duplicate", "error"] as const;
/** Outcomes of deleting a local key. */
export const DELETE_STATUSES = ["deleted", "not_active", "not_found", "error"] as const;
/** Outcomes of deleting a remote key. */
export const DELETE_REMOTE_STATUSES = ["deleted", "not_found", "error"] as const;

function statuses<const V extends readonly string[]>(values: V) {
  return arrayOf(object({ status: oneOf(values), message: optional(string) }));
}

/** Routes of the keymanager API. */
export function keymanagerRoutes(ctx: RouteContext) {
  const pubkey = pathParam(pubkeyParam);
  // Any case on input, as the document's pattern allows; written lower-case (no checksum in this API).
  const ethaddress: JsonCodec<Uint8Array> = hexBytes(ADDRESS_BYTES);
  const pubkeys = object({ pubkeys: arrayOf(pubkeyJson) });
  return {
    listKeys: route({
      operationId: "listKeys",
      method: "GET",
      path: "/eth/v1/keystores",
      params: NO_PARAMS,
      response: dataResponse(
        arrayOf(object({ validating_pubkey: pubkeyJson, derivation_path: optional(string), readonly: optional(bool) })),
      ),
    }),
    importKeystores: route({
      operationId: "importKeystores",
      method: "POST",
      path: "/eth/v1/keystores",
      params: NO_PARAMS,
      body: jsonBody(
        object({ keystores: arrayOf(string), passwords: arrayOf(string), slashing_protection: optional(string) }),
      ),
      response: dataResponse(statuses(IMPORT_STATUSES)),
    }),
    deleteKeys: route({
      operationId: "deleteKeys",
      method: "DELETE",
      path: "/eth/v1/keystores",
      params: NO_PARAMS,
      body: jsonBody(pubkeys),
      response: bareResponse(object({ data: statuses(DELETE_STATUSES), slashing_protection: string })),
    }),
    listRemoteKeys: route({
      operationId: "listRemoteKeys",
      method: "GET",
      path: "/eth/v1/remotekeys",
      params: NO_PARAMS,
      response: dataResponse(arrayOf(object({ pubkey: pubkeyJson, url: optional(string), readonly: optional(bool) }))),
    }),
    importRemoteKeys: route({
      operationId: "importRemoteKeys",
      method: "POST",
      path: "/eth/v1/remotekeys",
      params: NO_PARAMS,
      body: jsonBody(object({ remote_keys: arrayOf(object({ pubkey: pubkeyJson, url: optional(string) })) })),
      response: dataResponse(statuses(IMPORT_STATUSES)),
    }),
    deleteRemoteKeys: route({
      operationId: "deleteRemoteKeys",
      method: "DELETE",
      path: "/eth/v1/remotekeys",
      params: NO_PARAMS,
      body: jsonBody(pubkeys),
      response: dataResponse(statuses(DELETE_REMOTE_STATUSES)),
    }),
    listFeeRecipient: route({
      operationId: "listFeeRecipient",
      method: "GET",
      path: "/eth/v1/validator/{pubkey}/feerecipient",
      params: { pubkey },
      response: dataResponse(object({ pubkey: optional(pubkeyJson), ethaddress })),
    }),
    setFeeRecipient: route({
      operationId: "setFeeRecipient",
      method: "POST",
      path: "/eth/v1/validator/{pubkey}/feerecipient",
      params: { pubkey },
      body: jsonBody(object({ ethaddress })),
      response: emptyResponse([202]),
    }),
    deleteFeeRecipient: route({
      operationId: "deleteFeeRecipient",
      method: "DELETE",
      path: "/eth/v1/validator/{pubkey}/feerecipient",
      params: { pubkey },
      response: emptyResponse([204]),
    }),
    getGasLimit: route({
      operationId: "getGasLimit",
      method: "GET",
      path: "/eth/v1/validator/{pubkey}/gas_limit",
      params: { pubkey },
      response: dataResponse(object({ pubkey: optional(pubkeyJson), gas_limit: uint64 })),
    }),
    setGasLimit: route({
      operationId: "setGasLimit",
      method: "POST",
      path: "/eth/v1/validator/{pubkey}/gas_limit",
      params: { pubkey },
      // The document does not mark this body required: without one the handler decides (400).
      body: jsonBody(object({ gas_limit: uint64 }), { required: false }),
      response: emptyResponse([202]),
    }),
    deleteGasLimit: route({
      operationId: "deleteGasLimit",
      method: "DELETE",
      path: "/eth/v1/validator/{pubkey}/gas_limit",
      params: { pubkey },
      response: emptyResponse([204]),
    }),
    getGraffiti: route({
      operationId: "getGraffiti",
      method: "GET",
      path: "/eth/v1/validator/{pubkey}/graffiti",
      params: { pubkey },
      response: dataResponse(object({ pubkey: optional(pubkeyJson), graffiti: string })),
    }),
    setGraffiti: route({
      operationId: "setGraffiti",
      method: "POST",
      path: "/eth/v1/validator/{pubkey}/graffiti",
      params: { pubkey },
      body: jsonBody(object({ graffiti: string })),
      response: emptyResponse([202]),
    }),
    deleteGraffiti: route({
      operationId: "deleteGraffiti",
      method: "DELETE",
      path: "/eth/v1/validator/{pubkey}/graffiti",
      params: { pubkey },
      response: emptyResponse([204]),
    }),
    signVoluntaryExit: route({
      operationId: "signVoluntaryExit",
      method: "POST",
      path: "/eth/v1/validator/{pubkey}/voluntary_exit",
      params: { pubkey, epoch: queryParam(uintParam) },
      response: dataResponse(sszJson(ctx.types.phase0.SignedVoluntaryExit)),
    }),
  };
}
