// A test chain (test/support/devChain.ts) served over real HTTP with the validator-side handler modules (validator,
// pool, publish, events), plus signing helpers that do what a validator client does with the interop keys.
import { createApiClient } from "@sextant/api-spec/client/client";
import type { RouteContext } from "@sextant/api-spec/routes/define";
import { type BeaconRoutes, beaconRoutes } from "@sextant/api-spec/routes/index";
import { type ApiServer, createApiServer } from "@sextant/api-spec/server/server";
import type { ApiContext } from "@sextant/beacon/api/context";
import { eventHandlers } from "@sextant/beacon/api/handlers/events";
import { poolHandlers } from "@sextant/beacon/api/handlers/pool";
import { publishHandlers } from "@sextant/beacon/api/handlers/publish";
import { validatorHandlers } from "@sextant/beacon/api/handlers/validator";
import { silentLogger } from "@sextant/common";
import { interopSecretKey } from "@sextant/consensus/bls/index";
import type { ForkName } from "@sextant/consensus/params/index";
import { computeSigningRoot } from "@sextant/consensus/signing/domain";
import { DOMAIN_BEACON_ATTESTER, DOMAIN_BEACON_PROPOSER, DOMAIN_RANDAO } from "@sextant/consensus/signing/domainTypes";
import { stateDomain } from "@sextant/consensus/state/accessors";
import type { CachedState } from "@sextant/consensus/state/cachedState";
import { startTestChain, type TestChain } from "../../../../support/devChain.ts";

/** A served test chain. */
export interface ApiChain {
  readonly t: TestChain;
  readonly url: string;
  readonly client: ReturnType<typeof createApiClient<BeaconRoutes>>;
  readonly server: ApiServer;
  close(): Promise<void>;
}

/** Starts a test chain and serves it. */
export async function startApiChain(opts: { validators?: number; fork?: ForkName } = {}): Promise<ApiChain> {
  const t = await startTestChain({ validators: opts.validators ?? 64, fork: opts.fork ?? "fulu" });
  const routeContext: RouteContext = { types: t.config.types, forkAtSlot: (slot) => t.chain.forkAtSlot(slot) };
  const ctx: ApiContext = {
    chain: t.chain,
    routeContext,
    logger: silentLogger(),
    version: "Sextant/test",
    network: "dev",
    depositContract: { chainId: 1, address: new Uint8Array(20) },
  };
  const server = createApiServer<BeaconRoutes>({
    routes: beaconRoutes(routeContext),
    handlers: { ...validatorHandlers(ctx), ...poolHandlers(ctx), ...publishHandlers(ctx), ...eventHandlers(ctx) },
  });
  const url = await server.listen();
  const client = createApiClient(beaconRoutes(routeContext), { baseUrl: url, connections: 32 });
  return {
    t,
    url,
    client,
    server,
    async close() {
      await client.close();
      await server.close();
      await t.close();
    },
  };
}

/** An epoch's 32-byte SSZ root (uint64). */
export function epochRoot(epoch: number): Uint8Array {
  const root = new Uint8Array(32);
  new DataView(root.buffer).setBigUint64(0, BigInt(epoch), true);
  return root;
}

/** The RANDAO reveal of `proposer` for the epoch of `slot`, with the domain of state `cs`. */
export function randaoReveal(cs: CachedState, proposer: number, slot: number): Uint8Array {
  const epoch = Math.floor(slot / cs.config.preset.SLOTS_PER_EPOCH);
  return interopSecretKey(proposer)
    .sign(computeSigningRoot(epochRoot(epoch), stateDomain(cs, DOMAIN_RANDAO, epoch)))
    .toBytes();
}

/** The proposer's signature over a block root. */
export function signBlockRoot(cs: CachedState, proposer: number, slot: number, root: Uint8Array): Uint8Array {
  const epoch = Math.floor(slot / cs.config.preset.SLOTS_PER_EPOCH);
  return interopSecretKey(proposer)
    .sign(computeSigningRoot(root, stateDomain(cs, DOMAIN_BEACON_PROPOSER, epoch)))
    .toBytes();
}

/** A validator's signature over AttestationData (root given). */
export function signAttestationData(
  cs: CachedState,
  validator: number,
  epoch: number,
  dataRoot: Uint8Array,
): Uint8Array {
  return interopSecretKey(validator)
    .sign(computeSigningRoot(dataRoot, stateDomain(cs, DOMAIN_BEACON_ATTESTER, epoch)))
    .toBytes();
}
