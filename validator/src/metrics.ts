// Prometheus metrics of the validator client (prom-client), served on --metrics. One registry per client; parts
// take the ValidatorMetrics object (or nothing: every part works without metrics). Names follow the beacon-metrics
// conventions where one exists (local_validator_count) and a `validator_` prefix otherwise.
import { createServer, type Server } from "node:http";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** Duty kinds, as the `duty` label. */
export type DutyKind =
  | "attestation"
  | "aggregate"
  | "block"
  | "sync_committee_message"
  | "sync_committee_contribution"
  | "proposer_preparation";

export interface ValidatorMetrics {
  readonly registry: Registry;
  /** local_validator_count (beacon-metrics standard). */
  localValidatorCount: Gauge;
  /** Duties known for the current slot window, per duty (set by duties/). */
  dutiesKnown: Gauge<"duty">;
  dutiesPerformed: Counter<"duty">;
  /** Duties not performed (no node, refused, failed, late). `reason` is short and bounded. */
  dutiesMissed: Counter<"duty" | "reason">;
  /** Time to compute signatures of one batch, per kind. */
  signingSeconds: Histogram<"kind">;
  signatures: Counter<"kind">;
  slashingProtectionRefusals: Counter<"kind">;
  /** Request latency per node and operation (success and failure). */
  nodeRequestSeconds: Histogram<"node" | "operation">;
  nodeRequestErrors: Counter<"node" | "operation" | "kind">;
  /** 1 for the node's current state, 0 for the others. */
  nodeState: Gauge<"node" | "state">;
  /** 1 on the node answering requests. */
  nodePrimary: Gauge<"node">;
  /** Time from a duty's due point to its submission (negative values clamp to 0: early submissions). */
  submissionDelaySeconds: Histogram<"duty">;
  doppelgangerStatus: Gauge<"status">;
}

/** A fresh registry with the client's metrics (and the process defaults: CPU, RSS, event loop lag, GC). */
export function createValidatorMetrics(opts: { defaults?: boolean } = {}): ValidatorMetrics {
  const registry = new Registry();
  if (opts.defaults !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    localValidatorCount: new Gauge({
      name: "local_validator_count",
      help: "Count of the number of local validators",
      registers,
    }),
    dutiesKnown: new Gauge({
      name: "validator_duties_known",
      help: "Duties of our validators known for the current and next epoch",
      labelNames: ["duty"],
      registers,
    }),
    dutiesPerformed: new Counter({
      name: "validator_duties_performed_total",
      help: "Duties performed (signed and accepted by a beacon node)",
      labelNames: ["duty"],
      registers,
    }),
    dutiesMissed: new Counter({
      name: "validator_duties_missed_total",
      help: "Duties not performed, by reason",
      labelNames: ["duty", "reason"],
      registers,
    }),
    signingSeconds: new Histogram({
      name: "validator_signing_seconds",
      help: "Time to sign one batch (slashing protection included for blocks and attestations)",
      labelNames: ["kind"],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
      registers,
    }),
    signatures: new Counter({
      name: "validator_signatures_total",
      help: "Signatures made, per kind",
      labelNames: ["kind"],
      registers,
    }),
    slashingProtectionRefusals: new Counter({
      name: "validator_slashing_protection_refusals_total",
      help: "Signings refused by slashing protection",
      labelNames: ["kind"],
      registers,
    }),
    nodeRequestSeconds: new Histogram({
      name: "validator_beacon_node_request_seconds",
      help: "Beacon node request latency",
      labelNames: ["node", "operation"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 12],
      registers,
    }),
    nodeRequestErrors: new Counter({
      name: "validator_beacon_node_request_errors_total",
      help: "Beacon node requests that failed, by kind (network, timeout, http_5xx, http_4xx, bad_response)",
      labelNames: ["node", "operation", "kind"],
      registers,
    }),
    nodeState: new Gauge({
      name: "validator_beacon_node_state",
      help: "Health of each beacon node: 1 for its current state",
      labelNames: ["node", "state"],
      registers,
    }),
    nodePrimary: new Gauge({
      name: "validator_beacon_node_primary",
      help: "1 for the beacon node answering requests",
      labelNames: ["node"],
      registers,
    }),
    submissionDelaySeconds: new Histogram({
      name: "validator_submission_delay_seconds",
      help: "Time from a duty's due point (slot start for blocks) to its submission",
      labelNames: ["duty"],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 12],
      registers,
    }),
    doppelgangerStatus: new Gauge({
      name: "validator_doppelganger_keys",
      help: "Keys per doppelganger status (waiting, cleared, detected)",
      labelNames: ["status"],
      registers,
    }),
  };
}

/** Serves `registry` as Prometheus text on GET /metrics at host:port. */
export async function serveMetrics(registry: Registry, host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found: GET /metrics\n");
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { "content-type": registry.contentType }).end(text),
      (err: unknown) => res.writeHead(500, { "content-type": "text/plain" }).end(`${(err as Error).message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return server;
}
