// The pool of slashings, exits and BLS changes: deduplication by the validators concerned, refusal of impossible
// items, getForBlock returning only operations still valid (a slashed validator's exit, an exit of a future
// epoch and an already-changed credential left out) within the per-block maxima, and pruning after inclusion.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { OpPoolError } from "@sextant/beacon/opPools/errors";
import { OpPool } from "@sextant/beacon/opPools/opPool";
import { advanceToSlot } from "@sextant/consensus/transition/produce/index";
import { attesterSlashing, blsChange, buildAndImport, genesisAt, proposerSlashing, voluntaryExit } from "./support.ts";

const isError = (e: unknown) => e instanceof OpPoolError && e.code === "INVALID_ITEM";

describe("OpPool", () => {
  const { config, cs: g } = genesisAt("capella", { SHARD_COMMITTEE_PERIOD: 0 });

  it("deduplicates by the validators concerned", () => {
    const pool = new OpPool(config);
    assert.equal(pool.addProposerSlashing(proposerSlashing(g, 3, 0)), true);
    assert.equal(pool.addProposerSlashing(proposerSlashing(g, 3, 1)), false);
    assert.equal(pool.addAttesterSlashing(attesterSlashing(g, [4, 5])), true);
    assert.equal(pool.addAttesterSlashing(attesterSlashing(g, [5])), false, "validator 5 already covered");
    assert.equal(pool.addAttesterSlashing(attesterSlashing(g, [4, 5, 6])), true, "validator 6 is new");
    assert.equal(pool.addVoluntaryExit(voluntaryExit(g, 7)), true);
    assert.equal(pool.addVoluntaryExit(voluntaryExit(g, 7, 1)), false);
    assert.equal(pool.addBlsToExecutionChange(blsChange(g, 8)), true);
    assert.equal(pool.addBlsToExecutionChange(blsChange(g, 8)), false);
    assert.deepEqual(pool.size(), { proposerSlashings: 1, attesterSlashings: 2, voluntaryExits: 1, blsChanges: 1 });
  });

  it("refuses structurally impossible slashings", () => {
    const pool = new OpPool(config);
    const ps = proposerSlashing(g, 3, 0);
    const other = proposerSlashing(g, 4, 0);
    assert.throws(() => pool.addProposerSlashing({ ...ps, signedHeader2: other.signedHeader2 }), isError);
    assert.throws(() => pool.addProposerSlashing({ ...ps, signedHeader2: ps.signedHeader1 }), isError);
    const slot1 = proposerSlashing(g, 3, 1);
    assert.throws(() => pool.addProposerSlashing({ ...ps, signedHeader2: slot1.signedHeader2 }), isError);
    const a = attesterSlashing(g, [1, 2]);
    const b = attesterSlashing(g, [3]);
    assert.throws(
      () => pool.addAttesterSlashing({ attestation1: a.attestation1, attestation2: b.attestation2 }),
      isError,
    );
    assert.throws(
      () => pool.addAttesterSlashing({ ...a, attestation1: { ...a.attestation1, attestingIndices: [2, 1] } }),
      isError,
    );
    assert.throws(
      () => pool.addAttesterSlashing({ ...a, attestation1: { ...a.attestation1, attestingIndices: [] } }),
      isError,
    );
    assert.deepEqual(pool.size(), { proposerSlashings: 0, attesterSlashings: 0, voluntaryExits: 0, blsChanges: 0 });
  });

  it("returns only operations still valid for the block, then prunes what the block included", () => {
    const pool = new OpPool(config);
    pool.addProposerSlashing(proposerSlashing(g, 10, 0));
    pool.addVoluntaryExit(voluntaryExit(g, 10)); // invalid once 10 is slashed
    pool.addAttesterSlashing(attesterSlashing(g, [11, 12]));
    pool.addVoluntaryExit(voluntaryExit(g, 13));
    pool.addVoluntaryExit(voluntaryExit(g, 14, 5)); // not before epoch 5
    pool.addBlsToExecutionChange(blsChange(g, 15));
    const pre = advanceToSlot(g, 1);
    const ops = pool.getForBlock(pre);
    assert.deepEqual(
      ops.proposerSlashings.map((s) => s.signedHeader1.message.proposerIndex),
      [10],
    );
    assert.deepEqual(
      ops.attesterSlashings.map((s) => s.attestation1.attestingIndices),
      [[11, 12]],
    );
    assert.deepEqual(
      ops.voluntaryExits.map((e) => e.message.validatorIndex),
      [13],
    );
    assert.deepEqual(
      ops.blsToExecutionChanges.map((c) => c.message.validatorIndex),
      [15],
    );
    assert.equal(pre.state.validators.getReadonly(10).slashed, false, "the given state is not modified");

    const { post } = buildAndImport(g, 1, ops);
    pool.prune(post);
    assert.deepEqual(pool.size(), { proposerSlashings: 0, attesterSlashings: 0, voluntaryExits: 1, blsChanges: 0 });
    assert.equal(pool.getForBlock(advanceToSlot(post, 2)).voluntaryExits.length, 0, "epoch 5 not reached");
  });

  it("stays within the per-block maxima and leaves BLS changes out before capella", () => {
    const pool = new OpPool(config);
    const max = config.preset.MAX_PROPOSER_SLASHINGS;
    for (let v = 0; v < max + 2; v++) pool.addProposerSlashing(proposerSlashing(g, v, 0));
    assert.equal(pool.getForBlock(advanceToSlot(g, 1)).proposerSlashings.length, max);

    const altair = genesisAt("altair", { SHARD_COMMITTEE_PERIOD: 0 });
    const altairPool = new OpPool(altair.config);
    altairPool.addBlsToExecutionChange(blsChange(altair.cs, 3));
    altairPool.addVoluntaryExit(voluntaryExit(altair.cs, 4));
    const ops = altairPool.getForBlock(advanceToSlot(altair.cs, 1));
    assert.equal(ops.blsToExecutionChanges.length, 0);
    assert.equal(ops.voluntaryExits.length, 1);
  });

  it("removeIncluded drops the operations of a block body", () => {
    const pool = new OpPool(config);
    const ps = proposerSlashing(g, 1, 0);
    const as = attesterSlashing(g, [2, 3]);
    const ex = voluntaryExit(g, 4);
    const bc = blsChange(g, 5);
    pool.addProposerSlashing(ps);
    pool.addAttesterSlashing(as);
    pool.addVoluntaryExit(ex);
    pool.addBlsToExecutionChange(bc);
    pool.removeIncluded({
      proposerSlashings: [ps],
      attesterSlashings: [as],
      voluntaryExits: [ex],
      blsToExecutionChanges: [bc],
    });
    assert.deepEqual(pool.size(), { proposerSlashings: 0, attesterSlashings: 0, voluntaryExits: 0, blsChanges: 0 });
  });
});
