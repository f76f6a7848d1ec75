// Differential test of attestation processing (consensus/src/transition/block/operations/attestation.ts) against the
// Lodestar oracle with the mainnet preset, where the timing rules differ from minimal: 32-slot epochs, so
// integer_squareroot(SLOTS_PER_EPOCH) = 5 bounds the timely-source flag, the pre-deneb window is 32 slots, and
// deneb's EIP-7045 window spans up to 63 slots. Every inclusion delay is exercised in phase0, altair, deneb and
// electra; post-state roots and the signature sets must match/verify.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BitArray } from "@chainsafe/ssz";
import { verifySignatureSets } from "@sextant/consensus/bls/batch";
import { aggregateSignatures } from "@sextant/consensus/bls/verify";
import { type ForkName, ForkSeq, mainnetChainConfig } from "@sextant/consensus/params/index";
import { computeDomain, computeSigningRoot } from "@sextant/consensus/signing/domain";
import { DOMAIN_BEACON_ATTESTER } from "@sextant/consensus/signing/domainTypes";
import { processAttestations } from "@sextant/consensus/transition/block/operations/index";
import { getSszTypes } from "@sextant/consensus/types/sszTypes";
import { type DualState, hex } from "../support/dualState.ts";
import { oracleSkip } from "../support/oracle.ts";
import { Rng } from "../support/random.ts";
import { forkData, interopKey as key } from "../support/stateBuilder.ts";
import {
  activeValidator,
  blockContext,
  chainAtFork,
  ETH,
  type Fixture,
  loadFixture,
  UNSET_INDEX,
} from "../support/transitionFixtures.ts";

// biome-ignore lint/suspicious/noExplicitAny: SSZ values and the oracle are used generically across forks
type Any = any;

const skip = oracleSkip();
const types = getSszTypes("mainnet");
const SLOTS_PER_EPOCH = 32;
const SLOTS_PER_HISTORICAL_ROOT = 8192;
/** One committee of 8 per slot in the mainnet preset. */
const N = 256;
const EPOCH = 10;
const SLOT = EPOCH * SLOTS_PER_EPOCH + 20;

function buildState(fork: ForkName, seed: number): Fixture {
  const rng = new Rng(seed);
  const chain = chainAtFork(mainnetChainConfig, fork);
  const v = (types[fork] as Any).BeaconState.defaultValue();
  v.genesisTime = 1_600_000_000;
  v.genesisValidatorsRoot = rng.bytes(32);
  v.slot = SLOT;
  v.fork = forkData(chain, fork);
  v.latestBlockHeader = { ...v.latestBlockHeader, slot: SLOT - 1, bodyRoot: rng.bytes(32) };
  for (let s = SLOT - 2 * SLOTS_PER_EPOCH; s < SLOT; s++) v.blockRoots[s % SLOTS_PER_HISTORICAL_ROOT] = rng.bytes(32);
  for (let e = 0; e <= EPOCH + 1; e++) v.randaoMixes[e] = rng.bytes(32);
  v.eth1Data = { depositRoot: rng.bytes(32), depositCount: N, blockHash: rng.bytes(32) };
  v.eth1DepositIndex = N;
  v.validators = [];
  v.balances = [];
  for (let i = 0; i < N; i++) {
    const credentials = new Uint8Array(32);
    credentials[0] = ForkSeq[fork] >= ForkSeq.electra && i % 5 === 0 ? 0x02 : 0x01;
    const effective = credentials[0] === 0x02 ? 40 * ETH + (i % 7) * 100 * ETH : 32 * ETH - (i % 3) * ETH;
    v.validators.push(activeValidator(key(i).pubkey, credentials, effective));
    v.balances.push(effective + rng.int(ETH / 2));
  }
  v.previousJustifiedCheckpoint = { epoch: EPOCH - 2, root: rng.bytes(32) };
  v.currentJustifiedCheckpoint = { epoch: EPOCH - 1, root: rng.bytes(32) };
  v.finalizedCheckpoint = { epoch: EPOCH - 3, root: rng.bytes(32) };
  if (ForkSeq[fork] >= ForkSeq.altair) {
    v.previousEpochParticipation = Array.from({ length: N }, () => (rng.bool() ? 0 : rng.int(8)));
    v.currentEpochParticipation = Array.from({ length: N }, () => (rng.bool() ? 0 : rng.int(8)));
    v.inactivityScores = new Array(N).fill(0);
    const pubkeys = Array.from({ length: 512 }, (_, i) => key((i * 7) % N).pubkey);
    v.currentSyncCommittee = { pubkeys, aggregatePubkey: key(0).pubkey };
    v.nextSyncCommittee = { pubkeys, aggregatePubkey: key(0).pubkey };
  }
  if (ForkSeq[fork] >= ForkSeq.electra) v.depositRequestsStartIndex = UNSET_INDEX;
  return { chain, fork, value: v };
}

/** Attestations for every slot of the inclusion window, random bits, a mix of right and wrong targets and heads. */
function attestations(d: DualState, value: Any, seed: number): Any[] {
  const rng = new Rng(seed);
  const deneb = ForkSeq[d.fork] >= ForkSeq.deneb;
  const electra = ForkSeq[d.fork] >= ForkSeq.electra;
  const first = deneb ? (EPOCH - 1) * SLOTS_PER_EPOCH : SLOT - SLOTS_PER_EPOCH;
  const out: Any[] = [];
  for (let slot = first; slot < SLOT; slot++) {
    const targetEpoch = Math.floor(slot / SLOTS_PER_EPOCH);
    const targetRoot = value.blockRoots[(targetEpoch * SLOTS_PER_EPOCH) % SLOTS_PER_HISTORICAL_ROOT];
    const data = {
      slot,
      index: 0,
      beaconBlockRoot: rng.int(4) === 0 ? rng.bytes(32) : value.blockRoots[slot % SLOTS_PER_HISTORICAL_ROOT],
      source: targetEpoch === EPOCH ? value.currentJustifiedCheckpoint : value.previousJustifiedCheckpoint,
      target: { epoch: targetEpoch, root: rng.int(5) === 0 ? rng.bytes(32) : targetRoot },
    };
    const committee = d.ours.ctx.getBeaconCommittee(slot, 0);
    const bits = BitArray.fromBitLen(committee.length);
    const signers: number[] = [];
    committee.forEach((member, position) => {
      if (position === 0 || rng.bool()) {
        bits.set(position, true);
        signers.push(member);
      }
    });
    const domain = computeDomain(DOMAIN_BEACON_ATTESTER, value.fork.currentVersion, value.genesisValidatorsRoot);
    const root = computeSigningRoot(types.phase0.AttestationData.hashTreeRoot(data), domain);
    const signature = aggregateSignatures(signers.map((i) => key(i).sk.sign(root))).toBytes();
    const att: Any = { aggregationBits: bits, data, signature };
    if (electra) {
      att.committeeBits = BitArray.fromBitLen(64);
      att.committeeBits.set(0, true);
    }
    out.push(att);
  }
  return out;
}

describe("attestations match the oracle (mainnet preset)", { skip }, () => {
  for (const fork of ["phase0", "altair", "deneb", "electra"] as const) {
    it(`${fork}: every inclusion delay of the window`, async () => {
      const built = buildState(fork, 11);
      const d = await loadFixture(built);
      const atts = attestations(d, built.value, 12);
      const bc = blockContext();
      processAttestations(d.ours, atts, bc);
      const t = (types[fork] as Any).Attestation;
      d.oracleModule.stBlock.processAttestations(
        d.oracleModule.params.ForkSeq[fork],
        d.oracle,
        atts.map((a) => d.oracleModule.types.ssz[fork].Attestation.deserialize(t.serialize(a))),
        null,
        true,
      );
      assert.equal(hex(d.ours.state.hashTreeRoot()), hex(d.oracle.hashTreeRoot()), `${fork}: post-states differ`);
      assert.equal(bc.signatureSets.length, atts.length);
      assert.ok(verifySignatureSets(bc.signatureSets).valid, `${fork}: signature sets verify`);
      if (fork !== "phase0") {
        // Flags of several kinds were set (the case exercises the timing rules, not just one flag).
        const flags = new Set((d.ours.state as Any).currentEpochParticipation.getAll() as number[]);
        assert.ok(flags.size >= 4, `${fork}: participation has several flag combinations`);
      }
    });
  }
});
