// process_block_header (phase0 beacon-chain.md, unchanged through fulu): checks the block's slot, proposer and
// parent against the state and caches the block's header (with a zero state root, filled by the next process_slot).
import type { CachedState } from "../../state/cachedState.ts";
import { check } from "../../state/errors.ts";
import { bytesEqual } from "../../util/bytes.ts";
import { toHex } from "../../util/hex.ts";
import type { AnyBeaconBlock } from "../blockTypes.ts";

const ZERO_ROOT = new Uint8Array(32);

/**
 * `process_block_header(state, block)`: the block is at the state's slot, newer than the latest header, proposed by
 * the slot's proposer, built on the latest header, and its proposer is not slashed. Writes the new latest header.
 * Throws INVALID_BLOCK naming the failed rule.
 */
export function processBlockHeader(cs: CachedState, block: AnyBeaconBlock): void {
  const { state, config } = cs;
  check(
    block.slot === state.slot,
    "process_block_header: block.slot == state.slot",
    `block slot ${block.slot}, state slot ${state.slot}`,
  );
  const latest = state.latestBlockHeader;
  check(
    block.slot > latest.slot,
    "process_block_header: block.slot > state.latest_block_header.slot",
    `block slot ${block.slot}, latest header slot ${latest.slot}`,
  );
  const proposer = cs.ctx.getBeaconProposer(state.slot);
  check(
    block.proposerIndex === proposer,
    "process_block_header: block.proposer_index == get_beacon_proposer_index(state)",
    `block proposer ${block.proposerIndex}, expected ${proposer}`,
  );
  const parentRoot = latest.hashTreeRoot();
  check(
    bytesEqual(block.parentRoot, parentRoot),
    "process_block_header: block.parent_root == hash_tree_root(state.latest_block_header)",
    `block parent ${toHex(block.parentRoot)}, latest header ${toHex(parentRoot)}`,
  );
  const bodyType = config.types[cs.fork].BeaconBlockBody as { hashTreeRoot(value: unknown): Uint8Array };
  state.latestBlockHeader = config.types.phase0.BeaconBlockHeader.toViewDU({
    slot: block.slot,
    proposerIndex: block.proposerIndex,
    parentRoot: block.parentRoot,
    stateRoot: ZERO_ROOT,
    bodyRoot: bodyType.hashTreeRoot(block.body),
  });
  check(
    !state.validators.getReadonly(block.proposerIndex).slashed,
    "process_block_header: not proposer.slashed",
    `proposer ${block.proposerIndex} is slashed`,
  );
}
