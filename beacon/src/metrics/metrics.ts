// Prometheus metrics of the beacon node (prom-client). One registry per process: createBeaconMetrics() builds it
// with every metric below, and the node's parts receive the BeaconMetrics object (or nothing: every part must work
// without metrics). Two families:
// - the standard names of ethereum/beacon-metrics (../shared/reference/beacon-metrics/metrics.md), with the type
//   and usage text that document gives, so dashboards written for any client work on ours;
// - our own, prefixed `sextant_`: API latency and refusals, head caches (the Medalla lesson: requests never cause an
//   epoch transition), block import and production, state regen, pools.
//
// Standard names left out, and why (add them when the part that can feed them exists):
// - PeerDAS (beacon_data_column_sidecar_*, beacon_data_availability_*, beacon_kzg_verification_data_column_batch_
//   seconds, beacon_custody_groups, beacon_custody_groups_backfilled, beacon_engine_getBlobsV2_*): the node does not
//   yet gossip, verify, reconstruct or custody data column sidecars, nor call engine_getBlobsV2.
// - FOCIL (focil.md, beacon_inclusion_list*, beacon_engine_getInclusionListV1_*): EIP-7805 is in no fork we run.
// - gossipsub_mesh_peers_per_main_topic, libp2p_pubsub_validation_failure_total, beacon_processor_gossip_block_
//   imported_total: gossip metrics; the node has no gossipsub yet (blocks arrive over REST; see
//   sextant_block_import_total). libp2p_peers is kept: it is an interop metric and reads 0 until the network exists.
// - store_beacon_block_cache_hit_total, beacon_state_data_cache_misses_total: caches internal to Lighthouse; ours are
//   counted by sextant_duty_cache_requests_total and sextant_state_cache_size.
// - beacon_attestor_slashing_created_total: the node does not create slashings (it only pools received ones).
// - local_validator_count: a validator-client metric (validator/src/metrics.ts has it); the node holds no keys.
// - process_cpu_seconds_total and process_max_fds are not registered here: collectDefaultMetrics provides them
//   (process_cpu_seconds_total as a Counter, which is what a monotonic total is; the document's "Gauge" for it is a
//   slip; process_max_fds exists on Linux only).
// - beacon_head_root and beacon_finalized_root are not in the document; its root metrics are beacon_head_state_root,
//   beacon_head_state_finalized_root and beacon_previous_justified_root (see rootToMetricValue).
// Help texts of standard metrics are the document's usage text verbatim (so `*` marks a root as rootToMetricValue
// encodes it, and the delay histograms say "bucket size yet to be decided": ours are DELAY_BUCKETS, in seconds).
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** Why an epoch transition ran (the `cause` label). `request` must stay 0: requests never transition a state. */
export type EpochTransitionCause = "import" | "preadvance" | "regen" | "request";
/** Outcome of one block import (the `result` label). */
export type BlockImportResult = "imported" | "known" | "invalid" | "unknown_parent" | "error";
/** Outcome of one head-cache lookup (the `result` label): found, missing (answered with an error), or built now. */
export type DutyCacheResult = "hit" | "miss" | "build";
/** Validator statuses of beacon_current_validators / beacon_previous_validators (the `status` label). */
export type ValidatorStatusLabel = "pending" | "active" | "exited" | "withdrawable";
/** Every EpochTransitionCause. */
export const EPOCH_TRANSITION_CAUSES: readonly EpochTransitionCause[] = ["import", "preadvance", "regen", "request"];
/** Every BlockImportResult. */
export const BLOCK_IMPORT_RESULTS: readonly BlockImportResult[] = [
  "imported",
  "known",
  "invalid",
  "unknown_parent",
  "error",
];
/** Every ValidatorStatusLabel. */
export const VALIDATOR_STATUS_LABELS: readonly ValidatorStatusLabel[] = ["pending", "active", "exited", "withdrawable"];
/** beacon_sync_state values, as the standard defines them. */
export const SYNC_STATE = { notSyncing: 0, synced: 1, syncing: 2 } as const;

/** The beacon node's metrics: one typed field per metric. */
export interface BeaconMetrics {
  readonly registry: Registry;

  // --- beacon-metrics: interop metrics ---
  /** libp2p_peers: total number of libp2p peers (0 until the node has a network). */
  peers: Gauge;
  /** beacon_head_slot: latest slot of the beacon chain (on fork choice). */
  headSlot: Gauge;
  /** beacon_finalized_epoch (on epoch transition). */
  finalizedEpoch: Gauge;
  /** beacon_current_justified_epoch (on epoch transition). */
  currentJustifiedEpoch: Gauge;
  /** beacon_previous_justified_epoch (on epoch transition). */
  previousJustifiedEpoch: Gauge;
  /** beacon_current_active_validators (on epoch transition). */
  currentActiveValidators: Gauge;
  /** beacon_reorgs_total: chain reorganizations seen by fork choice. */
  reorgs: Counter;
  /** beacon_processed_deposits_total: deposits processed (a Gauge in the standard: set it to eth1_deposit_index). */
  processedDeposits: Gauge;

  // --- beacon-metrics: additional metrics a node of ours can feed ---
  /** beacon_current_validators{status}: validators per status in the current epoch. */
  currentValidators: Gauge<"status">;
  /** beacon_previous_validators{status}: validators per status in the previous epoch. */
  previousValidators: Gauge<"status">;
  /** beacon_current_live_validators: active validators with an attestation included for the current epoch. */
  currentLiveValidators: Gauge;
  /** beacon_previous_live_validators: active validators with an attestation included for the previous epoch. */
  previousLiveValidators: Gauge;
  /** beacon_pending_deposits: pending deposits in the head state (electra). */
  pendingDeposits: Gauge;
  /** beacon_pending_partial_withdrawals: pending partial withdrawals in the head state (electra). */
  pendingPartialWithdrawals: Gauge;
  /** beacon_pending_consolidations: pending consolidations in the head state (electra). */
  pendingConsolidations: Gauge;
  /** beacon_pending_exits: voluntary exits waiting in the operation pool. */
  pendingExits: Gauge;
  /** beacon_previous_epoch_orphaned_blocks: blocks of the previous epoch not on the canonical chain. */
  previousEpochOrphanedBlocks: Gauge;
  /** beacon_attestation_delay_count: seconds from the start of an attestation's slot to its arrival. */
  attestationDelay: Histogram;
  /** beacon_block_delay_count: seconds from the start of a block's slot to its arrival. */
  blockDelay: Histogram;
  /** beacon_head_state_root: the head state root, as rootToMetricValue. */
  headStateRoot: Gauge;
  /** beacon_head_state_finalized_root: the finalized checkpoint root, as rootToMetricValue. */
  headStateFinalizedRoot: Gauge;
  /** beacon_previous_justified_root: the previous justified checkpoint root, as rootToMetricValue. */
  previousJustifiedRoot: Gauge;
  /** beacon_aggregates_received_total: aggregates received (REST or gossip). */
  aggregatesReceived: Gauge;
  /** beacon_attestations_received_total: attestations received (REST or gossip). */
  attestationsReceived: Gauge;
  /** beacon_attestor_slashing_received_total: attester slashings received. */
  attesterSlashingsReceived: Gauge;
  /** beacon_block_proposed_total: blocks this node produced. */
  blocksProposed: Gauge;
  /** beacon_attestations_published_total: attestations this node published. */
  attestationsPublished: Gauge;
  /** beacon_http_api_requests_total: requests answered by the REST API (observeApiResponse). */
  httpApiRequests: Gauge;
  /** beacon_http_api_successes_total: REST answers with a 2xx status (observeApiResponse). */
  httpApiSuccesses: Gauge;
  /** beacon_sync_state: 0 not syncing, 1 synced, 2 syncing (SYNC_STATE). */
  syncState: Gauge;

  // --- ours ---
  /** sextant_api_request_duration_seconds{operation, status_class}. */
  apiRequestDuration: Histogram<"operation" | "status_class">;
  /** sextant_api_responses_total{operation, status}. */
  apiResponses: Counter<"operation" | "status">;
  /** sextant_api_rate_limited_total{class}: 429 answers. */
  apiRateLimited: Counter<"class">;
  /** sextant_api_shed_total{class}: 503 answers from load shedding. */
  apiShed: Counter<"class">;
  /** sextant_api_queue_depth{class}: requests waiting in a load-shedding queue. */
  apiQueueDepth: Gauge<"class">;
  /** sextant_api_running_requests{class}: requests of a queued class holding a slot. */
  apiRunning: Gauge<"class">;
  /** sextant_duty_cache_requests_total{cache, result}. */
  dutyCacheRequests: Counter<"cache" | "result">;
  /** sextant_epoch_transitions_total{cause}; cause=request must stay 0. */
  epochTransitions: Counter<"cause">;
  /** sextant_block_import_seconds: one block's import (validation, transition, fork choice, persistence). */
  blockImportSeconds: Histogram;
  /** sextant_block_import_total{result}. */
  blockImports: Counter<"result">;
  /** sextant_block_production_seconds: one block's production (payload, operations, state root). */
  blockProductionSeconds: Histogram;
  /** sextant_state_regen_seconds: one state regeneration (replaying blocks from a cached or stored state). */
  stateRegenSeconds: Histogram;
  /** sextant_state_cache_size: states held in the state cache. */
  stateCacheSize: Gauge;
  /** sextant_unknown_parent_queue_size: blocks waiting for their parent. */
  unknownParentQueueSize: Gauge;
  /** sextant_op_pool_size{pool}: operations per pool. */
  opPoolSize: Gauge<"pool">;
  /** sextant_head_participation_ratio: previous epoch target participation (by balance) of the head state. */
  headParticipationRatio: Gauge;
  /** sextant_sse_subscribers: open event streams. */
  sseSubscribers: Gauge;
}

/** createBeaconMetrics options. */
export interface BeaconMetricsOptions {
  /** Register the process defaults (CPU, RSS, heap, event loop lag, GC, fds); default true. */
  defaults?: boolean;
}

/** API latency buckets: 0.5 ms to 10 s. */
export const API_DURATION_BUCKETS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];
/** Block import / production / regen buckets: 5 ms to 12 s (a slot on mainnet). */
const WORK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 12];
/** Arrival delay buckets, seconds since the slot start (the standard leaves them to clients). */
const DELAY_BUCKETS = [0.25, 0.5, 1, 2, 3, 4, 6, 8, 12, 24];

/** A fresh registry holding every beacon node metric (and, unless told not to, the process defaults). */
export function createBeaconMetrics(opts: BeaconMetricsOptions = {}): BeaconMetrics {
  const registry = new Registry();
  if (opts.defaults !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const gauge = <L extends string = string>(name: string, help: string, labelNames: L[] = []): Gauge<L> =>
    new Gauge<L>({ name, help, labelNames, registers });
  const counter = <L extends string = string>(name: string, help: string, labelNames: L[] = []): Counter<L> =>
    new Counter<L>({ name, help, labelNames, registers });
  const histogram = <L extends string = string>(
    name: string,
    help: string,
    buckets: readonly number[],
    labelNames: L[] = [],
  ): Histogram<L> => new Histogram<L>({ name, help, labelNames, buckets: [...buckets], registers });

  const metrics: BeaconMetrics = {
    registry,
    peers: gauge("libp2p_peers", "Tracks the total number of libp2p peers"),
    headSlot: gauge("beacon_head_slot", "Latest slot of the beacon chain"),
    finalizedEpoch: gauge("beacon_finalized_epoch", "Current finalized epoch"),
    currentJustifiedEpoch: gauge("beacon_current_justified_epoch", "Current justified epoch"),
    previousJustifiedEpoch: gauge("beacon_previous_justified_epoch", "Current previously justified epoch"),
    currentActiveValidators: gauge("beacon_current_active_validators", "Current total active validators"),
    reorgs: counter("beacon_reorgs_total", "Total number of chain reorganizations"),
    processedDeposits: gauge("beacon_processed_deposits_total", "Total number of deposits processed"),

    currentValidators: gauge(
      "beacon_current_validators",
      'Number of `status="pending|active|exited|withdrawable"` validators in current epoch',
      ["status"],
    ),
    previousValidators: gauge(
      "beacon_previous_validators",
      'Number of `status="pending|active|exited|withdrawable"` validators in previous epoch',
      ["status"],
    ),
    currentLiveValidators: gauge(
      "beacon_current_live_validators",
      "Number of active validators that successfully included attestation on chain for current epoch",
    ),
    previousLiveValidators: gauge(
      "beacon_previous_live_validators",
      "Number of active validators that successfully included attestation on chain for previous epoch",
    ),
    pendingDeposits: gauge("beacon_pending_deposits", "Number of pending deposits in the current state"),
    pendingPartialWithdrawals: gauge(
      "beacon_pending_partial_withdrawals",
      "Number of pending partial withdrawals in the current state",
    ),
    pendingConsolidations: gauge(
      "beacon_pending_consolidations",
      "Number of pending consolidations in the current state",
    ),
    pendingExits: gauge("beacon_pending_exits", "Number of pending voluntary exits in local operation pool"),
    previousEpochOrphanedBlocks: gauge(
      "beacon_previous_epoch_orphaned_blocks",
      "Number of blocks orphaned in the previous epoch",
    ),
    attestationDelay: histogram(
      "beacon_attestation_delay_count",
      "Attestation delay count, bucket size yet to be decided",
      DELAY_BUCKETS,
    ),
    blockDelay: histogram(
      "beacon_block_delay_count",
      "Block delay count, bucket size yet to be decided",
      DELAY_BUCKETS,
    ),
    headStateRoot: gauge("beacon_head_state_root", "Head state root"),
    headStateFinalizedRoot: gauge("beacon_head_state_finalized_root", "Current finalized root*"),
    previousJustifiedRoot: gauge("beacon_previous_justified_root", "Current previously justified root*"),
    aggregatesReceived: gauge("beacon_aggregates_received_total", "Total number of aggregates received"),
    attestationsReceived: gauge("beacon_attestations_received_total", "Total number of attestations received"),
    attesterSlashingsReceived: gauge(
      "beacon_attestor_slashing_received_total",
      "Total number of attestor slashing received",
    ),
    blocksProposed: gauge("beacon_block_proposed_total", "Total number of blocks proposed"),
    attestationsPublished: gauge("beacon_attestations_published_total", "Total number of attestations proposed"),
    httpApiRequests: gauge("beacon_http_api_requests_total", "Total number of requests to the HTTP API endpoint"),
    httpApiSuccesses: gauge(
      "beacon_http_api_successes_total",
      "Total number of successful requests to the HTTP API endpoint",
    ),
    syncState: gauge("beacon_sync_state", "Beacon sync state, 0 for not syncing, 1 for synced, 2 for syncing"),

    apiRequestDuration: histogram(
      "sextant_api_request_duration_seconds",
      "REST API request duration, per operation and status class",
      API_DURATION_BUCKETS,
      ["operation", "status_class"],
    ),
    apiResponses: counter("sextant_api_responses_total", "REST API responses, per operation and status", [
      "operation",
      "status",
    ]),
    apiRateLimited: counter("sextant_api_rate_limited_total", "REST API requests refused with 429 (rate limit)", [
      "class",
    ]),
    apiShed: counter("sextant_api_shed_total", "REST API requests refused with 503 by load shedding", ["class"]),
    apiQueueDepth: gauge("sextant_api_queue_depth", "REST API requests waiting in a load-shedding queue", ["class"]),
    apiRunning: gauge("sextant_api_running_requests", "REST API requests of a queued class holding a slot", ["class"]),
    dutyCacheRequests: counter(
      "sextant_duty_cache_requests_total",
      "Head cache lookups (shuffling, proposers, sync committees): hit, miss or build",
      ["cache", "result"],
    ),
    epochTransitions: counter(
      "sextant_epoch_transitions_total",
      "Epoch transitions run, per cause (request must stay 0: requests never transition a state)",
      ["cause"],
    ),
    blockImportSeconds: histogram("sextant_block_import_seconds", "Time to import one block", WORK_BUCKETS),
    blockImports: counter("sextant_block_import_total", "Blocks offered to import, per result", ["result"]),
    blockProductionSeconds: histogram(
      "sextant_block_production_seconds",
      "Time to produce one block (payload, operations, state root)",
      WORK_BUCKETS,
    ),
    stateRegenSeconds: histogram("sextant_state_regen_seconds", "Time to regenerate one state", WORK_BUCKETS),
    stateCacheSize: gauge("sextant_state_cache_size", "States held in the state cache"),
    unknownParentQueueSize: gauge("sextant_unknown_parent_queue_size", "Blocks waiting for their unknown parent"),
    opPoolSize: gauge("sextant_op_pool_size", "Operations held per pool", ["pool"]),
    headParticipationRatio: gauge(
      "sextant_head_participation_ratio",
      "Previous epoch target participation of the head state (attesting balance / active balance)",
    ),
    sseSubscribers: gauge("sextant_sse_subscribers", "Open server-sent event streams"),
  };
  // Series with a known, bounded label set start at 0, so they are rendered (and alertable: "request stays 0")
  // before the first event.
  for (const cause of EPOCH_TRANSITION_CAUSES) metrics.epochTransitions.inc({ cause }, 0);
  for (const result of BLOCK_IMPORT_RESULTS) metrics.blockImports.inc({ result }, 0);
  for (const cls of ["validator", "expensive", "cheap"]) metrics.apiRateLimited.inc({ class: cls }, 0);
  for (const cls of ["validator", "expensive"]) {
    metrics.apiShed.inc({ class: cls }, 0);
    metrics.apiQueueDepth.set({ class: cls }, 0);
    metrics.apiRunning.set({ class: cls }, 0);
  }
  for (const status of VALIDATOR_STATUS_LABELS) {
    metrics.currentValidators.set({ status }, 0);
    metrics.previousValidators.set({ status }, 0);
  }
  return metrics;
}

/** The standard metric names this module registers (tests assert each is rendered). */
export const STANDARD_METRIC_NAMES: readonly string[] = [
  "libp2p_peers",
  "beacon_head_slot",
  "beacon_finalized_epoch",
  "beacon_current_justified_epoch",
  "beacon_previous_justified_epoch",
  "beacon_current_active_validators",
  "beacon_reorgs_total",
  "beacon_processed_deposits_total",
  "beacon_current_validators",
  "beacon_previous_validators",
  "beacon_current_live_validators",
  "beacon_previous_live_validators",
  "beacon_pending_deposits",
  "beacon_pending_partial_withdrawals",
  "beacon_pending_consolidations",
  "beacon_pending_exits",
  "beacon_previous_epoch_orphaned_blocks",
  "beacon_attestation_delay_count",
  "beacon_block_delay_count",
  "beacon_head_state_root",
  "beacon_head_state_finalized_root",
  "beacon_previous_justified_root",
  "beacon_aggregates_received_total",
  "beacon_attestations_received_total",
  "beacon_attestor_slashing_received_total",
  "beacon_block_proposed_total",
  "beacon_attestations_published_total",
  "beacon_http_api_requests_total",
  "beacon_http_api_successes_total",
  "beacon_sync_state",
];

/**
 * A 32-byte root as the standard's `*_root` metrics want it: the last 8 bytes read as a signed little-endian
 * 64-bit integer (`int.from_bytes(root[24:32], 'little', signed=True)`), then as a float64 (Prometheus values are
 * doubles, so roots differing only in the low bits beyond 53 bits of precision read the same).
 */
export function rootToMetricValue(root: Uint8Array): number {
  if (root.length !== 32) throw new RangeError(`a root is 32 bytes, got ${root.length}`);
  const view = new DataView(root.buffer, root.byteOffset + 24, 8);
  return Number(view.getBigInt64(0, true));
}
