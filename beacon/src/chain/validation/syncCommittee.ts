// Validation of sync committee submissions through the API (p2p-interface.md sync_committee_{subnet_id} and
// sync_committee_contribution_and_proof, without the subnet check; IGNORE cases accepted as known):
// SyncCommitteeMessage (member of the sync committee serving the slot, signature over the block root) and
// SignedContributionAndProof (selection proof, aggregator selection and membership, the aggregator's signature and
// the contribution's aggregate signature). The committee comes from the head state (current or next period) —
// never from an advanced state.
import type { ValueOf } from "@chainsafe/ssz";
import type { SignatureSet } from "@sextant/consensus/bls/index";
import {
  getSyncCommitteeSeats,
  getSyncSubcommittee,
  isSyncCommitteeAggregator,
} from "@sextant/consensus/committees/aggregators";
import { SYNC_COMMITTEE_SUBNET_COUNT } from "@sextant/consensus/params/constants";
import { computeSigningRoot } from "@sextant/consensus/signing/domain";
import {
  DOMAIN_CONTRIBUTION_AND_PROOF,
  DOMAIN_SYNC_COMMITTEE,
  DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF,
} from "@sextant/consensus/signing/domainTypes";
import { singleSignatureSet, stateDomain } from "@sextant/consensus/state/accessors";
import type { CachedState } from "@sextant/consensus/state/cachedState";
import { statePubkeyReader } from "@sextant/consensus/state/epochContext";
import type { SszTypes } from "@sextant/consensus/types/sszTypes";
import type { SyncCommitteeMessage } from "../../opPools/syncCommitteePools.ts";
import type { BeaconChain } from "../chain.ts";
import { invalid, KNOWN, markLive, type Prepared, seen, unavailable, validationRecord } from "./common.ts";

/** A SignedContributionAndProof value. */
export type SignedContributionAndProof = ValueOf<SszTypes["altair"]["SignedContributionAndProof"]>;

export type { SyncCommitteeMessage };

/**
 * The sync committee (validator indices by position) that signs at `slot` and a state to read keys and domains
 * from: committees assigned to slot + 1's period sign for `slot` (get_sync_subcommittee_pubkeys), taken from the
 * head state's current or next committee.
 */
export function syncCommitteeAt(chain: BeaconChain, slot: number): { cs: CachedState; indices: Uint32Array } {
  const { preset } = chain.config;
  const spe = preset.SLOTS_PER_EPOCH;
  if (Math.floor(slot / spe) < chain.config.chain.ALTAIR_FORK_EPOCH) {
    throw invalid(`no sync committee before altair (slot ${slot})`);
  }
  const cs = chain.headState();
  const perPeriod = preset.EPOCHS_PER_SYNC_COMMITTEE_PERIOD;
  const statePeriod = Math.floor(Math.floor(cs.state.slot / spe) / perPeriod);
  const period = Math.floor(Math.floor((slot + 1) / spe) / perPeriod);
  const { currentSyncCommittee, nextSyncCommittee } = cs.ctx;
  if (currentSyncCommittee === undefined || nextSyncCommittee === undefined) {
    throw unavailable(`the head state has no sync committees (slot ${slot})`);
  }
  if (period === statePeriod) return { cs, indices: currentSyncCommittee.indices };
  if (period === statePeriod + 1) return { cs, indices: nextSyncCommittee.indices };
  throw unavailable(`the head state (period ${statePeriod}) does not hold the sync committee of period ${period}`);
}

/** Sync messages and contributions are accepted for the current slot and the one before (clock disparity). */
function checkSlot(chain: BeaconChain, slot: number, what: string): void {
  const current = chain.clock.currentSlot;
  if (slot > current) throw invalid(`${what} slot ${slot} is in the future (current slot ${current})`);
  if (slot + 1 < current) throw invalid(`${what} slot ${slot} is not the current slot ${current}`);
}

/**
 * Checks a SyncCommitteeMessage: slot, membership (every seat of the validator), signature over the block root.
 * The commit adds it to the message pool once per subcommittee it sits in. Repeats are accepted as known.
 */
export function prepareSyncCommitteeMessage(chain: BeaconChain, message: SyncCommitteeMessage): Prepared {
  const { slot, validatorIndex } = message;
  checkSlot(chain, slot, "sync committee message");
  const { cs, indices } = syncCommitteeAt(chain, slot);
  const seats = getSyncCommitteeSeats(indices, validatorIndex, chain.config.preset);
  if (seats.length === 0) throw invalid(`validator ${validatorIndex} is not in the sync committee of slot ${slot}`);
  const record = validationRecord(chain);
  if (seen(record.syncMessages, slot, validatorIndex, false, 4)) return KNOWN;
  const epoch = Math.floor(slot / chain.config.preset.SLOTS_PER_EPOCH);
  const domain = stateDomain(cs, DOMAIN_SYNC_COMMITTEE, epoch);
  return {
    sets: [singleSignatureSet(cs, validatorIndex, message.beaconBlockRoot, domain, message.signature)],
    setNames: [`invalid signature of validator ${validatorIndex}`],
    commit: () => {
      if (seen(record.syncMessages, slot, validatorIndex, true, 4)) return;
      const bySubnet = new Map<number, number[]>();
      for (const seat of seats) {
        const list = bySubnet.get(seat.subcommitteeIndex) ?? [];
        list.push(seat.indexInSubcommittee);
        bySubnet.set(seat.subcommitteeIndex, list);
      }
      for (const [subnet, positions] of bySubnet) chain.syncMessagePool.add(subnet, message, positions);
      markLive(chain, epoch, [validatorIndex]);
    },
  };
}

/**
 * Checks a SignedContributionAndProof: slot, subcommittee index, at least one bit, the aggregator selected by its
 * proof and sitting in the subcommittee, then the selection proof, the aggregator's signature and the
 * contribution's aggregate signature. The commit adds it to the contribution pool and emits its event.
 */
export function prepareContribution(chain: BeaconChain, signed: SignedContributionAndProof): Prepared {
  const { aggregatorIndex, contribution, selectionProof } = signed.message;
  const { slot, subcommitteeIndex } = contribution;
  const { preset, types } = chain.config;
  checkSlot(chain, slot, "contribution");
  if (subcommitteeIndex >= SYNC_COMMITTEE_SUBNET_COUNT) {
    throw invalid(`subcommittee index ${subcommitteeIndex} >= SYNC_COMMITTEE_SUBNET_COUNT`);
  }
  const positions = contribution.aggregationBits.getTrueBitIndexes();
  if (positions.length === 0) throw invalid("the contribution has no aggregation bit set");
  if (!isSyncCommitteeAggregator(selectionProof, preset)) {
    throw invalid(`validator ${aggregatorIndex} is not a sync committee aggregator (selection proof not selected)`);
  }
  const { cs, indices } = syncCommitteeAt(chain, slot);
  const subcommittee = getSyncSubcommittee(indices, subcommitteeIndex, preset);
  if (!subcommittee.includes(aggregatorIndex)) {
    throw invalid(`aggregator ${aggregatorIndex} is not in sync subcommittee ${subcommitteeIndex} of slot ${slot}`);
  }
  if (contribution.aggregationBits.bitLen !== subcommittee.length) {
    throw invalid(
      `${contribution.aggregationBits.bitLen} aggregation bits for a subcommittee of ${subcommittee.length}`,
    );
  }
  const key = `${aggregatorIndex}:${subcommitteeIndex}`;
  const record = validationRecord(chain);
  if (seen(record.contributions, slot, key, false, 4)) return KNOWN;
  const epoch = Math.floor(slot / preset.SLOTS_PER_EPOCH);
  const selectionRoot = types.altair.SyncAggregatorSelectionData.hashTreeRoot({ slot, subcommitteeIndex });
  const messageRoot = types.altair.ContributionAndProof.hashTreeRoot(signed.message);
  const read = statePubkeyReader(cs.state);
  const contributionSet: SignatureSet = {
    publicKey: positions.map((p) => cs.ctx.pubkeys.publicKey(subcommittee[p], read)),
    message: computeSigningRoot(contribution.beaconBlockRoot, stateDomain(cs, DOMAIN_SYNC_COMMITTEE, epoch)),
    signature: contribution.signature,
  };
  return {
    sets: [
      singleSignatureSet(
        cs,
        aggregatorIndex,
        selectionRoot,
        stateDomain(cs, DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF, epoch),
        selectionProof,
      ),
      singleSignatureSet(
        cs,
        aggregatorIndex,
        messageRoot,
        stateDomain(cs, DOMAIN_CONTRIBUTION_AND_PROOF, epoch),
        signed.signature,
      ),
      contributionSet,
    ],
    setNames: [
      `invalid selection proof of aggregator ${aggregatorIndex}`,
      `invalid signature of aggregator ${aggregatorIndex}`,
      "invalid contribution signature",
    ],
    commit: () => {
      if (seen(record.contributions, slot, key, true, 4)) return;
      chain.syncContributionPool.add(contribution);
      chain.events.emit({ topic: "contribution_and_proof", data: signed });
    },
  };
}
