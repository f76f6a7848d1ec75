// Beacon API: operation pools (/eth/v{1,2}/beacon/pool/...). Submissions of attestations, sync committee messages
// and BLS-to-execution changes are batches: items that fail answer the indexed failures body.
import { isForkAtLeast } from "@sextant/consensus";
import { arrayOf } from "../../codec/json.ts";
import { queryParam, uintParam } from "../../codec/params.ts";
import { sszJson } from "../../codec/ssz.ts";
import {
  dataResponse,
  emptyResponse,
  type ForkPick,
  forkBody,
  forkResponse,
  jsonBody,
  NO_PARAMS,
  type RouteContext,
  route,
  sszBatchBody,
} from "../define.ts";
import type { ForkValue } from "../values.ts";

/** What submitPoolAttestationsV2 takes per fork: Attestation before electra, SingleAttestation from electra on. */
export const pickSubmittedAttestation: ForkPick = (ns, fork) =>
  isForkAtLeast(fork, "electra") && "SingleAttestation" in ns ? ns.SingleAttestation : ns.Attestation;

/** Routes of the operation pools. */
export function poolRoutes(ctx: RouteContext) {
  const { types } = ctx;
  const { phase0, altair, capella } = types;
  const versionOnly = ["version"] as const;

  return {
    submitPoolAttestations: route({
      operationId: "submitPoolAttestations",
      method: "POST",
      path: "/eth/v1/beacon/pool/attestations",
      params: NO_PARAMS,
      body: sszBatchBody(phase0.Attestation),
      response: emptyResponse(),
    }),
    getPoolAttestationsV2: route({
      operationId: "getPoolAttestationsV2",
      method: "GET",
      path: "/eth/v2/beacon/pool/attestations",
      params: { slot: queryParam(uintParam), committee_index: queryParam(uintParam) },
      response: forkResponse<ForkValue<"Attestation">[], "version">(types, (ns) => ns.Attestation, versionOnly, {
        list: true,
        ssz: false,
      }),
    }),
    submitPoolAttestationsV2: route({
      operationId: "submitPoolAttestationsV2",
      method: "POST",
      path: "/eth/v2/beacon/pool/attestations",
      params: NO_PARAMS,
      body: forkBody<(ForkValue<"Attestation"> | ForkValue<"SingleAttestation">)[]>(types, pickSubmittedAttestation, {
        ssz: true,
        batch: true,
      }),
      response: emptyResponse(),
    }),
    getPoolAttesterSlashingsV2: route({
      operationId: "getPoolAttesterSlashingsV2",
      method: "GET",
      path: "/eth/v2/beacon/pool/attester_slashings",
      params: NO_PARAMS,
      response: forkResponse<ForkValue<"AttesterSlashing">[], "version">(
        types,
        (ns) => ns.AttesterSlashing,
        versionOnly,
        { list: true, ssz: false },
      ),
    }),
    submitPoolAttesterSlashingsV2: route({
      operationId: "submitPoolAttesterSlashingsV2",
      method: "POST",
      path: "/eth/v2/beacon/pool/attester_slashings",
      params: NO_PARAMS,
      body: forkBody<ForkValue<"AttesterSlashing">>(types, (ns) => ns.AttesterSlashing),
      response: emptyResponse(),
    }),
    getPoolProposerSlashings: route({
      operationId: "getPoolProposerSlashings",
      method: "GET",
      path: "/eth/v1/beacon/pool/proposer_slashings",
      params: NO_PARAMS,
      response: dataResponse(arrayOf(sszJson(phase0.ProposerSlashing))),
    }),
    submitPoolProposerSlashings: route({
      operationId: "submitPoolProposerSlashings",
      method: "POST",
      path: "/eth/v1/beacon/pool/proposer_slashings",
      params: NO_PARAMS,
      body: jsonBody(sszJson(phase0.ProposerSlashing)),
      response: emptyResponse(),
    }),
    submitPoolSyncCommitteeSignatures: route({
      operationId: "submitPoolSyncCommitteeSignatures",
      method: "POST",
      path: "/eth/v1/beacon/pool/sync_committees",
      params: NO_PARAMS,
      body: sszBatchBody(altair.SyncCommitteeMessage),
      response: emptyResponse(),
    }),
    getPoolVoluntaryExits: route({
      operationId: "getPoolVoluntaryExits",
      method: "GET",
      path: "/eth/v1/beacon/pool/voluntary_exits",
      params: NO_PARAMS,
      response: dataResponse(arrayOf(sszJson(phase0.SignedVoluntaryExit))),
    }),
    submitPoolVoluntaryExit: route({
      operationId: "submitPoolVoluntaryExit",
      method: "POST",
      path: "/eth/v1/beacon/pool/voluntary_exits",
      params: NO_PARAMS,
      body: jsonBody(sszJson(phase0.SignedVoluntaryExit)),
      response: emptyResponse(),
    }),
    getPoolBLSToExecutionChanges: route({
      operationId: "getPoolBLSToExecutionChanges",
      method: "GET",
      path: "/eth/v1/beacon/pool/bls_to_execution_changes",
      params: NO_PARAMS,
      response: dataResponse(arrayOf(sszJson(capella.SignedBLSToExecutionChange))),
    }),
    submitPoolBLSToExecutionChange: route({
      operationId: "submitPoolBLSToExecutionChange",
      method: "POST",
      path: "/eth/v1/beacon/pool/bls_to_execution_changes",
      params: NO_PARAMS,
      body: sszBatchBody(capella.SignedBLSToExecutionChange),
      response: emptyResponse(),
    }),
  };
}
