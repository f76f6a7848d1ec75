// Test support of the beacon-node pool: a fake beacon node on a real loopback HTTP server (port 0) with switches
// (down, 500, 503, slow, syncing, optimistic…) and request counters per path, and a chain config written as a
// node's GET /eth/v1/config/spec would give it.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ChainConfig } from "../../../../consensus/src/params/config/chainConfig.ts";
import { TARGET_AGGREGATORS_PER_COMMITTEE } from "../../../../consensus/src/params/constants.ts";
import type { Preset } from "../../../../consensus/src/params/presets/preset.ts";
import { DOMAIN_TYPES } from "../../../../consensus/src/signing/domainTypes.ts";
import { toHex } from "../../../../consensus/src/util/hex.ts";

const FAR_FUTURE = (2n ** 64n - 1n).toString();

/** One value as the Beacon API writes it in the spec: decimal strings, 0x hex, 2**64-1 for Infinity. */
function specValue(value: unknown): unknown {
  if (typeof value === "number") return value === Infinity ? FAR_FUTURE : String(value);
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return toHex(value);
  if (Array.isArray(value)) return value.map((v) => specValue(v));
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, specValue(v)]));
  return value;
}

/**
 * The spec a node of `config` + `preset` serves: config keys, preset keys, a few constants, the signing domains.
 * `withBlobSchedule: false` leaves BLOB_SCHEDULE out (the api-spec client reads the spec as string values only).
 */
export function specOf(
  config: ChainConfig,
  preset: Preset,
  opts: { withBlobSchedule?: boolean } = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    if (k === "BLOB_SCHEDULE" && opts.withBlobSchedule === false) continue;
    out[k] = specValue(v);
  }
  for (const [k, v] of Object.entries(preset)) out[k] = specValue(v);
  out.TARGET_AGGREGATORS_PER_COMMITTEE = String(TARGET_AGGREGATORS_PER_COMMITTEE);
  for (const [k, v] of Object.entries(DOMAIN_TYPES)) out[k] = toHex(v);
  return out;
}

/** How the fake node answers. */
export type FakeNodeMode =
  /** Answers normally. */
  | "up"
  /** Accepts the connection and destroys it: a network error (counted, unlike a closed port). */
  | "down"
  /** 500 on everything. */
  | "500"
  /** 503 on everything. */
  | "503"
  /** Answers after `slowMs` (real time). */
  | "slow";

/** A fake beacon node: switches are plain fields, changed by the test at any time. */
export interface FakeNode {
  readonly url: string;
  mode: FakeNodeMode;
  slowMs: number;
  headSlot: number;
  syncDistance: number;
  isSyncing: boolean;
  isOptimistic: boolean;
  elOffline: boolean;
  version: string;
  spec: Record<string, unknown>;
  /** Status of the sample data route GET /eth/v1/node/peer_count (200: answers `connected: peerCount`). */
  peerCountStatus: number;
  peerCount: number;
  /** Requests received, by path (without query). */
  readonly counts: Map<string, number>;
  count(path: string): number;
  total(): number;
  close(): Promise<void>;
}

export const SYNCING = "/eth/v1/node/syncing";
export const SPEC = "/eth/v1/config/spec";
export const VERSION = "/eth/v1/node/version";
export const PEER_COUNT = "/eth/v1/node/peer_count";

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

/** Starts a fake node on 127.0.0.1, port 0. */
export async function startFakeNode(init: Partial<Omit<FakeNode, "url" | "counts">> = {}): Promise<FakeNode> {
  const counts = new Map<string, number>();
  const node: Omit<FakeNode, "url"> & { url: string } = {
    url: "",
    mode: "up",
    slowMs: 200,
    headSlot: 1000,
    syncDistance: 0,
    isSyncing: false,
    isOptimistic: false,
    elOffline: false,
    version: "Fake/v1.0.0",
    spec: {},
    peerCountStatus: 200,
    peerCount: 0,
    ...init,
    counts,
    count: (path) => counts.get(path) ?? 0,
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    close: async () => {},
  };
  const answer = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "").split("?")[0];
    switch (node.mode) {
      case "down":
        req.socket.destroy();
        return;
      case "500":
        json(res, 500, { code: 500, message: "internal error" });
        return;
      case "503":
        json(res, 503, { code: 503, message: "not ready" });
        return;
      default:
    }
    switch (path) {
      case SYNCING:
        json(res, 200, {
          data: {
            head_slot: String(node.headSlot),
            sync_distance: String(node.syncDistance),
            is_syncing: node.isSyncing,
            is_optimistic: node.isOptimistic,
            el_offline: node.elOffline,
          },
        });
        return;
      case SPEC:
        json(res, 200, { data: node.spec });
        return;
      case VERSION:
        json(res, 200, { data: { version: node.version } });
        return;
      case PEER_COUNT:
        if (node.peerCountStatus !== 200) {
          json(res, node.peerCountStatus, { code: node.peerCountStatus, message: "no such thing" });
          return;
        }
        json(res, 200, {
          data: { disconnected: "0", connecting: "0", connected: String(node.peerCount), disconnecting: "0" },
        });
        return;
      default:
        json(res, 404, { code: 404, message: `no route ${path}` });
    }
  };
  const server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0];
    counts.set(path, (counts.get(path) ?? 0) + 1);
    req.resume();
    req.on("end", () => {
      if (node.mode === "slow") setTimeout(() => answer(req, res), node.slowMs);
      else answer(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  node.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  node.close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return node;
}

/** A loopback URL nothing listens on (connection refused): a port that was just free. */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}
