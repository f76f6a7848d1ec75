// REST handlers of the light-client endpoints. The bootstrap is built from a block and its post-state (altair
// light-client sync-protocol.md create_light_client_bootstrap: the block's light-client header — with the execution
// payload header and its branch from capella on — the state's current sync committee and its Merkle branch). The
// node does not collect light-client updates yet (no sync-aggregate tracking of best updates per period): the
// updates-by-range list is empty and the finality / optimistic updates answer 404.
import type { Node } from "@chainsafe/persistent-merkle-tree";
import { ApiError } from "@sextant/api-spec/codec/errors";
import type { BeaconRoutes } from "@sextant/api-spec/routes/index";
import type { Handlers } from "@sextant/api-spec/server/server";
import {
  CURRENT_SYNC_COMMITTEE_GINDEX,
  CURRENT_SYNC_COMMITTEE_GINDEX_ELECTRA,
  EXECUTION_PAYLOAD_GINDEX,
} from "@sextant/consensus/params/constants";
import { type ForkName, isForkAtLeast } from "@sextant/consensus/params/index";
import type { BeaconConfig } from "@sextant/consensus/state/types";
import type { AnySignedBeaconBlock } from "@sextant/consensus/transition/blockTypes";
import { toHex } from "@sextant/consensus/util/hex";
import type { ApiContext } from "../context.ts";
import { answer } from "../errors.ts";
import { type ContainerLike, executionPayloadHeaderOf, signedHeaderOf } from "./blocks.ts";

/** The Merkle branch of generalized index `gindex` in the tree under `root` (leaf-level sibling first). */
export function merkleBranch(root: Node, gindex: number): Uint8Array[] {
  const depth = Math.floor(Math.log2(gindex));
  const siblings: Uint8Array[] = [];
  let node = root;
  for (let bit = depth - 1; bit >= 0; bit--) {
    if (node.isLeaf()) throw new Error(`internal: generalized index ${gindex} goes below a leaf`);
    if ((gindex >> bit) & 1) {
      siblings.push(node.left.root);
      node = node.right;
    } else {
      siblings.push(node.right.root);
      node = node.left;
    }
  }
  return siblings.reverse();
}

interface ViewType {
  toView(value: unknown): { node: Node };
}

/** block_to_light_client_header: the block's header, plus (capella on) its payload header and that header's branch. */
export function lightClientHeaderOf(config: BeaconConfig, fork: ForkName, signed: AnySignedBeaconBlock): unknown {
  const beacon = signedHeaderOf(config, fork, signed).message;
  if (!isForkAtLeast(fork, "capella")) return { beacon };
  const ns = config.types[fork] as unknown as Record<string, ContainerLike & ViewType>;
  const headerType = ns.LightClientHeader.fields.execution as ContainerLike;
  const payloadType = ns.BeaconBlockBody.fields.executionPayload as ContainerLike;
  const body = signed.message.body as unknown as { executionPayload: Record<string, unknown> };
  const execution = executionPayloadHeaderOf(headerType, payloadType, body.executionPayload);
  const bodyView = ns.BeaconBlockBody.toView(signed.message.body);
  return { beacon, execution, executionBranch: merkleBranch(bodyView.node, EXECUTION_PAYLOAD_GINDEX) };
}

/** Handlers of the light-client endpoints. */
export function lightClientHandlers(ctx: ApiContext): Partial<Handlers<BeaconRoutes>> {
  const { chain } = ctx;
  return {
    getLightClientBootstrap: ({ blockRoot }) =>
      answer(() => {
        const root = toHex(blockRoot);
        const found = chain.getBlockByRoot(root);
        if (found === undefined) throw new ApiError(404, `block ${root} not found`);
        const fork = found.stored.fork;
        if (!isForkAtLeast(fork, "altair")) {
          throw new ApiError(400, `block ${root} is of fork ${fork}: light-client data exists from altair on`);
        }
        if (!chain.forkChoice.hasBlock(root)) {
          throw new ApiError(
            404,
            `the state of block ${root} is not available: bootstraps are served for blocks from the finalized ` +
              "checkpoint on",
          );
        }
        const cs = chain.getBlockState(root);
        if (cs.state.slot !== found.signed.message.slot) {
          throw new ApiError(404, `block ${root}'s post-state is held only advanced past the block`);
        }
        cs.state.hashTreeRoot();
        const state = cs.state as unknown as { node: Node; currentSyncCommittee: { toValue(): unknown } };
        const gindex = isForkAtLeast(cs.fork, "electra")
          ? CURRENT_SYNC_COMMITTEE_GINDEX_ELECTRA
          : CURRENT_SYNC_COMMITTEE_GINDEX;
        return {
          data: {
            header: lightClientHeaderOf(chain.config, fork, found.signed),
            currentSyncCommittee: state.currentSyncCommittee.toValue(),
            currentSyncCommitteeBranch: merkleBranch(state.node, gindex),
          } as never,
          meta: { version: fork },
        };
      }),

    // No light-client updates are collected yet: an empty list (a node may return fewer updates than asked).
    getLightClientUpdatesByRange: () => ({ data: [] }),

    getLightClientFinalityUpdate: () => {
      throw new ApiError(
        404,
        "no light-client finality update known: this node does not produce light-client updates yet",
      );
    },

    getLightClientOptimisticUpdate: () => {
      throw new ApiError(
        404,
        "no light-client optimistic update known: this node does not produce light-client updates yet",
      );
    },
  };
}
