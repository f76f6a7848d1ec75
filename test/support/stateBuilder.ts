// A builder of random-but-valid BeaconStates of any fork, as SSZ values and bytes, for differential tests of the
// state transition (epoch processing first, but any step that needs a realistic registry). Deterministic for a
// seed. What a built state holds:
//   - N validators with real interop pubkeys (derived once per process and cached: ~0.2 ms per key, so 16k keys
//     take ~4 s the first time), balances around 32 ETH, effective balances near them (so hysteresis moves some);
//   - a mix of statuses: active, slashed (some exactly at the correlation-penalty epoch), exiting, exited,
//     withdrawable, queued for activation (finalized or not), not yet eligible, ejectable (low balance), and
//     from electra compounding (0x02) validators above 32 ETH;
//   - phase0: pending attestations of the previous and current epoch on the real committees (computed with our
//     EpochContext), with matching and non-matching targets and heads and varied inclusion delays;
//     altair+: participation flags, inactivity scores, sync committees of registry members (real aggregate);
//   - justification bits and checkpoints consistent with the epoch, finality lag as asked (inactivity leak);
//   - electra: pending deposits (top-ups with the infinity signature at GENESIS_SLOT, new validators with valid
//     deposit signatures, some with bad signatures, deposit requests at later slots, deposits of exiting and
//     withdrawn validators), pending partial withdrawals, pending consolidations (some due, some slashed
//     sources), churn fields; fulu: the proposer lookahead computed from the state.
//
// API: `buildState(options)` → { value, bytes, config } where `value` is the fork's BeaconState value (ours:
// camelCase fields), `bytes` its serialization, `config` our BeaconConfig. `lastSlotOfEpoch(preset, epoch)` gives the
// slot at which processSlots runs process_epoch. `interopKey(i)` / `interopPubkey(i)` are the cached interop key i.
// Pieces every hand-built test state shares: `forkData` (the state's fork field), `randomPayloadHeader` and
// `randomCapellaFields` (execution header and withdrawal cursors), `aggregationBitsOf` (a pending attestation's bits),
// and `differingFields` (what a root mismatch between two serialized states is about).

import { interopSecretKey } from "@sextant/consensus/bls/interop";
import type { PublicKey, SecretKey } from "@sextant/consensus/bls/keys";
import { aggregatePublicKeys } from "@sextant/consensus/bls/verify";
import { COMPOUNDING_WITHDRAWAL_PREFIX, G2_POINT_AT_INFINITY } from "@sextant/consensus/params/constants";
import { type ChainConfig, FORK_NAMES, type ForkName, forkVersion } from "@sextant/consensus/params/index";
import { computeDomain, computeSigningRoot, ZERO_ROOT } from "@sextant/consensus/signing/domain";
import { DOMAIN_DEPOSIT } from "@sextant/consensus/signing/domainTypes";
import { createCachedState } from "@sextant/consensus/state/cachedState";
import { type AnyState, atLeast, type BeaconConfig } from "@sextant/consensus/state/types";
import { beaconConfigOf } from "./dualState.ts";
import { Rng } from "./random.ts";

// biome-ignore lint/suspicious/noExplicitAny: state values of every fork are built field by field
type Any = any;

const FAR = Number.POSITIVE_INFINITY;
const GWEI = 1_000_000_000;

/** Interop key `i`: its secret key, public key and compressed pubkey bytes. */
export interface InteropKey {
  readonly sk: SecretKey;
  readonly publicKey: PublicKey;
  readonly pubkey: Uint8Array;
}

const KEYS: InteropKey[] = [];

/** Interop key `i` (derived once per process, with every key below it). */
export function interopKey(i: number): InteropKey {
  while (KEYS.length <= i) {
    const sk = interopSecretKey(KEYS.length);
    const publicKey = sk.toPublicKey();
    KEYS.push({ sk, publicKey, pubkey: publicKey.toBytes() });
  }
  return KEYS[i];
}

/** The compressed pubkey of interop secret key `i` (derived once per process). */
export function interopPubkey(i: number): Uint8Array {
  return interopKey(i).pubkey;
}

function interopPublicKey(i: number): PublicKey {
  return interopKey(i).publicKey;
}

/** The slot at which process_epoch runs for `epoch` (its last slot). */
export function lastSlotOfEpoch(preset: { SLOTS_PER_EPOCH: number }, epoch: number): number {
  return (epoch + 1) * preset.SLOTS_PER_EPOCH - 1;
}

/** Options of `buildState`; every count defaults to a small share of the registry. */
export interface StateBuildOptions {
  chain: ChainConfig;
  fork: ForkName;
  /** The state's slot (e.g. `lastSlotOfEpoch(preset, epoch)`); its epoch must be ≥ 2. */
  slot: number;
  validators: number;
  seed: number;
  /** Epochs between the previous epoch and the finalized checkpoint (default 1; > 4 is an inactivity leak). */
  finalityLag?: number;
  /** Share of active validators attesting / with each participation flag (default 0.8). */
  participation?: number;
  /** Share of validators slashed (default 0.04) and of those at the correlation-penalty epoch (default 0.5). */
  slashed?: number;
  slashedAtPenaltyEpoch?: number;
  /** Total of state.slashings in ETH (default 3 per slashed validator). */
  slashingsTotalEth?: number;
  /** Share of validators exiting or exited (default 0.06). */
  exiting?: number;
  /** Share of validators not yet activated (default 0.08): queued (finalized or not) or not yet eligible. */
  pending?: number;
  /** Share of validators with effective balance ≤ EJECTION_BALANCE (default 0.02). */
  ejectable?: number;
  /** Electra+: share of compounding validators (default 0.1). */
  compounding?: number;
  /** Electra+: queue sizes (defaults: 12 deposits, 3 partial withdrawals, 4 consolidations). */
  pendingDeposits?: number;
  pendingPartialWithdrawals?: number;
  pendingConsolidations?: number;
  /**
   * Electra+: whether eth1 bridge deposits are still pending (deposit requests then wait). Default: sometimes in
   * electra, never from fulu (real fulu chains have finished the bridge, and Lodestar ≥ 1.46 drops the gate in
   * fulu, ahead of spec v1.6.1, so a differential test cannot use that case).
   */
  eth1BridgePending?: boolean;
  /** Max inactivity score (default 100). */
  inactivityScoreMax?: number;
}

/** A built state. */
export interface BuiltState {
  config: BeaconConfig;
  value: Any;
  bytes: Uint8Array;
}

/** The fork before `fork` (phase0 for phase0). */
export function previousFork(fork: ForkName): ForkName {
  const i = FORK_NAMES.indexOf(fork);
  return i <= 0 ? fork : FORK_NAMES[i - 1];
}

/** The `fork` field of a `fork` state that has been in that fork since genesis (epoch 0). */
export function forkData(chain: ChainConfig, fork: ForkName): Any {
  return {
    previousVersion: forkVersion(chain, previousFork(fork)),
    currentVersion: forkVersion(chain, fork),
    epoch: 0,
  };
}

/** A block header at `slot` by one of `validators`, with random roots (drawn from `rng` in field order). */
export function randomBlockHeader(slot: number, validators: number, rng: Rng): Any {
  return {
    slot,
    proposerIndex: rng.int(validators),
    parentRoot: rng.bytes(32),
    stateRoot: rng.bytes(32),
    bodyRoot: rng.bytes(32),
  };
}

/**
 * Fills the execution payload header `h` (bellatrix+) with random values drawn from `rng` in a fixed order;
 * `withBloomAndExtra` also draws a logs bloom and extra data (at their places in that order).
 */
export function randomPayloadHeader(h: Any, rng: Rng, timestamp: number, withBloomAndExtra = false): void {
  h.parentHash = rng.bytes(32);
  h.feeRecipient = rng.bytes(20);
  h.stateRoot = rng.bytes(32);
  h.receiptsRoot = rng.bytes(32);
  if (withBloomAndExtra) h.logsBloom = rng.bytes(256);
  h.prevRandao = rng.bytes(32);
  h.blockNumber = 1000 + rng.int(1000);
  h.gasLimit = 30_000_000;
  h.gasUsed = rng.int(30_000_000);
  h.timestamp = timestamp;
  if (withBloomAndExtra) h.extraData = rng.bytes(rng.int(32));
  h.baseFeePerGas = BigInt(rng.int(GWEI));
  h.blockHash = rng.bytes(32);
  h.transactionsRoot = rng.bytes(32);
}

/** Capella+: a random withdrawals root, withdrawal cursors (validator cursor below `validators`), one summary. */
export function randomCapellaFields(s: Any, rng: Rng, validators: number): void {
  s.latestExecutionPayloadHeader.withdrawalsRoot = rng.bytes(32);
  s.nextWithdrawalIndex = rng.int(10_000);
  s.nextWithdrawalValidatorIndex = rng.int(validators);
  s.historicalSummaries = [{ blockSummaryRoot: rng.bytes(32), stateSummaryRoot: rng.bytes(32) }];
}

/** The aggregation bits of a phase0 pending attestation of a committee of `size`, set where `on(position)`. */
export function aggregationBitsOf(types: BeaconConfig["types"], size: number, on: (position: number) => boolean): Any {
  const bits = types.phase0.Attestation.fields.aggregationBits.defaultValue();
  const bitList = new (bits.constructor as Any)(new Uint8Array(Math.ceil(size / 8)), size);
  for (let b = 0; b < size; b++) if (on(b)) bitList.set(b, true);
  return bitList;
}

/** Builds a random-but-valid `fork` state per `opts` (see the file comment). */
export function buildState(opts: StateBuildOptions): BuiltState {
  const config = beaconConfigOf(opts.chain);
  const { preset, types, chain } = config;
  const fork = opts.fork;
  const rng = new Rng(opts.seed);
  const n = opts.validators;
  const spe = preset.SLOTS_PER_EPOCH;
  const epoch = Math.floor(opts.slot / spe);
  if (epoch < 2) throw new RangeError(`buildState needs an epoch ≥ 2, got ${epoch}`);
  const prevEpoch = epoch - 1;
  const electra = atLeast(fork, "electra");
  const history = preset.SLOTS_PER_HISTORICAL_ROOT;

  const s: Any = types[fork].BeaconState.defaultValue();
  s.genesisTime = 1_600_000_000;
  s.genesisValidatorsRoot = rng.bytes(32);
  s.slot = opts.slot;
  s.fork = forkData(chain, fork);
  s.latestBlockHeader = randomBlockHeader(opts.slot - rng.int(2), n, rng);
  s.blockRoots = s.blockRoots.map(() => rng.bytes(32));
  s.stateRoots = s.stateRoots.map(() => rng.bytes(32));
  s.historicalRoots = [rng.bytes(32)];
  s.eth1Data = { depositRoot: rng.bytes(32), depositCount: n, blockHash: rng.bytes(32) };
  s.eth1DataVotes = Array.from({ length: 1 + rng.int(4) }, () => ({
    depositRoot: rng.bytes(32),
    depositCount: n,
    blockHash: rng.bytes(32),
  }));
  s.eth1DepositIndex = n;
  s.randaoMixes = s.randaoMixes.map(() => rng.bytes(32));

  // Checkpoints: finalized `lag` epochs behind the previous epoch; justified between it and the current epoch.
  const lag = opts.finalityLag ?? 1;
  const finalizedEpoch = Math.max(0, prevEpoch - lag);
  const rootAt = (e: number) => s.blockRoots[(e * spe) % history];
  s.finalizedCheckpoint = { epoch: finalizedEpoch, root: rootAt(finalizedEpoch) };
  const currentJustified = Math.min(prevEpoch, finalizedEpoch + rng.int(3));
  const previousJustified = Math.max(finalizedEpoch, currentJustified - rng.int(2));
  s.currentJustifiedCheckpoint = { epoch: currentJustified, root: rootAt(currentJustified) };
  s.previousJustifiedCheckpoint = { epoch: previousJustified, root: rootAt(previousJustified) };
  for (let b = 0; b < 4; b++) s.justificationBits.set(b, rng.int(4) !== 0);

  // Validators.
  const share = (x: number | undefined, d: number) => x ?? d;
  const pSlashed = share(opts.slashed, 0.04);
  const pAtPenalty = share(opts.slashedAtPenaltyEpoch, 0.5);
  const pExiting = share(opts.exiting, 0.06);
  const pPending = share(opts.pending, 0.08);
  const pEject = share(opts.ejectable, 0.02);
  const pCompounding = electra ? share(opts.compounding, 0.1) : 0;
  const penaltyEpoch = epoch + preset.EPOCHS_PER_SLASHINGS_VECTOR / 2;
  const delay = chain.MIN_VALIDATOR_WITHDRAWABILITY_DELAY;
  const validators: Any[] = [];
  const balances: number[] = [];
  let slashedCount = 0;
  for (let i = 0; i < n; i++) {
    const credentials = rng.bytes(32);
    const compounding = rng.float() < pCompounding;
    credentials[0] = compounding ? COMPOUNDING_WITHDRAWAL_PREFIX : rng.int(2);
    const maxEffective = compounding ? preset.MAX_EFFECTIVE_BALANCE_ELECTRA : preset.MAX_EFFECTIVE_BALANCE;
    let balance = compounding ? 32 * GWEI + rng.int(200) * GWEI + rng.int(GWEI) : 31 * GWEI + rng.int(2 * GWEI);
    // Effective balance within a couple of ETH of the balance: some cross the hysteresis thresholds.
    let effective = Math.min(maxEffective, Math.max(0, balance - (balance % GWEI) + (rng.int(5) - 2) * GWEI));
    const v: Any = {
      pubkey: interopPubkey(i),
      withdrawalCredentials: credentials,
      effectiveBalance: effective,
      slashed: false,
      activationEligibilityEpoch: 0,
      activationEpoch: rng.int(3) === 0 ? rng.int(epoch) : 0,
      exitEpoch: FAR,
      withdrawableEpoch: FAR,
    };
    const r = rng.float();
    if (r < pSlashed) {
      v.slashed = true;
      slashedCount++;
      v.exitEpoch = epoch - 1 + rng.int(6);
      v.withdrawableEpoch =
        rng.float() < pAtPenalty ? penaltyEpoch : Math.max(v.exitEpoch + delay, epoch + rng.int(40));
    } else if (r < pSlashed + pExiting) {
      v.exitEpoch = Math.max(v.activationEpoch + 1, epoch - 3 + rng.int(8));
      v.withdrawableEpoch = v.exitEpoch + delay - rng.int(delay + 2);
    } else if (r < pSlashed + pExiting + pPending) {
      v.activationEpoch = FAR;
      const kind = rng.int(4);
      if (kind === 0) {
        v.activationEligibilityEpoch = FAR; // queue candidate (if the balance allows)
        effective = electra && rng.bool() ? preset.MIN_ACTIVATION_BALANCE : preset.MAX_EFFECTIVE_BALANCE;
        if (rng.int(4) === 0) effective -= GWEI * (1 + rng.int(3)); // not enough to be queued
        v.effectiveBalance = effective;
        balance = effective + rng.int(GWEI);
      } else {
        v.activationEligibilityEpoch = kind === 1 ? epoch : rng.int(finalizedEpoch + 1); // unfinalized or finalized
      }
    } else if (r < pSlashed + pExiting + pPending + pEject) {
      v.effectiveBalance = chain.EJECTION_BALANCE - rng.int(2) * GWEI;
      balance = v.effectiveBalance + rng.int(GWEI);
    }
    validators.push(v);
    balances.push(balance);
  }
  s.validators = validators;
  s.balances = balances;
  // Slashings entries are sums of effective balances: whole increments.
  const slashingsTotalEth = opts.slashingsTotalEth ?? 3 * Math.max(1, slashedCount);
  const slots = preset.EPOCHS_PER_SLASHINGS_VECTOR;
  s.slashings = s.slashings.map(() => 0);
  for (let k = 0; k < 8; k++) s.slashings[rng.int(slots)] += Math.floor(slashingsTotalEth / 8) * GWEI;

  const isActive = (v: Any, e: number) => v.activationEpoch <= e && e < v.exitEpoch;
  const participation = opts.participation ?? 0.8;
  if (atLeast(fork, "altair")) {
    const flagsFor = (e: number) =>
      validators.map((v) => {
        if (!isActive(v, e)) return rng.int(8) === 0 ? rng.int(8) : 0;
        let f = 0;
        for (let bit = 0; bit < 3; bit++) if (rng.float() < participation) f |= 1 << bit;
        return f;
      });
    s.previousEpochParticipation = flagsFor(prevEpoch);
    s.currentEpochParticipation = flagsFor(epoch);
    const maxScore = opts.inactivityScoreMax ?? 100;
    s.inactivityScores = validators.map(() => (rng.int(3) === 0 ? 0 : rng.int(maxScore + 1)));
    const committee = () => {
      const members: number[] = [];
      const actives = validators.flatMap((v, i) => (isActive(v, epoch) ? [i] : []));
      for (let k = 0; k < preset.SYNC_COMMITTEE_SIZE; k++) members.push(actives[rng.int(actives.length)]);
      return {
        pubkeys: members.map(interopPubkey),
        aggregatePubkey: aggregatePublicKeys(members.map(interopPublicKey)).toBytes(true),
      };
    };
    s.currentSyncCommittee = committee();
    s.nextSyncCommittee = committee();
  }
  if (atLeast(fork, "bellatrix")) {
    randomPayloadHeader(s.latestExecutionPayloadHeader, rng, s.genesisTime + opts.slot * 6);
  }
  if (atLeast(fork, "capella")) randomCapellaFields(s, rng, n);
  if (electra) buildElectraQueues(s, config, rng, opts, epoch, finalizedEpoch);

  // Committees (phase0 attestations) and the lookahead (fulu) come from the state's own shufflings.
  const view = types[fork].BeaconState.toViewDU(s) as AnyState;
  const cs = createCachedState(config, view, fork);
  if (fork === "phase0") {
    const attestationsFor = (e: number) => {
      const out: Any[] = [];
      const shuffling = cs.ctx.getShuffling(e);
      const targetRoot = rootAt(e);
      const lastSlot = e === epoch ? opts.slot - 1 : (e + 1) * spe - 1;
      for (let slot = e * spe; slot <= lastSlot; slot++) {
        for (let index = 0; index < shuffling.committeesPerSlot; index++) {
          const committee = shuffling.committees[slot % spe][index];
          for (let copy = 0; copy < 1 + rng.int(2); copy++) {
            out.push({
              aggregationBits: aggregationBitsOf(types, committee.length, () => rng.float() < participation),
              data: {
                slot,
                index,
                beaconBlockRoot: rng.int(4) === 0 ? rng.bytes(32) : s.blockRoots[slot % history],
                source: e === epoch ? s.currentJustifiedCheckpoint : s.previousJustifiedCheckpoint,
                target: { epoch: e, root: rng.int(5) === 0 ? rng.bytes(32) : targetRoot },
              },
              inclusionDelay: 1 + rng.int(Math.max(1, Math.min(spe, opts.slot - slot))),
              proposerIndex: rng.int(n),
            });
          }
        }
      }
      return out;
    };
    s.previousEpochAttestations = attestationsFor(prevEpoch);
    s.currentEpochAttestations = attestationsFor(epoch);
  }
  if (atLeast(fork, "fulu")) s.proposerLookahead = Array.from(cs.ctx.initialProposerLookahead(view));
  const bytes = types[fork].BeaconState.serialize(s);
  return { config, value: s, bytes };
}

/** Electra+ queues and churn fields. */
function buildElectraQueues(
  s: Any,
  config: BeaconConfig,
  rng: Rng,
  opts: StateBuildOptions,
  epoch: number,
  finalizedEpoch: number,
): void {
  const { preset, chain, types } = config;
  const n = opts.validators;
  const spe = preset.SLOTS_PER_EPOCH;
  const validators: Any[] = s.validators;
  // Deposit requests wait for the eth1 bridge while eth1_deposit_index < deposit_requests_start_index.
  const bridgePending = opts.eth1BridgePending ?? (opts.fork === "electra" && rng.int(3) === 0);
  s.depositRequestsStartIndex = BigInt(bridgePending ? n + 1 : n);
  s.depositBalanceToConsume = rng.int(3) * GWEI;
  s.exitBalanceToConsume = rng.int(64) * GWEI;
  s.earliestExitEpoch = epoch + rng.int(4);
  s.consolidationBalanceToConsume = rng.int(64) * GWEI;
  s.earliestConsolidationEpoch = epoch + rng.int(4);

  const domain = computeDomain(DOMAIN_DEPOSIT, chain.GENESIS_FORK_VERSION, ZERO_ROOT);
  const newDeposit = (keyIndex: number, amount: number, validSignature: boolean) => {
    const pubkey = interopPubkey(keyIndex);
    const withdrawalCredentials = rng.bytes(32);
    withdrawalCredentials[0] = rng.int(3) === 0 ? COMPOUNDING_WITHDRAWAL_PREFIX : 0x01;
    const root = types.phase0.DepositMessage.hashTreeRoot({ pubkey, withdrawalCredentials, amount });
    const signingRoot = computeSigningRoot(root, domain);
    const signer = interopSecretKey(validSignature ? keyIndex : keyIndex + 1);
    return { pubkey, withdrawalCredentials, amount, signature: signer.sign(signingRoot).toBytes(), slot: 0 };
  };
  const finalizedSlot = finalizedEpoch * spe;
  const deposits: Any[] = [];
  const count = opts.pendingDeposits ?? 12;
  let fresh = n + 64;
  for (let k = 0; k < count; k++) {
    const kind = rng.int(6);
    // Eth1-bridge deposits (slot 0) first, then requests at increasing slots, some past finality.
    const slot = k < count / 2 ? 0 : Math.max(1, finalizedSlot - spe + k);
    let d: Any;
    if (kind <= 1) {
      // Top-up of an existing validator (any status: active, exiting, withdrawn).
      const index = rng.int(n);
      d = {
        pubkey: interopPubkey(index),
        withdrawalCredentials: validators[index].withdrawalCredentials,
        amount: (1 + rng.int(40)) * GWEI,
        signature: G2_POINT_AT_INFINITY,
        slot,
      };
    } else if (kind === 2) {
      // A new validator whose signature does not verify: skipped.
      d = newDeposit(fresh++, 32 * GWEI, false);
      d.slot = slot;
    } else {
      d = newDeposit(fresh++, (kind === 5 ? 1 + rng.int(64) : 32) * GWEI, true);
      d.slot = slot;
      // The same new key again: a top-up of a validator added earlier in the same epoch.
      if (rng.int(4) === 0) deposits.push({ ...d, amount: GWEI, slot });
    }
    deposits.push(d);
  }
  s.pendingDeposits = deposits;

  s.pendingPartialWithdrawals = Array.from({ length: opts.pendingPartialWithdrawals ?? 3 }, () => ({
    validatorIndex: rng.int(n),
    amount: (1 + rng.int(10)) * GWEI,
    withdrawableEpoch: epoch + rng.int(4),
  }));

  // Consolidations: sources exiting with withdrawable epochs around the next epoch (in queue order), targets
  // compounding active validators.
  const consolidations: Any[] = [];
  const want = opts.pendingConsolidations ?? 4;
  const used = new Set<number>();
  for (let k = 0; k < want; k++) {
    const source = rng.int(n);
    const target = rng.int(n);
    if (source === target || used.has(source)) continue;
    used.add(source);
    const v = validators[source];
    if (!v.slashed) {
      v.activationEpoch = Math.min(v.activationEpoch, epoch - 1);
      v.exitEpoch = epoch - 2 + k;
      v.withdrawableEpoch = epoch - 1 + k + rng.int(2);
    }
    validators[target].withdrawalCredentials[0] = COMPOUNDING_WITHDRAWAL_PREFIX;
    consolidations.push({ sourceIndex: source, targetIndex: target });
  }
  s.pendingConsolidations = consolidations;
}

/**
 * The top-level fields whose roots differ between two serialized states of `fork` (ours and another
 * implementation's), with the first differing index for list fields. Empty when the states are equal.
 */
export function differingFields(config: BeaconConfig, fork: ForkName, a: Uint8Array, b: Uint8Array): string[] {
  const type = config.types[fork].BeaconState as Any;
  const va = type.deserialize(a);
  const vb = type.deserialize(b);
  const out: string[] = [];
  for (const [name, fieldType] of Object.entries(type.fields) as [string, Any][]) {
    const ra = fieldType.hashTreeRoot(va[name]);
    const rb = fieldType.hashTreeRoot(vb[name]);
    if (Buffer.compare(Buffer.from(ra), Buffer.from(rb)) === 0) continue;
    let detail = name;
    if (Array.isArray(va[name]) && Array.isArray(vb[name])) {
      const la = va[name];
      const lb = vb[name];
      const el = fieldType.elementType;
      let first = -1;
      for (let i = 0; i < Math.max(la.length, lb.length); i++) {
        if (i >= la.length || i >= lb.length || !el.equals(la[i], lb[i])) {
          first = i;
          break;
        }
      }
      const show = (x: unknown) =>
        JSON.stringify(x, (_k, v) =>
          typeof v === "bigint"
            ? v.toString()
            : v instanceof Uint8Array
              ? Buffer.from(v).toString("hex").slice(0, 16)
              : v,
        );
      detail += ` (lengths ${la.length}/${lb.length}, first difference at ${first}: ${show(la[first])} vs ${show(lb[first])})`;
    }
    out.push(detail);
  }
  return out;
}
