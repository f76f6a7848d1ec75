// Child process of the database crash test: opens the database in argv[2], resumes from what is stored, and writes
// slots in batches (blocks, orphans, snapshots, anchor + finalize) as fast as it can until killed. Prints "ready"
// once open and "committed <slot>" after each batch has committed.
import { BeaconDb } from "../../../../beacon/src/db/beaconDb.ts";
import {
  CRASH_NETWORK,
  canonicalBlock,
  FINALIZE_EVERY,
  MAX_SLOT,
  orphanBlock,
  SNAPSHOT_EVERY,
  snapshotState,
} from "./crashChain.ts";
import { sha256 } from "./fixtures.ts";

const dir = process.argv[2];
const seed = Number(process.argv[3] ?? "1");
if (!dir) throw new Error("usage: crashWriter.ts <dir> [seed]");

const db = BeaconDb.open(dir, {
  network: CRASH_NETWORK,
  genesisValidatorsRoot: sha256(Buffer.from("crash gvr")),
  snapshotIntervalSlots: SNAPSHOT_EVERY,
});

// Resume: the stored canonical chain is a prefix (batches write slots in order), so walk it from the anchor.
let tip = -1;
const anchor = db.getAnchor();
if (anchor !== undefined) {
  tip = db.getBlock(anchor.blockRoot)?.slot ?? -1;
  if (tip < 0) throw new Error("anchor block missing");
}
while (db.hasBlock(canonicalBlock(tip + 1).root)) tip++;

process.stdout.write(`ready ${tip}\n`);

let x = seed >>> 0 || 1;
function nextInt(n: number): number {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return (x >>> 0) % n;
}

if (tip < 0) {
  // Genesis: block 0, state 0 and the anchor, in one transaction.
  const block = canonicalBlock(0);
  const state = snapshotState(0);
  await db.batch((tx) => {
    tx.putBlock(block.root, block.fork, block.bytes);
    tx.putState(state.root, state.fork, state.bytes);
    tx.setAnchor({ epoch: 0, blockRoot: block.root, stateRoot: state.root });
  });
  tip = 0;
  process.stdout.write("committed 0\n");
}

while (tip < MAX_SLOT) {
  const count = 1 + nextInt(3);
  const from = tip + 1;
  const to = Math.min(MAX_SLOT, tip + count);
  await db.batch((tx) => {
    for (let s = from; s <= to; s++) {
      const block = canonicalBlock(s);
      tx.putBlock(block.root, block.fork, block.bytes);
      if (s % 5 === 0) {
        const orphan = orphanBlock(s);
        tx.putBlock(orphan.root, orphan.fork, orphan.bytes);
      }
      if (s % SNAPSHOT_EVERY === 0) {
        const state = snapshotState(s);
        tx.putState(state.root, state.fork, state.bytes);
      }
      if (s % FINALIZE_EVERY === 0 && s >= 2 * FINALIZE_EVERY) {
        const finalized = s - FINALIZE_EVERY;
        const state = snapshotState(finalized);
        const keep = [];
        for (let k = (db.finalizedBlocks.latestSlot() ?? -1) + 1; k <= finalized; k++)
          keep.push(canonicalBlock(k).root);
        tx.setAnchor({
          epoch: finalized / FINALIZE_EVERY,
          blockRoot: canonicalBlock(finalized).root,
          stateRoot: state.root,
        });
        tx.finalize(finalized, keep);
      }
    }
  });
  tip = to;
  process.stdout.write(`committed ${tip}\n`);
}
process.stdout.write("done\n");
await db.close();
