// Validator API handlers: duties (attester, proposer, sync) from the duty caches keyed by (epoch, dependent root)
// over states already computed — never an epoch transition for a request —, block production (v3 and the
// deprecated v1/v2 envelopes), attestation data, aggregates, sync contributions, aggregate and contribution
// submissions (validated in chain/validation/), subnet subscriptions and proposer preparation (remembered: no
// network yet), builder registrations (accepted and ignored: no builder), liveness.
import { ApiError, IndexedApiError, type IndexedFailure } from "@sextant/api-spec/codec/errors";
import type { BeaconRoutes } from "@sextant/api-spec/routes/index";
import type { Handlers } from "@sextant/api-spec/server/server";
import { isForkAtLeast } from "@sextant/consensus/params/index";
import type { CachedState } from "@sextant/consensus/state/cachedState";
import { fromHex, toHex } from "@sextant/consensus/util/hex";
import type { BeaconChain } from "../../chain/chain.ts";
import { produceBlock } from "../../chain/produceBlock.ts";
import { prepareAggregate, type SignedAggregateAndProof } from "../../chain/validation/aggregate.ts";
import { attempt, type Prepared, shufflingState, verifyAndCommit } from "../../chain/validation/common.ts";
import { livenessOf } from "../../chain/validation/liveness.ts";
import { prepareContribution } from "../../chain/validation/syncCommittee.ts";
import type { ProtoNode } from "../../forkChoice/index.ts";
import type { ApiContext } from "../context.ts";
import { answer, toApiError } from "../errors.ts";

type H = Handlers<BeaconRoutes>;

/** Subnet subscriptions and other validator-client state the node remembers (no network to act on them yet). */
export interface ValidatorClientRecord {
  /** Beacon committee subscriptions by slot: validator index → committee index / aggregator flag. */
  readonly committeeSubscriptions: Map<number, Map<number, { committeeIndex: number; isAggregator: boolean }>>;
  /** Sync committee subscriptions: validator index → until epoch and indices. */
  readonly syncSubscriptions: Map<number, { untilEpoch: number; indices: number[] }>;
}

const clientRecords = new WeakMap<BeaconChain, ValidatorClientRecord>();

/** What validator clients told this chain's node (created on first use). */
export function validatorClientRecord(chain: BeaconChain): ValidatorClientRecord {
  let r = clientRecords.get(chain);
  if (r === undefined) {
    r = { committeeSubscriptions: new Map(), syncSubscriptions: new Map() };
    clientRecords.set(chain, r);
  }
  return r;
}

/** Refuses validator requests while the node is behind (503). */
function ensureSynced(chain: BeaconChain): void {
  if (chain.isSyncing()) {
    throw new ApiError(503, `the node is syncing: head is ${chain.headLag()} slots behind the clock`);
  }
}

function clockEpoch(chain: BeaconChain): number {
  return Math.floor(chain.clock.currentSlot / chain.config.preset.SLOTS_PER_EPOCH);
}

/**
 * States already computed on the head's chain that may answer duties of `epoch`: the head block's state, then the
 * head's checkpoint states of `epoch` and `epoch − 1` (pre-advanced by the clock). None is computed here.
 */
function dutyStates(chain: BeaconChain, epoch: number): CachedState[] {
  const head = chain.head();
  const out: CachedState[] = [];
  const headState =
    chain.states.getBlockState(head.root) ?? (head.root === chain.anchor.root ? chain.anchor.state : undefined);
  if (headState) out.push(headState);
  for (const e of [epoch, epoch - 1]) {
    if (e < 0) continue;
    const cp = chain.peekCheckpointState(e, head.root);
    if (cp && !out.includes(cp)) out.push(cp);
  }
  return out;
}

/** Refuses duty requests the node must not answer: syncing (503), an epoch beyond the next one (400). */
function checkDutyEpoch(chain: BeaconChain, epoch: number, what: string): void {
  ensureSynced(chain);
  const current = clockEpoch(chain);
  if (epoch > current + 1) {
    throw new ApiError(
      400,
      `${what} of epoch ${epoch} are not available: the current epoch is ${current} (at most ${current + 1})`,
    );
  }
}

/**
 * The first duty state for which `covers(stateEpoch, state)` holds — one that answers without an epoch
 * transition; 503 "retry" when none does (the state of that epoch is not computed yet).
 */
function pickDutyState(
  chain: BeaconChain,
  epoch: number,
  what: string,
  covers: (stateEpoch: number, cs: CachedState) => boolean,
): CachedState {
  const spe = chain.config.preset.SLOTS_PER_EPOCH;
  for (const cs of dutyStates(chain, epoch)) if (covers(Math.floor(cs.state.slot / spe), cs)) return cs;
  throw new ApiError(503, `${what} of epoch ${epoch}: the state that holds them is not computed yet; retry`);
}

/** The validator's pubkey from a state (400 for an index outside the registry). */
function pubkeyOf(cs: CachedState, index: number): Uint8Array {
  if (!Number.isInteger(index) || index < 0 || index >= cs.state.validators.length) {
    throw new ApiError(400, `unknown validator index ${index} (registry has ${cs.state.validators.length})`);
  }
  return cs.state.validators.getReadonly(index).pubkey;
}

/** The validator handlers. */
export function validatorHandlers(ctx: ApiContext): Partial<H> {
  const { chain } = ctx;
  const { preset } = chain.config;
  const spe = preset.SLOTS_PER_EPOCH;

  const getAttesterDuties: H["getAttesterDuties"] = ({ epoch, body }) =>
    answer(async () => {
      const head = chain.head();
      const dependentRoot = chain.dependentRoot(head.root, epoch - 1);
      checkDutyEpoch(chain, epoch, "attester duties");
      const duties = await chain.dutyCaches.attesterDuties(epoch, dependentRoot, () =>
        pickDutyState(chain, epoch, "attester duties", (e) => e === epoch || e + 1 === epoch),
      );
      const data = () => {
        const cs = pubkeyState(chain);
        const out = [];
        for (const index of body) {
          const d = duties.get(index);
          if (d) out.push({ pubkey: pubkeyOf(cs, index), ...d });
        }
        return out;
      };
      return {
        data,
        // The same indices for the same (epoch, dependent root) get the same answer: served from the encoded cache.
        cacheKey: `${epoch}:${dependentRoot}:${head.executionOptimistic}:${body.join(",")}`,
        meta: { dependentRoot: fromHex(dependentRoot), executionOptimistic: head.executionOptimistic },
      };
    });

  const getProposerDuties: H["getProposerDuties"] = ({ epoch }) =>
    answer(async () => {
      const head = chain.head();
      const fulu = isForkAtLeast(chain.forkAtSlot(epoch * spe), "fulu");
      const dependentRoot = chain.dependentRoot(head.root, fulu ? epoch - 1 : epoch);
      checkDutyEpoch(chain, epoch, "proposer duties");
      const proposers = await chain.dutyCaches.proposerDuties(epoch, dependentRoot, () =>
        pickDutyState(
          chain,
          epoch,
          "proposer duties",
          (e, cs) => e === epoch || (e + 1 === epoch && isForkAtLeast(cs.fork, "fulu")),
        ),
      );
      const data = () => {
        const cs = pubkeyState(chain);
        return Array.from(proposers, (validatorIndex, i) => ({
          pubkey: pubkeyOf(cs, validatorIndex),
          validatorIndex,
          slot: epoch * spe + i,
        }));
      };
      return {
        data,
        cacheKey: `${epoch}:${dependentRoot}:${head.executionOptimistic}`,
        meta: { dependentRoot: fromHex(dependentRoot), executionOptimistic: head.executionOptimistic },
      };
    });

  const getSyncCommitteeDuties: H["getSyncCommitteeDuties"] = ({ epoch, body }) =>
    answer(async () => {
      const head = chain.head();
      if (epoch < chain.config.chain.ALTAIR_FORK_EPOCH) {
        throw new ApiError(400, `no sync committee duties before altair (epoch ${epoch})`);
      }
      const perPeriod = preset.EPOCHS_PER_SYNC_COMMITTEE_PERIOD;
      const periodStart = Math.floor(epoch / perPeriod) * perPeriod;
      // The committee of a period is fixed at the start of the period before it.
      const decidedBy = chain.dependentRoot(head.root, Math.max(0, periodStart - perPeriod));
      const period = Math.floor(epoch / perPeriod);
      const clockPeriod = Math.floor(clockEpoch(chain) / perPeriod);
      if (period > clockPeriod + 1) {
        throw new ApiError(
          400,
          `sync committee duties of epoch ${epoch} (period ${period}) are not available: the current period is ${clockPeriod}`,
        );
      }
      checkDutyEpoch(chain, Math.min(epoch, clockEpoch(chain) + 1), "sync committee duties");
      const committee = await chain.dutyCaches.syncCommittee(periodStart, decidedBy, () =>
        pickDutyState(chain, epoch, "sync committee duties", (e) => {
          const p = Math.floor(e / perPeriod);
          return p === period || p + 1 === period;
        }),
      );
      const cs = pubkeyState(chain);
      const data = [];
      for (const index of body) {
        const pubkey = pubkeyOf(cs, index);
        const seats: number[] = [];
        for (let i = 0; i < committee.length; i++) if (committee[i] === index) seats.push(i);
        if (seats.length > 0) data.push({ pubkey, validatorIndex: index, validatorSyncCommitteeIndices: seats });
      }
      return { data, meta: { executionOptimistic: head.executionOptimistic } };
    });

  const produce = async (args: {
    slot: number;
    randaoReveal: Uint8Array;
    graffiti?: Uint8Array;
    skipRandaoVerification?: boolean;
  }) => {
    ensureSynced(chain);
    return produceBlock(chain, {
      slot: args.slot,
      randaoReveal: args.randaoReveal,
      ...(args.graffiti ? { graffiti: args.graffiti } : {}),
      ...(args.skipRandaoVerification ? { skipRandaoVerification: true } : {}),
    });
  };
  const contents = (p: Awaited<ReturnType<typeof produceBlock>>) =>
    isForkAtLeast(p.fork, "deneb") ? { block: p.block, kzgProofs: [...p.kzgProofs], blobs: [...p.blobs] } : p.block;

  const blockValueWei = (p: Awaited<ReturnType<typeof produceBlock>>): bigint =>
    p.executionPayloadValue + p.consensusBlockValue;

  const produceBlockV3: H["produceBlockV3"] = (args) =>
    answer(async () => {
      const p = await produce(args);
      return {
        data: contents(p) as never,
        meta: {
          version: p.fork,
          executionPayloadBlinded: false,
          executionPayloadValue: p.executionPayloadValue,
          consensusBlockValue: p.consensusBlockValue,
        },
      };
    });

  const produceBlockV2: H["produceBlockV2"] = (args) =>
    answer(async () => {
      const p = await produce(args);
      // block_value: what the payload pays plus the consensus reward, in Wei (the pre-v3 Lodestar envelope field).
      return { data: contents(p) as never, meta: { version: p.fork, blockValue: blockValueWei(p) } };
    });

  const produceBlockV1: H["produceBlock"] = (args) =>
    answer(async () => {
      if (chain.forkAtSlot(args.slot) !== "phase0") {
        throw new ApiError(
          400,
          `produceBlock (v1) only produces phase0 blocks; slot ${args.slot} is ${chain.forkAtSlot(args.slot)}: use v3`,
        );
      }
      const p = await produce(args);
      return { data: p.block as never, meta: { blockValue: blockValueWei(p) } };
    });

  const produceAttestationData: H["produceAttestationData"] = ({ slot, committeeIndex }) =>
    answer(() => {
      ensureSynced(chain);
      const currentSlot = chain.clock.currentSlot;
      if (slot > currentSlot) throw new ApiError(400, `slot ${slot} is in the future (current slot ${currentSlot})`);
      const epoch = Math.floor(slot / spe);
      if (epoch + 1 < clockEpoch(chain)) {
        throw new ApiError(400, `slot ${slot} is before the previous epoch (current slot ${currentSlot})`);
      }
      const head = chain.head();
      const headRoot = chain.forkChoice.getAncestorRoot(head.root, slot);
      const headNode = headRoot === undefined ? undefined : chain.forkChoice.getBlock(headRoot);
      if (headRoot === undefined || headNode === undefined) {
        throw new ApiError(503, `no block at or before slot ${slot} on the head's chain is known (pruned)`);
      }
      const targetRoot = chain.forkChoice.getAncestorRoot(headRoot, epoch * spe) ?? headRoot;
      const source = attestationSource(chain, headNode, epoch);
      const cs = shufflingState(chain, epoch, targetRoot);
      const count = cs.ctx.getCommitteeCountPerSlot(epoch);
      if (committeeIndex >= count) {
        throw new ApiError(400, `committee index ${committeeIndex} >= committee count ${count} at slot ${slot}`);
      }
      const electra = chain.attestationPool.isElectraSlot(slot);
      return {
        data: {
          slot,
          index: electra ? 0 : committeeIndex,
          beaconBlockRoot: fromHex(headRoot),
          source: { epoch: source.epoch, root: fromHex(source.root) },
          target: { epoch, root: fromHex(targetRoot) },
        },
      };
    });

  const getAggregatedAttestation: H["getAggregatedAttestation"] = ({ attestationDataRoot, slot }) =>
    answer(() => {
      if (chain.attestationPool.isElectraSlot(slot)) {
        throw new ApiError(400, `slot ${slot} is electra: use getAggregatedAttestationV2 with committee_index`);
      }
      const found = chain.attestationPool.getAggregate(slot, attestationDataRoot);
      if (!found) throw new ApiError(404, `no aggregate for data root ${toHex(attestationDataRoot)} at slot ${slot}`);
      return { data: found as never };
    });

  const getAggregatedAttestationV2: H["getAggregatedAttestationV2"] = ({ attestationDataRoot, slot, committeeIndex }) =>
    answer(() => {
      const electra = chain.attestationPool.isElectraSlot(slot);
      const found = chain.attestationPool.getAggregate(slot, attestationDataRoot, electra ? committeeIndex : undefined);
      if (!found || (!electra && found.data.index !== committeeIndex)) {
        throw new ApiError(
          404,
          `no aggregate for data root ${toHex(attestationDataRoot)} at slot ${slot}, committee ${committeeIndex}`,
        );
      }
      return { data: found as never, meta: { version: chain.forkAtSlot(slot) } };
    });

  const produceSyncCommitteeContribution: H["produceSyncCommitteeContribution"] = ({
    slot,
    subcommitteeIndex,
    beaconBlockRoot,
  }) =>
    answer(() => {
      if (subcommitteeIndex >= 4) throw new ApiError(400, `subcommittee index ${subcommitteeIndex} out of range (< 4)`);
      const c = chain.syncMessagePool.getContribution(slot, beaconBlockRoot, subcommitteeIndex);
      if (!c) {
        throw new ApiError(
          404,
          `no sync committee messages for slot ${slot}, root ${toHex(beaconBlockRoot)}, subcommittee ${subcommitteeIndex}`,
        );
      }
      return { data: c };
    });

  const publishAggregates = (items: readonly SignedAggregateAndProof[]) =>
    answer(() => submitBatch(items.map((item) => attempt(() => prepareAggregate(chain, item)))));

  const publishAggregateAndProofs: H["publishAggregateAndProofs"] = ({ body }) => publishAggregates(body);
  const publishAggregateAndProofsV2: H["publishAggregateAndProofsV2"] = ({ body }) =>
    publishAggregates(body as SignedAggregateAndProof[]);

  const publishContributionAndProofs: H["publishContributionAndProofs"] = ({ body }) =>
    answer(() => submitBatch(body.map((item) => attempt(() => prepareContribution(chain, item)))));

  const prepareBeaconCommitteeSubnet: H["prepareBeaconCommitteeSubnet"] = ({ body }) => {
    const subs = validatorClientRecord(chain).committeeSubscriptions;
    for (const s of body) {
      let bySlot = subs.get(s.slot);
      if (!bySlot) {
        bySlot = new Map();
        subs.set(s.slot, bySlot);
      }
      bySlot.set(s.validatorIndex, { committeeIndex: s.committeeIndex, isAggregator: s.isAggregator });
    }
    const lowest = chain.clock.currentSlot - 2 * spe;
    for (const slot of subs.keys()) if (slot < lowest) subs.delete(slot);
  };

  const prepareSyncCommitteeSubnets: H["prepareSyncCommitteeSubnets"] = ({ body }) => {
    const subs = validatorClientRecord(chain).syncSubscriptions;
    for (const s of body) {
      subs.set(s.validatorIndex, { untilEpoch: s.untilEpoch, indices: [...s.syncCommitteeIndices] });
    }
    const current = clockEpoch(chain);
    for (const [index, s] of subs) if (s.untilEpoch < current) subs.delete(index);
  };

  const prepareBeaconProposer: H["prepareBeaconProposer"] = ({ body }) => {
    for (const p of body) chain.feeRecipients.set(p.validatorIndex, p.feeRecipient);
  };

  // No builder (MEV-boost) is configured: registrations are accepted and ignored, as the API allows.
  const registerValidator: H["registerValidator"] = () => {};

  const getLiveness: H["getLiveness"] = ({ epoch, body }) =>
    answer(() => {
      const current = clockEpoch(chain);
      if (epoch > current + 1 || epoch + 3 < current) {
        throw new ApiError(400, `liveness is kept for the last epochs only: epoch ${epoch}, current epoch ${current}`);
      }
      const live = livenessOf(chain, epoch, body);
      return { data: body.map((index, i) => ({ index, isLive: live[i] })) };
    });

  // Distributed validators only: this node runs no DVT middleware, so there is nothing to combine selections with.
  const noDvt = (): never => {
    throw new ApiError(501, "selection proofs are combined by distributed-validator middleware; this node has none");
  };

  return {
    getAttesterDuties,
    getProposerDuties,
    getSyncCommitteeDuties,
    produceBlock: produceBlockV1,
    produceBlockV2,
    produceBlockV3,
    produceAttestationData,
    getAggregatedAttestation,
    getAggregatedAttestationV2,
    produceSyncCommitteeContribution,
    publishAggregateAndProofs,
    publishAggregateAndProofsV2,
    publishContributionAndProofs,
    prepareBeaconCommitteeSubnet,
    prepareSyncCommitteeSubnets,
    prepareBeaconProposer,
    registerValidator,
    getLiveness,
    submitBeaconCommitteeSelections: noDvt,
    submitSyncCommitteeSelections: noDvt,
  };
}

/**
 * The source of an attestation of `epoch` voting for `headNode` (validator.md: head_state.current_justified_checkpoint
 * of the head advanced to the epoch). In the head's epoch: its post-state's checkpoint; in a later epoch: the
 * pre-advanced checkpoint state's, else the head's pulled-up (unrealized) justified checkpoint, which is what the
 * epoch transition would realize. The state's value is preferred to the fork-choice node's: they differ at an anchor
 * (genesis' state holds (0, 0x00…), the fork choice (0, genesis root)), and the state's is what blocks check.
 */
function attestationSource(chain: BeaconChain, headNode: ProtoNode, epoch: number): { epoch: number; root: string } {
  const spe = chain.config.preset.SLOTS_PER_EPOCH;
  const fromState = (cs: CachedState) => {
    const cp = cs.state.currentJustifiedCheckpoint;
    return { epoch: cp.epoch, root: toHex(cp.root) };
  };
  if (Math.floor(headNode.slot / spe) === epoch) {
    const cs = chain.states.getBlockState(headNode.blockRoot);
    return cs && Math.floor(cs.state.slot / spe) === epoch ? fromState(cs) : headNode.justified;
  }
  const advanced = chain.peekCheckpointState(epoch, headNode.blockRoot);
  return advanced ? fromState(advanced) : headNode.unrealizedJustified;
}

/**
 * A computed state to read pubkeys from: the head block's (validators are only added by block processing, so the
 * head state holds every index a duty can name; pubkeys never change).
 */
function pubkeyState(chain: BeaconChain): CachedState {
  return chain.states.getBlockState(chain.head().root) ?? chain.anchor.state;
}

/**
 * Verifies prepared items in one signature batch and commits the valid ones; throws IndexedApiError naming each
 * failed item (its index in the list the handler received) with its reason.
 */
export function submitBatch(items: readonly (Prepared | Error)[]): void {
  const results = verifyAndCommit(items);
  const failures: IndexedFailure[] = [];
  results.forEach((r, index) => {
    if (r === undefined) return;
    const mapped = toApiError(r);
    if (mapped instanceof ApiError && mapped.status >= 500 && results.length === 1) throw mapped;
    failures.push({ index, message: r.message });
  });
  if (failures.length > 0) throw new IndexedApiError(failures, `${failures.length} of ${items.length} items failed`);
}
