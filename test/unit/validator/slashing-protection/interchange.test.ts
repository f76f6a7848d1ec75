// Interchange v5: validation errors that name the field, all-or-nothing import, merge and conflict reporting, and
// export → import round trips.
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { describe, test } from "node:test";
import {
  type Interchange,
  parseInterchange,
  SlashingProtection,
  SlashingProtectionError,
} from "../../../../validator/src/slashing-protection/index.ts";
import { Rng } from "../../../support/random.ts";
import { GVR, OTHER_GVR, pubkey, root, tempDir } from "./helpers.ts";

const dir = tempDir();
let n = 0;
const fresh = () => SlashingProtection.open(join(dir, String(n++)), { genesisValidatorsRoot: GVR });

function doc(data: unknown[], meta: Record<string, unknown> = {}): Record<string, unknown> {
  return { metadata: { interchange_format_version: "5", genesis_validators_root: GVR, ...meta }, data };
}
const entry = (i: number, blocks: unknown[] = [], attestations: unknown[] = []) => ({
  pubkey: pubkey(i),
  signed_blocks: blocks,
  signed_attestations: attestations,
});

function rejects(input: unknown, code: string, path?: string): void {
  try {
    parseInterchange(input);
  } catch (err) {
    assert.ok(err instanceof SlashingProtectionError, String(err));
    assert.equal(err.code, code, err.message);
    if (path !== undefined) {
      assert.equal(err.context.path, path, err.message);
      if (path !== "(document)") assert.ok(err.message.includes(path), err.message);
    }
    return;
  }
  assert.fail(`accepted ${JSON.stringify(input)}`);
}

describe("validation", () => {
  test("a well-formed document parses; missing signing roots are unknown (null), numbers may be JSON integers", () => {
    const parsed = parseInterchange(
      JSON.stringify(
        doc([
          entry(0, [{ slot: "7" }, { slot: 8, signing_root: root(1) }], [{ source_epoch: "1", target_epoch: "2" }]),
        ]),
      ),
    );
    assert.deepEqual(parsed.data[0].blocks, [
      { slot: 7, signingRoot: null },
      { slot: 8, signingRoot: new Uint8Array(Buffer.from(root(1).slice(2), "hex")) },
    ]);
    assert.deepEqual(parsed.data[0].attestations, [{ sourceEpoch: 1, targetEpoch: 2, signingRoot: null }]);
  });

  test("each kind of malformed document is rejected with the path of the field at fault", () => {
    rejects("{ not json", "INTERCHANGE_INVALID", "(document)");
    rejects([], "INTERCHANGE_INVALID", "(document)");
    rejects({ data: [] }, "INTERCHANGE_INVALID", "metadata");
    rejects(doc([], { interchange_format_version: "4" }), "INTERCHANGE_VERSION", "metadata.interchange_format_version");
    rejects(doc([], { interchange_format_version: undefined }), "INTERCHANGE_VERSION");
    rejects(doc([], { genesis_validators_root: "0x1234" }), "INTERCHANGE_INVALID", "metadata.genesis_validators_root");
    rejects(
      doc([], { genesis_validators_root: GVR.slice(2) }),
      "INTERCHANGE_INVALID",
      "metadata.genesis_validators_root",
    );
    rejects({ ...doc([]), data: {} }, "INTERCHANGE_INVALID", "data");
    rejects(doc([entry(0), "x"]), "INTERCHANGE_INVALID", "data[1]");
    rejects(doc([{ ...entry(0), pubkey: pubkey(0).slice(0, -2) }]), "INTERCHANGE_INVALID", "data[0].pubkey");
    rejects(doc([{ ...entry(0), pubkey: `0x${"g".repeat(96)}` }]), "INTERCHANGE_INVALID", "data[0].pubkey");
    rejects(doc([{ pubkey: pubkey(0), signed_blocks: [] }]), "INTERCHANGE_INVALID", "data[0].signed_attestations");
    rejects(doc([entry(0, [{ slot: "abc" }])]), "INTERCHANGE_INVALID", "data[0].signed_blocks[0].slot");
    rejects(doc([entry(0, [{ slot: "-1" }])]), "INTERCHANGE_INVALID", "data[0].signed_blocks[0].slot");
    rejects(doc([entry(0, [{ slot: -1 }])]), "INTERCHANGE_INVALID", "data[0].signed_blocks[0].slot");
    rejects(doc([entry(0, [{ slot: "1.5" }])]), "INTERCHANGE_INVALID", "data[0].signed_blocks[0].slot");
    rejects(
      doc([entry(0, [{ slot: "18446744073709551615" }])]),
      "INTERCHANGE_INVALID",
      "data[0].signed_blocks[0].slot",
    );
    rejects(
      doc([entry(0, [{ slot: "1", signing_root: "0x00" }])]),
      "INTERCHANGE_INVALID",
      "data[0].signed_blocks[0].signing_root",
    );
    rejects(
      doc([entry(0, [], [{ source_epoch: "1" }])]),
      "INTERCHANGE_INVALID",
      "data[0].signed_attestations[0].target_epoch",
    );
    rejects(doc([entry(0, [], [null])]), "INTERCHANGE_INVALID", "data[0].signed_attestations[0]");
  });
});

describe("import", () => {
  test("a document whose last record is malformed changes nothing", () => {
    const sp = fresh();
    sp.checkAndInsertBlockProposal(pubkey(0), { slot: 100, signingRoot: root(1) });
    const before = sp.exportInterchange();
    const bad = doc([
      entry(0, [{ slot: "1" }, { slot: "2" }]),
      entry(1, [], [{ source_epoch: "1", target_epoch: "x" }]),
    ]);
    assert.throws(
      () => sp.importInterchange(bad),
      (e: unknown) => e instanceof SlashingProtectionError && e.code === "INTERCHANGE_INVALID",
    );
    assert.deepEqual(sp.exportInterchange(), before);
  });

  test("a database failure on the last record rolls the whole import back", () => {
    const sp = fresh();
    const raw = new DatabaseSync(sp.path);
    raw.exec(`CREATE TRIGGER fail_777 BEFORE INSERT ON signed_blocks WHEN NEW.slot = 777
              BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
    raw.close();
    const d = doc([entry(0, [{ slot: "1" }], [{ source_epoch: "0", target_epoch: "1" }]), entry(1, [{ slot: "777" }])]);
    assert.throws(
      () => sp.importInterchange(d),
      (e: unknown) => e instanceof SlashingProtectionError && e.code === "DATABASE_ERROR",
    );
    assert.deepEqual(sp.exportInterchange().data, []);
    assert.deepEqual(sp.listPubkeys(), []);
  });

  test("an interchange for another chain is GENESIS_ROOT_MISMATCH and changes nothing", () => {
    const sp = fresh();
    const err = (() => {
      try {
        sp.importInterchange(doc([entry(0, [{ slot: "1" }])], { genesis_validators_root: OTHER_GVR }));
      } catch (e) {
        return e;
      }
    })();
    assert.ok(err instanceof SlashingProtectionError && err.code === "GENESIS_ROOT_MISMATCH");
    assert.equal(err.context.interchangeRoot, OTHER_GVR);
    assert.equal(err.context.databaseRoot, GVR);
    assert.deepEqual(sp.listPubkeys(), []);
  });

  test("merging: duplicates are skipped; slashable records are kept and reported as conflicts", () => {
    const sp = fresh();
    sp.checkAndInsertBlockProposal(pubkey(0), { slot: 10, signingRoot: root(1) });
    sp.checkAndInsertAttestation(pubkey(0), { sourceEpoch: 5, targetEpoch: 6, signingRoot: root(2) });
    const summary = sp.importInterchange(
      doc([
        entry(
          0,
          [{ slot: "10", signing_root: root(1) }, { slot: "10", signing_root: root(9) }, { slot: "12" }],
          [
            { source_epoch: "5", target_epoch: "6", signing_root: root(2) },
            { source_epoch: "4", target_epoch: "7" },
          ],
        ),
      ]),
    );
    assert.equal(summary.validators, 1);
    assert.equal(summary.duplicatesSkipped, 2);
    assert.equal(summary.blocksImported, 2);
    assert.equal(summary.attestationsImported, 1);
    assert.deepEqual(
      summary.conflicts.map((c) => c.code),
      ["DOUBLE_BLOCK", "SURROUNDING_VOTE"],
    );
    assert.equal(summary.conflictCount, 2);
    assert.deepEqual(summary.conflicts[0].block, { slot: 10, signingRoot: root(9) });
    // The imported conflicting block now also blocks the one signed before from being re-signed.
    assert.throws(() => sp.checkAndInsertBlockProposal(pubkey(0), { slot: 12, signingRoot: root(3) }));
    assert.equal(sp.checkAndInsertBlockProposal(pubkey(0), { slot: 13, signingRoot: root(3) }), "new");
  });

  test("export → import into a fresh database → export gives the same document, and the same decisions", () => {
    const rng = new Rng(76);
    const a = fresh();
    // Some history with unknown roots (from an import) and signed history on top.
    a.importInterchange(
      doc([entry(0, [{ slot: "3" }], [{ source_epoch: "0", target_epoch: "2" }]), entry(5, [{ slot: "9" }])]),
    );
    for (let i = 0; i < 300; i++) {
      const v = rng.int(6);
      try {
        if (rng.bool()) a.checkAndInsertBlockProposal(pubkey(v), { slot: rng.int(200), signingRoot: root(rng.int(3)) });
        else {
          const s = rng.int(40);
          a.checkAndInsertAttestation(pubkey(v), {
            sourceEpoch: s,
            targetEpoch: s + rng.int(4),
            signingRoot: root(rng.int(3)),
          });
        }
      } catch (err) {
        if (!(err instanceof SlashingProtectionError)) throw err;
      }
    }
    const exported: Interchange = a.exportInterchange();
    assert.equal(exported.metadata.interchange_format_version, "5");
    assert.equal(exported.metadata.genesis_validators_root, GVR);
    const b = fresh();
    const summary = b.importInterchange(JSON.stringify(exported));
    assert.equal(summary.validators, 6);
    assert.deepEqual(b.exportInterchange(), exported);
    // Probes answered identically by both databases (each probe also records what it signs, in both).
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const v = rng.int(6);
      const seed = rng.nextU32();
      const answer = probeWith(a, v, i, new Rng(seed));
      assert.equal(probeWith(b, v, i, new Rng(seed)), answer, `probe ${i}`);
      seen.add(answer);
    }
    assert.ok(seen.has("new") && seen.size > 3, `probes too uniform: ${[...seen]}`);
  });

  test("export of chosen pubkeys: only those, a pubkey without history comes with empty lists", () => {
    const sp = fresh();
    sp.checkAndInsertBlockProposal(pubkey(0), { slot: 1, signingRoot: root(1) });
    sp.checkAndInsertBlockProposal(pubkey(1), { slot: 2, signingRoot: root(2) });
    const out = sp.exportInterchange([pubkey(1), pubkey(7), pubkey(1)]);
    assert.deepEqual(out.data, [
      { pubkey: pubkey(1), signed_blocks: [{ slot: "2", signing_root: root(2) }], signed_attestations: [] },
      { pubkey: pubkey(7), signed_blocks: [], signed_attestations: [] },
    ]);
    assert.deepEqual(sp.listPubkeys(), [pubkey(0), pubkey(1)]);
  });
});

function probeWith(sp: SlashingProtection, v: number, i: number, r: Rng): string {
  try {
    return i % 2 === 0
      ? sp.checkAndInsertBlockProposal(pubkey(v), { slot: r.int(220), signingRoot: root(r.int(3)) })
      : sp.checkAndInsertAttestation(pubkey(v), {
          sourceEpoch: r.int(45),
          targetEpoch: 45 + r.int(5),
          signingRoot: root(r.int(3)),
        });
  } catch (err) {
    if (!(err instanceof SlashingProtectionError)) throw err;
    return err.code;
  }
}
