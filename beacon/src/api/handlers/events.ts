// The event stream handler (GET /eth/v1/events?topics=…): a subscription to the chain's event bus for the requested
// topics, ended when the client goes away (the handler context's signal) or falls too far behind.
import type { BeaconRoutes } from "@sextant/api-spec/routes/index";
import type { Handlers } from "@sextant/api-spec/server/server";
import type { ApiContext } from "../context.ts";

/** The eventstream handler. */
export function eventHandlers(ctx: ApiContext): Partial<Handlers<BeaconRoutes>> {
  return {
    eventstream: ({ topics }, hctx) => ctx.chain.events.subscribe(topics, hctx.signal),
  };
}
