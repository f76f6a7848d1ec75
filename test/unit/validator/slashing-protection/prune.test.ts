// Pruning keeps protection: whatever the full history refuses, the pruned database still refuses; above the pruned
// region it decides exactly as before; an export after pruning carries the same protection to a fresh database.
// The full history is held by the plain model of helpers.ts (never pruned) as the reference.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { SlashingProtection, SlashingProtectionError } from "../../../../validator/src/slashing-protection/index.ts";
import { Rng } from "../../../support/random.ts";
import { GVR, ModelValidator, pubkey, root, tempDir } from "./helpers.ts";

const SLOTS_PER_EPOCH = 8;
const CUT_EPOCH = 30;
const VALIDATORS = 4;

function attempt(fn: () => string): string {
  try {
    return fn();
  } catch (err) {
    if (err instanceof SlashingProtectionError) return err.code;
    throw err;
  }
}
const refused = (outcome: string) => outcome !== "new" && outcome !== "repeat";

test("pruning keeps every refusal, changes nothing above the cut, and exports the same protection", () => {
  const dir = tempDir();
  const rng = new Rng(512);
  const sp = SlashingProtection.open(join(dir, "a"), { genesisValidatorsRoot: GVR });
  const models = [...Array(VALIDATORS)].map(() => new ModelValidator());

  // Validator 3 starts from an imported, self-slashable history: (5, 20) surrounds (10, 12); (2, 35) is recent.
  sp.importInterchange({
    metadata: { interchange_format_version: "5", genesis_validators_root: GVR },
    data: [
      {
        pubkey: pubkey(3),
        signed_blocks: [{ slot: "40" }],
        signed_attestations: [
          { source_epoch: "5", target_epoch: "20" },
          { source_epoch: "10", target_epoch: "12" },
          { source_epoch: "2", target_epoch: "35" },
        ],
      },
    ],
  });
  models[3].blocks.push({ slot: 40, root: null });
  models[3].attestations.push(
    { source: 5, target: 20, root: null },
    { source: 10, target: 12, root: null },
    { source: 2, target: 35, root: null },
  );

  // Honest-looking history over 60 epochs with gaps, re-signs and a few conflicting requests.
  for (let epoch = 1; epoch < 60; epoch++) {
    for (let v = 0; v < 3; v++) {
      if (rng.int(5) === 0) continue;
      const source = Math.max(0, epoch - 1 - rng.int(2));
      const r = root(rng.int(3));
      if (models[v].judgeAttestation(source, epoch, r) === null)
        models[v].attestations.push({ source, target: epoch, root: r });
      attempt(() =>
        sp.checkAndInsertAttestation(pubkey(v), { sourceEpoch: source, targetEpoch: epoch, signingRoot: r }),
      );
      if (rng.int(4) === 0) {
        const slot = epoch * SLOTS_PER_EPOCH + rng.int(SLOTS_PER_EPOCH);
        if (models[v].judgeBlock(slot, r) === null) models[v].blocks.push({ slot, root: r });
        attempt(() => sp.checkAndInsertBlockProposal(pubkey(v), { slot, signingRoot: r }));
      }
    }
  }
  const rowsBefore = countRows(sp);

  // Highest pruned slot / source / target per validator, from the full history.
  const cutSlot = CUT_EPOCH * SLOTS_PER_EPOCH;
  const pruned = models.map((m) => ({
    slot: Math.max(-1, ...m.blocks.filter((b) => b.slot < cutSlot).map((b) => b.slot)),
    source: Math.max(-1, ...m.attestations.filter((a) => a.target < CUT_EPOCH).map((a) => a.source)),
    target: Math.max(-1, ...m.attestations.filter((a) => a.target < CUT_EPOCH).map((a) => a.target)),
  }));

  const summary = sp.prune({ beforeEpoch: CUT_EPOCH, slotsPerEpoch: SLOTS_PER_EPOCH, validatorsPerTransaction: 3 });
  assert.equal(summary.validators, VALIDATORS);
  assert.ok(summary.attestationsRemoved > 40 && summary.blocksRemoved > 0, JSON.stringify(summary));
  const rowsAfter = countRows(sp);
  assert.equal(rowsAfter, rowsBefore - summary.attestationsRemoved - summary.blocksRemoved);
  // Pruning again changes nothing.
  assert.deepEqual(sp.prune({ beforeEpoch: CUT_EPOCH, slotsPerEpoch: SLOTS_PER_EPOCH }), {
    validators: 0,
    blocksRemoved: 0,
    attestationsRemoved: 0,
  });

  // The pruned protection, carried by an export into a fresh database.
  const copy = SlashingProtection.open(join(dir, "b"), { genesisValidatorsRoot: GVR });
  copy.importInterchange(sp.exportInterchange());

  let above = 0;
  let keptRefusals = 0;
  for (let i = 0; i < 1500; i++) {
    const v = rng.int(VALIDATORS);
    const m = models[v];
    const r = root(rng.int(3));
    let expected: string;
    let actual: string;
    let aboveCut: boolean;
    let fromCopy: string;
    if (rng.int(3) === 0) {
      const slot = rng.int(70 * SLOTS_PER_EPOCH);
      expected = m.judgeBlock(slot, r) ?? "new";
      actual = attempt(() => sp.checkAndInsertBlockProposal(pubkey(v), { slot, signingRoot: r }));
      fromCopy = attempt(() => copy.checkAndInsertBlockProposal(pubkey(v), { slot, signingRoot: r }));
      aboveCut = slot > pruned[v].slot;
      if (actual === "new") m.blocks.push({ slot, root: r });
    } else {
      const source = rng.int(70);
      const target = source + rng.int(8);
      expected = m.judgeAttestation(source, target, r) ?? "new";
      const vote = { sourceEpoch: source, targetEpoch: target, signingRoot: r };
      actual = attempt(() => sp.checkAndInsertAttestation(pubkey(v), vote));
      fromCopy = attempt(() => copy.checkAndInsertAttestation(pubkey(v), vote));
      aboveCut = source >= pruned[v].source && target > pruned[v].target;
      if (actual === "new") m.attestations.push({ source, target, root: r });
    }
    assert.equal(fromCopy, actual, `probe ${i}: the exported copy decides differently`);
    if (refused(expected)) {
      assert.ok(refused(actual), `probe ${i}: the full history refuses (${expected}) but the pruned database signs`);
      keptRefusals++;
    }
    if (aboveCut) {
      assert.equal(actual, expected, `probe ${i}: above the pruned region the decision changed`);
      above++;
    }
  }
  assert.ok(above > 200 && keptRefusals > 200, `too few probes of a kind: ${above} above, ${keptRefusals} refusals`);
  sp.close();
  copy.close();
});

function countRows(sp: SlashingProtection): number {
  return sp.exportInterchange().data.reduce((s, d) => s + d.signed_blocks.length + d.signed_attestations.length, 0);
}
