// The batch API: one transaction for a slot's attestations of many validators, a result per item.
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { test } from "node:test";
import {
  type AttestationRequest,
  type BatchItemResult,
  SlashingProtection,
  SlashingProtectionError,
} from "../../../../validator/src/slashing-protection/index.ts";
import { Rng } from "../../../support/random.ts";
import { GVR, pubkey, root, tempDir } from "./helpers.ts";

const dir = tempDir();
let n = 0;
const fresh = () => SlashingProtection.open(join(dir, String(n++)), { genesisValidatorsRoot: GVR });
const code = (r: BatchItemResult) => (r.ok ? r.outcome : r.error.code);

test("each item gets its own result; later items see earlier ones; a bad item does not spoil the batch", () => {
  const sp = fresh();
  sp.checkAndInsertAttestation(pubkey(0), { sourceEpoch: 10, targetEpoch: 20, signingRoot: root(1) });
  const results = sp.checkAndInsertAttestations([
    { pubkey: pubkey(0), sourceEpoch: 10, targetEpoch: 20, signingRoot: root(1) }, // repeat of the stored vote
    { pubkey: pubkey(0), sourceEpoch: 9, targetEpoch: 21, signingRoot: root(2) }, // surrounds it
    { pubkey: pubkey(1), sourceEpoch: 3, targetEpoch: 4, signingRoot: root(3) }, // new validator
    { pubkey: pubkey(1), sourceEpoch: 3, targetEpoch: 4, signingRoot: root(4) }, // double vote with the item above
    { pubkey: "0x1234", sourceEpoch: 1, targetEpoch: 2, signingRoot: root(5) }, // malformed pubkey
    { pubkey: pubkey(2), sourceEpoch: 2, targetEpoch: 1, signingRoot: root(6) }, // source after target
    { pubkey: pubkey(2), sourceEpoch: 1, targetEpoch: 2, signingRoot: root(7) },
  ]);
  assert.deepEqual(results.map(code), [
    "repeat",
    "SURROUNDING_VOTE",
    "new",
    "DOUBLE_VOTE",
    "INVALID_INPUT",
    "INVALID_ATTESTATION",
    "new",
  ]);
  const refused = results[3];
  assert.ok(!refused.ok);
  assert.equal(refused.error.context.pubkey, pubkey(1));
  assert.deepEqual(refused.error.context.existing, { sourceEpoch: 3, targetEpoch: 4, signingRoot: root(3) });
  assert.deepEqual(sp.checkAndInsertAttestations([]), []);
});

test("a batch decides exactly like the same requests made one by one (seeded slots of 64 validators)", () => {
  const rng = new Rng(64);
  const batched = fresh();
  const single = fresh();
  let refused = 0;
  for (let epoch = 1; epoch < 25; epoch++) {
    const items: AttestationRequest[] = [];
    for (let v = 0; v < 64; v++) {
      // Mostly honest (source = epoch - 1, target = epoch); sometimes a stale or conflicting request.
      const twist = rng.int(10);
      const source = twist === 0 ? Math.max(0, epoch - 3) : epoch - 1;
      const target = twist === 1 ? epoch - 1 : epoch;
      items.push({ pubkey: pubkey(v), sourceEpoch: source, targetEpoch: target, signingRoot: root(rng.int(2)) });
    }
    const results = batched.checkAndInsertAttestations(items).map(code);
    const one = items.map((item) => {
      try {
        return single.checkAndInsertAttestation(item.pubkey, item);
      } catch (err) {
        if (err instanceof SlashingProtectionError) return err.code;
        throw err;
      }
    });
    assert.deepEqual(results, one, `epoch ${epoch}`);
    refused += results.filter((r) => r !== "new" && r !== "repeat").length;
  }
  assert.ok(refused > 0, "the seeded requests never conflicted");
  assert.deepEqual(batched.exportInterchange(), single.exportInterchange());
});

test("the batch is one transaction: a database failure on its last item records none of it", () => {
  const sp = fresh();
  // An independent connection installs a trigger that fails any insert with target 999.
  const raw = new DatabaseSync(sp.path);
  raw.exec(`CREATE TRIGGER fail_999 BEFORE INSERT ON signed_attestations WHEN NEW.target_epoch = 999
            BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
  raw.close();
  const items: AttestationRequest[] = [0, 1, 2].map((v) => ({
    pubkey: pubkey(v),
    sourceEpoch: 1,
    targetEpoch: 2,
    signingRoot: root(v),
  }));
  items.push({ pubkey: pubkey(3), sourceEpoch: 1, targetEpoch: 999, signingRoot: root(9) });
  assert.throws(
    () => sp.checkAndInsertAttestations(items),
    (err: unknown) => err instanceof SlashingProtectionError && err.code === "DATABASE_ERROR",
  );
  assert.deepEqual(sp.exportInterchange().data, []);
  // The same batch without the failing item goes through, and validator ids were not left dangling.
  assert.deepEqual(sp.checkAndInsertAttestations(items.slice(0, 3)).map(code), ["new", "new", "new"]);
  assert.deepEqual(
    sp.exportInterchange().data.map((d) => d.pubkey),
    [0, 1, 2].map((v) => pubkey(v)).sort(),
  );
});
