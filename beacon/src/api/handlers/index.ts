// Every REST handler of the beacon node, merged from the route-group modules (one per file in this folder).
import type { BeaconRoutes } from "@sextant/api-spec/routes/index";
import type { Handlers } from "@sextant/api-spec/server/server";
import type { ApiContext } from "../context.ts";
import { blockHandlers } from "./blocks.ts";
import { configHandlers } from "./config.ts";
import { debugHandlers } from "./debug.ts";
import { eventHandlers } from "./events.ts";
import { lightClientHandlers } from "./lightClient.ts";
import { nodeHandlers } from "./node.ts";
import { poolHandlers } from "./pool.ts";
import { publishHandlers } from "./publish.ts";
import { rewardHandlers } from "./rewards.ts";
import { stateHandlers } from "./state.ts";
import { validatorHandlers } from "./validator.ts";

/** The handler table of the Beacon API for a running chain. */
export function createBeaconHandlers(ctx: ApiContext): Handlers<BeaconRoutes> {
  return {
    ...stateHandlers(ctx),
    ...blockHandlers(ctx),
    ...nodeHandlers(ctx),
    ...configHandlers(ctx),
    ...debugHandlers(ctx),
    ...rewardHandlers(ctx),
    ...lightClientHandlers(ctx),
    ...validatorHandlers(ctx),
    ...poolHandlers(ctx),
    ...publishHandlers(ctx),
    ...eventHandlers(ctx),
  };
}
