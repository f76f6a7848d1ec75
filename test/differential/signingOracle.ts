// Shared body of signing.{minimal,mainnet}.test.ts: fork digests, domains, signing roots, interop keys and slot
// arithmetic compared with Lodestar (the oracle) for one preset. One preset per process, hence two entry files.
import assert from "node:assert/strict";
import { test } from "node:test";
import { interopSecretKey, interopSecretKeyBytes } from "../../consensus/src/bls/index.ts";
import type { ChainConfig } from "../../consensus/src/params/config/chainConfig.ts";
import type { Preset } from "../../consensus/src/params/presets/preset.ts";
import * as signing from "../../consensus/src/signing/index.ts";
import {
  epochAtSlot,
  slotInEpoch,
  startSlotOfEpoch,
  syncPeriodAtEpoch,
  timeAtSlot,
} from "../../consensus/src/time/index.ts";
import { toHex } from "../../consensus/src/util/hex.ts";
import { loadOracle, type OraclePreset, oracleSkip } from "../support/oracle.ts";
import { Rng } from "../support/random.ts";

const RANDOM_SCHEDULES = 30;
const ROOTS_PER_SCHEDULE = 3;
const RANDOM_EPOCHS_PER_ROOT = 20;
const RANDOM_PRIMITIVE_CASES = 500;
const SIGNING_CASES_PER_TYPE = 200;
const INTEROP_KEYS = 1024;
const TIME_CASES = 1000;
const FORKS = ["ALTAIR", "BELLATRIX", "CAPELLA", "DENEB", "ELECTRA", "FULU"] as const;

// biome-ignore lint/suspicious/noExplicitAny: the oracle's API is untyped in this project
type Any = any;
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The fields of our config that Lodestar's fork schedule, digests and domains read. */
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
  for (const f of FORKS) {
    out[`${f}_FORK_VERSION`] = c[`${f}_FORK_VERSION`];
    out[`${f}_FORK_EPOCH`] = c[`${f}_FORK_EPOCH`];
  }
  return out;
}

/** The forks one epoch apart and three BPO forks, the first at the fulu epoch. */
function spacedSchedule(base: ChainConfig): ChainConfig {
  const c: Mutable<ChainConfig> = { ...base };
  FORKS.forEach((f, i) => {
    c[`${f}_FORK_EPOCH`] = i + 1;
  });
  c.BLOB_SCHEDULE = [
    { EPOCH: 6, MAX_BLOBS_PER_BLOCK: 12 },
    { EPOCH: 8, MAX_BLOBS_PER_BLOCK: 16 },
    { EPOCH: 11, MAX_BLOBS_PER_BLOCK: 20 },
  ];
  return c;
}

/** Random versions, non-decreasing fork epochs (ties allowed, a random tail unscheduled) and BPO entries. */
function randomSchedule(base: ChainConfig, rng: Rng): ChainConfig {
  const c: Mutable<ChainConfig> = { ...base, GENESIS_FORK_VERSION: rng.bytes(4) };
  let epoch = 0;
  let scheduled = true;
  for (const f of FORKS) {
    if (rng.int(8) === 0) scheduled = false;
    epoch += rng.bool() ? rng.int(4) : rng.int(100_000);
    c[`${f}_FORK_VERSION`] = rng.bytes(4);
    c[`${f}_FORK_EPOCH`] = scheduled ? epoch : Infinity;
  }
  c.MAX_BLOBS_PER_BLOCK_ELECTRA = 1 + rng.int(20);
  const entries: { EPOCH: number; MAX_BLOBS_PER_BLOCK: number }[] = [];
  if (Number.isFinite(c.FULU_FORK_EPOCH)) {
    let e = c.FULU_FORK_EPOCH + (rng.bool() ? 0 : 1 + rng.int(10));
    for (let i = rng.int(4); i > 0; i--) {
      entries.push({ EPOCH: e, MAX_BLOBS_PER_BLOCK: 1 + rng.int(64) });
      e += 1 + (rng.bool() ? rng.int(3) : rng.int(50_000));
    }
  }
  c.BLOB_SCHEDULE = rng.bool() ? entries : entries.reverse(); // the schedule need not be sorted
  return c;
}

/** What Lodestar signs `type` with, using the API it has for each special rule. */
function oracleDomain(o: Any, bc: Any, type: Uint8Array, messageEpoch: number, stateEpoch: number): Uint8Array {
  const spe = o.params.SLOTS_PER_EPOCH;
  const [stateSlot, messageSlot] = [stateEpoch * spe, messageEpoch * spe];
  const is = (d: Uint8Array) => signing.bytes4Equal(type, d);
  if (is(o.params.DOMAIN_DEPOSIT) || is(o.params.DOMAIN_APPLICATION_BUILDER))
    return o.stateTransition.computeDomain(type, bc.GENESIS_FORK_VERSION, new Uint8Array(32));
  if (is(o.params.DOMAIN_BLS_TO_EXECUTION_CHANGE)) return bc.getDomainAtFork("phase0", type);
  if (is(o.params.DOMAIN_VOLUNTARY_EXIT)) return bc.getDomainForVoluntaryExit(stateSlot, messageSlot);
  return bc.getDomain(stateSlot, type, messageSlot);
}

/** Registers the differential tests for `preset` with our config and preset objects. */
export function registerSigningDifferential(preset: OraclePreset, network: ChainConfig, ourPreset: Preset): void {
  const skip = oracleSkip();

  test(`DOMAIN_* constants equal the oracle's (${preset})`, { skip }, async () => {
    const o = await loadOracle(preset);
    for (const [name, value] of Object.entries(signing.DOMAIN_TYPES))
      assert.equal(toHex(value), toHex(o.params[name]), name);
    assert.equal(toHex(signing.DOMAIN_APPLICATION_MASK), toHex(o.params.DOMAIN_APPLICATION_MASK));
  });

  test(`fork digests, digest lookups and domains per schedule × genesis root (${preset})`, { skip }, async (t) => {
    const o = await loadOracle(preset);
    const rng = new Rng(preset === "mainnet" ? 420 : 421);
    const schedules = [network, spacedSchedule(network)];
    for (let i = 0; i < RANDOM_SCHEDULES; i++) schedules.push(randomSchedule(network, rng));
    const types = Object.values(signing.DOMAIN_TYPES);
    const counts = { schedules: schedules.length, boundaries: 0, digestEpochs: 0, domains: 0 };
    for (const config of schedules) {
      for (let r = 0; r < ROOTS_PER_SCHEDULE; r++) {
        const gvr = r === 0 ? new Uint8Array(32) : rng.bytes(32);
        const bc = o.config.createBeaconConfig(toOracleConfig(config), gvr);
        const ctx = new signing.ForkDigestContext(config, gvr);
        const cache = new signing.DomainCache(config, gvr);
        // Boundaries: Lodestar keeps the last boundary of each epoch.
        const theirs = (bc.forkBoundariesAscendingEpochOrder as Any[]).filter(
          (b, i, all) => all[i + 1] === undefined || all[i + 1].epoch !== b.epoch,
        );
        assert.deepEqual(
          ctx.boundaries.map((b) => `${b.fork}@${b.epoch}`),
          theirs.map((b) => `${b.fork}@${b.epoch}`),
        );
        for (const b of ctx.boundaries) {
          assert.equal(b.digestHex, bc.forkBoundary2ForkDigestHex(b));
          assert.equal(toHex(signing.computeForkDigest(config, gvr, b.epoch)), `0x${b.digestHex}`);
          const back = bc.forkDigest2ForkBoundary(b.digest);
          assert.deepEqual(
            { fork: back.fork, epoch: back.epoch },
            { fork: b.fork, epoch: ctx.boundaryOfDigest(b.digestHex).epoch },
          );
          counts.boundaries++;
        }
        const lastEpoch = ctx.boundaries[ctx.boundaries.length - 1].epoch;
        const epochs = ctx.boundaries.flatMap((b) => [b.epoch, Math.max(0, b.epoch - 1)]);
        for (let i = 0; i < RANDOM_EPOCHS_PER_ROOT; i++) epochs.push(rng.int(lastEpoch + 10));
        for (const epoch of epochs) {
          const expected = toHex(bc.forkBoundary2ForkDigest(bc.getForkBoundaryAtEpoch(epoch)));
          assert.equal(toHex(ctx.digestAtEpoch(epoch)), expected, `digest at epoch ${epoch}`);
          assert.equal(toHex(signing.computeForkDigest(config, gvr, epoch)), expected);
          counts.digestEpochs++;
          // Domains: the message at `epoch`, checked against a state at the same epoch, at the next boundary and later.
          const next = ctx.nextBoundary(epoch)?.epoch ?? epoch;
          for (const stateEpoch of [epoch, next, epoch + rng.int(lastEpoch + 2)]) {
            for (const type of types) {
              const expectedDomain = toHex(oracleDomain(o, bc, type, epoch, stateEpoch));
              const label = `type ${toHex(type)} message ${epoch} state ${stateEpoch}`;
              assert.equal(toHex(signing.getDomain(config, type, epoch, gvr, stateEpoch)), expectedDomain, label);
              assert.equal(toHex(cache.getDomain(type, epoch, stateEpoch)), expectedDomain, label);
              counts.domains++;
            }
          }
        }
      }
    }
    t.diagnostic(
      `${counts.schedules} schedules × ${ROOTS_PER_SCHEDULE} roots: ${counts.boundaries} boundaries, ` +
        `${counts.digestEpochs} digest epochs, ${counts.domains} domains`,
    );
  });

  test(`compute_fork_data_root, compute_domain and signing roots (${preset})`, { skip }, async (t) => {
    const o = await loadOracle(preset);
    const st = o.stateTransition;
    const rng = new Rng(preset === "mainnet" ? 422 : 423);
    for (let i = 0; i < RANDOM_PRIMITIVE_CASES; i++) {
      const [type, version, root] = [rng.bytes(4), rng.bytes(4), rng.bytes(32)];
      assert.equal(toHex(signing.computeForkDataRoot(version, root)), toHex(st.computeForkDataRoot(version, root)));
      assert.equal(toHex(signing.computeDomain(type, version, root)), toHex(st.computeDomain(type, version, root)));
      const [objectRoot, domain] = [rng.bytes(32), rng.bytes(32)];
      assert.equal(
        toHex(signing.computeSigningRoot(objectRoot, domain)),
        toHex(st.computeSigningRoot(o.types.ssz.Root, objectRoot, domain)),
      );
    }
    const ssz = o.types.ssz;
    const sszTypes: [string, Any][] = [
      ["AttestationData", ssz.phase0.AttestationData],
      ["BeaconBlockHeader", ssz.phase0.BeaconBlockHeader],
      ["VoluntaryExit", ssz.phase0.VoluntaryExit],
      ["DepositMessage", ssz.phase0.DepositMessage],
      ["SyncAggregatorSelectionData", ssz.altair.SyncAggregatorSelectionData],
      ["BLSToExecutionChange", ssz.capella.BLSToExecutionChange],
    ];
    for (const [name, type] of sszTypes) {
      for (let i = 0; i < SIGNING_CASES_PER_TYPE; i++) {
        const value = type.deserialize(rng.bytes(type.fixedSize));
        const domain = rng.bytes(32);
        assert.equal(
          toHex(signing.computeSigningRootOf(type, value, domain)),
          toHex(st.computeSigningRoot(type, value, domain)),
          name,
        );
      }
    }
    t.diagnostic(
      `${RANDOM_PRIMITIVE_CASES} × (fork data root, domain, signing root of a root); ` +
        `${sszTypes.length} types × ${SIGNING_CASES_PER_TYPE} signing roots of random objects`,
    );
  });

  test(`interop secret and public keys 0…${INTEROP_KEYS - 1} (${preset})`, { skip }, async (t) => {
    const o = await loadOracle(preset);
    for (let i = 0; i < INTEROP_KEYS; i++) {
      const theirs = o.stateTransition.interopSecretKey(i);
      assert.equal(toHex(interopSecretKeyBytes(i)), theirs.toHex(), `secret key ${i}`);
      assert.equal(interopSecretKey(i).toPublicKey().toHex(), theirs.toPublicKey().toHex(), `public key ${i}`);
    }
    t.diagnostic(`${INTEROP_KEYS} interop keys`);
  });

  test(`slot / epoch / sync period / time-at-slot arithmetic (${preset})`, { skip }, async (t) => {
    const o = await loadOracle(preset);
    const st = o.stateTransition;
    const oracleConfig = o.config.createChainForkConfig(toOracleConfig(network));
    const rng = new Rng(preset === "mainnet" ? 424 : 425);
    for (let i = 0; i < TIME_CASES; i++) {
      const slot = rng.int(2 ** 36);
      const epoch = epochAtSlot(slot, ourPreset);
      assert.equal(epoch, st.computeEpochAtSlot(slot));
      assert.equal(startSlotOfEpoch(epoch, ourPreset), st.computeStartSlotAtEpoch(epoch));
      assert.equal(slotInEpoch(slot, ourPreset), st.computeSlotsSinceEpochStart(slot));
      assert.equal(syncPeriodAtEpoch(epoch, ourPreset), st.computeSyncPeriodAtEpoch(epoch));
      const genesis = 1_600_000_000 + rng.int(100_000_000);
      const slotSmall = rng.int(2 ** 28);
      assert.equal(
        timeAtSlot(genesis, slotSmall, network) / 1000,
        st.computeTimeAtSlot(oracleConfig, slotSmall, genesis),
      );
    }
    t.diagnostic(`${TIME_CASES} random slots`);
  });
}
