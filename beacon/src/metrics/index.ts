// The beacon node's Prometheus metrics: the registry and its typed metrics (metrics.ts), the REST API seams
// (api.ts) and the /metrics HTTP endpoint (server.ts).
export {
  type ApiResponseObservation,
  type GovernorMetricsOptions,
  metricsForGovernor,
  observeApiResponse,
  statusClass,
} from "./api.ts";
export {
  API_DURATION_BUCKETS,
  type BeaconMetrics,
  type BeaconMetricsOptions,
  BLOCK_IMPORT_RESULTS,
  type BlockImportResult,
  createBeaconMetrics,
  type DutyCacheResult,
  EPOCH_TRANSITION_CAUSES,
  type EpochTransitionCause,
  rootToMetricValue,
  STANDARD_METRIC_NAMES,
  SYNC_STATE,
  VALIDATOR_STATUS_LABELS,
  type ValidatorStatusLabel,
} from "./metrics.ts";
export {
  DEFAULT_METRICS_ADDRESS,
  DEFAULT_METRICS_PORT,
  isLoopbackAddress,
  type MetricsServer,
  type MetricsServerErrorCode,
  type MetricsServerOptions,
  startMetricsServer,
} from "./server.ts";
