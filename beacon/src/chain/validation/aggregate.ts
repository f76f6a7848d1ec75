// Validation of aggregates submitted through the API (p2p-interface.md beacon_aggregate_and_proof, IGNORE cases
// accepted as known): SignedAggregateAndProof of phase0 … deneb (committee = data.index) and of electra (one
// committee bit, data.index 0). Checks the attestation data like an attestation, then the aggregation bits against
// the committee, the aggregator's membership and selection (is_aggregator), and three signatures — selection
// proof, aggregator, aggregate — verified in one batch by the caller.
import type { ValueOf } from "@chainsafe/ssz";
import { isAggregator } from "@sextant/consensus/committees/aggregators";
import { DOMAIN_AGGREGATE_AND_PROOF, DOMAIN_SELECTION_PROOF } from "@sextant/consensus/signing/domainTypes";
import { indexedAttestationSignatureSet, singleSignatureSet, stateDomain } from "@sextant/consensus/state/accessors";
import type { SszTypes } from "@sextant/consensus/types/sszTypes";
import type { BeaconChain } from "../chain.ts";
import {
  checkAttestationData,
  type ElectraAttestation,
  type Phase0Attestation,
  voteInForkChoice,
} from "./attestation.ts";
import { invalid, KNOWN, markLive, type Prepared, seen, validationRecord } from "./common.ts";

/** A SignedAggregateAndProof of phase0 … deneb or of electra. */
export type SignedAggregateAndProof =
  | ValueOf<SszTypes["phase0"]["SignedAggregateAndProof"]>
  | ValueOf<SszTypes["electra"]["SignedAggregateAndProof"]>;

/** hash_tree_root of a Slot (uint64). */
export function slotRoot(slot: number): Uint8Array {
  const root = new Uint8Array(32);
  new DataView(root.buffer).setBigUint64(0, BigInt(slot), true);
  return root;
}

/**
 * Checks a SignedAggregateAndProof and returns its three signature sets and the commit that pools the aggregate,
 * votes its attesters in the fork choice, emits the `attestation` event and records liveness. A second aggregate
 * of the same aggregator and target epoch is accepted as known.
 */
export function prepareAggregate(chain: BeaconChain, signed: SignedAggregateAndProof): Prepared {
  const { aggregatorIndex, aggregate, selectionProof } = signed.message;
  const { data } = aggregate;
  const electra = chain.attestationPool.isElectraSlot(data.slot);
  const committeeBits = (aggregate as Partial<ElectraAttestation>).committeeBits;
  if (electra !== (committeeBits !== undefined)) {
    throw invalid(`aggregate format does not match the fork of slot ${data.slot} (electra: ${electra})`);
  }
  let committeeIndex = data.index;
  if (committeeBits !== undefined) {
    if (data.index !== 0) throw invalid(`data.index must be 0 from electra on (got ${data.index})`);
    const set = committeeBits.getTrueBitIndexes();
    if (set.length !== 1) throw invalid(`an aggregate names exactly one committee (${set.length} committee bits set)`);
    committeeIndex = set[0];
  }
  const ctx = checkAttestationData(chain, data, committeeIndex);
  const bits = aggregate.aggregationBits;
  if (bits.bitLen !== ctx.committee.length) {
    throw invalid(`wrong committee: ${bits.bitLen} aggregation bits for a committee of ${ctx.committee.length}`);
  }
  const positions = bits.getTrueBitIndexes();
  if (positions.length === 0) throw invalid("the aggregate has no aggregation bit set");
  if (!ctx.committee.includes(aggregatorIndex)) {
    throw invalid(
      `wrong committee: aggregator ${aggregatorIndex} is not in committee ${committeeIndex} of slot ${data.slot}`,
    );
  }
  if (!isAggregator(ctx.committee.length, selectionProof)) {
    throw invalid(
      `validator ${aggregatorIndex} is not an aggregator of slot ${data.slot} (selection proof not selected)`,
    );
  }
  const record = validationRecord(chain);
  if (seen(record.aggregators, ctx.epoch, aggregatorIndex, false, 3)) return KNOWN;
  const { cs } = ctx;
  const types = chain.config.types;
  const selectionDomain = stateDomain(cs, DOMAIN_SELECTION_PROOF, ctx.epoch);
  const aggregateDomain = stateDomain(cs, DOMAIN_AGGREGATE_AND_PROOF, ctx.epoch);
  const messageRoot = electra
    ? types.electra.AggregateAndProof.hashTreeRoot(signed.message as ValueOf<SszTypes["electra"]["AggregateAndProof"]>)
    : types.phase0.AggregateAndProof.hashTreeRoot(signed.message as ValueOf<SszTypes["phase0"]["AggregateAndProof"]>);
  const attesters = positions.map((p) => ctx.committee[p]).sort((a, b) => a - b);
  const aggregateSet = indexedAttestationSignatureSet(
    cs,
    { attestingIndices: attesters, data, signature: aggregate.signature },
    "aggregate: is_valid_indexed_attestation",
  );
  return {
    sets: [
      singleSignatureSet(cs, aggregatorIndex, slotRoot(data.slot), selectionDomain, selectionProof),
      singleSignatureSet(cs, aggregatorIndex, messageRoot, aggregateDomain, signed.signature),
      aggregateSet,
    ],
    setNames: [
      `invalid selection proof of aggregator ${aggregatorIndex}`,
      `invalid signature of aggregator ${aggregatorIndex}`,
      "invalid aggregate signature",
    ],
    commit: () => {
      if (seen(record.aggregators, ctx.epoch, aggregatorIndex, true, 3)) return;
      chain.attestationPool.add(aggregate as Phase0Attestation | ElectraAttestation);
      voteInForkChoice(chain, ctx, data, attesters);
      markLive(chain, ctx.epoch, [aggregatorIndex, ...attesters]);
      chain.events.emit({ topic: "attestation", data: aggregate as Phase0Attestation });
    },
  };
}
