// process_registry_updates: activation-queue eligibility, ejections and activations. phase0 … deneb dequeue the
// finalized queue in (eligibility epoch, index) order up to the churn limit (deneb: the capped activation churn);
// electra activates every finalized eligible validator and exits by balance churn. Works on the candidate lists
// of EpochData (what is true of the validators before the step), so no registry-wide loop here.
import { FAR_FUTURE_EPOCH } from "../../params/constants.ts";
import type { CachedState } from "../../state/cachedState.ts";
import { initiateValidatorExit } from "../../state/mutators.ts";
import { atLeast } from "../../state/types.ts";
import type { EpochData } from "./epochData.ts";

/** `process_registry_updates(state)` of the state's fork. */
export function processRegistryUpdates(cs: CachedState, data: EpochData): void {
  const { state } = cs;
  const epoch = data.epoch;
  const activationEpoch = epoch + 1 + cs.config.preset.MAX_SEED_LOOKAHEAD;
  const finalizedEpoch = state.finalizedCheckpoint.epoch;
  const validators = state.validators;

  // Eligibility and ejections touch disjoint validators (an ejection candidate is active, so already queued
  // once), and only exits depend on order: index order, as the spec's loop.
  for (const index of data.queueCandidates) {
    validators.get(index).activationEligibilityEpoch = epoch + 1;
  }
  for (const index of data.ejectionCandidates) initiateValidatorExit(cs, index);

  // Candidates were queued before this step; a validator queued just now has eligibility epoch + 1 > finalized.
  const eligible: number[] = [];
  const eligibilityEpoch: number[] = [];
  for (const index of data.activationCandidates) {
    const v = validators.getReadonly(index);
    if (v.activationEligibilityEpoch <= finalizedEpoch && v.activationEpoch === FAR_FUTURE_EPOCH) {
      eligible.push(index);
      eligibilityEpoch.push(v.activationEligibilityEpoch);
    }
  }
  if (atLeast(cs.fork, "electra")) {
    for (const index of eligible) validators.get(index).activationEpoch = activationEpoch;
    return;
  }
  const order = eligible.map((_, i) => i);
  order.sort((a, b) => eligibilityEpoch[a] - eligibilityEpoch[b] || eligible[a] - eligible[b]);
  const churn = atLeast(cs.fork, "deneb") ? cs.ctx.activationChurnLimit : cs.ctx.churnLimit;
  const dequeued = Math.min(churn, order.length);
  for (let i = 0; i < dequeued; i++) validators.get(eligible[order[i]]).activationEpoch = activationEpoch;
}
