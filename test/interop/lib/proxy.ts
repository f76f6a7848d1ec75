// A counting reverse proxy (node:http, loopback only) between the validator client and one beacon node. It logs
// every request (time, method, path, status or error), streams bodies both ways (the SSE event stream works),
// optionally rewrites GET /eth/v1/node/syncing, and when its node is down it drops the client's connection (as a
// dead node would: a network error, not an HTTP status), so requests to a dead node can be counted.
import { appendFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { Socket } from "node:net";

/** One request seen by the proxy. */
export interface ProxyEntry {
  /** Wall-clock ms when the request arrived. */
  t: number;
  method: string;
  /** Path without the query string. */
  path: string;
  /** The path with ids replaced: `/eth/v1/validator/duties/attester/{n}`. */
  key: string;
  status?: number;
  /** The upstream error (ECONNREFUSED when the node is down). */
  error?: string;
  /** The syncing answer was rewritten to is_syncing: true. */
  rewritten?: boolean;
}

export interface ProxyOptions {
  name: string;
  /** Upstream beacon node, e.g. http://127.0.0.1:9596 (loopback only). */
  target: string;
  /** JSON-lines log of every request. */
  logFile: string;
  /** While it returns true, GET /eth/v1/node/syncing answers is_syncing: true, sync_distance: 1234. */
  reportSyncing?: () => boolean;
}

/** A running proxy. */
export interface CountingProxy {
  readonly name: string;
  readonly url: string;
  readonly entries: ProxyEntry[];
  /** TCP connections accepted, with their time. */
  readonly connections: number[];
  close(): Promise<void>;
}

/** Replaces ids in a path: 0x-hex (roots, pubkeys) → {hex}, decimal numbers (slots, epochs) → {n}. */
export function pathKey(path: string): string {
  return path.replace(/\/0x[0-9a-fA-F]+/g, "/{hex}").replace(/\/\d+(?=\/|$)/g, "/{n}");
}

/** Starts a proxy on a free 127.0.0.1 port. */
export async function startProxy(opts: ProxyOptions): Promise<CountingProxy> {
  const target = new URL(opts.target);
  if (!["127.0.0.1", "localhost"].includes(target.hostname))
    throw new Error(`proxy target must be loopback: ${target}`);
  const entries: ProxyEntry[] = [];
  const connections: number[] = [];
  const sockets = new Set<Socket>();
  const record = (e: ProxyEntry): void => {
    entries.push(e);
    appendFileSync(opts.logFile, `${JSON.stringify(e)}\n`);
  };

  const server: Server = createServer((req, res) => {
    const t = Date.now();
    const u = new URL(req.url ?? "/", "http://proxy");
    const entry: ProxyEntry = { t, method: req.method ?? "GET", path: u.pathname, key: pathKey(u.pathname) };
    const rewrite = req.method === "GET" && u.pathname === "/eth/v1/node/syncing" && (opts.reportSyncing?.() ?? false);
    const up = request(
      {
        host: target.hostname,
        port: target.port,
        path: req.url,
        method: req.method,
        headers: { ...req.headers, host: target.host },
      },
      (ur) => {
        entry.status = ur.statusCode;
        if (rewrite && ur.statusCode === 200) {
          let body = "";
          ur.setEncoding("utf8");
          ur.on("data", (c: string) => {
            body += c;
          });
          ur.on("end", () => {
            let out: string;
            try {
              const j = JSON.parse(body) as { data: Record<string, unknown> };
              j.data.is_syncing = true;
              j.data.sync_distance = "1234";
              out = JSON.stringify(j);
            } catch {
              out = body;
            }
            entry.rewritten = true;
            record(entry);
            res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(out) });
            res.end(out);
          });
          return;
        }
        // Logged when the headers arrive, so the long-lived event stream is logged too.
        record(entry);
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        ur.pipe(res);
        ur.on("error", () => res.destroy());
      },
    );
    up.on("error", (err: NodeJS.ErrnoException) => {
      entry.error = err.code ?? err.message;
      if (entry.status === undefined) record(entry);
      // A dead node refuses connections: the client sees a network error, not an HTTP status.
      if (!res.headersSent) req.socket.destroy();
      else res.destroy();
    });
    req.pipe(up);
    res.on("close", () => up.destroy());
  });
  server.on("connection", (s: Socket) => {
    connections.push(Date.now());
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr !== null ? addr.port : 0;
  return {
    name: opts.name,
    url: `http://127.0.0.1:${port}`,
    entries,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Counts of `METHOD key` among entries, sorted by key. */
export function countByKey(entries: readonly ProxyEntry[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const e of entries) {
    const k = `${e.method} ${e.key}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => a[0].localeCompare(b[0]));
}
