// The SSZ types differential: every container of ours (all forks) against Lodestar's `ssz.<fork>.<Name>`, and every
// container of Lodestar's for phase0..fulu against ours, except the explicit allowlists below.
import assert from "node:assert/strict";
import { FORK_NAMES, type ForkName } from "../../../consensus/src/params/forkName.ts";
import type { SszTypes } from "../../../consensus/src/types/index.ts";
import type { Oracle } from "../../support/oracle.ts";
import { Rng } from "../../support/random.ts";
import { type AnyType, clipDivergences, describe, isContainer, randomValue } from "./sszWalk.ts";

/** Our name → the oracle's, where Lodestar deviates from the spec's spelling. */
const ORACLE_NAME: Readonly<Record<string, string>> = { MetaData: "Metadata" };

/** Our containers with no Lodestar counterpart in @lodestar/types. */
export const OURS_ONLY: Readonly<Record<string, string>> = {
  BeaconCommitteeSelection: "Beacon API body (types/selection.yaml); Lodestar keeps it in @lodestar/api",
  SyncCommitteeSelection: "Beacon API body (types/selection.yaml); Lodestar keeps it in @lodestar/api",
};

/** Lodestar containers we do not define; `forks` limits an entry to those forks. */
export const ORACLE_ONLY: Readonly<Record<string, { reason: string; forks?: readonly ForkName[] }>> = {
  AttestationDataBigint: { reason: "Lodestar-internal bigint variant of AttestationData (same SSZ)" },
  BeaconBlockHeaderBigint: { reason: "Lodestar-internal bigint variant of BeaconBlockHeader (same SSZ)" },
  CheckpointBigint: { reason: "Lodestar-internal bigint variant of Checkpoint (same SSZ)" },
  IndexedAttestationBigint: { reason: "Lodestar-internal bigint variant of IndexedAttestation (same SSZ)" },
  SignedBeaconBlockHeaderBigint: { reason: "Lodestar-internal bigint variant of SignedBeaconBlockHeader" },
  CommitteeAssignment: { reason: "Lodestar's duty cache record, not a spec or API container" },
  DepositEvent: { reason: "Lodestar's eth1 deposit-log tracker record" },
  Eth1DataOrdered: { reason: "Lodestar's eth1 tracker record" },
  HistoricalBatchRoots: { reason: "Lodestar-internal roots-only HistoricalBatch" },
  Genesis: { reason: "JSON-only Beacon API response (/eth/v1/beacon/genesis), owned by api-spec" },
  SingleAttestation: {
    reason: "before electra Lodestar aliases SingleAttestation to Attestation; the spec adds it in electra",
    forks: ["phase0", "altair", "bellatrix", "capella", "deneb"],
  },
  LightClientStore: { reason: "the spec's LightClientStore is a Python object (client memory), not SSZ" },
  CommonExecutionPayloadType: { reason: "Lodestar-internal shared prefix of payload and header" },
  NewPayloadRequest: { reason: "the spec's NewPayloadRequest is a Python object handed to the EL, not SSZ" },
  PayloadAttributes: { reason: "spec object for engine_forkchoiceUpdated; Lodestar's has a non-SSZ string field" },
  SSEPayloadAttributes: { reason: "payload_attributes event JSON (api-spec); embeds Lodestar's PayloadAttributes" },
  SSEPayloadAttributesCommon: { reason: "payload_attributes event JSON (api-spec)" },
  BeaconBlocksByHeadRequest: { reason: "not in consensus-specs v1.6.1" },
};

/**
 * Places where our uint64 decodes 2**64-1 to Infinity and Lodestar's does not (Lodestar would read FAR_FUTURE_EPOCH
 * as 18446744073709552000): epochs that hold FAR_FUTURE_EPOCH for a fork that is not scheduled. Random values there
 * stay finite; every other divergence fails the test.
 */
const CLIP_DIVERGENCES: readonly string[] = [
  "ENRForkID.nextForkEpoch (ours true, oracle false)",
  "Fork.epoch (ours true, oracle false)",
  "BeaconState.fork.epoch (ours true, oracle false)",
];

export interface DiffOptions {
  /** Random values per distinct container. */
  cases: number;
  /**
   * For "heavy" containers (minimum serialized size of at least `heavyBytes`: the mainnet BeaconStates) every value
   * runs the bytes and root checks, but only this many also run the JSON checks (the oracle's JSON encoder takes
   * ~0.6 s per mainnet state).
   */
  heavyJsonCases: number;
  heavyBytes: number;
  seed: number;
}

export interface DiffStats {
  /** (fork, container) pairs checked structurally. */
  containersByFork: number;
  /** Distinct (our type, oracle type) pairs run on random values. */
  distinctPairs: number;
  /** Random values run through every check. */
  cases: number;
  /** Containers whose JSON was compared on `heavyJsonCases` values only. */
  heavy: string[];
  /** Non-container members compared structurally. */
  otherTypes: number;
}

/** Asserts two JSON values are identical, key order included (string compare first: fast on mainnet states). */
function sameJson(actual: unknown, expected: unknown, message: string): void {
  if (JSON.stringify(actual) === JSON.stringify(expected)) return;
  assert.deepEqual(actual, expected, message);
  assert.fail(`${message}: same keys and values, different key order`);
}

/**
 * One random value through both libraries: bytes, roots (value and tree paths), JSON, in both directions. The
 * oracle's fromJson of our JSON is implied (our JSON equals the oracle's own), so it is not run.
 */
function checkCase(label: string, ours: AnyType, oracle: AnyType, value: unknown, json = true): void {
  const bytes: Uint8Array = ours.serialize(value);
  const theirs = oracle.deserialize(bytes);
  assert.deepEqual(oracle.serialize(theirs), bytes, `${label}: oracle re-serialization`);
  const root: Uint8Array = ours.hashTreeRoot(value);
  assert.deepEqual(oracle.hashTreeRoot(theirs), root, `${label}: hashTreeRoot`);
  assert.deepEqual(ours.deserializeToViewDU(bytes).hashTreeRoot(), root, `${label}: tree-backed root`);
  if (!json) return;
  const theirJson = oracle.toJson(theirs);
  sameJson(ours.toJson(value), theirJson, `${label}: toJson`);
  sameJson(ours.toJson(ours.deserialize(oracle.serialize(theirs))), theirJson, `${label}: oracle bytes → ours → JSON`);
  assert.deepEqual(ours.serialize(ours.fromJson(theirJson)), bytes, `${label}: ours.fromJson(oracle JSON)`);
}

/** Runs the whole comparison; throws on the first mismatch. */
export function runTypesDifferential(types: SszTypes, oracle: Oracle, opts: DiffOptions): DiffStats {
  const stats: DiffStats = { containersByFork: 0, distinctPairs: 0, cases: 0, otherTypes: 0, heavy: [] };
  const tested = new Map<AnyType, Set<AnyType>>();
  const clipFound = new Set<string>();
  const rng = new Rng(opts.seed);
  for (const fork of FORK_NAMES) {
    const ours: Record<string, AnyType> = types[fork];
    const theirs: Record<string, AnyType> = oracle.types.ssz[fork];
    for (const [name, type] of Object.entries(ours)) {
      const oracleType = theirs[ORACLE_NAME[name] ?? name];
      if (!isContainer(type)) {
        if (oracleType === undefined) continue;
        assert.equal(describe(type), describe(oracleType), `${fork}.${name}: shape`);
        stats.otherTypes++;
        continue;
      }
      if (oracleType === undefined) {
        assert.ok(name in OURS_ONLY, `${fork}.${name}: no oracle counterpart and not in OURS_ONLY`);
        continue;
      }
      assert.ok(!(name in OURS_ONLY), `${fork}.${name} has an oracle counterpart: drop it from OURS_ONLY`);
      assert.ok(isContainer(oracleType), `${fork}.${name}: the oracle's is not a container`);
      assert.deepEqual(Object.keys(type.fields), Object.keys(oracleType.fields), `${fork}.${name}: field order`);
      assert.equal(describe(type), describe(oracleType), `${fork}.${name}: shape`);
      for (const d of clipDivergences(type, oracleType, type.typeName)) clipFound.add(d);
      stats.containersByFork++;
      const seen = tested.get(type) ?? new Set<AnyType>();
      tested.set(type, seen);
      if (seen.has(oracleType)) continue;
      seen.add(oracleType);
      stats.distinctPairs++;
      const heavy = type.minSize >= opts.heavyBytes;
      if (heavy) stats.heavy.push(`${fork}.${name}`);
      for (let i = 0; i < opts.cases; i++) {
        const json = !heavy || i < opts.heavyJsonCases;
        checkCase(`${fork}.${name} #${i}`, type, oracleType, randomValue(type, oracleType, rng), json);
        stats.cases++;
      }
    }
    for (const [name, oracleType] of Object.entries(theirs)) {
      if (!isContainer(oracleType)) continue;
      const ourName = Object.keys(ORACLE_NAME).find((k) => ORACLE_NAME[k] === name) ?? name;
      if (ours[ourName] !== undefined) continue;
      const allowed = ORACLE_ONLY[name];
      assert.ok(
        allowed !== undefined && (allowed.forks === undefined || allowed.forks.includes(fork)),
        `oracle ${fork}.${name} has no counterpart of ours and is not in ORACLE_ONLY`,
      );
    }
  }
  assert.deepEqual([...clipFound].sort(), [...CLIP_DIVERGENCES].sort(), "FAR_FUTURE (clipInfinity) divergences");
  return stats;
}
