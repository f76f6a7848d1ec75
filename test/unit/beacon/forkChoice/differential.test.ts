// Differential test of beacon/src/forkChoice against the spec-literal model (test/support/forkChoiceModel.ts):
// seeded random block trees with random checkpoints (realized and unrealized), votes, equivocations, proposer
// boosts, time, execution invalidation and pruning; both must accept/reject the same inputs and agree on the
// head after every step.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ForkChoice, type ForkChoiceOpts, type JustifiedBalances } from "@sextant/beacon/forkChoice/index";
import { ForkChoiceModel, type ModelBlock, type ModelCheckpoint } from "../../../support/forkChoiceModel.ts";
import { Rng } from "../../../support/random.ts";

const SCENARIOS = Number(process.env.FC_SCENARIOS ?? 500);
const STEPS = 70;

function hex(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes).toString("hex")}`;
}

function runScenario(seed: number): { heads: number; blocks: number; rejected: number; pruned: number } {
  const rng = new Rng(seed);
  const spe = 2 + rng.int(4);
  const opts: ForkChoiceOpts = {
    slotsPerEpoch: spe,
    proposerScoreBoost: 40,
    attestationDueMs: 4000,
    effectiveBalanceIncrement: 1_000_000_000,
    pruneThreshold: rng.int(4),
  };
  const validators = 8 + rng.int(40);
  const balRng = new Rng(seed * 7 + 1);
  const memo = new Map<string, JustifiedBalances>();
  const balancesOf = (cp: ModelCheckpoint): JustifiedBalances => {
    const key = `${cp.epoch}:${cp.root}`;
    let b = memo.get(key);
    if (b === undefined) {
      const increments: number[] = [];
      let total = 0;
      for (let i = 0; i < validators; i++) {
        const v = balRng.int(7) === 0 ? 0 : 1 + balRng.int(32);
        increments.push(v);
        total += v;
      }
      if (balRng.int(3) === 0) total += balRng.int(64);
      b = { increments, totalActiveIncrements: total };
      memo.set(key, b);
    }
    return b;
  };
  const genesisRoot = hex(rng.bytes(32));
  const impl = new ForkChoice(
    opts,
    {
      slot: 0,
      blockRoot: genesisRoot,
      parentRoot: hex(new Uint8Array(32)),
      stateRoot: hex(rng.bytes(32)),
      executionBlockHash: null,
      executionStatus: "preMerge",
    },
    0,
    0,
    balancesOf,
  );
  const genesis: ModelBlock = {
    slot: 0,
    root: genesisRoot,
    parentRoot: hex(new Uint8Array(32)),
    justified: { epoch: 0, root: genesisRoot },
    finalized: { epoch: 0, root: genesisRoot },
    unrealizedJustified: { epoch: 0, root: genesisRoot },
    unrealizedFinalized: { epoch: 0, root: genesisRoot },
    status: "preMerge",
  };
  const model = new ForkChoiceModel(opts, genesis, 0, balancesOf);
  const added: string[] = [genesisRoot];
  let rejected = 0;
  let pruned = 0;
  let heads = 0;

  const same = (what: string, fImpl: () => void, fModel: () => void): void => {
    let implErr: unknown = null;
    let modelErr: unknown = null;
    try {
      fImpl();
    } catch (e) {
      implErr = e;
    }
    try {
      fModel();
    } catch (e) {
      modelErr = e;
    }
    assert.equal(
      implErr === null,
      modelErr === null,
      `seed ${seed} ${what}: impl ${implErr === null ? "accepted" : `rejected (${(implErr as Error).message})`}, model ${modelErr === null ? "accepted" : `rejected (${(modelErr as Error).message})`}`,
    );
    if (implErr !== null) rejected++;
  };

  const liveBlocks = (): string[] => added.filter((r) => model.blocks.has(r) && impl.hasBlock(r));
  const checkpointOn = (parentRoot: string, slot: number, root: string, epoch: number): ModelCheckpoint => {
    const start = epoch * spe;
    if (slot <= start) return { epoch, root };
    return { epoch, root: model.getAncestor(parentRoot, start) as string };
  };
  const isAncestorOrSelf = (a: string, b: string): boolean => {
    const ba = model.blocks.get(a);
    return ba !== undefined && model.getAncestor(b, ba.slot) === a;
  };

  for (let step = 0; step < STEPS; step++) {
    const action = rng.int(100);
    if (action < 22) {
      const slot = model.currentSlot + (rng.int(10) === 0 ? 1 + rng.int(2 * spe) : 1);
      model.tick(slot);
      impl.updateTime(slot);
    } else if (action < 55) {
      const live = liveBlocks();
      const parentRoot = rng.bool()
        ? model.getHead()
        : live[Math.max(0, live.length - 1 - rng.int(Math.min(live.length, 12)))];
      const parent = model.blocks.get(parentRoot);
      if (parent === undefined || parent.slot >= model.currentSlot) continue;
      const slot = parent.slot + 1 + rng.int(model.currentSlot - parent.slot);
      const root = hex(rng.bytes(32));
      const epoch = Math.floor(slot / spe);
      const je = rng.bool() ? Math.min(parent.justified.epoch, epoch) : Math.max(0, epoch - rng.int(4));
      const fe = rng.int(3) === 0 ? Math.min(parent.finalized.epoch, je) : Math.max(0, je - rng.int(3));
      const uje = je + rng.int(epoch - je + 1);
      const ufe = Math.max(fe, uje - 1 - rng.int(2));
      const status = rng.int(3) === 0 ? "valid" : "syncing";
      const block: ModelBlock = {
        slot,
        root,
        parentRoot,
        justified: checkpointOn(parentRoot, slot, root, je),
        finalized: checkpointOn(parentRoot, slot, root, fe),
        unrealizedJustified: checkpointOn(parentRoot, slot, root, uje),
        unrealizedFinalized: checkpointOn(parentRoot, slot, root, ufe),
        status,
      };
      const ms = rng.int(8000);
      same(
        "onBlock",
        () =>
          impl.onBlock(
            {
              slot,
              blockRoot: root,
              parentRoot,
              stateRoot: root,
              justified: block.justified,
              finalized: block.finalized,
              unrealizedJustified: block.unrealizedJustified,
              unrealizedFinalized: block.unrealizedFinalized,
              executionBlockHash: root,
              executionStatus: status === "valid" ? "valid" : "syncing",
            },
            ms,
          ),
        () => model.onBlock(block, ms),
      );
      added.push(root);
    } else if (action < 85) {
      const live = liveBlocks();
      const headRoot = live[rng.int(live.length)];
      const b = model.blocks.get(headRoot) as ModelBlock;
      const cur = Math.floor(model.currentSlot / spe);
      const te = rng.int(8) === 0 ? rng.int(cur + 2) : Math.max(0, cur - rng.int(2));
      const lo = Math.max(b.slot, te * spe);
      const hi = Math.min(te * spe + spe - 1, model.currentSlot - 1);
      if (lo > hi) continue;
      const slot = lo + rng.int(hi - lo + 1);
      let targetRoot = model.getCheckpointBlock(headRoot, te) as string;
      if (rng.int(15) === 0) targetRoot = live[rng.int(live.length)];
      // A target pruned away with the blocks before the finalized one is unknown to the node (it rejects
      // what the never-pruning spec store would accept): not generated.
      if (!impl.hasBlock(targetRoot)) continue;
      const indices: number[] = [];
      const count = 1 + rng.int(validators);
      for (let k = 0; k < count; k++) indices.push(rng.int(validators + 2));
      const vote = { slot, beaconBlockRoot: headRoot, target: { epoch: te, root: targetRoot } };
      const fromBlock = rng.int(5) === 0;
      same(
        "onAttestation",
        () => impl.onAttestation(vote, indices, fromBlock),
        () => model.onAttestation(vote, indices, fromBlock),
      );
    } else if (action < 88) {
      const a = [rng.int(validators), rng.int(validators), rng.int(validators)];
      const b = [a[0], rng.int(validators)];
      impl.onAttesterSlashing(a, b);
      model.onAttesterSlashing(a, b);
    } else if (action < 92) {
      const live = liveBlocks();
      const root = live[rng.int(live.length)];
      impl.onExecutionValid(root);
      model.setValid(root);
    } else if (action < 96) {
      const live = liveBlocks();
      const root = live[rng.int(live.length)];
      const lva = rng.bool() ? null : (model.blocks.get(root)?.parentRoot ?? null);
      // Never invalidate blocks behind the store's checkpoints (a consensus failure the node refuses).
      const protectedRoots = [model.justified, model.finalized, model.unrealizedJustified, model.unrealizedFinalized];
      const chain = [root];
      if (lva !== null && model.blocks.has(lva)) chain.push(lva);
      if (chain.some((r) => protectedRoots.some((cp) => isAncestorOrSelf(r, cp.root)))) continue;
      if (lva !== null && model.blocks.has(lva)) chain.pop();
      same(
        "invalidate",
        () => impl.onExecutionInvalid(root, lva),
        () => model.setInvalid(root, lva),
      );
    } else {
      const f = model.finalized.root;
      const consistent = [model.justified, model.unrealizedJustified, model.unrealizedFinalized].every((cp) =>
        isAncestorOrSelf(f, cp.root),
      );
      if (consistent) pruned += impl.prune().length;
    }
    const expected = model.getHead();
    const actual = impl.getHead().blockRoot;
    assert.equal(actual, expected, `seed ${seed} step ${step}: head differs`);
    heads++;
  }
  return { heads, blocks: added.length, rejected, pruned };
}

describe("fork choice vs the spec-literal model", () => {
  it(`agrees on the head at every step of ${SCENARIOS} seeded random scenarios`, () => {
    let heads = 0;
    let blocks = 0;
    let rejected = 0;
    let pruned = 0;
    for (let seed = 1; seed <= SCENARIOS; seed++) {
      const r = runScenario(seed);
      heads += r.heads;
      blocks += r.blocks;
      rejected += r.rejected;
      pruned += r.pruned;
    }
    // The scenarios must exercise the rules, not just agree on trivial trees.
    assert.ok(blocks > SCENARIOS * 10, `blocks ${blocks}`);
    assert.ok(pruned > 0, "some scenario pruned");
    assert.ok(rejected > 0, "some input was rejected by both");
    console.log(`heads compared ${heads}, blocks ${blocks}, rejected by both ${rejected}, pruned nodes ${pruned}`);
  });
});
