// The beacon node's Prometheus endpoint: GET /metrics renders the registry in the Prometheus text format, anything
// else is a 404. Binds 127.0.0.1 unless told otherwise, and logs a warning when bound beyond loopback (metrics reveal
// the node's state and load to whoever can reach them). Separate from the REST API server so a flood of API requests
// cannot hide the node's metrics, and so the two can be exposed differently.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { isIP } from "node:net";
import { type Logger, SextantError } from "@sextant/common";
import type { Registry } from "prom-client";

/** Default metrics address: loopback only. */
export const DEFAULT_METRICS_ADDRESS = "127.0.0.1";
/** Default metrics port (the beacon-metrics convention). */
export const DEFAULT_METRICS_PORT = 8008;

/** startMetricsServer options. */
export interface MetricsServerOptions {
  /** TCP port; 0 picks a free one (tests). */
  port: number;
  /** Address to bind; default 127.0.0.1. */
  address?: string;
  registry: Registry;
  logger?: Logger;
}

/** A running metrics server. */
export interface MetricsServer {
  /** The metrics URL, with the port actually bound (http://127.0.0.1:8008/metrics). */
  url: string;
  /** Port actually bound. */
  port: number;
  /** Stops listening and drops open connections; resolves when the port is free. */
  close(): Promise<void>;
}

/** Error codes of this module. */
export type MetricsServerErrorCode = "METRICS_LISTEN_FAILED" | "METRICS_BAD_OPTIONS";

/** True when `address` only accepts local connections (127.0.0.0/8, ::1, localhost, IPv4-mapped loopback). */
export function isLoopbackAddress(address: string): boolean {
  const a = address
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, "");
  if (a === "localhost" || a === "::1" || a === "0:0:0:0:0:0:0:1") return true;
  const v4 = a.startsWith("::ffff:") ? a.slice(7) : a;
  return isIP(v4) === 4 && v4.startsWith("127.");
}

/** Starts serving `registry` on GET /metrics; rejects with METRICS_LISTEN_FAILED when the address can't be bound. */
export async function startMetricsServer(opts: MetricsServerOptions): Promise<MetricsServer> {
  const address = opts.address ?? DEFAULT_METRICS_ADDRESS;
  if (!(Number.isInteger(opts.port) && opts.port >= 0 && opts.port <= 65535)) {
    throw new SextantError<MetricsServerErrorCode>(
      "METRICS_BAD_OPTIONS",
      `metrics port must be an integer in 0..65535, got ${opts.port}`,
      { port: opts.port },
    );
  }
  const { registry, logger } = opts;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "").split("?")[0];
    if (req.method !== "GET" || path !== "/metrics") {
      res
        .writeHead(404, { "content-type": "text/plain; charset=utf-8" })
        .end("not found: the metrics are at GET /metrics\n");
      return;
    }
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { "content-type": registry.contentType }).end(text);
      },
      (err: unknown) => {
        logger?.error({ err }, "rendering metrics failed");
        res
          .writeHead(500, { "content-type": "text/plain; charset=utf-8" })
          .end(`rendering metrics failed: ${err instanceof Error ? err.message : String(err)}\n`);
      },
    );
  });
  // A scrape is small and quick; don't let idle or slow clients hold sockets.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => {
      reject(
        new SextantError<MetricsServerErrorCode>(
          "METRICS_LISTEN_FAILED",
          `metrics server could not listen on ${address}:${opts.port}: ${err.message}`,
          { address, port: opts.port },
          { cause: err },
        ),
      );
    };
    server.once("error", onError);
    server.listen(opts.port, address, () => {
      server.off("error", onError);
      resolve();
    });
  });
  server.on("error", (err) => logger?.error({ err }, "metrics server error"));

  const bound = server.address();
  const port = typeof bound === "object" && bound !== null ? bound.port : opts.port;
  const host = isIP(address) === 6 ? `[${address}]` : address;
  const url = `http://${host}:${port}/metrics`;
  if (!isLoopbackAddress(address)) {
    logger?.warn(
      { address, port },
      "metrics server is reachable beyond loopback: anyone who can connect can read the node's state and load",
    );
  }
  logger?.info({ url }, "metrics server listening");

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
