// Slashing protection and the gate in front of the signer: double votes, surrounds and double proposals are refused
// (and nothing is signed), an identical repeat is signed again, gated and remote keys are refused without anything
// written to the database, and one transaction serves a whole batch.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { createValidatorMetrics } from "../../../../validator/src/metrics.ts";
import type { PubkeyHex, SignResult } from "../../../../validator/src/ports.ts";
import { REMOTE_SIGNING_UNSUPPORTED } from "../../../../validator/src/signing/signer.ts";
import { SlashingProtectionError } from "../../../../validator/src/slashing-protection/errors.ts";
import { attestationData, type Harness, harness, localKey, recorded, SLOTS_PER_EPOCH, types } from "./helpers.ts";

// biome-ignore lint/suspicious/noExplicitAny: SSZ values built generically
type Any = any;

let h: Harness;
let metrics: ReturnType<typeof createValidatorMetrics>;
beforeEach(async () => {
  metrics = createValidatorMetrics({ defaults: false });
  h = await harness(3, { metrics });
});
afterEach(async () => {
  await h.close();
});

async function counter(name: string, kind: string): Promise<number> {
  const m = await metrics.registry.getSingleMetric(name)?.get();
  return m?.values.find((v) => v.labels.kind === kind)?.value ?? 0;
}

function refused(r: SignResult | undefined): { reason: string; code?: string } {
  assert.ok(r);
  if (r.ok) assert.fail("expected a refusal, got a signature");
  return r;
}

function denebBlock(slot: number, graffitiByte = 0) {
  const block = (types.deneb.BeaconBlock as Any).defaultValue();
  block.slot = slot;
  block.body.graffiti = new Uint8Array(32).fill(graffitiByte);
  return block;
}

describe("slashing protection before signing", () => {
  it("a double vote is refused and not signed; the repeat of the same vote is signed again", async () => {
    const pk = h.keys[0].pubkey;
    const first = attestationData(20, 1, 2, 0);
    const [a] = await h.signer.signAttestations([{ pubkey: pk, data: first }]);
    assert.equal(a.ok, true);
    const [b] = await h.signer.signAttestations([{ pubkey: pk, data: attestationData(21, 1, 2, 9) }]);
    assert.equal(refused(b).code, "DOUBLE_VOTE");
    const [c] = await h.signer.signAttestations([{ pubkey: pk, data: first }]);
    assert.ok(a.ok && c.ok);
    assert.deepEqual(c.signature, a.signature, "a repeat signs the same message: the same signature");
    assert.equal(recorded(h, pk).attestations, 1);
    assert.equal(await counter("validator_slashing_protection_refusals_total", "attestation"), 1);
    assert.equal(await counter("validator_signatures_total", "attestation"), 2);
  });

  it("surrounding and surrounded votes are refused", async () => {
    const pk = h.keys[1].pubkey;
    const [a] = await h.signer.signAttestations([{ pubkey: pk, data: attestationData(30, 2, 3) }]);
    assert.equal(a.ok, true);
    const [surrounding] = await h.signer.signAttestations([{ pubkey: pk, data: attestationData(40, 1, 5) }]);
    assert.equal(refused(surrounding).code, "SURROUNDING_VOTE");
    const [b] = await h.signer.signAttestations([{ pubkey: pk, data: attestationData(60, 2, 7) }]);
    assert.equal(b.ok, true);
    const [surrounded] = await h.signer.signAttestations([{ pubkey: pk, data: attestationData(50, 4, 6) }]);
    assert.equal(refused(surrounded).code, "SURROUNDED_VOTE");
    assert.equal(recorded(h, pk).attestations, 2);
  });

  it("one batch: each item judged in order, refusals per item, the others signed", async () => {
    const [k0, k1, k2] = h.keys.map((k) => k.pubkey);
    const results = await h.signer.signAttestations([
      { pubkey: k0, data: attestationData(16, 1, 2, 0) },
      { pubkey: k1, data: attestationData(16, 1, 2, 0) },
      { pubkey: k0, data: attestationData(16, 1, 2, 5) }, // double vote with item 0 of the same batch
      { pubkey: k2, data: attestationData(16, 3, 2, 0) }, // source after target
    ]);
    assert.deepEqual(
      results.map((r) => (r.ok ? "ok" : r.code)),
      ["ok", "ok", "DOUBLE_VOTE", "INVALID_ATTESTATION"],
    );
  });

  it("a double proposal throws the SlashingProtectionError; the identical block is signed again", async () => {
    const pk = h.keys[2].pubkey;
    const slot = 4 * SLOTS_PER_EPOCH + 3;
    const sig = await h.signer.signBlock(pk, "deneb", false, denebBlock(slot, 1));
    await assert.rejects(h.signer.signBlock(pk, "deneb", false, denebBlock(slot, 2)), (e: unknown) => {
      assert.ok(e instanceof SlashingProtectionError);
      assert.equal(e.code, "DOUBLE_BLOCK");
      return true;
    });
    assert.deepEqual(await h.signer.signBlock(pk, "deneb", false, denebBlock(slot, 1)), sig);
    assert.equal(recorded(h, pk).blocks, 1);
    assert.equal(await counter("validator_slashing_protection_refusals_total", "block"), 1);
  });
});

describe("the gate and key kinds", () => {
  it("a gated key is refused and nothing is written to slashing protection for it", async () => {
    const [k0, k1] = h.keys.map((k) => k.pubkey);
    h.signer.setGate((pk) => (pk === k0 ? "doppelganger check in progress" : undefined));
    const results = await h.signer.signAttestations([
      { pubkey: k0, data: attestationData(8, 0, 1) },
      { pubkey: k1, data: attestationData(8, 0, 1) },
    ]);
    assert.equal(refused(results[0]).code, "GATED");
    assert.match(refused(results[0]).reason, /doppelganger check in progress/);
    assert.equal(results[1].ok, true);
    await assert.rejects(h.signer.signBlock(k0, "deneb", false, denebBlock(4 * SLOTS_PER_EPOCH)), {
      code: "GATED",
    });
    await assert.rejects(h.signer.signRandaoReveal(k0, 4), { code: "GATED" });
    const [agg] = await h.signer.signSyncCommitteeMessages([
      { pubkey: k0, slot: 9, beaconBlockRoot: new Uint8Array(32) },
    ]);
    assert.equal(refused(agg).code, "GATED");
    assert.deepEqual(recorded(h, k0), { blocks: 0, attestations: 0 });
    assert.deepEqual(recorded(h, k1), { blocks: 0, attestations: 1 });
    // Selection proofs are not slashable and the duties need them: not gated.
    assert.equal((await h.signer.signSelectionProofs([{ pubkey: k0, slot: 8 }])).length, 1);
    // Once the gate clears the key, it signs.
    h.signer.setGate(undefined);
    const [later] = await h.signer.signAttestations([{ pubkey: k0, data: attestationData(8, 0, 1) }]);
    assert.equal(later.ok, true);
  });

  it("remote keys are refused (remote signing is not supported yet), unknown keys too, nothing recorded", async () => {
    const remote = localKey(50).pubkey;
    h.registry.addRemote({ pubkey: remote, url: "https://signer.invalid" });
    const stranger = localKey(51).pubkey as PubkeyHex;
    const results = await h.signer.signAttestations([
      { pubkey: remote, data: attestationData(8, 0, 1) },
      { pubkey: stranger, data: attestationData(8, 0, 1) },
    ]);
    assert.equal(refused(results[0]).code, "REMOTE_KEY");
    assert.equal(refused(results[0]).reason, REMOTE_SIGNING_UNSUPPORTED);
    assert.equal(refused(results[1]).code, "UNKNOWN_KEY");
    await assert.rejects(h.signer.signBlock(remote, "deneb", false, denebBlock(4 * SLOTS_PER_EPOCH)), {
      code: "REMOTE_KEY",
    });
    assert.equal(h.signer.has(remote), false);
    assert.deepEqual(h.sp.listPubkeys(), []);
  });
});
