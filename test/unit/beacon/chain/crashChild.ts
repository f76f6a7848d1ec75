// Child process of crash.test.ts: opens (or resumes) a test chain in the directory it is given and imports a block
// per slot, attesting with every committee, printing `imported <slot> <root>` after each import resolved (the block
// and its state snapshot are committed by then). It runs until it is killed.
import { attestAt, proposeAt, startTestChain } from "../../../support/devChain.ts";

const dir = process.argv[2];
if (dir === undefined) throw new Error("usage: crashChild.ts DIR");
const t = await startTestChain({ fork: "capella", dir });
t.chain.updateHead();
const start = t.chain.head().slot;
console.log(`resumed ${start} ${t.chain.head().root} finalized ${t.chain.forkChoice.store.finalized.epoch}`);
// The attestation pool died with the previous process: the head slot's committees attest again, so every slot's
// votes reach a block and finalization keeps moving across the kills.
if (start > 0) {
  t.setTime(start, 2100);
  attestAt(t, start);
}
for (let slot = start + 1; ; slot++) {
  const signed = await proposeAt(t, slot);
  t.setTime(slot, 2100);
  attestAt(t, slot);
  t.chain.onSlot(slot + 1);
  console.log(`imported ${slot} ${signed.message.slot}`);
}
