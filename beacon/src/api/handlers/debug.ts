// REST handlers of the debug endpoints: full states (JSON and SSZ), the fork choice's heads and its node dump, and
// data column sidecars (none are stored yet: an empty list for a known fulu block).
import { ApiError } from "@sextant/api-spec/codec/errors";
import type { BeaconRoutes } from "@sextant/api-spec/routes/index";
import type { Handlers } from "@sextant/api-spec/server/server";
import { isForkAtLeast } from "@sextant/consensus/params/index";
import { fromHex } from "@sextant/consensus/util/hex";
import type { ExecutionStatus } from "../../forkChoice/index.ts";
import type { ApiContext } from "../context.ts";
import { answer } from "../errors.ts";
import { resolveBlockId, resolveStateId } from "../stateId.ts";

const ZERO_ROOT = new Uint8Array(32);

/** The API's validity of a fork-choice node. */
function validityOf(status: ExecutionStatus): "valid" | "invalid" | "optimistic" {
  if (status === "syncing") return "optimistic";
  return status === "invalid" ? "invalid" : "valid";
}

/** Handlers of the debug endpoints. */
export function debugHandlers(ctx: ApiContext): Partial<Handlers<BeaconRoutes>> {
  const { chain } = ctx;
  return {
    getStateV2: ({ stateId }) =>
      answer(() => {
        const r = resolveStateId(chain, stateId);
        return {
          data: r.state.state.toValue() as never,
          meta: { version: r.state.fork, executionOptimistic: r.executionOptimistic, finalized: r.finalized },
        };
      }),

    getDebugChainHeadsV2: () => {
      const nodes = chain.forkChoice.protoArray.allNodes();
      const parents = new Set<number>();
      for (const node of nodes) if (node.parent !== undefined) parents.add(node.parent);
      const data = [];
      for (let i = 0; i < nodes.length; i++) {
        if (parents.has(i)) continue;
        const node = nodes[i];
        data.push({
          root: fromHex(node.blockRoot),
          slot: node.slot,
          executionOptimistic: node.executionStatus === "syncing",
        });
      }
      return { data };
    },

    getDebugForkChoice: () => {
      const store = chain.forkChoice.store;
      const increment = chain.config.preset.EFFECTIVE_BALANCE_INCREMENT;
      return {
        data: {
          justifiedCheckpoint: { epoch: store.justified.epoch, root: fromHex(store.justified.root) },
          finalizedCheckpoint: { epoch: store.finalized.epoch, root: fromHex(store.finalized.root) },
          forkChoiceNodes: chain.forkChoice.protoArray.allNodes().map((node) => ({
            slot: node.slot,
            blockRoot: fromHex(node.blockRoot),
            parentRoot: fromHex(node.parentRoot),
            justifiedEpoch: node.justified.epoch,
            finalizedEpoch: node.finalized.epoch,
            // Weights are kept in effective-balance increments: Gwei for the API.
            weight: Math.floor(node.weight * increment),
            validity: validityOf(node.executionStatus),
            executionBlockHash: node.executionBlockHash === null ? ZERO_ROOT : fromHex(node.executionBlockHash),
            extraData: {
              state_root: node.stateRoot,
              unrealized_justified_epoch: String(node.unrealizedJustified.epoch),
              unrealized_finalized_epoch: String(node.unrealizedFinalized.epoch),
            },
          })),
          extraData: { proposer_boost_root: store.proposerBoostRoot ?? "0x".padEnd(66, "0") },
        },
      };
    },

    getDebugDataColumnSidecars: ({ blockId }) =>
      answer(() => {
        const b = resolveBlockId(chain, blockId);
        if (!isForkAtLeast(b.fork, "fulu")) {
          throw new ApiError(400, `block ${b.root} is of fork ${b.fork}: data column sidecars exist from fulu on`);
        }
        // No data column sidecars are stored by this node yet.
        return {
          data: [],
          meta: { version: b.fork, executionOptimistic: b.executionOptimistic, finalized: b.finalized },
        };
      }),
  };
}
