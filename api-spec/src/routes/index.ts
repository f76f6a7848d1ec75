// The route tables: every operation of api-spec/openapi/beacon-node.yaml (76 of Beacon API v4.0.0 + 6 deprecated
// predecessors) and of keymanager.yaml (16 of Keymanager API v1.1.0), grouped by tag. Server and client are
// derived from these tables; test/unit/api-spec/routes.test.ts holds them equal to the documents.
import { blockRoutes } from "./beacon/blocks.ts";
import { lightClientRoutes } from "./beacon/lightClient.ts";
import { poolRoutes } from "./beacon/pool.ts";
import { rewardRoutes } from "./beacon/rewards.ts";
import { stateRoutes } from "./beacon/state.ts";
import { configRoutes } from "./config.ts";
import { debugRoutes } from "./debug.ts";
import type { RouteContext } from "./define.ts";
import { eventRoutes } from "./events.ts";
import { keymanagerRoutes } from "./keymanager.ts";
import { nodeRoutes } from "./node.ts";
import { dutyRoutes } from "./validator/duties.ts";
import { productionRoutes } from "./validator/production.ts";
import { submissionRoutes } from "./validator/submission.ts";

/** The Beacon API route table (served by the beacon node, called by the validator client). */
export function beaconRoutes(ctx: RouteContext) {
  return {
    ...stateRoutes(ctx),
    ...blockRoutes(ctx),
    ...poolRoutes(ctx),
    ...rewardRoutes(ctx),
    ...lightClientRoutes(ctx),
    ...debugRoutes(ctx),
    ...nodeRoutes(ctx),
    ...configRoutes(ctx),
    ...dutyRoutes(ctx),
    ...productionRoutes(ctx),
    ...submissionRoutes(ctx),
    ...eventRoutes(ctx),
  };
}

/** The Beacon API route table type. */
export type BeaconRoutes = ReturnType<typeof beaconRoutes>;

/** The Keymanager API route table (served by the validator client). */
export function keymanagerRouteTable(ctx: RouteContext) {
  return keymanagerRoutes(ctx);
}

/** The Keymanager API route table type. */
export type KeymanagerRoutes = ReturnType<typeof keymanagerRoutes>;
