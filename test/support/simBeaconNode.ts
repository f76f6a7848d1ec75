// A simulated beacon node for tests and benchmarks: our api-spec fastify server (real HTTP on 127.0.0.1, port 0)
// answering the Beacon API a validator client uses, from a chain that exists only as arithmetic — a registry of
// public keys (index = position, all active_ongoing), deterministic duties (each validator attests exactly once per
// epoch, at slot start + index mod SLOTS_PER_EPOCH), deterministic block and checkpoint roots (attestation data is
// never slashable across slots), head events at every slot start (or on demand). It verifies no signature: it stands
// in for a node so the CLIENT's cost can be measured, and it records every submission (with its arrival time) for
// assertions and measurements. Switches emulate a syncing node, a node that is down (503 or cut connections), an
// older node without some operations (404/405), another fork schedule.
import type { Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { digest } from "@chainsafe/as-sha256";
import { BitArray } from "@chainsafe/ssz";
import {
  ApiError,
  type ApiServer,
  type BeaconEvent,
  type BeaconRoutes,
  beaconRoutes,
  createApiServer,
  type EventTopic,
  type Handlers,
  type ValidatorId,
} from "@sextant/api-spec";
import { interopSecretKey, publicKeyFromSecret } from "@sextant/consensus/bls/index";
import {
  SYNC_COMMITTEE_SUBNET_COUNT,
  TARGET_AGGREGATORS_PER_COMMITTEE,
  TARGET_AGGREGATORS_PER_SYNC_SUBCOMMITTEE,
} from "@sextant/consensus/params/constants";
import {
  type ChainConfig,
  FORK_CONFIG_KEYS,
  FORK_NAMES,
  type ForkName,
  forkNameAtEpoch,
  forkVersion,
  getForkSchedule,
  getPreset,
  isForkAtLeast,
  mainnetChainConfig,
  minimalChainConfig,
  type Preset,
  type PresetName,
} from "@sextant/consensus/params/index";
import { DOMAIN_TYPES } from "@sextant/consensus/signing/domainTypes";
import { attestationDueMs, slotDurationMs } from "@sextant/consensus/time/index";
import { getSszTypes, type SszTypes, sszTypesFor } from "@sextant/consensus/types/index";
import { toHex } from "@sextant/consensus/util/hex";

// ---------------------------------------------------------------------------------------------------------------
// Chain config and spec JSON

/** Options of simChainConfig. */
export interface SimChainConfigOptions {
  preset?: PresetName;
  /** The fork active at genesis: it and every fork before it at epoch 0, later forks never (default electra). */
  genesisFork?: ForkName;
  /** Activation epochs of forks (override genesisFork's schedule); Infinity = never. */
  forkEpochs?: Partial<Record<Exclude<ForkName, "phase0">, number>>;
  /** Slot duration (default 12 s mainnet, 6 s minimal). */
  slotDurationMs?: number;
  /** Other keys to override. */
  config?: Partial<ChainConfig>;
}

/** Last byte of the simulated chain's fork versions ("sim"): never equal to a real network's. */
const SIM_VERSION_TAG = 0x5e;

/**
 * A chain config for the simulated chain: the preset's reference config with CONFIG_NAME "sextant-sim", fork
 * versions of its own (first byte the fork's number, last byte 0x5e), the chosen fork schedule and slot duration.
 */
export function simChainConfig(opts: SimChainConfigOptions = {}): ChainConfig {
  const preset = opts.preset ?? "mainnet";
  const base = preset === "minimal" ? minimalChainConfig : mainnetChainConfig;
  const genesisFork = opts.genesisFork ?? "electra";
  const out: Record<string, unknown> = { ...base, CONFIG_NAME: "sextant-sim" };
  out.GENESIS_FORK_VERSION = Uint8Array.of(0, 0, 0, SIM_VERSION_TAG);
  FORK_NAMES.forEach((fork, i) => {
    if (fork === "phase0") return;
    const keys = FORK_CONFIG_KEYS[fork];
    out[keys.version] = Uint8Array.of(i, 0, 0, SIM_VERSION_TAG);
    out[keys.epoch] = opts.forkEpochs?.[fork] ?? (isForkAtLeast(genesisFork, fork) ? 0 : Infinity);
  });
  const slotMs = opts.slotDurationMs ?? base.SLOT_DURATION_MS;
  out.SLOT_DURATION_MS = slotMs;
  out.SECONDS_PER_SLOT = Math.max(1, Math.floor(slotMs / 1000));
  // Blob-parameter-only forks come after fulu: without fulu the schedule has nothing to say.
  if (out.FULU_FORK_EPOCH === Infinity) out.BLOB_SCHEDULE = [];
  Object.assign(out, opts.config);
  return out as unknown as ChainConfig;
}

/** 2**64 - 1 as real nodes write FAR_FUTURE_EPOCH. */
const FAR_FUTURE_STRING = "18446744073709551615";

function specValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return value === Infinity ? FAR_FUTURE_STRING : String(value);
  if (value instanceof Uint8Array) return toHex(value);
  throw new Error(`no spec string for ${String(value)}`);
}

/**
 * The body of GET /eth/v1/config/spec as real nodes write it: the chain config, the preset and the constants a
 * validator client may check, every value a string (numbers decimal, bytes 0x-hex, FAR_FUTURE 2**64-1).
 * BLOB_SCHEDULE (a list) is left out unless `blobSchedule`: our api-spec codec of getSpec (a string record) cannot
 * carry it.
 */
export function simSpecJson(
  config: ChainConfig,
  preset: Preset,
  opts: { blobSchedule?: boolean } = {},
): Record<string, string | { EPOCH: string; MAX_BLOBS_PER_BLOCK: string }[]> {
  const out: Record<string, string | { EPOCH: string; MAX_BLOBS_PER_BLOCK: string }[]> = {};
  for (const [key, value] of Object.entries(config)) {
    if (key === "BLOB_SCHEDULE") {
      if (opts.blobSchedule)
        out[key] = (value as ChainConfig["BLOB_SCHEDULE"]).map((e) => ({
          EPOCH: specValue(e.EPOCH),
          MAX_BLOBS_PER_BLOCK: specValue(e.MAX_BLOBS_PER_BLOCK),
        }));
      continue;
    }
    out[key] = specValue(value);
  }
  for (const [key, value] of Object.entries(preset)) out[key] = specValue(value);
  for (const [key, value] of Object.entries(DOMAIN_TYPES)) out[key] = toHex(value);
  out.TARGET_AGGREGATORS_PER_COMMITTEE = String(TARGET_AGGREGATORS_PER_COMMITTEE);
  out.TARGET_AGGREGATORS_PER_SYNC_SUBCOMMITTEE = String(TARGET_AGGREGATORS_PER_SYNC_SUBCOMMITTEE);
  out.SYNC_COMMITTEE_SUBNET_COUNT = String(SYNC_COMMITTEE_SUBNET_COUNT);
  out.BLS_WITHDRAWAL_PREFIX = "0x00";
  out.ETH1_ADDRESS_WITHDRAWAL_PREFIX = "0x01";
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Interop public keys

/** The interop public keys of validators 0 … count-1 (48 bytes each; ~0.1 ms a key). */
export function interopPubkeys(count: number, from = 0): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => publicKeyFromSecret(interopSecretKey(from + i)).toBytes());
}

// ---------------------------------------------------------------------------------------------------------------
// The node

/** Options of startSimBeaconNode. */
export interface SimBeaconNodeOptions {
  /** Validator registry: public keys, index = position. Every validator is active_ongoing since genesis. */
  pubkeys: readonly Uint8Array[];
  /** Chain config (default simChainConfig({preset})). Its PRESET_BASE chooses the preset. */
  config?: ChainConfig;
  /** Used when `config` is absent (default mainnet). */
  preset?: PresetName;
  /** Genesis time, Unix seconds (default: now, rounded down). */
  genesisTimeSec?: number;
  genesisValidatorsRoot?: Uint8Array;
  /** The clock, Unix ms (default Date.now). Tests pass a fake one and drive heads with emitHead. */
  now?: () => number;
  /** The proposer of a slot (default: a deterministic pick over the registry). */
  proposerOf?: (slot: number) => number;
  /** Head events at every slot start + `headDelayMs` (default true; off: only emitHead sends them). */
  autoHead?: boolean;
  /** Delay of automatic head events after the slot start, ms (default 100). */
  headDelayMs?: number;
  /** Operations answered 404 (an older node without them) or the given status (405, 501, ...). */
  disabled?: Partial<Record<keyof BeaconRoutes, number>> | readonly (keyof BeaconRoutes)[];
  /** GET /eth/v1/node/version. */
  version?: string;
  /** Largest request body, bytes (default 64 MiB: a POST of 100k public keys is ~10 MB). */
  bodyLimit?: number;
  /** Include BLOB_SCHEDULE (a list) in getSpec (our getSpec codec rejects it: see simSpecJson). */
  specBlobSchedule?: boolean;
}

/** What every submission record carries. */
export interface Received<T> {
  /** Unix ms (sub-ms precision) when the request reached the handler. */
  arrivalMs: number;
  value: T;
}

/** One attestation as submitted (SingleAttestation from electra on, else a one-bit Attestation). */
export interface ReceivedAttestation {
  arrivalMs: number;
  operationId: "submitPoolAttestationsV2" | "submitPoolAttestations";
  version: ForkName;
  slot: number;
  committeeIndex: number;
  /** The attester: given (electra) or derived from the single set bit; undefined when it cannot be told. */
  validatorIndex: number | undefined;
  targetEpoch: number;
  sourceEpoch: number;
  /** Empty when the attestation matches the attester's duty and the node's attestation data; else what is wrong. */
  problem: string;
  signature: Uint8Array;
}

/** A published block. */
export interface ReceivedBlock {
  arrivalMs: number;
  operationId: string;
  version: ForkName | undefined;
  slot: number;
  proposerIndex: number;
  blinded: boolean;
}

/** A sync committee message as submitted. */
export interface ReceivedSyncMessage {
  arrivalMs: number;
  slot: number;
  validatorIndex: number;
  beaconBlockRoot: Uint8Array;
  signature: Uint8Array;
}

/** Everything submitted to the node. */
export interface SimReceived {
  attestations: ReceivedAttestation[];
  aggregates: Received<unknown>[];
  blocks: ReceivedBlock[];
  syncCommitteeMessages: ReceivedSyncMessage[];
  contributions: Received<unknown>[];
  /** Bodies of prepareBeaconCommitteeSubnet (one per request). */
  beaconCommitteeSubscriptions: Received<unknown[]>[];
  syncCommitteeSubscriptions: Received<unknown[]>[];
  proposerPreparations: Received<unknown[]>[];
  validatorRegistrations: Received<unknown[]>[];
}

/** The duty roots of a head event. */
export interface DependentRoots {
  previous: Uint8Array;
  current: Uint8Array;
}

/** A running simulated node. */
export interface SimBeaconNode {
  url: string;
  config: ChainConfig;
  preset: Preset;
  types: SszTypes;
  genesisTimeSec: number;
  genesisValidatorsRoot: Uint8Array;
  /** Requests per operationId (every request that reached a route, refused ones included). */
  counts: Map<string, number>;
  /** Unix ms of the first request of each operationId. */
  firstRequestAt: Map<string, number>;
  received: SimReceived;
  /** Stops the server (ends event streams, stops timers). */
  close(): Promise<void>;
  /** Syncing: getSyncingStatus says so (head `distance` slots behind), getHealth answers 206. */
  setSyncing(syncing: boolean, distance?: number): void;
  setOptimistic(optimistic: boolean): void;
  setElOffline(offline: boolean): void;
  /** Down: every request answered 503 ("503"), or every connection cut as soon as it opens ("close"). */
  setDown(down: boolean, mode?: "503" | "close"): void;
  /** Moves a fork (getSpec, fork schedule and versions follow; a client checking the schedule should notice). */
  setForkEpoch(fork: Exclude<ForkName, "phase0">, epoch: number): void;
  /** Answers `status` (404, 405, ...) for an operation, or serves it again (undefined). */
  setDisabled(operationId: keyof BeaconRoutes, status: number | undefined): void;
  /** Overrides the dependent root of attester or proposer duties of `epoch` (a re-org the client must notice). */
  setDependentRoot(kind: "attester" | "proposer", epoch: number, root: Uint8Array | undefined): void;
  /** Marks validators live (getLiveness) in `epoch` (every epoch when absent). */
  setLive(indices: readonly number[], epoch?: number): void;
  /** Sends a head event now: `root` defaults to the slot's block root, dependent roots to the duty roots. */
  emitHead(slot: number, root?: Uint8Array, dependentRoots?: DependentRoots): void;
  currentSlot(): number;
  /** Unix ms of `slot`'s start plus `offsetMs`. */
  timeAtSlot(slot: number, offsetMs?: number): number;
  /** Unix ms at which attestations of `slot` are due (ATTESTATION_DUE_BPS into the slot). */
  attestationDueAt(slot: number): number;
  /** The attester duty of a validator in an epoch. */
  attesterDuty(index: number, epoch: number): SimAttesterDuty;
  /** How many validators attest at `slot`. */
  attestersAt(slot: number): number;
  /** The validator at `position` of committee `committeeIndex` at `slot`. */
  committeeMember(slot: number, committeeIndex: number, position: number): number;
  /** The proposer of `slot`. */
  proposerAt(slot: number): number;
  /** The sync committee of a period (SYNC_COMMITTEE_SIZE indices; a validator may sit several times). */
  syncCommittee(period: number): number[];
  /** The block root the node reports for `slot` (deterministic). */
  blockRoot(slot: number): Uint8Array;
  /** The attestation data the node produces for (slot, committee index). */
  attestationData(slot: number, committeeIndex: number): AttestationDataValue;
  forkAtSlot(slot: number): ForkName;
}

/** An attester duty (the numbers of getAttesterDuties). */
export interface SimAttesterDuty {
  validatorIndex: number;
  slot: number;
  committeeIndex: number;
  committeeLength: number;
  committeesAtSlot: number;
  validatorCommitteeIndex: number;
}

type AttestationDataValue = ReturnType<SszTypes["phase0"]["AttestationData"]["defaultValue"]>;

/** Default Gwei balance and effective balance: 32 ETH. */
const BALANCE_GWEI = 32_000_000_000;
/** Default delay of head events after the slot start. */
const DEFAULT_HEAD_DELAY_MS = 100;
/** Default request body limit. */
const DEFAULT_BODY_LIMIT = 64 * 1024 * 1024;
/** Multiplier of the deterministic proposer pick (Knuth's multiplicative hash). */
const PROPOSER_HASH = 2654435761;

function rootOfLabel(label: string): Uint8Array {
  return digest(new TextEncoder().encode(label));
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function fillU64(out: Uint8Array, offset: number, value: number): void {
  new DataView(out.buffer, out.byteOffset).setBigUint64(offset, BigInt(value), true);
}

/** Starts the simulated node on 127.0.0.1 (an ephemeral port). */
export async function startSimBeaconNode(opts: SimBeaconNodeOptions): Promise<SimBeaconNode> {
  let config = opts.config ?? simChainConfig({ preset: opts.preset });
  const presetName = config.PRESET_BASE as PresetName;
  const preset = getPreset(presetName);
  const types = getSszTypes(presetName);
  const now = opts.now ?? Date.now;
  const genesisTimeSec = opts.genesisTimeSec ?? Math.floor(now() / 1000);
  const genesisValidatorsRoot = opts.genesisValidatorsRoot ?? rootOfLabel("sextant-sim genesis validators root");
  const pubkeys = opts.pubkeys;
  const count = pubkeys.length;
  if (count === 0) throw new Error("startSimBeaconNode: give at least one validator public key (opts.pubkeys)");
  const indexByPubkey = new Map<string, number>();
  for (let i = 0; i < count; i++) indexByPubkey.set(toHex(pubkeys[i]), i);
  const S = preset.SLOTS_PER_EPOCH;
  const slotMs = () => slotDurationMs(config);

  const counts = new Map<string, number>();
  const firstRequestAt = new Map<string, number>();
  const received: SimReceived = {
    attestations: [],
    aggregates: [],
    blocks: [],
    syncCommitteeMessages: [],
    contributions: [],
    beaconCommitteeSubscriptions: [],
    syncCommitteeSubscriptions: [],
    proposerPreparations: [],
    validatorRegistrations: [],
  };
  const attestationsBySlot = new Map<number, ReceivedAttestation[]>();
  const syncMessagesBySlot = new Map<number, ReceivedSyncMessage[]>();
  const disabled = new Map<string, number>();
  if (Array.isArray(opts.disabled)) for (const op of opts.disabled as string[]) disabled.set(op, 404);
  else for (const [op, status] of Object.entries(opts.disabled ?? {})) if (status) disabled.set(op, status);
  const dependentOverrides = new Map<string, Uint8Array>();
  const liveAll = new Set<number>();
  const liveByEpoch = new Map<number, Set<number>>();
  let syncing = false;
  let syncDistance = 0;
  let optimistic = false;
  let elOffline = false;
  let down: false | "503" | "close" = false;

  // ------------------------------------------------------------- the chain, as arithmetic

  const arrivalNow = (): number => (opts.now ? now() : performance.timeOrigin + performance.now());
  const currentSlot = (): number => Math.max(0, Math.floor((now() - genesisTimeSec * 1000) / slotMs()));
  const currentEpoch = (): number => Math.floor(currentSlot() / S);
  const timeAtSlot = (slot: number, offsetMs = 0): number => genesisTimeSec * 1000 + slot * slotMs() + offsetMs;
  const forkAtEpoch = (epoch: number): ForkName => forkNameAtEpoch(config, epoch);
  const forkAtSlot = (slot: number): ForkName => forkAtEpoch(Math.floor(slot / S));

  const blockRoot = (slot: number): Uint8Array => {
    const out = new Uint8Array(32);
    fillU64(out, 0, slot);
    out[30] = 0x5e;
    out[31] = 0xb1;
    return out;
  };
  const stateRoot = (slot: number): Uint8Array => {
    const out = blockRoot(slot);
    out[31] = 0x57;
    return out;
  };
  const checkpointRoot = (epoch: number): Uint8Array => blockRoot(epoch * S);
  const dependentRoot = (kind: "attester" | "proposer", epoch: number): Uint8Array => {
    const override = dependentOverrides.get(`${kind}:${epoch}`);
    if (override) return override;
    // attester duties of epoch e depend on the last block of e-2, proposer duties on the last block of e-1
    const dependsOnEpoch = kind === "attester" ? epoch - 1 : epoch;
    return blockRoot(Math.max(0, dependsOnEpoch * S - 1));
  };

  /** Validators attesting at the k-th slot of every epoch: indices ≡ k (mod S). */
  const attestersAtOffset = (k: number): number => (k < count ? Math.floor((count - k - 1) / S) + 1 : 0);
  const committeesPerSlot = (): number =>
    Math.max(1, Math.min(preset.MAX_COMMITTEES_PER_SLOT, Math.floor(count / S / preset.TARGET_COMMITTEE_SIZE)));
  /** First rank of committee c among n attesters split into C committees (as compute_committee splits). */
  const committeeStart = (n: number, C: number, c: number): number => Math.floor((n * c) / C);

  function attesterDuty(index: number, epoch: number): SimAttesterDuty {
    const k = index % S;
    const slot = epoch * S + k;
    const n = attestersAtOffset(k);
    const C = committeesPerSlot();
    // Ranks rotate with the epoch, so committees and positions change from one epoch to the next.
    const rank = (Math.floor(index / S) + epoch) % n;
    let c = Math.min(C - 1, Math.floor((rank * C) / n));
    while (c + 1 < C && committeeStart(n, C, c + 1) <= rank) c++;
    while (c > 0 && committeeStart(n, C, c) > rank) c--;
    const start = committeeStart(n, C, c);
    return {
      validatorIndex: index,
      slot,
      committeeIndex: c,
      committeeLength: committeeStart(n, C, c + 1) - start,
      committeesAtSlot: C,
      validatorCommitteeIndex: rank - start,
    };
  }

  function committeeLength(slot: number, committeeIndex: number): number {
    const n = attestersAtOffset(slot % S);
    const C = committeesPerSlot();
    return committeeStart(n, C, committeeIndex + 1) - committeeStart(n, C, committeeIndex);
  }

  function committeeMember(slot: number, committeeIndex: number, position: number): number {
    const k = slot % S;
    const epoch = Math.floor(slot / S);
    const n = attestersAtOffset(k);
    const C = committeesPerSlot();
    if (committeeIndex >= C || position >= committeeLength(slot, committeeIndex))
      throw new RangeError(`no position ${position} in committee ${committeeIndex} of slot ${slot}`);
    const rank = committeeStart(n, C, committeeIndex) + position;
    const p = (((rank - epoch) % n) + n) % n;
    return p * S + k;
  }

  const proposerAt = (slot: number): number =>
    opts.proposerOf ? opts.proposerOf(slot) : Number((BigInt(slot + 1) * BigInt(PROPOSER_HASH)) % BigInt(count));

  function syncCommittee(period: number): number[] {
    const size = preset.SYNC_COMMITTEE_SIZE;
    return Array.from({ length: size }, (_, j) => (period * size + j) % count);
  }
  /** Positions of validator `index` in the sync committee of `period`. */
  function syncPositions(index: number, period: number): number[] {
    const size = preset.SYNC_COMMITTEE_SIZE;
    const base = (period * size) % count;
    const out: number[] = [];
    for (let j = (((index - base) % count) + count) % count; j < size; j += count) out.push(j);
    return out;
  }

  function attestationData(slot: number, committeeIndex: number): AttestationDataValue {
    const epoch = Math.floor(slot / S);
    const data = types.phase0.AttestationData.defaultValue();
    data.slot = slot;
    data.index = isForkAtLeast(forkAtSlot(slot), "electra") ? 0 : committeeIndex;
    data.beaconBlockRoot = blockRoot(slot);
    data.source = { epoch: Math.max(0, epoch - 1), root: epoch <= 1 ? new Uint8Array(32) : checkpointRoot(epoch - 1) };
    data.target = { epoch, root: checkpointRoot(epoch) };
    return data;
  }

  // ------------------------------------------------------------- helpers of the handlers

  const meta = { executionOptimistic: false, finalized: false };
  const notFound = (what: string) => new ApiError(404, what);
  const badRequest = (what: string) => new ApiError(400, what);

  function resolveId(id: ValidatorId): number | undefined {
    if (typeof id === "number") return id < count ? id : undefined;
    return indexByPubkey.get(toHex(id));
  }
  function validatorValue(index: number) {
    return {
      index,
      balance: BALANCE_GWEI,
      status: "active_ongoing" as const,
      validator: {
        pubkey: pubkeys[index],
        withdrawalCredentials: new Uint8Array(32),
        effectiveBalance: BALANCE_GWEI,
        slashed: false,
        activationEligibilityEpoch: 0,
        activationEpoch: 0,
        exitEpoch: Infinity,
        withdrawableEpoch: Infinity,
      },
    };
  }
  const ACTIVE_FILTERS = new Set(["active", "active_ongoing"]);
  function listValidators(ids: readonly ValidatorId[] | undefined, statuses: readonly string[] | undefined) {
    if (statuses && statuses.length > 0 && !statuses.some((s) => ACTIVE_FILTERS.has(s))) return [];
    if (ids === undefined || ids.length === 0) return Array.from({ length: count }, (_, i) => validatorValue(i));
    const out: ReturnType<typeof validatorValue>[] = [];
    for (const id of ids) {
      const index = resolveId(id);
      if (index !== undefined) out.push(validatorValue(index));
    }
    return out;
  }
  function checkDutyEpoch(epoch: number, lookahead: number): void {
    if (epoch > currentEpoch() + lookahead)
      throw badRequest(`epoch ${epoch} is too far ahead: the current epoch is ${currentEpoch()}`);
  }
  function checkIndices(indices: readonly number[]): void {
    for (const i of indices) if (i >= count) throw badRequest(`validator index ${i} is not in the registry (${count})`);
  }

  function recordAttestations(
    operationId: ReceivedAttestation["operationId"],
    version: ForkName,
    items: readonly unknown[],
  ): void {
    const arrivalMs = arrivalNow();
    for (const raw of items) {
      const item = raw as {
        data: AttestationDataValue;
        signature: Uint8Array;
        attesterIndex?: number;
        committeeIndex?: number;
        aggregationBits?: BitArray;
        committeeBits?: BitArray;
      };
      const slot = item.data.slot;
      let committeeIndex = item.data.index;
      let validatorIndex: number | undefined;
      let problem = "";
      if (item.attesterIndex !== undefined) {
        validatorIndex = item.attesterIndex;
        committeeIndex = item.committeeIndex ?? 0;
      } else if (item.aggregationBits) {
        if (item.committeeBits) {
          const committees = item.committeeBits.getTrueBitIndexes();
          if (committees.length === 1) committeeIndex = committees[0];
        }
        const bits = item.aggregationBits.getTrueBitIndexes();
        if (bits.length === 1) {
          try {
            validatorIndex = committeeMember(slot, committeeIndex, bits[0]);
          } catch (e) {
            problem = (e as Error).message;
          }
        } else problem = `${bits.length} aggregation bits set (expected 1)`;
      }
      if (problem === "" && validatorIndex !== undefined) {
        const duty = validatorIndex < count ? attesterDuty(validatorIndex, Math.floor(slot / S)) : undefined;
        if (duty === undefined) problem = `validator ${validatorIndex} is not in the registry`;
        else if (duty.slot !== slot || duty.committeeIndex !== committeeIndex)
          problem = `validator ${validatorIndex} attests at slot ${duty.slot} committee ${duty.committeeIndex}, not slot ${slot} committee ${committeeIndex}`;
      }
      if (problem === "") {
        const expected = attestationData(slot, committeeIndex);
        if (!types.phase0.AttestationData.equals(expected, item.data))
          problem = `attestation data differs from the node's for slot ${slot}`;
      }
      const record: ReceivedAttestation = {
        arrivalMs,
        operationId,
        version,
        slot,
        committeeIndex,
        validatorIndex,
        targetEpoch: item.data.target.epoch,
        sourceEpoch: item.data.source.epoch,
        problem,
        signature: item.signature,
      };
      received.attestations.push(record);
      pushTo(attestationsBySlot, slot, record);
    }
  }

  function aggregateOf(slot: number, committeeIndex: number, dataRoot: Uint8Array) {
    const data = attestationData(slot, committeeIndex);
    if (toHex(types.phase0.AttestationData.hashTreeRoot(data)) !== toHex(dataRoot)) return undefined;
    const length = committeeLength(slot, committeeIndex);
    const bits = BitArray.fromBitLen(length);
    let signature: Uint8Array | undefined;
    const start = committeeStart(attestersAtOffset(slot % S), committeesPerSlot(), committeeIndex);
    for (const a of attestationsBySlot.get(slot) ?? []) {
      if (a.committeeIndex !== committeeIndex || a.validatorIndex === undefined || a.problem !== "") continue;
      const rank = (Math.floor(a.validatorIndex / S) + Math.floor(slot / S)) % attestersAtOffset(slot % S);
      bits.set(rank - start, true);
      signature ??= a.signature;
    }
    if (signature === undefined) return undefined;
    return { data, bits, signature };
  }

  // ------------------------------------------------------------- head events

  interface Subscriber {
    topics: Set<string>;
    push(event: BeaconEvent): void;
    end(): void;
  }
  const subscribers = new Set<Subscriber>();

  function subscribe(topics: readonly EventTopic[], signal: AbortSignal): AsyncIterable<BeaconEvent> {
    const queue: BeaconEvent[] = [];
    let wake: (() => void) | undefined;
    let ended = false;
    const sub: Subscriber = {
      topics: new Set(topics),
      push(event) {
        queue.push(event);
        wake?.();
      },
      end() {
        ended = true;
        wake?.();
      },
    };
    subscribers.add(sub);
    signal.addEventListener("abort", () => sub.end(), { once: true });
    return {
      async *[Symbol.asyncIterator]() {
        try {
          while (!ended) {
            const event = queue.shift();
            if (event !== undefined) {
              yield event;
              continue;
            }
            await new Promise<void>((resolve) => {
              wake = resolve;
            });
            wake = undefined;
          }
        } finally {
          subscribers.delete(sub);
        }
      },
    };
  }

  function emitHead(slot: number, root?: Uint8Array, dependentRoots?: DependentRoots): void {
    const epoch = Math.floor(slot / S);
    const event: BeaconEvent = {
      topic: "head",
      data: {
        slot,
        block: root ?? blockRoot(slot),
        state: stateRoot(slot),
        epochTransition: slot % S === 0,
        previousDutyDependentRoot: dependentRoots?.previous ?? dependentRoot("attester", epoch),
        currentDutyDependentRoot: dependentRoots?.current ?? dependentRoot("proposer", epoch),
        executionOptimistic: optimistic,
      },
    };
    const block: BeaconEvent = {
      topic: "block",
      data: { slot, block: root ?? blockRoot(slot), executionOptimistic: optimistic },
    };
    for (const sub of subscribers) {
      if (sub.topics.has("block")) sub.push(block);
      if (sub.topics.has("head")) sub.push(event);
    }
  }

  let headTimer: NodeJS.Timeout | undefined;
  let closed = false;
  function scheduleHead(): void {
    if (closed || opts.autoHead === false) return;
    const delay = opts.headDelayMs ?? DEFAULT_HEAD_DELAY_MS;
    const t = now();
    let slot = Math.max(0, Math.floor((t - genesisTimeSec * 1000 - delay) / slotMs()) + 1);
    if (t < genesisTimeSec * 1000) slot = 0;
    headTimer = setTimeout(
      () => {
        if (!down && !syncing) emitHead(slot);
        scheduleHead();
      },
      Math.max(0, timeAtSlot(slot, delay) - t),
    );
    headTimer.unref();
  }

  // ------------------------------------------------------------- handlers

  const handlers: Handlers<BeaconRoutes> = {
    getGenesis: () => ({
      data: { genesisTime: genesisTimeSec, genesisValidatorsRoot, genesisForkVersion: config.GENESIS_FORK_VERSION },
    }),
    getSpec: () => ({
      data: simSpecJson(config, preset, { blobSchedule: opts.specBlobSchedule }) as Record<string, string>,
    }),
    getForkSchedule: () => ({
      data: getForkSchedule(config).map((f) => ({
        previousVersion: f.previousVersion,
        currentVersion: f.version,
        epoch: f.epoch,
      })),
    }),
    getStateFork: () => {
      const epoch = currentEpoch();
      const fork = forkAtEpoch(epoch);
      const schedule = getForkSchedule(config);
      const at = schedule.find((f) => f.name === fork);
      return {
        data: {
          previousVersion: at?.previousVersion ?? forkVersion(config, fork),
          currentVersion: forkVersion(config, fork),
          epoch: at?.epoch ?? 0,
        },
        meta,
      };
    },
    getStateFinalityCheckpoints: () => {
      const epoch = currentEpoch();
      const cp = (e: number) => ({ epoch: Math.max(0, e), root: e <= 0 ? new Uint8Array(32) : checkpointRoot(e) });
      return {
        data: { previousJustified: cp(epoch - 2), currentJustified: cp(epoch - 1), finalized: cp(epoch - 2) },
        meta,
      };
    },
    getNodeVersion: () => ({ data: { version: opts.version ?? "Sextant-sim/v0.0.0/linux-x64" } }),
    getSyncingStatus: () => {
      const slot = currentSlot();
      return {
        data: {
          headSlot: syncing ? Math.max(0, slot - syncDistance) : slot,
          syncDistance: syncing ? syncDistance : 0,
          isSyncing: syncing,
          isOptimistic: optimistic,
          elOffline,
        },
      };
    },
    getHealth: (args) => ({ status: syncing ? (args.syncingStatus ?? 206) : 200 }),
    getStateValidators: (args) => ({ data: listValidators(args.id, args.status), meta }),
    postStateValidators: (args) => ({ data: listValidators(args.body.ids, args.body.statuses), meta }),
    getStateValidator: (args) => {
      const index = resolveId(args.validatorId);
      if (index === undefined) throw notFound("validator not found");
      return { data: validatorValue(index), meta };
    },
    getAttesterDuties: (args) => {
      checkDutyEpoch(args.epoch, 1);
      checkIndices(args.body);
      return {
        data: args.body.map((i) => ({ pubkey: pubkeys[i], ...attesterDuty(i, args.epoch) })),
        meta: { dependentRoot: dependentRoot("attester", args.epoch), executionOptimistic: optimistic },
      };
    },
    getProposerDuties: (args) => {
      checkDutyEpoch(args.epoch, 1);
      const data = Array.from({ length: S }, (_, k) => {
        const slot = args.epoch * S + k;
        const validatorIndex = proposerAt(slot);
        return { pubkey: pubkeys[validatorIndex], validatorIndex, slot };
      });
      return { data, meta: { dependentRoot: dependentRoot("proposer", args.epoch), executionOptimistic: optimistic } };
    },
    getSyncCommitteeDuties: (args) => {
      if (!isForkAtLeast(forkAtEpoch(args.epoch), "altair"))
        throw badRequest(`epoch ${args.epoch} is before altair: there are no sync committees`);
      const period = Math.floor(args.epoch / preset.EPOCHS_PER_SYNC_COMMITTEE_PERIOD);
      const currentPeriod = Math.floor(currentEpoch() / preset.EPOCHS_PER_SYNC_COMMITTEE_PERIOD);
      if (period > currentPeriod + 1)
        throw badRequest(`epoch ${args.epoch} is in sync period ${period}, beyond the next (${currentPeriod + 1})`);
      checkIndices(args.body);
      const data = [];
      for (const i of args.body) {
        const positions = syncPositions(i, period);
        if (positions.length > 0)
          data.push({ pubkey: pubkeys[i], validatorIndex: i, validatorSyncCommitteeIndices: positions });
      }
      return { data, meta: { executionOptimistic: optimistic } };
    },
    produceAttestationData: (args) => {
      if (args.slot > currentSlot() + 1) throw badRequest(`slot ${args.slot} is in the future`);
      if (args.committeeIndex >= committeesPerSlot())
        throw badRequest(`committee ${args.committeeIndex}: slot ${args.slot} has ${committeesPerSlot()} committees`);
      return { data: attestationData(args.slot, args.committeeIndex) };
    },
    submitPoolAttestationsV2: (args) => recordAttestations("submitPoolAttestationsV2", args.version, args.body),
    submitPoolAttestations: (args) =>
      recordAttestations("submitPoolAttestations", forkAtSlot(args.body[0]?.data.slot ?? 0), args.body),
    getAggregatedAttestationV2: (args) => {
      const agg = aggregateOf(args.slot, args.committeeIndex, args.attestationDataRoot);
      if (agg === undefined) throw notFound("no aggregate of that attestation data");
      const version = forkAtSlot(args.slot);
      if (isForkAtLeast(version, "electra")) {
        const committeeBits = BitArray.fromBitLen(preset.MAX_COMMITTEES_PER_SLOT);
        committeeBits.set(args.committeeIndex, true);
        return {
          data: { aggregationBits: agg.bits, data: agg.data, signature: agg.signature, committeeBits },
          meta: { version },
        };
      }
      return { data: { aggregationBits: agg.bits, data: agg.data, signature: agg.signature }, meta: { version } };
    },
    getAggregatedAttestation: (args) => {
      if (isForkAtLeast(forkAtSlot(args.slot), "electra"))
        throw badRequest("from electra on, use getAggregatedAttestationV2 (the v1 shape cannot carry committees)");
      for (let c = 0; c < committeesPerSlot(); c++) {
        const agg = aggregateOf(args.slot, c, args.attestationDataRoot);
        if (agg) return { data: { aggregationBits: agg.bits, data: agg.data, signature: agg.signature } };
      }
      throw notFound("no aggregate of that attestation data");
    },
    publishAggregateAndProofsV2: (args) => {
      const arrivalMs = arrivalNow();
      for (const value of args.body) received.aggregates.push({ arrivalMs, value });
    },
    publishAggregateAndProofs: (args) => {
      const arrivalMs = arrivalNow();
      for (const value of args.body) received.aggregates.push({ arrivalMs, value });
    },
    prepareBeaconCommitteeSubnet: (args) => {
      received.beaconCommitteeSubscriptions.push({ arrivalMs: arrivalNow(), value: args.body });
    },
    prepareSyncCommitteeSubnets: (args) => {
      received.syncCommitteeSubscriptions.push({ arrivalMs: arrivalNow(), value: args.body });
    },
    prepareBeaconProposer: (args) => {
      received.proposerPreparations.push({ arrivalMs: arrivalNow(), value: args.body });
    },
    registerValidator: (args) => {
      received.validatorRegistrations.push({ arrivalMs: arrivalNow(), value: args.body });
    },
    getLiveness: (args) => {
      checkIndices(args.body);
      const live = liveByEpoch.get(args.epoch);
      return { data: args.body.map((index) => ({ index, isLive: liveAll.has(index) || (live?.has(index) ?? false) })) };
    },
    produceBlockV3: (args) => {
      const version = forkAtSlot(args.slot);
      const ns = sszTypesFor(types, version) as unknown as Record<string, { defaultValue(): unknown }>;
      const block = ns.BeaconBlock.defaultValue() as {
        slot: number;
        proposerIndex: number;
        parentRoot: Uint8Array;
        stateRoot: Uint8Array;
        body: { randaoReveal: Uint8Array; graffiti: Uint8Array };
      };
      block.slot = args.slot;
      block.proposerIndex = proposerAt(args.slot);
      block.parentRoot = blockRoot(Math.max(0, args.slot - 1));
      block.stateRoot = stateRoot(args.slot);
      block.body.randaoReveal = args.randaoReveal;
      if (args.graffiti) block.body.graffiti = args.graffiti;
      const data = isForkAtLeast(version, "deneb") ? { block, kzgProofs: [], blobs: [] } : block;
      return {
        data: data as never,
        meta: { version, executionPayloadBlinded: false, executionPayloadValue: 0n, consensusBlockValue: 0n },
      };
    },
    publishBlockV2: (args) => recordBlock("publishBlockV2", args.version, args.body, false),
    publishBlock: (args) => recordBlock("publishBlock", args.version, args.body, false),
    publishBlindedBlockV2: (args) => recordBlock("publishBlindedBlockV2", args.version, args.body, true),
    getBlockRoot: (args) => {
      const id = args.blockId;
      let root: Uint8Array;
      if (id instanceof Uint8Array) root = id;
      else if (typeof id === "number") {
        if (id > currentSlot()) throw notFound(`no block at slot ${id} yet`);
        root = blockRoot(id);
      } else if (id === "genesis") root = blockRoot(0);
      else if (id === "finalized") root = checkpointRoot(Math.max(0, currentEpoch() - 2));
      else root = blockRoot(currentSlot());
      return { data: { root }, meta };
    },
    submitPoolSyncCommitteeSignatures: (args) => {
      const arrivalMs = arrivalNow();
      for (const m of args.body) {
        const record: ReceivedSyncMessage = { arrivalMs, ...m };
        received.syncCommitteeMessages.push(record);
        pushTo(syncMessagesBySlot, m.slot, record);
      }
    },
    produceSyncCommitteeContribution: (args) => {
      const subSize = preset.SYNC_COMMITTEE_SIZE / SYNC_COMMITTEE_SUBNET_COUNT;
      const period = Math.floor(args.slot / S / preset.EPOCHS_PER_SYNC_COMMITTEE_PERIOD);
      const bits = BitArray.fromBitLen(subSize);
      let signature: Uint8Array | undefined;
      for (const m of syncMessagesBySlot.get(args.slot) ?? []) {
        if (toHex(m.beaconBlockRoot) !== toHex(args.beaconBlockRoot)) continue;
        for (const j of syncPositions(m.validatorIndex, period)) {
          if (Math.floor(j / subSize) !== args.subcommitteeIndex) continue;
          bits.set(j % subSize, true);
          signature ??= m.signature;
        }
      }
      if (signature === undefined) throw notFound("no sync committee messages for that slot, root and subcommittee");
      return {
        data: {
          slot: args.slot,
          beaconBlockRoot: args.beaconBlockRoot,
          subcommitteeIndex: args.subcommitteeIndex,
          aggregationBits: bits,
          signature,
        },
      };
    },
    publishContributionAndProofs: (args) => {
      const arrivalMs = arrivalNow();
      for (const value of args.body) received.contributions.push({ arrivalMs, value });
    },
    eventstream: (args, ctx) => subscribe(args.topics, ctx.signal),
  };

  function recordBlock(operationId: string, version: ForkName | undefined, body: unknown, blinded: boolean): void {
    const b = body as { signedBlock?: { message: { slot: number; proposerIndex: number } } } & {
      message?: { slot: number; proposerIndex: number };
    };
    const message = b.signedBlock?.message ?? b.message;
    if (message === undefined) throw badRequest("not a signed block");
    received.blocks.push({
      arrivalMs: arrivalNow(),
      operationId,
      version,
      slot: message.slot,
      proposerIndex: message.proposerIndex,
      blinded,
    });
  }

  // ------------------------------------------------------------- the server

  const routes = beaconRoutes({ types, forkAtSlot: (slot) => forkAtSlot(slot) });
  const server: ApiServer = createApiServer({
    routes,
    handlers,
    bodyLimit: opts.bodyLimit ?? DEFAULT_BODY_LIMIT,
    beforeHandler: (info) => {
      counts.set(info.operationId, (counts.get(info.operationId) ?? 0) + 1);
      if (!firstRequestAt.has(info.operationId)) firstRequestAt.set(info.operationId, arrivalNow());
      if (down) throw new ApiError(503, "the simulated node is down");
      const status = disabled.get(info.operationId);
      if (status !== undefined)
        throw new ApiError(status, `${info.operationId} is disabled on this simulated node (emulating an older node)`);
    },
  });
  const sockets = new Set<Socket>();
  server.fastify.server.on("connection", (socket: Socket) => {
    if (down === "close") {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  const url = await server.listen({ port: 0, host: "127.0.0.1" });
  scheduleHead();

  return {
    url,
    get config() {
      return config;
    },
    preset,
    types,
    genesisTimeSec,
    genesisValidatorsRoot,
    counts,
    firstRequestAt,
    received,
    async close() {
      closed = true;
      if (headTimer) clearTimeout(headTimer);
      for (const sub of subscribers) sub.end();
      await server.close();
    },
    setSyncing(value, distance = 64) {
      syncing = value;
      syncDistance = value ? distance : 0;
    },
    setOptimistic(value) {
      optimistic = value;
    },
    setElOffline(value) {
      elOffline = value;
    },
    setDown(value, mode = "503") {
      down = value ? mode : false;
      if (!value) return;
      for (const sub of subscribers) sub.end();
      if (mode === "close") for (const socket of sockets) socket.destroy();
    },
    setForkEpoch(fork, epoch) {
      config = { ...config, [FORK_CONFIG_KEYS[fork].epoch]: epoch };
    },
    setDisabled(operationId, status) {
      if (status === undefined) disabled.delete(operationId);
      else disabled.set(operationId, status);
    },
    setDependentRoot(kind, epoch, root) {
      if (root === undefined) dependentOverrides.delete(`${kind}:${epoch}`);
      else dependentOverrides.set(`${kind}:${epoch}`, root);
    },
    setLive(indices, epoch) {
      let set = liveAll;
      if (epoch !== undefined) {
        set = liveByEpoch.get(epoch) ?? new Set();
        liveByEpoch.set(epoch, set);
      }
      for (const i of indices) set.add(i);
    },
    emitHead,
    currentSlot,
    timeAtSlot,
    attestationDueAt: (slot) => timeAtSlot(slot, attestationDueMs(config)),
    attesterDuty,
    attestersAt: (slot) => attestersAtOffset(slot % S),
    committeeMember,
    proposerAt,
    syncCommittee,
    blockRoot,
    attestationData,
    forkAtSlot,
  };
}
