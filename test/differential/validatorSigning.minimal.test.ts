// Differential: the signing root of every message the validator client signs (validator/src/signing/roots.ts)
// equals Lodestar's (its config.getDomain / computeDomain and computeSigningRoot), for a minimal chain that
// schedules one fork per epoch (phase0 at 0, altair at 1 … fulu at 6): attestations, blocks of every fork (full,
// and blinded from bellatrix), RANDAO reveals, selection proofs, aggregate-and-proofs (phase0 and electra types),
// sync committee messages, sync selection data, contribution-and-proofs and builder registrations.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ChainConfig } from "../../consensus/src/params/config/chainConfig.ts";
import { minimalChainConfig } from "../../consensus/src/params/config/minimal.ts";
import { FORK_NAMES, type ForkName, isForkAtLeast } from "../../consensus/src/params/forkName.ts";
import { forkEpoch } from "../../consensus/src/params/forkSchedule.ts";
import { minimalPreset } from "../../consensus/src/params/presets/minimal.ts";
import { getSszTypes } from "../../consensus/src/types/index.ts";
import { toHex } from "../../consensus/src/util/hex.ts";
import * as roots from "../../validator/src/signing/roots.ts";
import { loadOracle, oracleSkip } from "../support/oracle.ts";
import { Rng } from "../support/random.ts";
import { randomValue } from "./types/sszWalk.ts";

// biome-ignore lint/suspicious/noExplicitAny: the oracle's API and SSZ values of several forks are untyped here
type Any = any;

/** Random values per kind and fork boundary slot. */
const CASES = 4;
const SPE = minimalPreset.SLOTS_PER_EPOCH;
const FORKS_AFTER_PHASE0 = ["ALTAIR", "BELLATRIX", "CAPELLA", "DENEB", "ELECTRA", "FULU"] as const;

const config: ChainConfig = {
  ...minimalChainConfig,
  ALTAIR_FORK_EPOCH: 1,
  BELLATRIX_FORK_EPOCH: 2,
  CAPELLA_FORK_EPOCH: 3,
  DENEB_FORK_EPOCH: 4,
  ELECTRA_FORK_EPOCH: 5,
  FULU_FORK_EPOCH: 6,
};

/** Our config as Lodestar's chain config (the fields its fork schedule and domains read). */
function toOracleConfig(c: ChainConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {
    PRESET_BASE: c.PRESET_BASE,
    CONFIG_NAME: c.CONFIG_NAME,
    GENESIS_FORK_VERSION: c.GENESIS_FORK_VERSION,
    GLOAS_FORK_EPOCH: Infinity,
    HEZE_FORK_EPOCH: Infinity,
    SECONDS_PER_SLOT: c.SECONDS_PER_SLOT,
    SLOT_DURATION_MS: c.SLOT_DURATION_MS,
    MAX_BLOBS_PER_BLOCK: c.MAX_BLOBS_PER_BLOCK,
    MAX_BLOBS_PER_BLOCK_ELECTRA: c.MAX_BLOBS_PER_BLOCK_ELECTRA,
    BLOB_SCHEDULE: c.BLOB_SCHEDULE.map((e) => ({ EPOCH: e.EPOCH, MAX_BLOBS_PER_BLOCK: e.MAX_BLOBS_PER_BLOCK })),
  };
  for (const f of FORKS_AFTER_PHASE0) {
    out[`${f}_FORK_VERSION`] = c[`${f}_FORK_VERSION`];
    out[`${f}_FORK_EPOCH`] = c[`${f}_FORK_EPOCH`];
  }
  return out;
}

/** First and last slot of each fork's first epoch, and the last slot before it. */
function boundarySlots(fork: ForkName): number[] {
  const start = forkEpoch(config, fork) * SPE;
  return [...new Set([Math.max(0, start - 1), start, start + SPE - 1])];
}

test("signing roots of every validator message equal Lodestar's (minimal, a fork per epoch)", {
  skip: oracleSkip(),
}, async (t) => {
  const o = await loadOracle("minimal");
  const st = o.stateTransition;
  const ssz = o.types.ssz;
  const rng = new Rng(8080);
  const gvr = rng.bytes(32);
  const bc = o.config.createBeaconConfig(toOracleConfig(config), gvr);
  const types = getSszTypes("minimal");
  const ctx = roots.createSigningRootContext({ config, types, slotsPerEpoch: SPE, genesisValidatorsRoot: gvr });
  const P = o.params;
  const counts: Record<string, number> = {};
  const check = (kind: string, ours: Uint8Array, theirs: Uint8Array, label: string) => {
    assert.equal(toHex(ours), toHex(theirs), `${kind}: ${label}`);
    counts[kind] = (counts[kind] ?? 0) + 1;
  };
  /** A random value of our type, and the same value decoded by the oracle's type. */
  const pair = (ourType: Any, theirType: Any, edit: (v: Any) => void): [Any, Any] => {
    const ours = randomValue(ourType, theirType, rng) as Any;
    edit(ours);
    return [ours, theirType.deserialize(ourType.serialize(ours))];
  };
  const domain = (type: Uint8Array, slot: number) => bc.getDomain(slot, type, slot);

  for (const fork of FORK_NAMES) {
    const ns = types[fork] as Any;
    for (const slot of boundarySlots(fork)) {
      const epoch = Math.floor(slot / SPE);
      const atSlot = `${fork} slot ${slot}`;
      for (let c = 0; c < CASES; c++) {
        // Attestation data: the domain is at target.epoch.
        const [data, theirData] = pair(ns.AttestationData, ssz.phase0.AttestationData, (v) => {
          v.slot = slot;
          v.source.epoch = Math.max(0, epoch - 1);
          v.target.epoch = epoch;
        });
        check(
          "attestation",
          roots.attestationSigningRoot(ctx, data),
          st.computeSigningRoot(ssz.phase0.AttestationData, theirData, domain(P.DOMAIN_BEACON_ATTESTER, epoch * SPE)),
          atSlot,
        );
        // Blocks of the fork at this slot: full, and blinded from bellatrix.
        const blockFork = [...FORK_NAMES].reverse().find((f) => forkEpoch(config, f) <= epoch) as ForkName;
        const bns = types[blockFork] as Any;
        for (const blinded of isForkAtLeast(blockFork, "bellatrix") ? [false, true] : [false]) {
          const name = blinded ? "BlindedBeaconBlock" : "BeaconBlock";
          const [block, theirBlock] = pair(bns[name], ssz[blockFork][name], (v) => {
            v.slot = slot;
          });
          check(
            `${blockFork} ${name}`,
            roots.blockSigningRoot(ctx, blockFork, blinded, block).signingRoot,
            st.computeSigningRoot(ssz[blockFork][name], theirBlock, domain(P.DOMAIN_BEACON_PROPOSER, slot)),
            atSlot,
          );
        }
        check(
          "randao",
          roots.randaoSigningRoot(ctx, epoch),
          st.computeSigningRoot(ssz.Epoch, epoch, domain(P.DOMAIN_RANDAO, epoch * SPE)),
          atSlot,
        );
        check(
          "selection proof",
          roots.selectionProofSigningRoot(ctx, slot),
          st.computeSigningRoot(ssz.Slot, slot, domain(P.DOMAIN_SELECTION_PROOF, slot)),
          atSlot,
        );
        // AggregateAndProof of both shapes (phase0's, electra's), whatever the slot: the fork argument picks it.
        for (const aggFork of ["phase0", "electra"] as const) {
          const [agg, theirAgg] = pair(types[aggFork].AggregateAndProof, ssz[aggFork].AggregateAndProof, (v) => {
            v.aggregate.data.slot = slot;
          });
          check(
            `${aggFork} AggregateAndProof`,
            roots.aggregateAndProofSigningRoot(ctx, aggFork, agg),
            st.computeSigningRoot(ssz[aggFork].AggregateAndProof, theirAgg, domain(P.DOMAIN_AGGREGATE_AND_PROOF, slot)),
            atSlot,
          );
        }
        const blockRoot = rng.bytes(32);
        check(
          "sync committee message",
          roots.syncCommitteeMessageSigningRoot(ctx, slot, blockRoot),
          st.computeSigningRoot(ssz.Root, blockRoot, domain(P.DOMAIN_SYNC_COMMITTEE, slot)),
          atSlot,
        );
        const subcommitteeIndex = rng.int(4);
        check(
          "sync selection data",
          roots.syncSelectionSigningRoot(ctx, slot, subcommitteeIndex),
          st.computeSigningRoot(
            ssz.altair.SyncAggregatorSelectionData,
            { slot, subcommitteeIndex },
            domain(P.DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF, slot),
          ),
          atSlot,
        );
        const [cap, theirCap] = pair(types.altair.ContributionAndProof, ssz.altair.ContributionAndProof, (v) => {
          v.contribution.slot = slot;
        });
        check(
          "contribution and proof",
          roots.contributionAndProofSigningRoot(ctx, cap),
          st.computeSigningRoot(
            ssz.altair.ContributionAndProof,
            theirCap,
            domain(P.DOMAIN_CONTRIBUTION_AND_PROOF, slot),
          ),
          atSlot,
        );
        const [reg, theirReg] = pair(
          types.bellatrix.ValidatorRegistrationV1,
          ssz.bellatrix.ValidatorRegistrationV1,
          (v) => {
            v.gasLimit = rng.int(2 ** 40);
            v.timestamp = rng.int(2 ** 40);
          },
        );
        check(
          "validator registration",
          roots.validatorRegistrationSigningRoot(ctx, reg),
          st.computeSigningRoot(
            ssz.bellatrix.ValidatorRegistrationV1,
            theirReg,
            st.computeDomain(P.DOMAIN_APPLICATION_BUILDER, config.GENESIS_FORK_VERSION, new Uint8Array(32)),
          ),
          atSlot,
        );
      }
    }
  }
  // Every block kind of every fork was compared.
  for (const fork of FORK_NAMES) {
    assert.ok(counts[`${fork} BeaconBlock`] > 0, `${fork} full block compared`);
    if (isForkAtLeast(fork, "bellatrix")) assert.ok(counts[`${fork} BlindedBeaconBlock`] > 0, `${fork} blinded block`);
  }
  t.diagnostic(
    Object.entries(counts)
      .map(([k, n]) => `${k}: ${n}`)
      .join(", "),
  );
});
