// Unit tests of the fork choice rules (beacon/src/forkChoice): block acceptance, LMD votes, equivocation,
// proposer boost, unrealized pull-up, execution invalidation, pruning, ancestry and dependent roots.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Checkpoint, ForkChoice, type ForkChoiceOpts, isForkChoiceErrorCode, type ProtoBlock } from "./helpers.ts";

const SPE = 4;
const opts: ForkChoiceOpts = {
  slotsPerEpoch: SPE,
  proposerScoreBoost: 40,
  attestationDueMs: 4000,
  effectiveBalanceIncrement: 1_000_000_000,
  pruneThreshold: 0,
};
const root = (n: number): string => `0x${n.toString(16).padStart(64, "0")}`;
const G = root(0);
const balances = { increments: new Array(16).fill(32), totalActiveIncrements: 16 * 32 };

function make(currentSlot = 0): ForkChoice {
  return new ForkChoice(
    opts,
    {
      slot: 0,
      blockRoot: G,
      parentRoot: root(999),
      stateRoot: G,
      executionBlockHash: null,
      executionStatus: "preMerge",
    },
    0,
    currentSlot,
    () => balances,
  );
}
const cp0: Checkpoint = { epoch: 0, root: G };
function block(n: number, parent: number, slot: number, over: Partial<ProtoBlock> = {}): ProtoBlock {
  return {
    slot,
    blockRoot: root(n),
    parentRoot: root(parent),
    stateRoot: root(n),
    justified: cp0,
    finalized: cp0,
    unrealizedJustified: cp0,
    unrealizedFinalized: cp0,
    executionBlockHash: root(n),
    executionStatus: "syncing",
    ...over,
  };
}
const LATE = 10_000;

describe("ForkChoice", () => {
  it("heads the heavier branch, ties to the higher root", () => {
    const fc = make(3);
    fc.onBlock(block(1, 0, 1), LATE);
    fc.onBlock(block(2, 0, 1), LATE);
    assert.equal(fc.getHead().blockRoot, root(2));
    fc.onAttestation({ slot: 1, beaconBlockRoot: root(1), target: cp0 }, [0]);
    assert.equal(fc.getHead().blockRoot, root(1));
    fc.onAttestation({ slot: 2, beaconBlockRoot: root(2), target: cp0 }, [1, 2]);
    assert.equal(fc.getHead().blockRoot, root(2));
    // Same target epoch: validator 1 keeps its first message.
    fc.onAttestation({ slot: 2, beaconBlockRoot: root(1), target: cp0 }, [1, 3]);
    // Block 1: v0 and v3; block 2: v1 and v2: a tie, broken by the higher root.
    assert.equal(fc.getHead().blockRoot, root(2));
    fc.onAttestation({ slot: 2, beaconBlockRoot: root(1), target: cp0 }, [4]);
    assert.equal(fc.getHead().blockRoot, root(1));
  });

  it("removes equivocators' votes for good", () => {
    const fc = make(3);
    fc.onBlock(block(1, 0, 1), LATE);
    fc.onBlock(block(2, 0, 1), LATE);
    fc.onAttestation({ slot: 1, beaconBlockRoot: root(1), target: cp0 }, [0, 1]);
    fc.onAttestation({ slot: 1, beaconBlockRoot: root(2), target: cp0 }, [2]);
    assert.equal(fc.getHead().blockRoot, root(1));
    fc.onAttesterSlashing([0, 1, 5], [1, 0]);
    assert.ok(fc.isEquivocating(0) && !fc.isEquivocating(5));
    assert.equal(fc.getHead().blockRoot, root(2));
    fc.updateTime(SPE + 1);
    fc.onAttestation({ slot: SPE, beaconBlockRoot: root(1), target: { epoch: 1, root: root(1) } }, [0, 1]);
    assert.equal(fc.getHead().blockRoot, root(2));
  });

  it("boosts a timely block for its slot only, by 40% of a committee", () => {
    const fc = make(1);
    fc.onBlock(block(1, 0, 1), LATE);
    fc.updateTime(2);
    fc.onAttestation({ slot: 1, beaconBlockRoot: root(1), target: cp0 }, [0]);
    fc.onBlock(block(2, 0, 2), 100); // timely: boost = 512/4*0.4 = 51.2 increments > 32
    assert.equal(fc.store.proposerBoostRoot, root(2));
    assert.equal(fc.getHead().blockRoot, root(2));
    assert.equal(fc.getBlock(root(2))?.weight, 51.5); // 51 whole increments and a fraction
    fc.onBlock(block(3, 0, 2), 100); // a second timely block of the slot gets no boost
    assert.equal(fc.store.proposerBoostRoot, root(2));
    fc.updateTime(3);
    assert.equal(fc.store.proposerBoostRoot, null);
    assert.equal(fc.getHead().blockRoot, root(1));
    assert.equal(fc.getBlock(root(2))?.weight, 0);
  });

  it("queues attestations until their slot is past", () => {
    const fc = make(1);
    fc.onBlock(block(1, 0, 1), LATE);
    fc.onBlock(block(2, 0, 1), LATE);
    fc.onAttestation({ slot: 1, beaconBlockRoot: root(1), target: cp0 }, [0]);
    assert.equal(fc.getHead().blockRoot, root(2));
    fc.updateTime(2);
    assert.equal(fc.getHead().blockRoot, root(1));
  });

  it("rejects unknown parents, future blocks, bad attestations", () => {
    const fc = make(2);
    const code = (f: () => void): string | undefined => {
      try {
        f();
      } catch (e) {
        return isForkChoiceErrorCode(e);
      }
      return undefined;
    };
    assert.equal(
      code(() => fc.onBlock(block(1, 7, 1), LATE)),
      "UNKNOWN_PARENT",
    );
    assert.equal(
      code(() => fc.onBlock(block(1, 0, 3), LATE)),
      "FUTURE_SLOT",
    );
    fc.onBlock(block(1, 0, 1), LATE);
    assert.equal(
      code(() => fc.onAttestation({ slot: 1, beaconBlockRoot: root(5), target: cp0 }, [0])),
      "UNKNOWN_BLOCK",
    );
    assert.equal(
      code(() => fc.onAttestation({ slot: 0, beaconBlockRoot: root(1), target: cp0 }, [0])),
      "ATTESTATION_FOR_FUTURE_BLOCK",
    );
    assert.equal(
      code(() => fc.onAttestation({ slot: 1, beaconBlockRoot: root(1), target: { epoch: 0, root: root(1) } }, [0])),
      "BAD_ATTESTATION_TARGET",
    );
    assert.equal(
      code(() => fc.onAttestation({ slot: 1, beaconBlockRoot: root(1), target: { epoch: 1, root: G } }, [0])),
      "BAD_ATTESTATION_EPOCH",
    );
  });

  it("pulls up unrealized justification at the epoch boundary and filters non-viable leaves", () => {
    const fc = make(SPE * 3 + 1);
    const j1: Checkpoint = { epoch: 1, root: root(1) };
    // Block 1 (epoch 1) and block 2 (epoch 3) whose pulled-up state justifies epoch 1; block 3 does not.
    fc.onBlock(block(1, 0, SPE), LATE);
    fc.onBlock(block(2, 1, SPE * 3, { unrealizedJustified: j1 }), LATE);
    fc.onBlock(block(3, 1, SPE * 3 + 1), LATE);
    assert.equal(fc.store.justified.epoch, 0);
    assert.equal(fc.store.unrealizedJustified.epoch, 1);
    fc.updateTime(SPE * 4);
    assert.deepEqual(fc.store.justified, j1);
    fc.onAttestation({ slot: SPE * 3 + 1, beaconBlockRoot: root(3), target: { epoch: 3, root: root(1) } }, [0]);
    // At epoch 4, block 3's voting source (its unrealized justification, epoch 0) is neither epoch 1 nor recent.
    fc.updateTime(SPE * 4 + 1);
    fc.onAttestation({ slot: SPE * 3 + 1, beaconBlockRoot: root(3), target: { epoch: 3, root: root(1) } }, [1, 2]);
    assert.equal(fc.getHead().blockRoot, root(2));
  });

  it("invalidates payloads with their descendants and refuses valid ones", () => {
    const fc = make(5);
    fc.onBlock(block(1, 0, 1), LATE);
    fc.onBlock(block(2, 1, 2), LATE);
    fc.onBlock(block(3, 2, 3), LATE);
    fc.onBlock(block(4, 0, 1), LATE);
    fc.onAttestation({ slot: 3, beaconBlockRoot: root(3), target: cp0 }, [0, 1]);
    fc.onAttestation({ slot: 1, beaconBlockRoot: root(4), target: cp0 }, [2]);
    assert.equal(fc.getHead().blockRoot, root(3));
    fc.onExecutionValid(root(1));
    assert.throws(() => fc.onExecutionInvalid(root(1), null), /already valid/);
    assert.deepEqual(fc.onExecutionInvalid(root(3), root(1)), [root(2), root(3)]);
    assert.equal(fc.getHead().blockRoot, root(4));
    assert.equal(fc.getBlock(root(1))?.weight, 0);
    assert.throws(() => fc.onBlock(block(5, 3, 4), LATE), /invalid execution payload/);
  });

  it("prunes before the finalized block and keeps answering ancestry and dependent roots", () => {
    const fc = make(SPE * 4);
    const f: Checkpoint = { epoch: 2, root: root(2) };
    fc.onBlock(block(1, 0, 3), LATE);
    fc.onBlock(block(9, 0, 2), LATE); // a fork that left before the finalized block
    fc.onBlock(block(2, 1, SPE * 2), LATE);
    fc.onBlock(
      block(3, 2, SPE * 3 + 1, { justified: f, finalized: f, unrealizedJustified: f, unrealizedFinalized: f }),
      LATE,
    );
    assert.equal(fc.getDependentRoot(root(3), 3), root(2)); // last slot of epoch 2 → block at slot 8
    assert.equal(fc.getDependentRoot(root(3), 2), root(1)); // slot 7 → block at slot 3
    assert.equal(fc.getDependentRoot(root(3), 0), G);
    assert.ok(fc.isDescendant(root(1), root(3)) && !fc.isDescendant(root(9), root(3)));
    assert.equal(fc.getHead().blockRoot, root(3));
    const removed = fc.prune().map((b) => b.blockRoot);
    assert.deepEqual(removed, [G, root(1), root(9)]);
    assert.equal(fc.hasBlock(root(1)), false);
    assert.equal(fc.getAncestorRoot(root(3), SPE * 2), root(2));
    assert.equal(fc.getDependentRoot(root(3), 2), undefined);
    assert.equal(fc.getHead().blockRoot, root(3));
    assert.equal(fc.getSafeExecutionBlockHash(), root(2));
  });
});
