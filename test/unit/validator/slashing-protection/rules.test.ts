// Each signing rule on its own (blocks: double, watermark, repeat; attestations: double vote, surround either way,
// source/target watermarks, invalid, repeat), the context of the errors, input validation, and a seeded random
// sequence compared with the plain-array model in helpers.ts.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SlashingProtection, SlashingProtectionError } from "../../../../validator/src/slashing-protection/index.ts";
import { Rng } from "../../../support/random.ts";
import { GVR, ModelValidator, pubkey, root, tempDir } from "./helpers.ts";

const dir = tempDir();
let n = 0;
/** A fresh database per test. */
const fresh = () => SlashingProtection.open(`${dir}/${n++}`, { genesisValidatorsRoot: GVR });

/** The code of the error `fn` throws (fails when it doesn't throw a SlashingProtectionError). */
function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof SlashingProtectionError, `unexpected error ${String(err)}`);
    return err.code;
  }
  assert.fail("expected a refusal");
}

const V = pubkey(0);
const W = pubkey(1);

describe("blocks", () => {
  test("a first block is new, the identical block again is a repeat", () => {
    const sp = fresh();
    assert.equal(sp.checkAndInsertBlockProposal(V, { slot: 10, signingRoot: root(1) }), "new");
    assert.equal(sp.checkAndInsertBlockProposal(V, { slot: 10, signingRoot: root(1) }), "repeat");
  });

  test("a different block at the same slot is DOUBLE_BLOCK, with the stored block in the context", () => {
    const sp = fresh();
    sp.checkAndInsertBlockProposal(V, { slot: 10, signingRoot: root(1) });
    try {
      sp.checkAndInsertBlockProposal(V, { slot: 10, signingRoot: root(2) });
      assert.fail("signed a double block");
    } catch (err) {
      assert.ok(err instanceof SlashingProtectionError);
      assert.equal(err.code, "DOUBLE_BLOCK");
      assert.equal(err.context.pubkey, V);
      assert.equal(err.context.slot, 10);
      assert.equal(err.context.signingRoot, root(2));
      assert.deepEqual(err.context.existing, { slot: 10, signingRoot: root(1) });
    }
  });

  test("at or below the lowest slot on record is BLOCK_BELOW_WATERMARK; between stored slots is fine", () => {
    const sp = fresh();
    sp.checkAndInsertBlockProposal(V, { slot: 10, signingRoot: root(1) });
    sp.checkAndInsertBlockProposal(V, { slot: 20, signingRoot: root(2) });
    assert.equal(
      codeOf(() => sp.checkAndInsertBlockProposal(V, { slot: 9, signingRoot: root(3) })),
      "BLOCK_BELOW_WATERMARK",
    );
    assert.equal(
      codeOf(() => sp.checkAndInsertBlockProposal(V, { slot: 0, signingRoot: root(3) })),
      "BLOCK_BELOW_WATERMARK",
    );
    assert.equal(sp.checkAndInsertBlockProposal(V, { slot: 15, signingRoot: root(3) }), "new");
    // The block at the watermark itself may be re-signed.
    assert.equal(sp.checkAndInsertBlockProposal(V, { slot: 10, signingRoot: root(1) }), "repeat");
  });

  test("validators are independent", () => {
    const sp = fresh();
    sp.checkAndInsertBlockProposal(V, { slot: 10, signingRoot: root(1) });
    // V's watermark and V's block at slot 10 say nothing about W.
    assert.equal(sp.checkAndInsertBlockProposal(W, { slot: 5, signingRoot: root(2) }), "new");
    assert.equal(sp.checkAndInsertBlockProposal(W, { slot: 10, signingRoot: root(2) }), "new");
  });

  test("pubkeys and roots may be bytes or hex; both name the same validator", () => {
    const sp = fresh();
    sp.checkAndInsertBlockProposal(Buffer.from(V.slice(2), "hex"), {
      slot: 3,
      signingRoot: Buffer.from(root(1).slice(2), "hex"),
    });
    assert.equal(
      sp.checkAndInsertBlockProposal(V.toUpperCase().replace("0X", "0x"), { slot: 3, signingRoot: root(1) }),
      "repeat",
    );
    assert.deepEqual(sp.listPubkeys(), [V]);
  });

  test("malformed input is INVALID_INPUT and records nothing", () => {
    const sp = fresh();
    const bad: [unknown, unknown, unknown][] = [
      [V.slice(0, -2), 1, root(1)], // 47-byte pubkey
      ["ab".repeat(48), 1, root(1)], // no 0x
      [`0x${"zz".repeat(48)}`, 1, root(1)], // not hex
      [V, -1, root(1)],
      [V, 1.5, root(1)],
      [V, 2 ** 53, root(1)],
      [V, "7", root(1)],
      [V, 1, root(1).slice(0, -2)], // 31-byte root
    ];
    for (const [pk, slot, r] of bad) {
      assert.equal(
        codeOf(() => sp.checkAndInsertBlockProposal(pk as string, { slot: slot as number, signingRoot: r as string })),
        "INVALID_INPUT",
        `accepted ${String(pk)} ${String(slot)} ${String(r)}`,
      );
    }
    assert.deepEqual(sp.exportInterchange().data, []);
  });
});

describe("attestations", () => {
  const att = (sp: SlashingProtection, s: number, t: number, r = root(s * 1000 + t), pk = V) =>
    sp.checkAndInsertAttestation(pk, { sourceEpoch: s, targetEpoch: t, signingRoot: r });

  test("new, then a repeat of the identical vote", () => {
    const sp = fresh();
    assert.equal(att(sp, 1, 2), "new");
    assert.equal(att(sp, 1, 2), "repeat");
  });

  test("genesis vote (0, 0) is valid; source after target is INVALID_ATTESTATION", () => {
    const sp = fresh();
    assert.equal(att(sp, 0, 0), "new");
    assert.equal(
      codeOf(() => att(sp, 5, 4)),
      "INVALID_ATTESTATION",
    );
  });

  test("same target, different root or source: DOUBLE_VOTE with the stored vote in the context", () => {
    const sp = fresh();
    att(sp, 2, 3, root(1));
    assert.equal(
      codeOf(() => att(sp, 2, 3, root(2))),
      "DOUBLE_VOTE",
    );
    try {
      att(sp, 1, 3, root(1));
      assert.fail("signed a double vote");
    } catch (err) {
      assert.ok(err instanceof SlashingProtectionError);
      assert.equal(err.code, "DOUBLE_VOTE");
      assert.deepEqual(err.context.existing, { sourceEpoch: 2, targetEpoch: 3, signingRoot: root(1) });
      assert.equal(err.context.sourceEpoch, 1);
      assert.equal(err.context.targetEpoch, 3);
    }
  });

  test("surrounding an earlier vote is SURROUNDING_VOTE, being surrounded is SURROUNDED_VOTE", () => {
    const sp = fresh();
    att(sp, 10, 20);
    assert.equal(
      codeOf(() => att(sp, 11, 19)),
      "SURROUNDED_VOTE",
    );
    assert.equal(
      codeOf(() => att(sp, 9, 21)),
      "SURROUNDING_VOTE",
    );
    // Sharing a source or a target end is not a surround.
    assert.equal(att(sp, 10, 21), "new");
    assert.equal(att(sp, 12, 22), "new");
  });

  test("source below the lowest source, target at or below the lowest target: watermark refusals", () => {
    const sp = fresh();
    att(sp, 10, 11);
    att(sp, 12, 13);
    assert.equal(
      codeOf(() => att(sp, 9, 14)),
      "SURROUNDING_VOTE",
    );
    assert.equal(
      codeOf(() => att(sp, 9, 10)),
      "SOURCE_BELOW_WATERMARK",
    );
    assert.equal(
      codeOf(() => att(sp, 10, 10)),
      "TARGET_BELOW_WATERMARK",
    );
    // Between stored votes, not slashable, above both watermarks: allowed (the complete strategy).
    assert.equal(att(sp, 11, 12), "new");
  });

  test("the stored vote at the target watermark can be re-signed", () => {
    const sp = fresh();
    att(sp, 5, 15, root(3));
    assert.equal(att(sp, 5, 15, root(3)), "repeat");
    assert.equal(
      codeOf(() => att(sp, 5, 14, root(3))),
      "TARGET_BELOW_WATERMARK",
    );
  });

  test("a seeded random sequence of blocks and votes matches the plain model, outcome by outcome", () => {
    const rng = new Rng(3076);
    const sp = fresh();
    const models = [new ModelValidator(), new ModelValidator(), new ModelValidator()];
    const counts = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const v = rng.int(models.length);
      const model = models[v];
      const r = `root${rng.int(3)}`;
      const rootHex = root(Number(r.slice(4)));
      let expected: string | null;
      let actual: string;
      if (rng.int(3) === 0) {
        const slot = rng.int(60);
        expected = model.judgeBlock(slot, rootHex);
        actual = outcome(() => sp.checkAndInsertBlockProposal(pubkey(v), { slot, signingRoot: rootHex }));
        if (expected === null) model.blocks.push({ slot, root: rootHex });
      } else {
        // Epoch windows drift upwards so that new votes keep being possible.
        const base = Math.floor(i / 40);
        const source = base + rng.int(6);
        const target = source + rng.int(5) - (rng.int(20) === 0 ? 2 : 0);
        expected = model.judgeAttestation(source, target, rootHex);
        actual = outcome(() =>
          sp.checkAndInsertAttestation(pubkey(v), { sourceEpoch: source, targetEpoch: target, signingRoot: rootHex }),
        );
        if (expected === null) model.attestations.push({ source, target, root: rootHex });
      }
      const want = expected ?? "new";
      assert.equal(actual, want, `step ${i}`);
      counts.set(want, (counts.get(want) ?? 0) + 1);
    }
    // Every outcome occurred, so the comparison exercised every rule.
    for (const code of [
      "new",
      "repeat",
      "DOUBLE_BLOCK",
      "BLOCK_BELOW_WATERMARK",
      "DOUBLE_VOTE",
      "SURROUNDING_VOTE",
      "SURROUNDED_VOTE",
      "SOURCE_BELOW_WATERMARK",
      "TARGET_BELOW_WATERMARK",
      "INVALID_ATTESTATION",
    ]) {
      assert.ok((counts.get(code) ?? 0) > 0, `${code} never happened: ${JSON.stringify([...counts])}`);
    }
  });

  test("after importing a messy history (unknown roots, inverted and slashable votes) the database still matches the model", () => {
    const rng = new Rng(1776);
    const sp = fresh();
    const models = [new ModelValidator(), new ModelValidator(), new ModelValidator()];
    const data = models.map((model, v) => {
      const blocks = [...Array(8)].map(() => ({ slot: rng.int(60), root: rng.bool() ? null : root(rng.int(3)) }));
      const atts = [...Array(12)].map(() => {
        const source = rng.int(30);
        // Now and then source > target: such votes are never signed, but an interchange may hold them.
        return { source, target: Math.max(0, source + rng.int(7) - 2), root: rng.bool() ? null : root(rng.int(3)) };
      });
      model.blocks.push(...blocks);
      model.attestations.push(...atts);
      return {
        pubkey: pubkey(v),
        signed_blocks: blocks.map((b) => ({
          slot: String(b.slot),
          ...(b.root === null ? {} : { signing_root: b.root }),
        })),
        signed_attestations: atts.map((a) => ({
          source_epoch: String(a.source),
          target_epoch: String(a.target),
          ...(a.root === null ? {} : { signing_root: a.root }),
        })),
      };
    });
    assert.ok(
      models.some((m) => m.attestations.some((a) => a.source > a.target)),
      "no inverted vote was generated",
    );
    sp.importInterchange({ metadata: { interchange_format_version: "5", genesis_validators_root: GVR }, data });
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const v = rng.int(models.length);
      const r = root(rng.int(3));
      let expected: string | null;
      let actual: string;
      if (rng.int(3) === 0) {
        const slot = rng.int(80);
        expected = models[v].judgeBlock(slot, r);
        actual = outcome(() => sp.checkAndInsertBlockProposal(pubkey(v), { slot, signingRoot: r }));
        if (expected === null) models[v].blocks.push({ slot, root: r });
      } else {
        const source = rng.int(40);
        const target = source + rng.int(8);
        expected = models[v].judgeAttestation(source, target, r);
        actual = outcome(() =>
          sp.checkAndInsertAttestation(pubkey(v), { sourceEpoch: source, targetEpoch: target, signingRoot: r }),
        );
        if (expected === null) models[v].attestations.push({ source, target, root: r });
      }
      assert.equal(actual, expected ?? "new", `step ${i}`);
      seen.add(actual);
    }
    assert.ok(seen.has("new") && seen.has("SURROUNDING_VOTE") && seen.has("DOUBLE_VOTE"), [...seen].join());
  });
});

function outcome(fn: () => string): string {
  try {
    return fn();
  } catch (err) {
    if (err instanceof SlashingProtectionError) return err.code;
    throw err;
  }
}
