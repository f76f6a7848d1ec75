// process_eth1_data (phase0 beacon-chain.md, unchanged through fulu): records the block's eth1 vote and adopts it
// once more than half of the voting period's slots voted for it.
import type { CachedState } from "../../state/cachedState.ts";
import { bytesEqual } from "../../util/bytes.ts";
import type { AnyBeaconBlockBody } from "../blockTypes.ts";

/** An Eth1Data value or view (both expose the three fields). */
interface Eth1DataLike {
  readonly depositRoot: Uint8Array;
  readonly depositCount: number;
  readonly blockHash: Uint8Array;
}

function eth1DataEqual(a: Eth1DataLike, b: Eth1DataLike): boolean {
  return (
    a.depositCount === b.depositCount &&
    bytesEqual(a.blockHash, b.blockHash) &&
    bytesEqual(a.depositRoot, b.depositRoot)
  );
}

/**
 * `process_eth1_data(state, body)`: appends `body.eth1_data` to the votes and sets `state.eth1_data` to it when
 * `count * 2 > EPOCHS_PER_ETH1_VOTING_PERIOD * SLOTS_PER_EPOCH`.
 */
export function processEth1Data(cs: CachedState, body: AnyBeaconBlockBody): void {
  const { state, config } = cs;
  const vote = body.eth1Data;
  const type = config.types.phase0.Eth1Data;
  const votes = state.eth1DataVotes;
  votes.push(type.toViewDU(vote));
  const threshold = config.preset.EPOCHS_PER_ETH1_VOTING_PERIOD * config.preset.SLOTS_PER_EPOCH;
  // The vote already in state.eth1_data changes nothing: skip counting.
  if (eth1DataEqual(state.eth1Data, vote)) return;
  let count = 0;
  for (const existing of votes.getAllReadonly()) {
    if (eth1DataEqual(existing, vote)) count++;
  }
  if (count * 2 > threshold) state.eth1Data = type.toViewDU(vote);
}
