// Which endpoint versions each beacon node serves. Modern nodes serve the v2/v3 endpoints of the Beacon API; older
// ones (Lodestar 1.5.x and its generation) serve only the v1 pool attestations, v1 aggregate_attestation and
// aggregate_and_proofs, v2/v1 block production and v1 block publication. The services try the modern endpoint; a
// node that answers 404 or 405 is asked the legacy one, and once that worked the node is remembered as legacy for
// that feature (one log line), so later slots go straight to the legacy endpoint. The memory is re-probed after a
// while (default one hour): an upgraded node is noticed without a restart.
import { isApiClientError } from "@sextant/api-spec";
import type { Logger } from "@sextant/common";
import type { NodeHealth } from "../ports.ts";

/** One endpoint that has a modern and a legacy version, as logs name them. */
export interface EndpointFeature {
  /** Stable key of the feature (memory key). */
  id: string;
  /** The modern endpoint, e.g. "POST /eth/v2/beacon/pool/attestations". */
  modern: string;
  /** What is used instead, e.g. "the v1 endpoint". */
  legacy: string;
}

/** The features the services fall back on. */
export const FEATURES = {
  submitAttestations: {
    id: "submitPoolAttestationsV2",
    modern: "POST /eth/v2/beacon/pool/attestations",
    legacy: "the v1 endpoint (POST /eth/v1/beacon/pool/attestations)",
  },
  aggregateAttestation: {
    id: "getAggregatedAttestationV2",
    modern: "GET /eth/v2/validator/aggregate_attestation",
    legacy: "the v1 endpoint (GET /eth/v1/validator/aggregate_attestation)",
  },
  publishAggregates: {
    id: "publishAggregateAndProofsV2",
    modern: "POST /eth/v2/validator/aggregate_and_proofs",
    legacy: "the v1 endpoint (POST /eth/v1/validator/aggregate_and_proofs)",
  },
  produceBlockV3: {
    id: "produceBlockV3",
    modern: "GET /eth/v3/validator/blocks/{slot}",
    legacy: "the v2 endpoint (GET /eth/v2/validator/blocks/{slot}, full blocks only)",
  },
  produceBlockV2: {
    id: "produceBlockV2",
    modern: "GET /eth/v2/validator/blocks/{slot}",
    legacy: "the v1 endpoint (GET /eth/v1/validator/blocks/{slot}, phase0 blocks only)",
  },
  publishBlock: {
    id: "publishBlockV2",
    modern: "POST /eth/v2/beacon/blocks",
    legacy: "the v1 endpoint (POST /eth/v1/beacon/blocks)",
  },
} as const satisfies Record<string, EndpointFeature>;

/** Options of an EndpointMemory. */
export interface EndpointMemoryOptions {
  logger: Logger;
  /** Unix ms now (default Date.now). */
  now?: () => number;
  /** How long a node stays known as legacy before the modern endpoint is tried again, ms (default 1 h). */
  reprobeAfterMs?: number;
}

/**
 * True for the statuses that say "this node does not serve that route": 404 Not Found, 405 Method Not Allowed,
 * 501 Not Implemented.
 */
export function isNotServed(err: unknown): boolean {
  if (!isApiClientError(err, "API_CLIENT_HTTP")) return false;
  return err.status === 404 || err.status === 405 || err.status === 501;
}

/** Per node and feature: does the node serve the modern endpoint? */
export class EndpointMemory {
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly reprobeAfterMs: number;
  /** `${url}\n${feature}` → unix ms at which the node was found legacy. */
  private readonly legacySince = new Map<string, number>();
  /** Keys already logged (the log line is written once per node and feature). */
  private readonly logged = new Set<string>();

  constructor(opts: EndpointMemoryOptions) {
    this.logger = opts.logger;
    this.now = opts.now ?? Date.now;
    this.reprobeAfterMs = opts.reprobeAfterMs ?? 3_600_000;
  }

  /** True when `node` is known not to serve the modern endpoint of `feature`. */
  isLegacy(node: Pick<NodeHealth, "url">, feature: EndpointFeature): boolean {
    const key = `${node.url}\n${feature.id}`;
    const since = this.legacySince.get(key);
    if (since === undefined) return false;
    if (this.now() - since >= this.reprobeAfterMs) {
      this.legacySince.delete(key);
      return false;
    }
    return true;
  }

  /**
   * Calls `modern` unless `node` is known legacy for `feature`; when the node answers 404/405, calls `legacy` and,
   * if that succeeds, remembers the node as legacy. When both fail with 404/405 the modern endpoint's error is
   * thrown (a 404 may also mean "no such resource", e.g. no aggregate yet: nothing is remembered then).
   */
  async call<T>(
    node: Pick<NodeHealth, "url">,
    feature: EndpointFeature,
    modern: () => Promise<T>,
    legacy: () => Promise<T>,
  ): Promise<T> {
    if (this.isLegacy(node, feature)) return legacy();
    let modernError: unknown;
    try {
      return await modern();
    } catch (err) {
      if (!isNotServed(err)) throw err;
      modernError = err;
    }
    let result: T;
    try {
      result = await legacy();
    } catch (err) {
      throw isNotServed(err) ? modernError : err;
    }
    const key = `${node.url}\n${feature.id}`;
    this.legacySince.set(key, this.now());
    if (!this.logged.has(key)) {
      this.logged.add(key);
      this.logger.info(
        { node: node.url, endpoint: feature.modern },
        `beacon node ${node.url} does not serve ${feature.modern}; using ${feature.legacy}`,
      );
    }
    return result;
  }
}
