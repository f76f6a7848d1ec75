// Beacon API: the Server-Sent Events stream (GET /eth/v1/events?topics=...), every topic of v4.0.0. Each topic has
// a JSON codec for its `data`; the server writes `event: <topic>\ndata: <json>\n\n`, the SSE client reads it back
// into a typed event.
import { fail, InputError } from "../codec/errors.ts";
import { arrayOf, bool, hexBytes, type JsonCodec, object, optional, uint64, type ValueOfCodec } from "../codec/json.ts";
import { enumParam, queryList } from "../codec/params.ts";
import { type AnySszType, sszJson } from "../codec/ssz.ts";
import { versionedJson } from "./beacon/lightClient.ts";
import { type RouteContext, route } from "./define.ts";
import type { ResponseSpec } from "./types.ts";
import { addressJson, EVENT_TOPICS, type EventTopic, type ForkValue, forkNameJson, rootJson } from "./values.ts";

/** Bytes of a KZG commitment. */
const KZG_COMMITMENT_BYTES = 48;

/** Reads and writes the events of a stream. */
export interface EventCodec<E> {
  topics: readonly string[];
  /** The SSE `event` name and `data` text of an event. */
  write(event: E): { event: string; data: string };
  /** The event of an SSE message; throws InputError for an unknown topic or malformed data. */
  read(event: string, data: string): E;
}

/** The JSON codec of each topic's data. */
export function eventDataCodecs(ctx: RouteContext) {
  const { phase0, altair, capella, electra } = ctx.types;
  const attestation: JsonCodec<ForkValue<"Attestation">> = {
    shape: { kind: "union", options: [sszJson(phase0.Attestation).shape, sszJson(electra.Attestation).shape] },
    toJson: (value) =>
      "committeeBits" in value ? electra.Attestation.toJson(value) : phase0.Attestation.toJson(value),
    fromJson: (json, path) =>
      typeof json === "object" && json !== null && "committee_bits" in json
        ? sszJson(electra.Attestation).fromJson(json, path)
        : sszJson(phase0.Attestation).fromJson(json, path),
  };
  const lightClient = <N extends "LightClientFinalityUpdate" | "LightClientOptimisticUpdate">(name: N) =>
    versionedJson<ForkValue<N>>(ctx.types, (ns, fork) =>
      fork === "phase0" ? undefined : (ns as unknown as Record<string, AnySszType>)[name],
    );
  return {
    head: object({
      slot: uint64,
      block: rootJson,
      state: rootJson,
      epoch_transition: bool,
      previous_duty_dependent_root: rootJson,
      current_duty_dependent_root: rootJson,
      execution_optimistic: bool,
    }),
    block: object({ slot: uint64, block: rootJson, execution_optimistic: bool }),
    block_gossip: object({ slot: uint64, block: rootJson }),
    attestation,
    single_attestation: sszJson(electra.SingleAttestation),
    voluntary_exit: sszJson(phase0.SignedVoluntaryExit),
    bls_to_execution_change: sszJson(capella.SignedBLSToExecutionChange),
    proposer_slashing: sszJson(phase0.ProposerSlashing),
    // The electra type reads both shapes (same JSON, larger limits).
    attester_slashing: sszJson(electra.AttesterSlashing),
    finalized_checkpoint: object({ block: rootJson, state: rootJson, epoch: uint64, execution_optimistic: bool }),
    chain_reorg: object({
      slot: uint64,
      depth: uint64,
      old_head_block: rootJson,
      new_head_block: rootJson,
      old_head_state: rootJson,
      new_head_state: rootJson,
      epoch: uint64,
      execution_optimistic: bool,
    }),
    contribution_and_proof: sszJson(altair.SignedContributionAndProof),
    light_client_finality_update: lightClient("LightClientFinalityUpdate"),
    light_client_optimistic_update: lightClient("LightClientOptimisticUpdate"),
    payload_attributes: object({
      version: forkNameJson,
      data: object({
        proposer_index: uint64,
        proposal_slot: uint64,
        parent_block_number: uint64,
        parent_block_root: rootJson,
        parent_block_hash: rootJson,
        payload_attributes: object({
          timestamp: uint64,
          prev_randao: rootJson,
          suggested_fee_recipient: addressJson,
          // PayloadAttributesV2 (capella) adds withdrawals, V3 (deneb) the parent beacon block root.
          withdrawals: optional(arrayOf(sszJson(capella.Withdrawal))),
          parent_beacon_block_root: optional(rootJson),
        }),
      }),
    }),
    blob_sidecar: object({
      block_root: rootJson,
      index: uint64,
      slot: uint64,
      kzg_commitment: hexBytes(KZG_COMMITMENT_BYTES),
      versioned_hash: rootJson,
    }),
    data_column_sidecar: object({
      block_root: rootJson,
      index: uint64,
      slot: uint64,
      kzg_commitments: arrayOf(hexBytes(KZG_COMMITMENT_BYTES)),
    }),
  } satisfies Record<EventTopic, unknown>;
}

/** The data of each topic's events. */
export type EventDataMap = { [K in EventTopic]: ValueOfCodec<ReturnType<typeof eventDataCodecs>[K]> };

/** A typed beacon node event. */
export type BeaconEvent = { [K in EventTopic]: { topic: K; data: EventDataMap[K] } }[EventTopic];

/** The event codec of the stream. */
export function beaconEventCodec(ctx: RouteContext): EventCodec<BeaconEvent> {
  const codecs = eventDataCodecs(ctx) as Record<string, JsonCodec<unknown>>;
  return {
    topics: EVENT_TOPICS,
    write: (event) => ({ event: event.topic, data: JSON.stringify(codecs[event.topic].toJson(event.data)) }),
    read(event, data) {
      const codec = codecs[event];
      if (codec === undefined) fail("event", `unknown topic ${event}`);
      let json: unknown;
      try {
        json = JSON.parse(data);
      } catch (e) {
        throw new InputError(`event ${event}`, `data is not JSON: ${(e as Error).message}`);
      }
      return { topic: event, data: codec.fromJson(json, `event ${event}`) } as BeaconEvent;
    },
  };
}

/** The eventstream route. */
export function eventRoutes(ctx: RouteContext) {
  const events = beaconEventCodec(ctx);
  const response: ResponseSpec<BeaconEvent, never, "events"> = {
    kind: "events",
    meta: [],
    statuses: [200],
    events,
  };
  return {
    eventstream: route({
      operationId: "eventstream",
      method: "GET",
      path: "/eth/v1/events",
      params: { topics: queryList(enumParam(EVENT_TOPICS), { required: true }) },
      response,
    }),
  };
}
