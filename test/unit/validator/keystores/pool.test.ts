// The decryption pool: many keystores over several worker threads come back in order with the right secrets;
// wrong passwords and corrupt keystores are per-job results naming the file; progress counts every job; the pool
// is reusable across batches and bounded by memory for scrypt.
import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { describe, test } from "node:test";
import { mapLimit } from "../../../../validator/src/keystores/mapLimit.ts";
import { DecryptPool, decryptKeystores, defaultDecryptThreads } from "../../../../validator/src/keystores/pool.ts";
import { CHEAP_PBKDF2, CHEAP_SCRYPT, fixtureKeys, hex, makeKeystore } from "../../../fixtures/keystores/launchpad.ts";
import { Rng } from "../../../support/random.ts";

const KEYS = 24;

describe("DecryptPool", () => {
  test(`${KEYS} keystores (pbkdf2 and scrypt mixed) on 3 threads decrypt to their secrets, in job order`, async () => {
    const rng = new Rng(21);
    const keys = fixtureKeys(21, KEYS);
    const jobs = await Promise.all(
      keys.map(async (k, i) => ({
        keystore: await makeKeystore(k, `pw-${i}`, i % 2 === 0 ? CHEAP_PBKDF2 : CHEAP_SCRYPT, rng),
        password: `pw-${i}`,
        path: `k${i}.json`,
      })),
    );
    const seen: number[] = [];
    const results = await decryptKeystores(jobs, {
      threads: 3,
      onProgress: (done, total) => seen.push(done * 1000 + total),
    });
    assert.equal(results.length, KEYS);
    results.forEach((r, i) => {
      assert.equal(r.ok && hex(r.secret), hex(keys[i].secret), `job ${i}`);
    });
    assert.deepEqual(
      seen,
      Array.from({ length: KEYS }, (_, i) => (i + 1) * 1000 + KEYS),
    );
  });

  test("failures are results that name the file: wrong password, pubkey mismatch, broken kdf", async () => {
    const rng = new Rng(22);
    const [a, b, c] = fixtureKeys(22, 3);
    const good = await makeKeystore(a, "right", CHEAP_PBKDF2, rng);
    const otherPubkey = { ...(await makeKeystore(b, "right", CHEAP_PBKDF2, rng)), pubkey: c.pubkey.slice(2) };
    const broken = await makeKeystore(c, "right", CHEAP_SCRYPT, rng);
    (broken.crypto.kdf.params as { n: number }).n = 3; // not a power of two: scrypt refuses
    const pool = new DecryptPool({ size: 2 });
    try {
      const results = await pool.decryptAll([
        { keystore: good, password: "wrong", path: "a.json" },
        { keystore: otherPubkey, password: "right", path: "b.json" },
        { keystore: broken, password: "right", path: "c.json" },
        { keystore: good, password: "right", path: "a.json" },
      ]);
      const codes = results.map((r) => (r.ok ? "ok" : r.error.code));
      assert.deepEqual(codes, ["WRONG_PASSWORD", "PUBKEY_MISMATCH", "NOT_A_KEYSTORE", "ok"]);
      results.forEach((r, i) => {
        if (!r.ok) assert.match(r.error.message, new RegExp(["a", "b", "c"][i]));
      });
      // The pool is reusable.
      const again = await pool.decryptAll([{ keystore: good, password: "right", path: "a.json" }]);
      assert.equal(again[0].ok && hex(again[0].secret), hex(a.secret));
    } finally {
      await pool.close();
    }
  });

  test("an empty batch resolves at once", async () => {
    assert.deepEqual(await decryptKeystores([], { threads: 2 }), []);
  });

  test("default size: one thread per core, capped by scrypt memory", async () => {
    assert.equal(defaultDecryptThreads([]), availableParallelism());
    const [k] = fixtureKeys(23, 1);
    const real = await makeKeystore(k, "x", CHEAP_SCRYPT, new Rng(1));
    (real.crypto.kdf.params as { n: number }).n = 2 ** 18; // EIP-2335's default: 256 MiB per decryption
    const threads = defaultDecryptThreads([real]);
    assert.ok(threads >= 1 && threads <= availableParallelism());
    const huge = structuredClone(real);
    (huge.crypto.kdf.params as { n: number }).n = 2 ** 40; // 128 TiB per decryption: only one thread
    assert.equal(defaultDecryptThreads([huge]), 1);
    assert.throws(() => new DecryptPool({ size: 0 }), RangeError);
  });
});

describe("mapLimit (bounded file reads)", () => {
  test("results in input order, never more than `limit` in flight, the first rejection rejects", async () => {
    const rng = new Rng(24);
    let inFlight = 0;
    let peak = 0;
    const delays = Array.from({ length: 50 }, () => rng.int(5));
    const out = await mapLimit(
      delays,
      async (d, i) => {
        peak = Math.max(peak, ++inFlight);
        await new Promise((r) => setTimeout(r, d));
        inFlight--;
        return i * 2;
      },
      4,
    );
    assert.deepEqual(
      out,
      delays.map((_, i) => i * 2),
    );
    assert.equal(peak, 4);
    await assert.rejects(
      mapLimit([1, 2, 3], async (x) => {
        if (x === 2) throw new Error("boom");
        return x;
      }),
      /boom/,
    );
    assert.deepEqual(await mapLimit([], async (x) => x), []);
  });
});
