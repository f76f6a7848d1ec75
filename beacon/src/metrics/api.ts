// The REST API's metrics seams: observeApiResponse for the API server's `onResponse` hook (latency, responses,
// 429s) and metricsForGovernor for the request governor's hooks (queue depth and running requests per class, 503s
// from load shedding with the class the governor shed). Each refusal is counted in exactly one place: 429s from
// responses (every 429 is the governor's and reaches onResponse), shed 503s from the governor (onResponse cannot
// tell a shed 503 from another 503, the governor knows) unless the caller asks otherwise (see `countShed`).
import type { GovernorMetrics } from "../api/governor/governor.ts";
import { DEFAULT_ROUTE_CLASSES, type QueuedClass, type RouteClass } from "../api/governor/routes.ts";
import type { BeaconMetrics } from "./metrics.ts";

/** One answered request, as observeApiResponse takes it (api-spec's ResponseInfo fits). */
export interface ApiResponseObservation {
  /** The route's operationId; "" (no route matched) is recorded as "unknown". */
  operationId: string;
  /** HTTP status sent. */
  status: number;
  /** Time from request to response, ms. */
  durationMs: number;
  /**
   * True when this answer is a 503 from load shedding that the governor hooks do not count (wired with
   * `metricsForGovernor(metrics, { countShed: false })`); false otherwise, which is what the onResponse seam knows.
   */
  shed: boolean;
  /** The route's load-shedding class; default: looked up in DEFAULT_ROUTE_CLASSES ("cheap" when absent). */
  routeClass?: RouteClass;
}

/** Label value of an operation id. */
function operationLabel(operationId: string): string {
  return operationId === "" ? "unknown" : operationId;
}

/** "2xx", "4xx", … for a status code. */
export function statusClass(status: number): string {
  return Number.isInteger(status) && status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : "other";
}

/** Records one API response: latency, response counts, the standard http_api totals, and 429/shed refusals. */
export function observeApiResponse(metrics: BeaconMetrics | undefined, obs: ApiResponseObservation): void {
  if (metrics === undefined) return;
  const operation = operationLabel(obs.operationId);
  const cls = obs.routeClass ?? DEFAULT_ROUTE_CLASSES[obs.operationId] ?? "cheap";
  if (Number.isFinite(obs.durationMs)) {
    metrics.apiRequestDuration.observe(
      { operation, status_class: statusClass(obs.status) },
      Math.max(0, obs.durationMs) / 1000,
    );
  }
  metrics.apiResponses.inc({ operation, status: String(obs.status) });
  metrics.httpApiRequests.inc();
  if (obs.status >= 200 && obs.status < 300) metrics.httpApiSuccesses.inc();
  if (obs.status === 429) metrics.apiRateLimited.inc({ class: cls });
  if (obs.status === 503 && obs.shed) metrics.apiShed.inc({ class: cls });
}

/** metricsForGovernor options. */
export interface GovernorMetricsOptions {
  /**
   * Count shed 503s from the governor's hook (default true). Set false only when the onResponse wiring passes
   * `shed: true` to observeApiResponse itself; otherwise shed requests are counted twice or never.
   */
  countShed?: boolean;
}

/**
 * The request governor's metrics hooks (GovernorOptions.metrics): queue depth and running requests per class, and
 * load-shedding refusals per class. Rate-limit refusals (429) are not counted here: observeApiResponse counts them.
 */
export function metricsForGovernor(metrics: BeaconMetrics, opts: GovernorMetricsOptions = {}): GovernorMetrics {
  const hooks: GovernorMetrics = {
    queueDepth(cls: QueuedClass, running: number, queued: number): void {
      metrics.apiQueueDepth.set({ class: cls }, queued);
      metrics.apiRunning.set({ class: cls }, running);
    },
  };
  if (opts.countShed !== false) {
    hooks.shed = (_operationId: string, cls: QueuedClass): void => {
      metrics.apiShed.inc({ class: cls });
    };
  }
  return hooks;
}
