// Sync committee duties (consensus-specs altair validator.md, "Sync committees"). From altair on, at every slot where
// our validators sit in the sync committee: when the head block of the slot arrives or at the sync message due point
// (a third of the slot), whichever is first, read the head block root from the node, sign one SyncCommitteeMessage
// per validator (one batch) and submit them (POST /eth/v1/beacon/pool/sync_committees, chunked). A head that is
// optimistic (its payload not yet verified by the execution client) is not signed, as the optimistic sync spec
// requires. Then at the contribution due point (two thirds), each of our sync aggregators asks the node for its
// subcommittee's contribution to that root, and the ContributionAndProofs are signed in one batch and published.
import type { Logger } from "@sextant/common";
import { bytesEqual } from "../collections.ts";
import type { ValidatorMetrics } from "../metrics.ts";
import type {
  BeaconNodes,
  Duties,
  ForkAtEpoch,
  HeadEvents,
  Signer,
  SlotClock,
  SyncAggregationDuty,
  SyncCommitteeDuty,
} from "../ports.ts";
import {
  countMissed,
  countPerformed,
  DEFAULT_SUBMIT_CHUNK,
  failureLabel,
  groupBy,
  observeDelay,
  slotIsAtLeast,
  submitInChunks,
} from "./util.ts";

/** What the sync committee service needs. */
export interface SyncCommitteeServiceOptions {
  nodes: BeaconNodes;
  signer: Signer;
  duties: Duties;
  clock: SlotClock;
  head: HeadEvents;
  forkAtEpoch: ForkAtEpoch;
  logger: Logger;
  metrics?: ValidatorMetrics;
  /** Items per submission request (default 2,000). */
  chunkSize?: number;
}

/** Signs and submits sync committee messages and contributions, slot by slot. */
export class SyncCommitteeService {
  private readonly opts: SyncCommitteeServiceOptions;
  private readonly log: Logger;
  private readonly chunkSize: number;

  constructor(opts: SyncCommitteeServiceOptions) {
    this.opts = opts;
    this.log = opts.logger;
    this.chunkSize = opts.chunkSize ?? DEFAULT_SUBMIT_CHUNK;
  }

  /** Runs the sync committee duties of `slot` (called at the slot's start). Never throws. */
  async onSlot(slot: number, signal: AbortSignal): Promise<void> {
    const { clock, duties, head, forkAtEpoch } = this.opts;
    if (!slotIsAtLeast(clock, forkAtEpoch, slot, "altair")) return;
    if (duties.syncDutiesAt(slot).length === 0 && duties.syncAggregationDutiesAt(slot).length === 0) return;
    try {
      const dueMs = clock.timeAtSlot(slot, clock.due.syncMessage);
      await head.waitForHeadOfSlot(slot, dueMs, signal);
      if (signal.aborted) return;
      const members = duties.syncDutiesAt(slot);
      const aggregators = duties.syncAggregationDutiesAt(slot);
      const root = await this.headRoot(slot, members.length + aggregators.length, signal);
      if (root === undefined) {
        countMissed(this.opts.metrics, "sync_committee_message", "no_head_root", members.length);
        countMissed(this.opts.metrics, "sync_committee_contribution", "no_head_root", aggregators.length);
        return;
      }
      if (members.length > 0) await this.submitMessages(slot, root, members, dueMs, signal);
      if (aggregators.length === 0 || signal.aborted) return;
      await clock.sleepUntilSlot(slot, clock.due.contribution, signal);
      await this.contribute(slot, root, aggregators, signal);
    } catch (err) {
      if (signal.aborted) return;
      this.log.error({ err, slot }, "sync committee duties of the slot failed unexpectedly");
    }
  }

  /** The node's head block root, or undefined (logged) when it cannot be had or must not be signed. */
  private async headRoot(slot: number, duties: number, signal: AbortSignal): Promise<Uint8Array | undefined> {
    try {
      const res = await this.opts.nodes.request(
        "getBlockRoot",
        (api) => api.getBlockRoot({ blockId: "head" }, { signal }),
        { signal },
      );
      if (res.meta.executionOptimistic) {
        this.log.warn(
          { slot, duties },
          "the beacon node's head is optimistic (execution client syncing or offline): sync committee messages " +
            "not signed this slot",
        );
        return undefined;
      }
      return res.data.root;
    } catch (err) {
      if (!signal.aborted) this.log.warn({ err, slot }, "could not get the head block root from the beacon node");
      return undefined;
    }
  }

  private async submitMessages(
    slot: number,
    root: Uint8Array,
    members: SyncCommitteeDuty[],
    dueMs: number,
    signal: AbortSignal,
  ): Promise<void> {
    const { signer, metrics, clock, nodes } = this.opts;
    const duty = "sync_committee_message";
    let results: Awaited<ReturnType<Signer["signSyncCommitteeMessages"]>>;
    try {
      results = await signer.signSyncCommitteeMessages(
        members.map((m) => ({ pubkey: m.pubkey, slot, beaconBlockRoot: root })),
      );
    } catch (err) {
      countMissed(metrics, duty, "signing_failed", members.length);
      this.log.error({ err, slot, count: members.length }, "signing sync committee messages failed");
      return;
    }
    const messages: Record<string, unknown>[] = [];
    let refused = 0;
    members.forEach((m, i) => {
      const r = results[i];
      if (r?.ok)
        messages.push({ slot, beaconBlockRoot: root, validatorIndex: m.validatorIndex, signature: r.signature });
      else refused++;
    });
    if (refused > 0) {
      countMissed(metrics, duty, "refused", refused);
      this.log.warn({ slot, refused }, "sync committee messages not signed (doppelganger protection or refused)");
    }
    if (messages.length === 0) return;
    const outcome = await submitInChunks(messages, this.chunkSize, async (chunk) => {
      observeDelay(metrics, duty, dueMs, clock.time.now());
      await nodes.publish(
        "submitPoolSyncCommitteeSignatures",
        async (api) => {
          await api.submitPoolSyncCommitteeSignatures({ body: chunk as never }, { signal });
        },
        { signal },
      );
    });
    countPerformed(metrics, duty, outcome.accepted);
    if (outcome.rejected > 0) {
      countMissed(metrics, duty, failureLabel(outcome.errors[0]), outcome.rejected);
      this.log.warn(
        { slot, rejected: outcome.rejected, err: outcome.errors[0] },
        "sync committee messages not accepted by the beacon node",
      );
    }
    if (outcome.accepted > 0) this.log.debug({ slot, count: outcome.accepted }, "sync committee messages published");
  }

  private async contribute(
    slot: number,
    root: Uint8Array,
    aggregators: SyncAggregationDuty[],
    signal: AbortSignal,
  ): Promise<void> {
    const { signer, metrics, clock, nodes } = this.opts;
    const duty = "sync_committee_contribution";
    const dueMs = clock.timeAtSlot(slot, clock.due.contribution);
    const messages: { duty: SyncAggregationDuty; message: Record<string, unknown> }[] = [];
    await Promise.all(
      [...groupBy(aggregators, (a) => a.subcommitteeIndex)].map(async ([subcommitteeIndex, duties]) => {
        try {
          const res = await nodes.request(
            "produceSyncCommitteeContribution",
            (api) =>
              api.produceSyncCommitteeContribution({ slot, subcommitteeIndex, beaconBlockRoot: root }, { signal }),
            { signal },
          );
          const contribution = res.data;
          if (
            contribution.slot !== slot ||
            contribution.subcommitteeIndex !== subcommitteeIndex ||
            !bytesEqual(contribution.beaconBlockRoot, root)
          )
            throw new Error("the node answered a contribution of another slot, subcommittee or block root");
          for (const d of duties)
            messages.push({
              duty: d,
              message: { aggregatorIndex: d.validatorIndex, contribution, selectionProof: d.selectionProof },
            });
        } catch (err) {
          if (signal.aborted) return;
          countMissed(metrics, duty, "no_contribution", duties.length);
          this.log.warn({ err, slot, subcommitteeIndex }, "could not get the sync committee contribution");
        }
      }),
    );
    if (messages.length === 0 || signal.aborted) return;
    let results: Awaited<ReturnType<Signer["signContributionAndProofs"]>>;
    try {
      results = await signer.signContributionAndProofs(
        messages.map((m) => ({ pubkey: m.duty.pubkey, message: m.message })),
      );
    } catch (err) {
      countMissed(metrics, duty, "signing_failed", messages.length);
      this.log.error({ err, slot }, "signing sync committee contributions failed");
      return;
    }
    const signed: Record<string, unknown>[] = [];
    messages.forEach((m, i) => {
      const r = results[i];
      if (r?.ok) signed.push({ message: m.message, signature: r.signature });
      else countMissed(metrics, duty, "refused");
    });
    if (signed.length === 0) return;
    const outcome = await submitInChunks(signed, this.chunkSize, async (chunk) => {
      observeDelay(metrics, duty, dueMs, clock.time.now());
      await nodes.publish(
        "publishContributionAndProofs",
        async (api) => {
          await api.publishContributionAndProofs({ body: chunk as never }, { signal });
        },
        { signal },
      );
    });
    countPerformed(metrics, duty, outcome.accepted);
    if (outcome.rejected > 0) {
      countMissed(metrics, duty, failureLabel(outcome.errors[0]), outcome.rejected);
      this.log.warn({ slot, rejected: outcome.rejected, err: outcome.errors[0] }, "contributions not accepted");
    }
    if (outcome.accepted > 0)
      this.log.info({ slot, count: outcome.accepted }, "sync committee contributions published");
  }
}
