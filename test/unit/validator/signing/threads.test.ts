// The signing threads: a batch split across 2 threads gives exactly the main thread's signatures (BLS signatures
// are deterministic), keys added to and removed from the registry reach the threads, a dead thread rejects its
// batch and is replaced, and neither a closed nor an idle signer keeps the process alive.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { PubkeyHex } from "../../../../validator/src/ports.ts";
import { SigningPool } from "../../../../validator/src/signing/pool.ts";
import { attestationData, type Harness, harness, localKey, tempDir } from "./helpers.ts";

const BATCH = 200;

function roots(n: number, seed: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => {
    const r = new Uint8Array(32);
    new DataView(r.buffer).setUint32(0, i);
    r[31] = seed;
    return r;
  });
}

describe("SigningPool", () => {
  let pool: SigningPool;
  const keys = Array.from({ length: 5 }, (_, i) => localKey(i));
  before(async () => {
    pool = await SigningPool.create({ threads: 2, minWorkerBatch: 16 });
    for (const k of keys) pool.addKey(k.pubkey, k.secretKey);
  });
  after(async () => {
    await pool.close();
  });

  it(`${BATCH} signatures across 2 threads equal main-thread signing`, async () => {
    const pubkeys = Array.from({ length: BATCH }, (_, i) => keys[i % keys.length].pubkey);
    const rs = roots(BATCH, 1);
    const sigs = await pool.sign(pubkeys, rs);
    assert.equal(sigs.length, BATCH);
    for (let i = 0; i < BATCH; i++)
      assert.deepEqual(sigs[i], keys[i % keys.length].secretKey.sign(rs[i]).toBytes(true), `signature ${i}`);
    // Uneven sizes split unevenly but stay in order.
    const odd = await pool.sign(pubkeys.slice(0, 17), rs.slice(0, 17));
    assert.deepEqual(odd, sigs.slice(0, 17));
  });

  it("a thread that dies rejects its batch with WORKER_FAILED and is replaced with the keys", async () => {
    const n = 1000;
    const pubkeys = Array.from({ length: n }, (_, i) => keys[i % keys.length].pubkey);
    const pending = pool.sign(pubkeys, roots(n, 2));
    await pool.killThreadForTesting(0);
    await assert.rejects(pending, { name: "SignerError", code: "WORKER_FAILED", message: /signing thread died/ });
    assert.equal(pool.liveThreads, 2);
    const rs = roots(64, 3);
    const again = await pool.sign(pubkeys.slice(0, 64), rs);
    for (let i = 0; i < 64; i++) assert.deepEqual(again[i], keys[i % keys.length].secretKey.sign(rs[i]).toBytes(true));
  });

  it("a key the pool does not hold is UNKNOWN_KEY; a removed key can no longer sign", async () => {
    const extra = localKey(9);
    const rs = roots(20, 4);
    await assert.rejects(pool.sign(Array(20).fill(extra.pubkey), rs), { code: "UNKNOWN_KEY" });
    pool.addKey(extra.pubkey, extra.secretKey);
    const sigs = await pool.sign(Array(20).fill(extra.pubkey), rs);
    assert.deepEqual(sigs[19], extra.secretKey.sign(rs[19]).toBytes(true));
    pool.removeKey(extra.pubkey);
    await assert.rejects(pool.sign(Array(20).fill(extra.pubkey), rs), { code: "UNKNOWN_KEY" });
  });
});

describe("LocalSigner on threads", () => {
  let onThreads: Harness;
  let onMain: Harness;
  before(async () => {
    onThreads = await harness(BATCH, { threads: 2 });
    onMain = await harness(BATCH, { threads: 0 });
  });
  after(async () => {
    await onThreads.close();
    await onMain.close();
  });

  it(`${BATCH} attestations on 2 threads give the main thread's signatures`, async () => {
    const items = onThreads.keys.map((k, i) => ({ pubkey: k.pubkey, data: attestationData(17, 1, 2, i % 7) }));
    const a = await onThreads.signer.signAttestations(items);
    const b = await onMain.signer.signAttestations(items);
    assert.equal(a.length, BATCH);
    for (let i = 0; i < BATCH; i++) {
      assert.ok(a[i].ok && b[i].ok, `item ${i} signed`);
      assert.deepEqual(a[i], b[i], `item ${i}`);
    }
  });

  it("keys added to and removed from the registry take effect on the threads", async () => {
    const added = localKey(BATCH + 1);
    const slots = Array.from({ length: 32 }, (_, slot) => ({ pubkey: added.pubkey as PubkeyHex, slot }));
    await assert.rejects(onThreads.signer.signSelectionProofs(slots), { code: "UNKNOWN_KEY" });
    onThreads.registry.addLocal(added);
    assert.equal(onThreads.signer.has(added.pubkey), true);
    assert.ok(onThreads.signer.pubkeys().includes(added.pubkey));
    const sigs = await onThreads.signer.signSelectionProofs(slots);
    assert.equal(sigs.length, 32);
    onThreads.registry.removeLocal(added.pubkey);
    assert.equal(onThreads.signer.has(added.pubkey), false);
    await assert.rejects(onThreads.signer.signSelectionProofs(slots), { code: "UNKNOWN_KEY" });
    const [r] = await onThreads.signer.signAttestations([{ pubkey: added.pubkey, data: attestationData(9, 0, 1) }]);
    assert.equal(r.ok === false && r.code, "UNKNOWN_KEY");
  });
});

describe("process lifetime", () => {
  const script = fileURLToPath(new URL("./fixtures/exitAfterSigning.ts", import.meta.url));
  for (const mode of ["close", "idle"]) {
    it(`the process exits by itself after signing on threads (${mode === "close" ? "closed" : "idle, not closed"})`, async () => {
      // The timeout only guards against a hang (a thread keeping the process alive): it is no speed assertion.
      const { stdout } = await promisify(execFile)(process.execPath, [script, mode, tempDir()], { timeout: 30_000 });
      assert.equal(stdout.trim(), "signed 8");
    });
  }

  it("a closed signer refuses to sign", async () => {
    const h = await harness(1, { threads: 1 });
    await h.close();
    await assert.rejects(h.signer.signRandaoReveal(h.keys[0].pubkey, 0), { code: "CLOSED" });
  });
});
