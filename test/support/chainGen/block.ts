// One block of the test-chain generator: the state advanced to the slot by the oracle, the proposer's RANDAO
// reveal, eth1 vote and graffiti, the waiting attestations, the requested operations, the sync aggregate and a
// valid-shaped execution payload; then the oracle's state transition (no state-root check) gives the state root,
// and the proposer signs. Requests that the oracle silently ignores are caught here by checking their effect.
import type { ForkName } from "../../../consensus/src/params/index.ts";
import { expired, includable, signVotes, syncAggregate } from "./attestations.ts";
import type { Any } from "./env.ts";
import { executionAddress, sha256 } from "./genesis.ts";
import { type BlockOps, buildOps, eth1Vote, hex, keyOf, pendingEth1Deposits } from "./ops.ts";
import type { GenContext, SlotPlan } from "./types.ts";

/** The parent hash of the merge-transition payload (the terminal proof-of-work block). */
export const TERMINAL_BLOCK_HASH = new Uint8Array(32).fill(0x10);

/** A built block. */
export interface BuiltBlock {
  fork: ForkName;
  signedBlock: Any;
  bytes: Uint8Array;
  /** The oracle's post-state (a CachedBeaconState). */
  post: Any;
  contents: string[];
}

const text = (s: string) => new TextEncoder().encode(s);

function isZero(b: Uint8Array): boolean {
  return b.every((x) => x === 0);
}

/** The execution payload of a block at `pre.slot` and what it carries. */
function buildPayload(ctx: GenContext, pre: Any, fork: ForkName): { payload: Any; labels: string[] } {
  const { o } = ctx;
  const st = o.stateTransition;
  const seq = o.params.ForkSeq[fork];
  const type = o.types.ssz[fork].ExecutionPayload;
  const p = type.defaultValue();
  const slot: number = pre.slot;
  const header = pre.latestExecutionPayloadHeader;
  const labels: string[] = [];
  let parentHash: Uint8Array;
  let blockNumber: number;
  if (isZero(header.blockHash)) {
    if (slot < (ctx.spec.mergeSlot ?? 0)) {
      if (seq >= o.params.ForkSeq.capella) throw new Error(`slot ${slot}: capella reached before the merge`);
      return { payload: p, labels: ["pre_merge_empty_payload"] };
    }
    parentHash = TERMINAL_BLOCK_HASH;
    blockNumber = 1;
    labels.push("merge_transition_payload");
  } else {
    parentHash = Uint8Array.from(header.blockHash);
    blockNumber = header.blockNumber + 1;
    labels.push("execution_payload");
  }
  const epoch = Math.floor(slot / o.params.SLOTS_PER_EPOCH);
  p.parentHash = parentHash;
  p.feeRecipient = executionAddress(0xfee);
  p.stateRoot = sha256(text(`execution state ${slot}`));
  p.receiptsRoot = sha256(text(`receipts ${slot}`));
  p.prevRandao = Uint8Array.from(st.getRandaoMix(pre, epoch));
  p.blockNumber = blockNumber;
  p.gasLimit = 30_000_000;
  p.timestamp = pre.genesisTime + slot * ctx.chain.SECONDS_PER_SLOT;
  p.extraData = text("sextant");
  p.baseFeePerGas = 1_000_000_000n;
  if (seq >= o.params.ForkSeq.capella) {
    const { expectedWithdrawals, processedPartialWithdrawalsCount } = st.getExpectedWithdrawals(seq, pre);
    p.withdrawals = expectedWithdrawals;
    if (processedPartialWithdrawalsCount > 0) labels.push("withdrawal_pending_partial");
    for (const w of expectedWithdrawals) {
      const v = pre.validators.getReadonly(w.validatorIndex);
      labels.push(v.withdrawableEpoch <= epoch ? "withdrawal_full" : "withdrawal_partial");
    }
  }
  p.blockHash = sha256(type.hashTreeRoot(p));
  ctx.executionBlockNumber = blockNumber;
  return { payload: p, labels };
}

/** Checks that every execution request of `ops` changed `post` (the oracle ignores invalid ones silently). */
function checkRequestEffects(pre: Any, post: Any, ops: BlockOps): void {
  const where = `slot ${post.slot}`;
  if (
    ops.depositRequests.length > 0 &&
    post.pendingDeposits.length < pre.pendingDeposits.length + ops.depositRequests.length
  ) {
    throw new Error(`${where}: deposit requests were not all queued`);
  }
  for (const r of ops.withdrawalRequests) {
    const i = post.epochCtx.getValidatorIndex(r.validatorPubkey);
    if (Number(r.amount) === 0) {
      if (post.validators.getReadonly(i).exitEpoch === Number.POSITIVE_INFINITY)
        throw new Error(`${where}: full-exit request of ${i} ignored`);
    } else if (!post.pendingPartialWithdrawals.getAllReadonly().some((w: Any) => w.validatorIndex === i)) {
      throw new Error(`${where}: partial withdrawal request of ${i} ignored`);
    }
  }
  for (const r of ops.consolidationRequests) {
    const i = post.epochCtx.getValidatorIndex(r.sourcePubkey);
    if (hex(r.sourcePubkey) === hex(r.targetPubkey)) {
      if (post.validators.getReadonly(i).withdrawalCredentials[0] !== 2)
        throw new Error(`${where}: switch to compounding of ${i} ignored`);
    } else if (!post.pendingConsolidations.getAllReadonly().some((c: Any) => c.sourceIndex === i)) {
      throw new Error(`${where}: consolidation request from ${i} ignored`);
    }
  }
}

/**
 * Builds, applies (in the oracle) and signs the block of `slot` on `ctx.head`; updates the vote pool. Null when
 * the slot's proposer is slashed (no block possible).
 */
export function buildBlock(ctx: GenContext, slot: number, plan: SlotPlan): BuiltBlock | null {
  const { o, keys } = ctx;
  const st = o.stateTransition;
  const { ssz } = o.types;
  const P = o.params;
  if (!(slot > ctx.head.slot)) throw new Error(`block at slot ${slot} is not after the head at ${ctx.head.slot}`);
  const pre = st.processSlots(ctx.head, slot);
  const config = pre.config;
  const fork: ForkName = config.getForkName(slot);
  const seq: number = P.ForkSeq[fork];
  const types = ssz[fork];
  const epoch = Math.floor(slot / P.SLOTS_PER_EPOCH);
  const proposer: number = pre.epochCtx.getBeaconProposer(slot);
  // A slashed proposer cannot propose: the slot stays empty.
  if (pre.validators.getReadonly(proposer).slashed) {
    return null;
  }
  const proposerKey = keyOf(ctx, pre.validators.getReadonly(proposer).pubkey);
  const contents: string[] = [];
  const body = types.BeaconBlockBody.defaultValue();
  // Electra's pending queues drained by the epoch processing between the head and this block.
  const drained = (field: string) => ctx.head[field] !== undefined && pre[field].length < ctx.head[field].length;
  if (drained("pendingDeposits")) contents.push("epoch_pending_deposits_applied");
  if (drained("pendingConsolidations")) contents.push("epoch_pending_consolidations_applied");
  // Inactivity leak (finality delay beyond MIN_EPOCHS_TO_INACTIVITY_PENALTY), and the two epochs after finality
  // comes back (inactivity scores draining, penalties back to normal).
  if (Math.max(0, epoch - 1) - pre.finalizedCheckpoint.epoch > P.MIN_EPOCHS_TO_INACTIVITY_PENALTY) {
    contents.push("inactivity_leak");
    ctx.leakEndEpoch = -1;
  } else if (ctx.leakEndEpoch !== null) {
    if (ctx.leakEndEpoch < 0) ctx.leakEndEpoch = epoch;
    if (epoch <= ctx.leakEndEpoch + 1) contents.push("inactivity_recovery");
  }
  body.randaoReveal = keys.sign(
    proposerKey,
    st.computeSigningRoot(ssz.Epoch, epoch, config.getDomain(slot, P.DOMAIN_RANDAO)),
  );
  const vote = eth1Vote(ctx, pre);
  body.eth1Data = vote.eth1Data;
  if (vote.label) contents.push(vote.label);
  const graffiti = new Uint8Array(32);
  graffiti.set(text(`sextant chaingen ${slot}`).slice(0, 32));
  body.graffiti = graffiti;

  // Attestations waiting for a block.
  const postDeneb = seq >= P.ForkSeq.deneb;
  const electra = seq >= P.ForkSeq.electra;
  ctx.votes = ctx.votes.filter((v) => !expired(o, v, slot, postDeneb));
  const ready = ctx.votes.filter((v) => v.includeAt <= slot && includable(o, v, slot, postDeneb));
  const max = electra ? P.MAX_ATTESTATIONS_ELECTRA : P.MAX_ATTESTATIONS;
  const { attestations, used } = signVotes(o, keys, config, slot, ready, electra, max);
  const usedVotes = new Set(ready.slice(0, used));
  ctx.votes = ctx.votes.filter((v) => !usedVotes.has(v));
  body.attestations = attestations;
  if (attestations.length === 0) contents.push("no_attestations");
  else {
    contents.push(seq >= P.ForkSeq.altair ? "attestations_altair" : "attestations_phase0");
    const sigs = [...usedVotes];
    if (sigs.some((v) => v.committees.some((c) => c.bits.some((b) => !b)))) contents.push("attestations_partial");
    if (sigs.some((v) => slot - v.slot > 1)) contents.push("attestations_late");
    if (electra && attestations.some((a: Any) => a.committeeBits.getTrueBitIndexes().length > 1)) {
      contents.push("attestations_multi_committee");
    }
  }

  const ops = buildOps(ctx, pre, proposer, plan.ops ?? []);
  contents.push(...ops.labels);
  body.proposerSlashings = ops.proposerSlashings;
  body.attesterSlashings = ops.attesterSlashings;
  body.voluntaryExits = ops.voluntaryExits;
  const deposits = pendingEth1Deposits(ctx, pre, vote.eth1Data);
  body.deposits = deposits.deposits;
  contents.push(...deposits.labels);
  if (seq >= P.ForkSeq.capella) body.blsToExecutionChanges = ops.blsToExecutionChanges;
  else if (ops.blsToExecutionChanges.length > 0) throw new Error(`slot ${slot}: BLS changes before capella`);

  if (seq >= P.ForkSeq.altair) {
    const p = plan.syncParticipation ?? ctx.spec.syncParticipation ?? 1;
    const agg = syncAggregate(o, keys, pre, ctx.rng, p);
    body.syncAggregate = agg.value;
    const size = P.SYNC_COMMITTEE_SIZE;
    contents.push(
      agg.n === 0 ? "sync_aggregate_empty" : agg.n === size ? "sync_aggregate_full" : "sync_aggregate_partial",
    );
  }
  if (seq >= P.ForkSeq.bellatrix) {
    const { payload, labels } = buildPayload(ctx, pre, fork);
    body.executionPayload = payload;
    contents.push(...labels);
  }
  if (electra) {
    body.executionRequests = {
      deposits: ops.depositRequests,
      withdrawals: ops.withdrawalRequests,
      consolidations: ops.consolidationRequests,
    };
  } else if (ops.depositRequests.length + ops.withdrawalRequests.length + ops.consolidationRequests.length > 0) {
    throw new Error(`slot ${slot}: execution requests before electra`);
  }

  const block = {
    slot,
    proposerIndex: proposer,
    parentRoot: ssz.phase0.BeaconBlockHeader.hashTreeRoot(pre.latestBlockHeader.toValue()),
    stateRoot: new Uint8Array(32),
    body,
  };
  const post = st.stateTransition(
    pre,
    { message: block, signature: new Uint8Array(96) },
    {
      verifyStateRoot: false,
      verifyProposer: false,
      verifySignatures: false,
      executionPayloadStatus: st.ExecutionPayloadStatus.valid,
      dataAvailabilityStatus: st.DataAvailabilityStatus.Available,
    },
  );
  checkRequestEffects(pre, post, ops);
  block.stateRoot = post.hashTreeRoot();
  const domain = config.getDomain(slot, P.DOMAIN_BEACON_PROPOSER, slot);
  const signature = keys.sign(proposerKey, st.computeSigningRoot(types.BeaconBlock, block, domain));
  const signedBlock = { message: block, signature };
  return {
    fork,
    signedBlock,
    bytes: types.SignedBeaconBlock.serialize(signedBlock),
    post,
    contents: [...new Set(contents)],
  };
}
