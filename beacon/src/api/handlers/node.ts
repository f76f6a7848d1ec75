// REST handlers of the node endpoints (/eth/v1/node/...). The node has no network stack yet: its identity is a
// stable random peer id with no addresses, it has no peers (empty lists, zero counts, 404 for any peer id). Sync
// status and health come from the chain (head lag, chain.isSyncing(), the head's optimistic status).
import { randomBytes } from "node:crypto";
import { ApiError } from "@sextant/api-spec/codec/errors";
import type { BeaconRoutes } from "@sextant/api-spec/routes/index";
import type { Handlers } from "@sextant/api-spec/server/server";
import type { ApiContext } from "../context.ts";

const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/** A libp2p-looking Ed25519 peer id (12D3KooW + base58 of random bytes): random, stable for the process. */
function randomPeerId(): string {
  const bytes = randomBytes(32);
  let n = BigInt(`0x${bytes.toString("hex")}`);
  let out = "";
  while (n > 0n) {
    out = BASE58[Number(n % 58n)] + out;
    n /= 58n;
  }
  return `12D3KooW${out.slice(0, 44)}`;
}

/** Handlers of the node endpoints. */
export function nodeHandlers(ctx: ApiContext): Partial<Handlers<BeaconRoutes>> {
  const { chain } = ctx;
  const peerId = randomPeerId();
  const peerCount = () => ctx.peers?.() ?? { connected: 0, connecting: 0, disconnected: 0, disconnecting: 0 };

  return {
    getNetworkIdentity: () => ({
      data: {
        peerId,
        // No network stack (no ENR, no listening addresses) yet.
        enr: "",
        p2pAddresses: [],
        discoveryAddresses: [],
        metadata: { seqNumber: 0n, attnets: new Uint8Array(8), syncnets: new Uint8Array(1) },
      },
    }),

    getPeers: () => ({ data: { data: [], meta: { count: 0 } } }),

    getPeer: ({ peerId: asked }) => {
      throw new ApiError(404, `peer ${asked} not known: this node has no network stack and no peers`);
    },

    getPeerCount: () => ({ data: peerCount() }),

    getNodeVersion: () => ({ data: { version: ctx.version } }),

    getSyncingStatus: () => {
      const head = chain.head();
      return {
        data: {
          headSlot: head.slot,
          syncDistance: chain.headLag(),
          isSyncing: chain.isSyncing(),
          isOptimistic: head.executionOptimistic,
          elOffline: false,
        },
      };
    },

    getHealth: ({ syncingStatus }) => {
      if (chain.isClosed) return { status: 503 };
      if (chain.isSyncing()) return { status: syncingStatus ?? 206 };
      return { status: 200 };
    },
  };
}
