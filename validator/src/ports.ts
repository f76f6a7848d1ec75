// The contracts between the validator client's parts. Each part (clock/, beaconNodes/, signing/, duties/,
// services/) implements its interface here and depends on the others only through these interfaces, so every part
// can be tested alone with fakes (a fake clock, a fake pool) and composed in client.ts.
//
//   clock/        TimeSource, SlotClock             when things happen
//   beaconNodes/  BeaconNodes                       which node answers (health, fallback, backoff, broadcast)
//   signing/      Signer                            slashing protection + BLS signing (worker threads)
//   duties/       Duties, HeadEvents, IndexResolver what our validators must do, tied to dependent roots
//   services/     attestation, block, sync committee, doppelganger, proposer preparation
import type { ApiClient, BeaconRoutes } from "@sextant/api-spec";
import type { ForkName } from "@sextant/consensus/params/forkName";
import type { SszTypes, ValueOf } from "@sextant/consensus/types/index";
import type { PubkeyHex } from "./dataDir/layout.ts";

export type { PubkeyHex };

/** An api-spec client of the Beacon API routes. */
export type BeaconApi = ApiClient<BeaconRoutes>;

// ---------------------------------------------------------------------------------------------------------------
// Time

/** Wall-clock time and sleeping; the system's in production, a fake one in unit tests. */
export interface TimeSource {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason (an AbortError) when `signal` aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Due points within a slot, in ms from the slot's start (from the config's *_DUE_BPS, or thirds). */
export interface DuePoints {
  attestation: number;
  aggregate: number;
  syncMessage: number;
  contribution: number;
}

/** The chain's slot clock. Before genesis, currentSlot() is -1. */
export interface SlotClock {
  readonly genesisTimeSec: number;
  readonly slotDurationMs: number;
  readonly slotsPerEpoch: number;
  readonly due: DuePoints;
  readonly time: TimeSource;
  currentSlot(): number;
  currentEpoch(): number;
  epochAtSlot(slot: number): number;
  startSlotOfEpoch(epoch: number): number;
  /** Unix ms at which `slot` starts, plus `offsetMs`. */
  timeAtSlot(slot: number, offsetMs?: number): number;
  /** Sleeps until `slot` start + `offsetMs` (at once when that is past). */
  sleepUntilSlot(slot: number, offsetMs: number, signal: AbortSignal): Promise<void>;
  /**
   * Calls `handler(slot)` at the start of every slot until `signal` aborts. After a stall (a sleeping machine,
   * a blocked loop) slots that are already over are skipped, not replayed: the handler sees the current slot
   * and `skipped` says how many were jumped. A handler's rejection is reported to `onError`, never thrown.
   */
  onEverySlot(
    handler: (slot: number, signal: AbortSignal, skipped: number) => Promise<void> | void,
    signal: AbortSignal,
    onError: (err: unknown, slot: number) => void,
  ): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// Beacon nodes

/** What the pool knows of one node. */
export type NodeState =
  /** Not yet checked. */
  | "unknown"
  /** Connection refused, timeout, 5xx: in backoff until `nextCheckAt`. */
  | "unreachable"
  /** On another network or fork schedule (GET /eth/v1/config/spec): never used; `reason` says why. */
  | "incompatible"
  /** Syncing (sync distance above tolerance): not used for duties until synced. */
  | "syncing"
  /** Synced but its head is optimistic or its EL is offline: used only when no node is better. */
  | "degraded"
  /** Synced, ready. */
  | "synced";

export interface NodeHealth {
  /** Base URL with credentials removed (for logs and metrics). */
  readonly url: string;
  /** Index of the node in --beacon-nodes (the operator's order of preference among equals). */
  readonly index: number;
  state: NodeState;
  version?: string;
  headSlot?: number;
  syncDistance?: number;
  isOptimistic?: boolean;
  elOffline?: boolean;
  /** Moving average of request latency, ms. */
  latencyMs?: number;
  /** Consecutive failures (resets on success); drives the backoff. */
  consecutiveFailures: number;
  /** Unix ms of the next health check allowed (backoff). */
  nextCheckAt: number;
  /** Why the node is not synced (human-readable), when it is not. */
  reason?: string;
}

/** Events of the pool. */
export type BeaconNodesEvent =
  /** The node answering requests changed (failover, or the preferred node came back). */
  | { kind: "primary-changed"; from?: string; to?: string }
  /** A node became synced (after syncing/unreachable): duties are re-fetched. */
  | { kind: "node-synced"; url: string }
  /** No node is usable any more. */
  | { kind: "no-usable-node" };

/** A request to one node. `node.url` identifies it (e.g. to remember which endpoint versions it serves). */
export type NodeCall<T> = (api: BeaconApi, node: NodeHealth) => Promise<T>;

/** The set of beacon nodes the client talks to. */
export interface BeaconNodes {
  /** The health of every node, in --beacon-nodes order. */
  nodes(): readonly NodeHealth[];
  /** True when at least one node is synced or degraded. */
  isUsable(): boolean;
  /** Resolves when a node is usable (at once when one is); rejects when `signal` aborts. */
  waitUntilUsable(signal: AbortSignal): Promise<void>;
  /**
   * Runs `call` on the best usable node, failing over to the next usable one on a network error, timeout, 5xx or
   * 503 (never on other 4xx: those are answers, rethrown at once). Throws NoUsableNodeError without sending any
   * request when no node is usable. `what` names the request in logs.
   */
  request<T>(what: string, call: NodeCall<T>, opts?: { signal?: AbortSignal }): Promise<T>;
  /**
   * Publishes (attestations, aggregates, blocks, sync messages): with --broadcast to every usable node in parallel,
   * resolving when one accepted (rejecting with the first node's error when all failed); otherwise like request().
   */
  publish(what: string, call: NodeCall<unknown>, opts?: { signal?: AbortSignal }): Promise<void>;
  /** Subscribes to pool events; returns the unsubscribe function. */
  on(listener: (event: BeaconNodesEvent) => void): () => void;
}

// ---------------------------------------------------------------------------------------------------------------
// Signing

/** Value types used in signing (the SSZ types' values, camelCase fields, as @sextant/consensus holds them). */
export type AttestationDataValue = ValueOf<SszTypes["phase0"]["AttestationData"]>;

/** One item of a batch signing call that may be refused. */
export type SignResult = { ok: true; signature: Uint8Array } | { ok: false; reason: string; code?: string };

/** Why a key may not sign now (doppelganger protection). undefined: it may. */
export type SigningGate = (pubkey: PubkeyHex) => string | undefined;

/**
 * Signs for the client's local keys. Every block and attestation passes slashing protection first (one
 * transaction per batch); the signature is computed only after that transaction committed. Signatures are computed
 * on worker threads (every core). Domains come from the chain config and the genesis validators root.
 */
export interface Signer {
  /** The local keys that can sign now (doppelganger-gated keys included; the gate refuses at signing time). */
  pubkeys(): PubkeyHex[];
  has(pubkey: PubkeyHex): boolean;
  /** Installs the doppelganger gate: a refused key gets { ok: false } / a thrown error, and nothing is recorded. */
  setGate(gate: SigningGate | undefined): void;
  /** Attestations of one slot (one slashing-protection transaction for all). */
  signAttestations(items: readonly { pubkey: PubkeyHex; data: AttestationDataValue }[]): Promise<SignResult[]>;
  /** A block of `fork` (blinded or full, as `type` is): slashing protection, then the signature. Throws when refused. */
  signBlock(pubkey: PubkeyHex, fork: ForkName, blinded: boolean, block: unknown): Promise<Uint8Array>;
  signRandaoReveal(pubkey: PubkeyHex, epoch: number): Promise<Uint8Array>;
  /** Aggregation selection proofs (signatures of the slot). */
  signSelectionProofs(items: readonly { pubkey: PubkeyHex; slot: number }[]): Promise<Uint8Array[]>;
  /** AggregateAndProof messages (the fork's type: electra changed the aggregate). */
  signAggregateAndProofs(
    fork: ForkName,
    items: readonly { pubkey: PubkeyHex; message: unknown }[],
  ): Promise<SignResult[]>;
  signSyncCommitteeMessages(
    items: readonly { pubkey: PubkeyHex; slot: number; beaconBlockRoot: Uint8Array }[],
  ): Promise<SignResult[]>;
  /** Sync committee selection proofs (SyncAggregatorSelectionData). */
  signSyncSelectionProofs(
    items: readonly { pubkey: PubkeyHex; slot: number; subcommitteeIndex: number }[],
  ): Promise<Uint8Array[]>;
  signContributionAndProofs(items: readonly { pubkey: PubkeyHex; message: unknown }[]): Promise<SignResult[]>;
  /** ValidatorRegistrationV1 messages (builder domain, genesis fork version). */
  signValidatorRegistrations(items: readonly { pubkey: PubkeyHex; message: unknown }[]): Promise<Uint8Array[]>;
}

// ---------------------------------------------------------------------------------------------------------------
// Duties

/** pubkey → validator index, and the status of each of our validators. */
export interface IndexResolver {
  /** Index of a key, once the beacon node knows it. */
  indexOf(pubkey: PubkeyHex): number | undefined;
  pubkeyOf(index: number): PubkeyHex | undefined;
  /** Indices of every key the chain knows (active or pending). */
  indices(): number[];
  /** Keys the chain does not know yet (no deposit processed). */
  unknownPubkeys(): PubkeyHex[];
  /** Asks the node again for keys it did not know (and re-reads statuses); called every epoch. */
  refresh(signal: AbortSignal): Promise<void>;
}

export interface AttesterDuty {
  pubkey: PubkeyHex;
  validatorIndex: number;
  slot: number;
  committeeIndex: number;
  committeeLength: number;
  committeesAtSlot: number;
  validatorCommitteeIndex: number;
  /** Signature of the slot, when computed ahead; `isAggregator` follows from it. */
  selectionProof?: Uint8Array;
  isAggregator: boolean;
}

export interface ProposerDuty {
  pubkey: PubkeyHex;
  validatorIndex: number;
  slot: number;
}

export interface SyncCommitteeDuty {
  pubkey: PubkeyHex;
  validatorIndex: number;
  /** Indices of the validator in the sync committee (one validator may sit several times). */
  validatorSyncCommitteeIndices: number[];
}

/** A sync-committee aggregation duty at one slot (selection proof computed ahead). */
export interface SyncAggregationDuty {
  pubkey: PubkeyHex;
  validatorIndex: number;
  subcommitteeIndex: number;
  selectionProof: Uint8Array;
}

/** The duties of our validators, kept current (by epoch, per dependent root). */
export interface Duties {
  attesterDutiesAt(slot: number): AttesterDuty[];
  proposerDutiesAt(slot: number): ProposerDuty[];
  syncDutiesAt(slot: number): SyncCommitteeDuty[];
  /** Sync aggregation duties (selection proof says aggregator) at `slot`. */
  syncAggregationDutiesAt(slot: number): SyncAggregationDuty[];
}

/** A head event of the node (SSE topic "head"). */
export interface HeadEvent {
  slot: number;
  block: Uint8Array;
  previousDutyDependentRoot: Uint8Array;
  currentDutyDependentRoot: Uint8Array;
  epochTransition: boolean;
}

/** Heads as the beacon node reports them. */
export interface HeadEvents {
  /** Subscribes; returns the unsubscribe function. */
  onHead(listener: (event: HeadEvent) => void): () => void;
  /** Resolves true as soon as a head block of `slot` is seen, false at `deadlineMs` (unix ms) or abort. */
  waitForHeadOfSlot(slot: number, deadlineMs: number, signal: AbortSignal): Promise<boolean>;
}

// ---------------------------------------------------------------------------------------------------------------
// Doppelganger

/** Doppelganger protection: which keys may sign. */
export interface DoppelgangerGuard {
  /** The gate installed on the Signer. */
  gate: SigningGate;
  /** Registers a key (at start, or when imported through the keymanager API): it waits before signing. */
  register(pubkey: PubkeyHex): void;
}

/** The fork at an epoch (from the chain config). */
export type ForkAtEpoch = (epoch: number) => ForkName;
