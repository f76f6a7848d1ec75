// Validator API: what the node produces for validators to sign — blocks (v3, and the deprecated v1/v2), attestation
// data, aggregates, sync committee contributions.
import { isForkAtLeast } from "@sextant/consensus";
import {
  graffitiParam,
  pathParam,
  queryFlag,
  queryParam,
  requiredQuery,
  rootParam,
  signatureParam,
  uintBigParam,
  uintParam,
} from "../../codec/params.ts";
import { sszBytes, sszJson } from "../../codec/ssz.ts";
import {
  dataResponse,
  type ForkPick,
  forkResponse,
  pickType,
  type RouteContext,
  route,
  sszResponse,
} from "../define.ts";
import type { MetaOf, ResponseSpec } from "../types.ts";
import type { ForkValue } from "../values.ts";

/** An unsigned block or, from deneb on, block contents (block + blobs + proofs). */
export const pickBlockContents: ForkPick = (ns, fork) =>
  isForkAtLeast(fork, "deneb") && "BlockContents" in ns ? ns.BlockContents : ns.BeaconBlock;
/** An unsigned blinded block (bellatrix on). */
export const pickBlinded: ForkPick = (ns) => ("BlindedBeaconBlock" in ns ? ns.BlindedBeaconBlock : undefined);

/** What produceBlockV3 answers: a full block (contents) or a blinded block. */
export type ProducedBlock = ForkValue<"BeaconBlock"> | ForkValue<"BlockContents"> | ForkValue<"BlindedBeaconBlock">;

type V3Meta = "version" | "executionPayloadBlinded" | "executionPayloadValue" | "consensusBlockValue";

/** Routes of the production endpoints. */
export function productionRoutes(ctx: RouteContext) {
  const { types } = ctx;
  const slot = pathParam(uintParam);
  const randao_reveal = requiredQuery(signatureParam);
  const graffiti = queryParam(graffitiParam);
  const v3Type = (m: MetaOf<V3Meta>) =>
    pickType(types, m.executionPayloadBlinded ? pickBlinded : pickBlockContents, m.version);
  const v3Response: ResponseSpec<ProducedBlock, V3Meta, "data"> = {
    kind: "data",
    meta: ["version", "executionPayloadBlinded", "executionPayloadValue", "consensusBlockValue"],
    statuses: [200],
    json: (m) => sszJson(v3Type(m)),
    ssz: (m) => sszBytes(v3Type(m)),
  };
  const attestationQuery = { attestation_data_root: requiredQuery(rootParam), slot: requiredQuery(uintParam) };

  return {
    produceBlock: route({
      operationId: "produceBlock",
      method: "GET",
      path: "/eth/v1/validator/blocks/{slot}",
      params: { slot, randao_reveal, graffiti },
      response: dataResponse(sszJson(types.phase0.BeaconBlock), ["blockValue"]),
    }),
    produceBlockV2: route({
      operationId: "produceBlockV2",
      method: "GET",
      path: "/eth/v2/validator/blocks/{slot}",
      params: { slot, randao_reveal, graffiti, skip_randao_verification: queryFlag() },
      response: forkResponse<ForkValue<"BeaconBlock"> | ForkValue<"BlockContents">, "version" | "blockValue">(
        types,
        pickBlockContents,
        ["version", "blockValue"],
      ),
    }),
    produceBlockV3: route({
      operationId: "produceBlockV3",
      method: "GET",
      path: "/eth/v3/validator/blocks/{slot}",
      params: {
        slot,
        randao_reveal,
        graffiti,
        skip_randao_verification: queryFlag(),
        builder_boost_factor: queryParam(uintBigParam),
      },
      response: v3Response,
    }),
    produceAttestationData: route({
      operationId: "produceAttestationData",
      method: "GET",
      path: "/eth/v1/validator/attestation_data",
      params: { slot: requiredQuery(uintParam), committee_index: requiredQuery(uintParam) },
      response: sszResponse(types.phase0.AttestationData),
    }),
    getAggregatedAttestation: route({
      operationId: "getAggregatedAttestation",
      method: "GET",
      path: "/eth/v1/validator/aggregate_attestation",
      params: attestationQuery,
      response: dataResponse(sszJson(types.phase0.Attestation)),
    }),
    getAggregatedAttestationV2: route({
      operationId: "getAggregatedAttestationV2",
      method: "GET",
      path: "/eth/v2/validator/aggregate_attestation",
      params: { ...attestationQuery, committee_index: requiredQuery(uintParam) },
      response: forkResponse<ForkValue<"Attestation">, "version">(types, (ns) => ns.Attestation, ["version"]),
    }),
    produceSyncCommitteeContribution: route({
      operationId: "produceSyncCommitteeContribution",
      method: "GET",
      path: "/eth/v1/validator/sync_committee_contribution",
      params: {
        slot: requiredQuery(uintParam),
        subcommittee_index: requiredQuery(uintParam),
        beacon_block_root: requiredQuery(rootParam),
      },
      response: dataResponse(sszJson(types.altair.SyncCommitteeContribution)),
    }),
  };
}
