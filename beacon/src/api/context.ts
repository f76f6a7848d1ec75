// What every REST handler of the beacon node receives: the chain, the route context (SSZ types of the preset),
// the node's identity and the options handlers read. Handlers live in api/handlers/, one module per route group,
// each a function of this context returning its part of the handler table.

import type { RouteContext } from "@sextant/api-spec/routes/define";
import type { Logger } from "@sextant/common";
import type { BeaconChain } from "../chain/chain.ts";

/** The context of the REST handlers. */
export interface ApiContext {
  readonly chain: BeaconChain;
  readonly routeContext: RouteContext;
  readonly logger: Logger;
  /** `Sextant/v0.1.0/linux-x64` (GET /eth/v1/node/version). */
  readonly version: string;
  /** The network's name (dev, mainnet, …). */
  readonly network: string;
  /** The deposit contract (GET /eth/v1/config/deposit_contract). */
  readonly depositContract: { chainId: number; address: Uint8Array };
  /** Peer count reporters (the node has no network stack yet: zeros). */
  readonly peers?: () => { connected: number; connecting: number; disconnected: number; disconnecting: number };
}
