// Block operations for the test-chain generator: slashings, exits, BLS-to-execution changes, deposits (with
// Merkle proofs, after eth1_data voting) and electra execution requests, each built valid against the state the
// block applies to and signed with interop keys. Validators used by an operation are reserved for good.
import type { Any } from "./env.ts";
import { type CredentialKind, depositData, ETH, executionAddress, sha256, withdrawalCredentials } from "./genesis.ts";
import type { GenContext, OpRequest } from "./types.ts";

const FAR_FUTURE = Number.POSITIVE_INFINITY;

/** Hex of bytes (map keys). */
export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString("hex");
}

/** The interop key index of a validator's pubkey. */
export function keyOf(ctx: GenContext, pubkey: Uint8Array): number {
  const k = ctx.keyByPubkey.get(hex(pubkey));
  if (k === undefined) throw new Error(`no interop key for pubkey 0x${hex(pubkey).slice(0, 16)}…`);
  return k;
}

function epochOf(ctx: GenContext, slot: number): number {
  return Math.floor(slot / ctx.o.params.SLOTS_PER_EPOCH);
}

/** Validators of `pre` matching `ok`, not reserved and not the proposer; `count` of them chosen at random. */
function pick(
  ctx: GenContext,
  pre: Any,
  proposer: number,
  count: number,
  what: string,
  ok: (v: Any, i: number) => boolean,
  reserve = true,
): number[] {
  const candidates: number[] = [];
  const n = pre.validators.length;
  for (let i = 0; i < n; i++) {
    if (i === proposer || (reserve && ctx.reserved.has(i))) continue;
    if (ok(pre.validators.getReadonly(i), i)) candidates.push(i);
  }
  if (candidates.length < count) {
    throw new Error(`slot ${pre.slot}: ${what}: only ${candidates.length} eligible validators, need ${count}`);
  }
  const chosen: number[] = [];
  for (let k = 0; k < count; k++) chosen.push(candidates.splice(ctx.rng.int(candidates.length), 1)[0]);
  if (reserve) for (const i of chosen) ctx.reserved.add(i);
  return chosen.sort((a, b) => a - b);
}

function isActive(v: Any, epoch: number): boolean {
  return v.activationEpoch <= epoch && epoch < v.exitEpoch;
}

/** Active long enough to exit, not exiting, not slashed, and (electra) no pending partial withdrawal. */
function exitable(ctx: GenContext, pre: Any, v: Any, i: number): boolean {
  const epoch = epochOf(ctx, pre.slot);
  if (!isActive(v, epoch) || v.exitEpoch !== FAR_FUTURE || v.slashed) return false;
  if (v.activationEpoch + ctx.chain.SHARD_COMMITTEE_PERIOD > epoch) return false;
  if (pre.pendingPartialWithdrawals) {
    for (const w of pre.pendingPartialWithdrawals.getAllReadonly()) if (w.validatorIndex === i) return false;
  }
  return true;
}

function credPrefix(v: Any): number {
  return v.withdrawalCredentials[0];
}

/** The operations of one block, by body field, and the content labels they add. */
export interface BlockOps {
  proposerSlashings: Any[];
  attesterSlashings: Any[];
  voluntaryExits: Any[];
  blsToExecutionChanges: Any[];
  depositRequests: Any[];
  withdrawalRequests: Any[];
  consolidationRequests: Any[];
  labels: string[];
}

/** Builds the requested operations against `pre` (the state at the block's slot). */
export function buildOps(ctx: GenContext, pre: Any, proposer: number, requests: OpRequest[]): BlockOps {
  const out: BlockOps = {
    proposerSlashings: [],
    attesterSlashings: [],
    voluntaryExits: [],
    blsToExecutionChanges: [],
    depositRequests: [],
    withdrawalRequests: [],
    consolidationRequests: [],
    labels: [],
  };
  const { o, keys } = ctx;
  const { ssz } = o.types;
  const st = o.stateTransition;
  const config = pre.config;
  const epoch = epochOf(ctx, pre.slot);
  const spe = o.params.SLOTS_PER_EPOCH;
  for (const req of requests) {
    switch (req.kind) {
      case "proposer_slashing": {
        const [v] = pick(ctx, pre, proposer, 1, req.kind, (val) => st.isSlashableValidator(val, epoch));
        const slot = Math.max(0, pre.slot - 1);
        const base = { slot, proposerIndex: v, parentRoot: ctx.rng.bytes(32), stateRoot: ctx.rng.bytes(32) };
        const headers = [ctx.rng.bytes(32), ctx.rng.bytes(32)].map((bodyRoot) => {
          const message = { ...base, bodyRoot };
          const domain = config.getDomain(pre.slot, o.params.DOMAIN_BEACON_PROPOSER, slot);
          const root = st.computeSigningRoot(ssz.phase0.BeaconBlockHeader, message, domain);
          // The SSZ value of a slashing's header has a bigint slot (Lodestar's unbounded variant).
          const signature = keys.sign(keyOf(ctx, pre.validators.getReadonly(v).pubkey), root);
          return { message: { ...message, slot: BigInt(slot) }, signature };
        });
        out.proposerSlashings.push({ signedHeader1: headers[0], signedHeader2: headers[1] });
        out.labels.push("proposer_slashing");
        break;
      }
      case "attester_slashing": {
        const indices = pick(ctx, pre, proposer, req.validators ?? 2, req.kind, (val) =>
          st.isSlashableValidator(val, epoch),
        );
        const cp = (e: number) => ({ epoch: e, root: ctx.rng.bytes(32) });
        const slot = Math.max(0, pre.slot - 1);
        const datas = req.surround
          ? [
              { slot, index: 0, beaconBlockRoot: ctx.rng.bytes(32), source: cp(0), target: cp(epoch) },
              { slot, index: 0, beaconBlockRoot: ctx.rng.bytes(32), source: cp(1), target: cp(Math.max(0, epoch - 1)) },
            ]
          : [0, 1].map(() => ({
              slot,
              index: 0,
              beaconBlockRoot: ctx.rng.bytes(32),
              source: cp(0),
              target: cp(epoch),
            }));
        if (req.surround && epoch < 2) throw new Error(`slot ${pre.slot}: a surround vote slashing needs epoch ≥ 2`);
        const signers = indices.map((i) => keyOf(ctx, pre.validators.getReadonly(i).pubkey));
        // The SSZ value of a slashing's attestation data has bigint slot, index and epochs.
        const big = (d: Any) => ({
          ...d,
          slot: BigInt(d.slot),
          index: BigInt(d.index),
          source: { epoch: BigInt(d.source.epoch), root: d.source.root },
          target: { epoch: BigInt(d.target.epoch), root: d.target.root },
        });
        const [attestation1, attestation2] = datas.map((data) => ({
          attestingIndices: indices,
          data: big(data),
          signature: keys.signAggregate(signers, st.getAttestationDataSigningRoot(config, pre.slot, data)),
        }));
        out.attesterSlashings.push({ attestation1, attestation2 });
        out.labels.push(req.surround ? "attester_slashing_surround" : "attester_slashing_double");
        break;
      }
      case "voluntary_exit": {
        const [v] = pick(ctx, pre, proposer, 1, req.kind, (val, i) => exitable(ctx, pre, val, i));
        const message = { epoch, validatorIndex: v };
        const domain = config.getDomainForVoluntaryExit(pre.slot, epoch * spe);
        const root = st.computeSigningRoot(ssz.phase0.VoluntaryExit, message, domain);
        out.voluntaryExits.push({
          message,
          signature: keys.sign(keyOf(ctx, pre.validators.getReadonly(v).pubkey), root),
        });
        out.labels.push("voluntary_exit");
        break;
      }
      case "bls_change": {
        const chosen = pickBls(ctx, pre, req.count ?? 1);
        for (const v of chosen) {
          const pubkey = pre.validators.getReadonly(v).pubkey;
          const k = keyOf(ctx, pubkey);
          const message = { validatorIndex: v, fromBlsPubkey: pubkey, toExecutionAddress: executionAddress(k) };
          const domain = config.getDomainAtFork("phase0", o.params.DOMAIN_BLS_TO_EXECUTION_CHANGE);
          const root = st.computeSigningRoot(ssz.capella.BLSToExecutionChange, message, domain);
          out.blsToExecutionChanges.push({ message, signature: keys.sign(k, root) });
        }
        out.labels.push("bls_to_execution_change");
        break;
      }
      case "deposit": {
        for (let n = 0; n < (req.count ?? 1); n++) {
          const data = req.topUp
            ? topUpData(ctx, pre, proposer, 1 * ETH)
            : newValidatorData(ctx, req.credentials ?? "bls", 32 * ETH);
          ctx.depositDatas.push(data);
          ctx.depositTree.push(ssz.phase0.DepositData.hashTreeRoot(data));
        }
        const count = ctx.depositTree.count;
        ctx.eth1Target = {
          depositRoot: ctx.depositTree.root(),
          depositCount: BigInt(count),
          blockHash: sha256(new TextEncoder().encode(`sextant eth1 block with ${count} deposits`)),
        };
        break;
      }
      case "deposit_request": {
        for (let n = 0; n < (req.count ?? 1); n++) {
          const amount = (req.amountEth ?? (req.topUp ? 1 : 32)) * ETH;
          const data = req.topUp
            ? topUpData(ctx, pre, proposer, amount)
            : newValidatorData(ctx, req.credentials ?? "compounding", amount);
          ctx.nextDepositRequestIndex = Math.max(ctx.nextDepositRequestIndex, ctx.depositTree.count);
          out.depositRequests.push({ ...data, index: BigInt(ctx.nextDepositRequestIndex++) });
        }
        out.labels.push(req.topUp ? "deposit_request_topup" : "deposit_request");
        break;
      }
      case "withdrawal_request": {
        const minActivation = o.params.MIN_ACTIVATION_BALANCE;
        const [v] = pick(ctx, pre, proposer, 1, `${req.kind} (${req.full ? "full" : "partial"})`, (val, i) => {
          if (!exitable(ctx, pre, val, i)) return false;
          if (req.full) return credPrefix(val) === 1 || credPrefix(val) === 2;
          return credPrefix(val) === 2 && val.effectiveBalance >= minActivation && pre.balances.get(i) > minActivation;
        });
        const val = pre.validators.getReadonly(v);
        out.withdrawalRequests.push({
          sourceAddress: val.withdrawalCredentials.slice(12),
          validatorPubkey: val.pubkey,
          amount: BigInt(req.full ? 0 : (req.amountEth ?? 1) * ETH),
        });
        out.labels.push(req.full ? "withdrawal_request_full" : "withdrawal_request_partial");
        break;
      }
      case "consolidation_request": {
        if (req.switchToCompounding) {
          const [v] = pick(
            ctx,
            pre,
            proposer,
            1,
            "switch to compounding",
            (val, i) => credPrefix(val) === 1 && exitable(ctx, pre, val, i),
          );
          const val = pre.validators.getReadonly(v);
          out.consolidationRequests.push({
            sourceAddress: val.withdrawalCredentials.slice(12),
            sourcePubkey: val.pubkey,
            targetPubkey: val.pubkey,
          });
          out.labels.push("consolidation_request_switch");
        } else {
          const [source] = pick(
            ctx,
            pre,
            proposer,
            1,
            "consolidation source",
            (val, i) => (credPrefix(val) === 1 || credPrefix(val) === 2) && exitable(ctx, pre, val, i),
          );
          const target = pick(
            ctx,
            pre,
            proposer,
            1,
            "consolidation target",
            (val, i) =>
              i !== source &&
              credPrefix(val) === 2 &&
              isActive(val, epoch) &&
              val.exitEpoch === FAR_FUTURE &&
              !val.slashed,
            false,
          )[0];
          const s = pre.validators.getReadonly(source);
          out.consolidationRequests.push({
            sourceAddress: s.withdrawalCredentials.slice(12),
            sourcePubkey: s.pubkey,
            targetPubkey: pre.validators.getReadonly(target).pubkey,
          });
          out.labels.push("consolidation_request");
        }
        break;
      }
      default:
        throw new Error(`unknown operation ${(req as { kind: string }).kind}`);
    }
  }
  return out;
}

/** Validators with BLS credentials not yet changed. */
function pickBls(ctx: GenContext, pre: Any, count: number): number[] {
  const candidates: number[] = [];
  for (let i = 0; i < pre.validators.length; i++) {
    if (!ctx.blsChanged.has(i) && credPrefix(pre.validators.getReadonly(i)) === 0) candidates.push(i);
  }
  if (candidates.length < count)
    throw new Error(`slot ${pre.slot}: bls_change: only ${candidates.length} BLS validators left`);
  const chosen: number[] = [];
  for (let k = 0; k < count; k++) chosen.push(candidates.splice(ctx.rng.int(candidates.length), 1)[0]);
  for (const i of chosen) ctx.blsChanged.add(i);
  return chosen.sort((a, b) => a - b);
}

/** A signed deposit of a fresh interop key with `kind` credentials. */
function newValidatorData(ctx: GenContext, kind: CredentialKind, amount: number): Any {
  const k = ctx.nextKey++;
  ctx.keyByPubkey.set(hex(ctx.keys.pubkey(k)), k);
  return depositData(ctx.o, ctx.keys, ctx.chain, k, withdrawalCredentials(ctx.keys, k, kind), amount);
}

/** A signed top-up deposit of an active validator (its own credentials). */
function topUpData(ctx: GenContext, pre: Any, proposer: number, amount: number): Any {
  const epoch = epochOf(ctx, pre.slot);
  const candidates: number[] = [];
  for (let i = 0; i < pre.validators.length; i++) {
    const v = pre.validators.getReadonly(i);
    if (i !== proposer && isActive(v, epoch) && !v.slashed) candidates.push(i);
  }
  const v = pre.validators.getReadonly(candidates[ctx.rng.int(candidates.length)]);
  return depositData(ctx.o, ctx.keys, ctx.chain, keyOf(ctx, v.pubkey), v.withdrawalCredentials, amount);
}

/** The eth1_data a block at `pre.slot` votes for: the pending deposits' target while it is not in yet. */
export function eth1Vote(ctx: GenContext, pre: Any): { eth1Data: Any; label: string | null } {
  const current = pre.eth1Data;
  const t = ctx.eth1Target;
  if (t && Number(current.depositCount) < Number(t.depositCount)) return { eth1Data: t, label: "eth1_vote_new" };
  return {
    eth1Data: { depositRoot: current.depositRoot, depositCount: current.depositCount, blockHash: current.blockHash },
    label: null,
  };
}

/**
 * The deposits the block at `pre.slot` voting `vote` must include, with proofs against the eth1_data in force
 * when its operations are processed (the vote's, if it wins in this very block).
 */
export function pendingEth1Deposits(ctx: GenContext, pre: Any, vote: Any): { deposits: Any[]; labels: string[] } {
  const voteView = ctx.o.types.ssz.phase0.Eth1Data.toViewDU(vote);
  const eth1Data = ctx.o.stateTransition.becomesNewEth1Data(pre, voteView) ? vote : pre.eth1Data;
  let limit = Number(eth1Data.depositCount);
  if (pre.depositRequestsStartIndex !== undefined) limit = Math.min(limit, Number(pre.depositRequestsStartIndex));
  const start = Number(pre.eth1DepositIndex);
  const end = Math.min(limit, start + ctx.o.params.MAX_DEPOSITS);
  const deposits: Any[] = [];
  const labels = new Set<string>();
  const known = new Set<string>();
  for (let i = 0; i < pre.validators.length; i++) known.add(hex(pre.validators.getReadonly(i).pubkey));
  for (let i = start; i < end; i++) {
    const data = ctx.depositDatas[i];
    deposits.push({ proof: ctx.depositTree.proof(i, Number(eth1Data.depositCount)), data });
    labels.add(known.has(hex(data.pubkey)) ? "deposit_topup" : "deposit_new");
    known.add(hex(data.pubkey));
  }
  return { deposits, labels: [...labels] };
}
