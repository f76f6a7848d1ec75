// Attesting and aggregating (consensus-specs phase0/electra validator.md, "Attesting" and "Attestation
// aggregation"). At every slot with attester duties of ours: wait until the head block of the slot arrives or the
// attestation due point (a third of the slot by default), whichever comes first; ask the node for the attestation
// data (once per committee before electra; once for the slot from electra on, where data.index is 0); sign every
// attestation of the slot in one batch (one slashing-protection transaction); submit — from electra on as
// SingleAttestation through POST /eth/v2/beacon/pool/attestations with Eth-Consensus-Version, before as Attestation
// with one aggregation bit, v2 falling back to v1 for nodes that serve only v1 — in chunks of 2,000 sent in
// parallel. Then at the aggregate due point (two thirds), each of our aggregators asks the node for the slot's best
// aggregate of its committee, wraps it in an AggregateAndProof with its selection proof, and all of them are signed
// in one batch and published together.
import { BitArray } from "@chainsafe/ssz";
import type { Logger } from "@sextant/common";
import { type ForkName, isForkAtLeast } from "@sextant/consensus/params/forkName";
import type { SszTypes } from "@sextant/consensus/types/index";
import { bytesEqual } from "../collections.ts";
import type { ValidatorMetrics } from "../metrics.ts";
import type {
  AttestationDataValue,
  AttesterDuty,
  BeaconApi,
  BeaconNodes,
  Duties,
  ForkAtEpoch,
  HeadEvents,
  NodeHealth,
  Signer,
  SlotClock,
} from "../ports.ts";
import { type EndpointMemory, FEATURES } from "./endpoints.ts";
import {
  countMissed,
  countPerformed,
  DEFAULT_SUBMIT_CHUNK,
  errorReason,
  failureLabel,
  groupBy,
  observeDelay,
  submitInChunks,
} from "./util.ts";

/** What the attestation service needs. */
export interface AttestationServiceOptions {
  nodes: BeaconNodes;
  signer: Signer;
  duties: Duties;
  clock: SlotClock;
  head: HeadEvents;
  forkAtEpoch: ForkAtEpoch;
  types: SszTypes;
  logger: Logger;
  metrics?: ValidatorMetrics;
  endpoints: EndpointMemory;
  /** Items per submission request (default 2,000). */
  chunkSize?: number;
}

/** An attestation as submitted: Attestation before electra, SingleAttestation from electra on. */
type Submitted = Record<string, unknown>;

/** The attestation data of a slot per committee index (electra: one entry under every committee index). */
type DataByCommittee = Map<number, AttestationDataValue>;

/** Attests and aggregates for our validators' attester duties, slot by slot. */
export class AttestationService {
  private readonly opts: AttestationServiceOptions;
  private readonly log: Logger;
  private readonly chunkSize: number;

  constructor(opts: AttestationServiceOptions) {
    this.opts = opts;
    this.log = opts.logger;
    this.chunkSize = opts.chunkSize ?? DEFAULT_SUBMIT_CHUNK;
  }

  /** Runs the attestation and aggregation duties of `slot` (called at the slot's start). Never throws. */
  async onSlot(slot: number, signal: AbortSignal): Promise<void> {
    const { clock, head } = this.opts;
    if (this.opts.duties.attesterDutiesAt(slot).length === 0) return;
    try {
      const dueMs = clock.timeAtSlot(slot, clock.due.attestation);
      const early = await head.waitForHeadOfSlot(slot, dueMs, signal);
      if (signal.aborted) return;
      // Duties are read again after the wait: a reorg at the epoch boundary may have replaced them.
      const duties = this.opts.duties.attesterDutiesAt(slot);
      if (duties.length === 0) return;
      const fork = this.opts.forkAtEpoch(clock.epochAtSlot(slot));
      const data = await this.attest(slot, fork, duties, dueMs, early, signal);
      const aggregators = duties.filter((d) => d.isAggregator);
      if (aggregators.length === 0 || signal.aborted) return;
      await clock.sleepUntilSlot(slot, clock.due.aggregate, signal);
      await this.aggregate(slot, fork, aggregators, data, signal);
    } catch (err) {
      if (signal.aborted) return;
      this.log.error({ err, slot }, "attestation duties of the slot failed unexpectedly");
    }
  }

  // ------------------------------------------------------------------------------------------------- attesting

  /** Produces, signs and submits the slot's attestations; returns the data attested per committee. */
  private async attest(
    slot: number,
    fork: ForkName,
    duties: AttesterDuty[],
    dueMs: number,
    early: boolean,
    signal: AbortSignal,
  ): Promise<DataByCommittee> {
    const { signer, metrics } = this.opts;
    const electra = isForkAtLeast(fork, "electra");
    const data = await this.produceData(slot, electra, duties, signal);

    const withData = duties.filter((d) => data.has(d.committeeIndex));
    const noData = duties.length - withData.length;
    if (noData > 0) countMissed(metrics, "attestation", "no_attestation_data", noData);
    if (withData.length === 0) return data;

    let results: Awaited<ReturnType<Signer["signAttestations"]>>;
    try {
      results = await signer.signAttestations(
        withData.map((d) => ({ pubkey: d.pubkey, data: data.get(d.committeeIndex) as AttestationDataValue })),
      );
    } catch (err) {
      this.log.error({ err, slot, count: withData.length }, "signing the slot's attestations failed");
      countMissed(metrics, "attestation", "signing_failed", withData.length);
      return data;
    }

    const toSubmit: { duty: AttesterDuty; attestation: Submitted }[] = [];
    const refused: { pubkey: string; reason: string }[] = [];
    withData.forEach((duty, i) => {
      const result = results[i];
      if (result === undefined || !result.ok) {
        refused.push({ pubkey: duty.pubkey, reason: result?.ok === false ? result.reason : "no signature" });
        return;
      }
      const attData = data.get(duty.committeeIndex) as AttestationDataValue;
      const attestation: Submitted = electra
        ? {
            committeeIndex: duty.committeeIndex,
            attesterIndex: duty.validatorIndex,
            data: attData,
            signature: result.signature,
          }
        : {
            aggregationBits: BitArray.fromSingleBit(duty.committeeLength, duty.validatorCommitteeIndex),
            data: attData,
            signature: result.signature,
          };
      toSubmit.push({ duty, attestation });
    });
    if (refused.length > 0) {
      countMissed(metrics, "attestation", "refused", refused.length);
      this.log.warn(
        { slot, refused: refused.slice(0, 10), count: refused.length },
        "attestations not signed (slashing protection or doppelganger protection refused them)",
      );
    }
    if (toSubmit.length === 0) return data;

    const outcome = await submitInChunks(toSubmit, this.chunkSize, async (chunk) => {
      observeDelay(metrics, "attestation", dueMs, this.opts.clock.time.now());
      const body = chunk.map((c) => c.attestation);
      await this.opts.nodes.publish(
        "submitPoolAttestations",
        (api, node) => this.submitAttestations(api, node, fork, electra, body, signal),
        { signal },
      );
    });
    countPerformed(metrics, "attestation", outcome.accepted);
    if (outcome.rejected > 0) {
      countMissed(metrics, "attestation", failureLabel(outcome.errors[0]), outcome.rejected);
      const examples = outcome.failures
        .map((why, i) => (why === undefined ? undefined : { validatorIndex: toSubmit[i].duty.validatorIndex, why }))
        .filter((x) => x !== undefined)
        .slice(0, 5);
      this.log.warn(
        { slot, rejected: outcome.rejected, accepted: outcome.accepted, examples, err: outcome.errors[0] },
        "attestations not accepted by the beacon node",
      );
    }
    if (outcome.accepted > 0)
      this.log.info(
        {
          slot,
          count: outcome.accepted,
          trigger: early ? "head" : "due",
          committees: new Set(withData.map((d) => d.committeeIndex)).size,
        },
        "attestations published",
      );
    return data;
  }

  /** Attestation data per committee index (one request per committee before electra, one request from electra). */
  private async produceData(
    slot: number,
    electra: boolean,
    duties: AttesterDuty[],
    signal: AbortSignal,
  ): Promise<DataByCommittee> {
    const out: DataByCommittee = new Map();
    const committees = [...new Set(duties.map((d) => d.committeeIndex))];
    const request = async (committeeIndex: number) => {
      const res = await this.opts.nodes.request(
        "produceAttestationData",
        (api) => api.produceAttestationData({ slot, committeeIndex }, { signal }),
        { signal },
      );
      return res.data;
    };
    if (electra) {
      try {
        const data = await request(0);
        if (data.slot !== slot) throw new Error(`the node produced attestation data of slot ${data.slot}`);
        // EIP-7549: the committee is named in SingleAttestation.committee_index, data.index is always 0.
        const normalized = data.index === 0 ? data : { ...data, index: 0 };
        for (const c of committees) out.set(c, normalized);
      } catch (err) {
        if (!signal.aborted)
          this.log.warn({ err, slot, duties: duties.length }, "could not get attestation data from the beacon node");
      }
      return out;
    }
    await Promise.all(
      committees.map(async (committeeIndex) => {
        try {
          const data = await request(committeeIndex);
          if (data.slot !== slot || data.index !== committeeIndex)
            throw new Error(
              `the node produced attestation data of slot ${data.slot} committee ${data.index}, ` +
                `not slot ${slot} committee ${committeeIndex}`,
            );
          out.set(committeeIndex, data);
        } catch (err) {
          if (!signal.aborted)
            this.log.warn({ err, slot, committeeIndex }, "could not get attestation data from the beacon node");
        }
      }),
    );
    return out;
  }

  private async submitAttestations(
    api: BeaconApi,
    node: NodeHealth,
    fork: ForkName,
    electra: boolean,
    body: Submitted[],
    signal: AbortSignal,
  ): Promise<void> {
    const v2 = async () => {
      await api.submitPoolAttestationsV2({ body: body as never, version: fork }, { signal });
    };
    // v1 cannot carry electra's SingleAttestation: no fallback from electra on.
    if (electra) return v2();
    return this.opts.endpoints.call(node, FEATURES.submitAttestations, v2, async () => {
      await api.submitPoolAttestations({ body: body as never }, { signal });
    });
  }

  // ----------------------------------------------------------------------------------------------- aggregating

  /** Fetches, signs and publishes the aggregates of our aggregators at `slot`. */
  private async aggregate(
    slot: number,
    fork: ForkName,
    aggregators: AttesterDuty[],
    data: DataByCommittee,
    signal: AbortSignal,
  ): Promise<void> {
    const { signer, metrics, types, clock } = this.opts;
    const electra = isForkAtLeast(fork, "electra");
    const dueMs = clock.timeAtSlot(slot, clock.due.aggregate);

    // Selection proofs computed ahead come with the duty; the others are signed now (one batch).
    const missingProof = aggregators.filter((d) => d.selectionProof === undefined);
    const proofs = new Map<AttesterDuty, Uint8Array>();
    for (const d of aggregators) if (d.selectionProof) proofs.set(d, d.selectionProof);
    if (missingProof.length > 0) {
      try {
        const signed = await signer.signSelectionProofs(missingProof.map((d) => ({ pubkey: d.pubkey, slot })));
        missingProof.forEach((d, i) => {
          if (signed[i]) proofs.set(d, signed[i]);
        });
      } catch (err) {
        if (signal.aborted) return;
        this.log.warn({ err, slot, count: missingProof.length }, "could not sign aggregation selection proofs");
      }
    }

    const byCommittee = groupBy(aggregators, (d) => d.committeeIndex);
    const messages: { duty: AttesterDuty; message: Record<string, unknown> }[] = [];
    await Promise.all(
      [...byCommittee].map(async ([committeeIndex, duties]) => {
        const attData = data.get(committeeIndex);
        if (attData === undefined) {
          countMissed(metrics, "aggregate", "no_attestation_data", duties.length);
          return;
        }
        const root = types.phase0.AttestationData.hashTreeRoot(attData);
        let aggregate: Record<string, unknown> & { data: AttestationDataValue };
        try {
          const res = await this.opts.nodes.request(
            "getAggregatedAttestation",
            (api, node) => this.getAggregate(api, node, electra, slot, committeeIndex, root, signal),
            { signal },
          );
          aggregate = res as typeof aggregate;
          if (!bytesEqual(types.phase0.AttestationData.hashTreeRoot(aggregate.data), root))
            throw new Error("the node answered an aggregate of other attestation data");
          if (electra) {
            const bits = aggregate.committeeBits as BitArray | undefined;
            if (!bits?.get(committeeIndex)) throw new Error(`the aggregate is not of committee ${committeeIndex}`);
          }
        } catch (err) {
          if (signal.aborted) return;
          countMissed(metrics, "aggregate", "no_aggregate", duties.length);
          this.log.warn({ err, slot, committeeIndex }, "could not get the aggregate attestation from the beacon node");
          return;
        }
        for (const duty of duties) {
          const selectionProof = proofs.get(duty);
          if (selectionProof === undefined) {
            countMissed(metrics, "aggregate", "no_selection_proof");
            continue;
          }
          messages.push({
            duty,
            message: { aggregatorIndex: duty.validatorIndex, aggregate, selectionProof },
          });
        }
      }),
    );
    if (messages.length === 0 || signal.aborted) return;

    let results: Awaited<ReturnType<Signer["signAggregateAndProofs"]>>;
    try {
      results = await signer.signAggregateAndProofs(
        fork,
        messages.map((m) => ({ pubkey: m.duty.pubkey, message: m.message })),
      );
    } catch (err) {
      this.log.error({ err, slot, count: messages.length }, "signing aggregates failed");
      countMissed(metrics, "aggregate", "signing_failed", messages.length);
      return;
    }
    const signed: { duty: AttesterDuty; item: Record<string, unknown> }[] = [];
    messages.forEach((m, i) => {
      const r = results[i];
      if (r?.ok) signed.push({ duty: m.duty, item: { message: m.message, signature: r.signature } });
      else {
        countMissed(metrics, "aggregate", "refused");
        this.log.warn(
          { slot, pubkey: m.duty.pubkey, reason: r?.ok === false ? r.reason : "no signature" },
          "aggregate not signed",
        );
      }
    });
    if (signed.length === 0) return;

    const outcome = await submitInChunks(signed, this.chunkSize, async (chunk) => {
      observeDelay(metrics, "aggregate", dueMs, clock.time.now());
      const body = chunk.map((s) => s.item);
      await this.opts.nodes.publish(
        "publishAggregateAndProofs",
        (api, node) => this.publishAggregates(api, node, fork, electra, body, signal),
        { signal },
      );
    });
    countPerformed(metrics, "aggregate", outcome.accepted);
    if (outcome.rejected > 0) {
      countMissed(metrics, "aggregate", failureLabel(outcome.errors[0]), outcome.rejected);
      this.log.warn(
        { slot, rejected: outcome.rejected, err: outcome.errors[0], why: errorReason(outcome.errors[0]) },
        "aggregates not accepted by the beacon node",
      );
    }
    if (outcome.accepted > 0) this.log.info({ slot, count: outcome.accepted }, "aggregates published");
  }

  private async getAggregate(
    api: BeaconApi,
    node: NodeHealth,
    electra: boolean,
    slot: number,
    committeeIndex: number,
    attestationDataRoot: Uint8Array,
    signal: AbortSignal,
  ): Promise<unknown> {
    const v2 = async () =>
      (await api.getAggregatedAttestationV2({ attestationDataRoot, slot, committeeIndex }, { signal })).data;
    // v1 answers phase0 attestations only: no fallback from electra on.
    if (electra) return v2();
    return this.opts.endpoints.call(
      node,
      FEATURES.aggregateAttestation,
      v2,
      async () => (await api.getAggregatedAttestation({ attestationDataRoot, slot }, { signal })).data,
    );
  }

  private async publishAggregates(
    api: BeaconApi,
    node: NodeHealth,
    fork: ForkName,
    electra: boolean,
    body: Record<string, unknown>[],
    signal: AbortSignal,
  ): Promise<void> {
    const v2 = async () => {
      await api.publishAggregateAndProofsV2({ body: body as never, version: fork }, { signal });
    };
    if (electra) return v2();
    return this.opts.endpoints.call(node, FEATURES.publishAggregates, v2, async () => {
      await api.publishAggregateAndProofs({ body: body as never }, { signal });
    });
  }
}
