// Beacon API: block headers, blocks (get and publish, full and blinded), blob and data-column sidecars, blobs.
import { isForkAtLeast } from "@sextant/consensus";
import { arrayOf, bool, object } from "../../codec/json.ts";
import {
  blockIdParam,
  bytesParam,
  enumParam,
  pathParam,
  queryList,
  queryParam,
  ROOT_BYTES,
  rootParam,
  uintParam,
} from "../../codec/params.ts";
import { sszJson } from "../../codec/ssz.ts";
import {
  dataResponse,
  emptyResponse,
  type ForkPick,
  forkBody,
  forkResponse,
  listOf,
  NO_PARAMS,
  type RouteContext,
  route,
  sszResponse,
} from "../define.ts";
import type { ForkValue } from "../values.ts";
import { rootJson } from "../values.ts";

/** Levels of validation before a published block is broadcast. */
export const BROADCAST_VALIDATIONS = ["gossip", "consensus", "consensus_and_equivocation"] as const;

/**
 * Largest accepted SSZ block submission, bytes. A signed block must fit in one gossip message (MAX_PAYLOAD_SIZE,
 * 10 MiB); from deneb on the contents add the blobs and their proofs: 64 blobs (three times mainnet's largest blob
 * schedule entry, 21) of 128 KiB with 128 cell proofs of 48 bytes each are 8.4 MiB. 20 MiB holds both.
 */
export const MAX_BLOCK_SSZ_BYTES = 20 * 1024 * 1024;
/** Largest accepted JSON block submission, bytes: hex doubles the bytes; 4 MiB more for field names and quotes. */
export const MAX_BLOCK_BODY_BYTES = 2 * MAX_BLOCK_SSZ_BYTES + 4 * 1024 * 1024;

const EO_FIN = ["executionOptimistic", "finalized"] as const;
type VEoFin = "version" | "executionOptimistic" | "finalized";
const V_EO_FIN = ["version", "executionOptimistic", "finalized"] as const;

/** A signed block or, from deneb on, block contents (block + blobs + proofs): what publishBlock takes. */
export const pickSignedBlockContents: ForkPick = (ns, fork) =>
  isForkAtLeast(fork, "deneb") && "SignedBlockContents" in ns ? ns.SignedBlockContents : ns.SignedBeaconBlock;
/** A signed blinded block from bellatrix on; before, the full block (no payload to blind). */
export const pickSignedBlinded: ForkPick = (ns) =>
  "SignedBlindedBeaconBlock" in ns ? ns.SignedBlindedBeaconBlock : ns.SignedBeaconBlock;

/** The slot of a JSON signed block or signed block contents (`message.slot` / `signed_block.message.slot`). */
export function signedBlockSlot(json: unknown): number | undefined {
  const j = json as { message?: { slot?: unknown }; signed_block?: { message?: { slot?: unknown } } } | null;
  const slot = j?.message?.slot ?? j?.signed_block?.message?.slot;
  return typeof slot === "string" && /^[0-9]{1,15}$/.test(slot) ? Number(slot) : undefined;
}

/** A signed block, full or blinded, of any fork. */
export type SignedBlockOrContents = ForkValue<"SignedBeaconBlock"> | ForkValue<"SignedBlockContents">;

/** Routes of headers, blocks and blobs. */
export function blockRoutes(ctx: RouteContext) {
  const { types } = ctx;
  const block_id = pathParam(blockIdParam);
  const header = object({ root: rootJson, canonical: bool, header: sszJson(types.phase0.SignedBeaconBlockHeader) });
  const broadcast_validation = queryParam(enumParam(BROADCAST_VALIDATIONS));
  const publishBody = (versionOptional: boolean) =>
    forkBody<SignedBlockOrContents>(types, pickSignedBlockContents, {
      ssz: true,
      versionOptional,
      inferVersion: (json) => {
        const slot = signedBlockSlot(json);
        return slot === undefined || ctx.forkAtSlot === undefined ? undefined : ctx.forkAtSlot(slot);
      },
      maxBytes: MAX_BLOCK_BODY_BYTES,
      maxSszBytes: MAX_BLOCK_SSZ_BYTES,
    });

  return {
    getBlockHeaders: route({
      operationId: "getBlockHeaders",
      method: "GET",
      path: "/eth/v1/beacon/headers",
      params: { slot: queryParam(uintParam), parent_root: queryParam(rootParam) },
      response: dataResponse(arrayOf(header), EO_FIN),
    }),
    getBlockHeader: route({
      operationId: "getBlockHeader",
      method: "GET",
      path: "/eth/v1/beacon/headers/{block_id}",
      params: { block_id },
      response: dataResponse(header, EO_FIN),
    }),
    publishBlindedBlockV2: route({
      operationId: "publishBlindedBlockV2",
      method: "POST",
      path: "/eth/v2/beacon/blinded_blocks",
      params: { broadcast_validation },
      body: forkBody<ForkValue<"SignedBlindedBeaconBlock"> | ForkValue<"SignedBeaconBlock">>(types, pickSignedBlinded, {
        ssz: true,
        maxBytes: MAX_BLOCK_BODY_BYTES,
        maxSszBytes: MAX_BLOCK_SSZ_BYTES,
      }),
      response: emptyResponse([200, 202]),
    }),
    publishBlock: route({
      operationId: "publishBlock",
      method: "POST",
      path: "/eth/v1/beacon/blocks",
      params: NO_PARAMS,
      body: publishBody(true),
      response: emptyResponse([200, 202]),
    }),
    publishBlockV2: route({
      operationId: "publishBlockV2",
      method: "POST",
      path: "/eth/v2/beacon/blocks",
      params: { broadcast_validation },
      body: publishBody(false),
      response: emptyResponse([200, 202]),
    }),
    getBlockV2: route({
      operationId: "getBlockV2",
      method: "GET",
      path: "/eth/v2/beacon/blocks/{block_id}",
      params: { block_id },
      response: forkResponse<ForkValue<"SignedBeaconBlock">, VEoFin>(types, (ns) => ns.SignedBeaconBlock, V_EO_FIN),
    }),
    getBlockRoot: route({
      operationId: "getBlockRoot",
      method: "GET",
      path: "/eth/v1/beacon/blocks/{block_id}/root",
      params: { block_id },
      response: dataResponse(object({ root: rootJson }), EO_FIN),
    }),
    getBlockAttestationsV2: route({
      operationId: "getBlockAttestationsV2",
      method: "GET",
      path: "/eth/v2/beacon/blocks/{block_id}/attestations",
      params: { block_id },
      response: forkResponse<ForkValue<"Attestation">[], VEoFin>(types, (ns) => ns.Attestation, V_EO_FIN, {
        list: true,
        ssz: false,
      }),
    }),
    getBlobSidecars: route({
      operationId: "getBlobSidecars",
      method: "GET",
      path: "/eth/v1/beacon/blob_sidecars/{block_id}",
      params: { block_id, indices: queryList(uintParam) },
      // Deneb and electra only: from fulu on blobs are served by getBlobs (upstream's version enum says so).
      response: forkResponse<ForkValue<"BlobSidecar">[], VEoFin>(
        types,
        (ns, fork) => ("BlobSidecar" in ns && !isForkAtLeast(fork, "fulu") ? ns.BlobSidecar : undefined),
        V_EO_FIN,
        { list: true },
      ),
    }),
    getBlobs: route({
      operationId: "getBlobs",
      method: "GET",
      path: "/eth/v1/beacon/blobs/{block_id}",
      params: { block_id, versioned_hashes: queryList(bytesParam(ROOT_BYTES)) },
      response: sszResponse(listOf(types.deneb.Blob), EO_FIN),
    }),
    getBlindedBlock: route({
      operationId: "getBlindedBlock",
      method: "GET",
      path: "/eth/v1/beacon/blinded_blocks/{block_id}",
      params: { block_id },
      response: forkResponse<ForkValue<"SignedBlindedBeaconBlock"> | ForkValue<"SignedBeaconBlock">, VEoFin>(
        types,
        pickSignedBlinded,
        V_EO_FIN,
      ),
    }),
  };
}
