// Block publication handlers: publishBlock (deprecated v1), publishBlockV2 (broadcast_validation) and
// publishBlindedBlockV2. A published block goes through the chain's import (every consensus check; there is no
// network to broadcast to yet, so every broadcast_validation level is met before the block is "broadcast"):
// 200 when imported or already known, 202 when queued for an unknown parent, 400 when invalid.
// consensus_and_equivocation also refuses a second, different block of the same proposer and slot.
import { ApiError } from "@sextant/api-spec/codec/errors";
import type { SignedBlockOrContents } from "@sextant/api-spec/routes/beacon/blocks";
import type { BeaconRoutes } from "@sextant/api-spec/routes/index";
import type { Handlers } from "@sextant/api-spec/server/server";
import type { AnySignedBeaconBlock } from "@sextant/consensus/transition/blockTypes";
import { toHex } from "@sextant/consensus/util/hex";
import type { BeaconChain } from "../../chain/chain.ts";
import type { ApiContext } from "../context.ts";
import { answer } from "../errors.ts";

type H = Handlers<BeaconRoutes>;

/** The signed block of a publish body (a signed block, or deneb+ block contents). */
export function signedBlockOf(body: SignedBlockOrContents): AnySignedBeaconBlock {
  return ("signedBlock" in body ? body.signedBlock : body) as AnySignedBeaconBlock;
}

/** Refuses a block when its proposer already has a different block at the same slot in the fork choice. */
function checkEquivocation(chain: BeaconChain, signed: AnySignedBeaconBlock): void {
  const { slot, proposerIndex } = signed.message;
  const root = toHex(chain.blockRootOf(signed));
  for (const node of chain.forkChoice.protoArray.allNodes()) {
    if (node.slot !== slot || node.blockRoot === root) continue;
    const other = chain.getBlockByRoot(node.blockRoot);
    if (other && other.signed.message.proposerIndex === proposerIndex) {
      throw new ApiError(
        400,
        `equivocation: proposer ${proposerIndex} already has block ${node.blockRoot} at slot ${slot}`,
      );
    }
  }
}

/** Imports a published block; 200 imported/known, 202 queued (unknown parent). */
export async function publishSignedBlock(
  chain: BeaconChain,
  body: SignedBlockOrContents,
  broadcastValidation: string | undefined,
): Promise<{ status: number }> {
  const signed = signedBlockOf(body);
  if (broadcastValidation === "consensus_and_equivocation") checkEquivocation(chain, signed);
  const result = await chain.importBlock(signed, { source: "api" });
  return { status: result.status === "pending" ? 202 : 200 };
}

/** The block publication handlers. */
export function publishHandlers(ctx: ApiContext): Partial<H> {
  const { chain } = ctx;
  return {
    publishBlock: ({ body }) => answer(() => publishSignedBlock(chain, body, undefined)),
    publishBlockV2: ({ body, broadcastValidation }) =>
      answer(() => publishSignedBlock(chain, body, broadcastValidation)),
    publishBlindedBlockV2: () => {
      throw new ApiError(
        400,
        "this node never hands out blinded blocks (no builder is configured): publish the full block with publishBlockV2",
      );
    },
  };
}
