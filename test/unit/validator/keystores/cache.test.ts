// The encrypted key cache: a hit returns the secrets; it misses (with the right reason) when it is absent, when a
// keystore is added/removed/changed, when a password changes, when the file is tampered with; its file is 0600 in a
// 0700 folder and holds neither a secret nor a password in any readable form. Also: loadKeysFromDataDir uses it.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { dataDirLayout, type PubkeyHex } from "../../../../validator/src/dataDir/layout.ts";
import {
  cacheKdfFor,
  DEFAULT_CACHE_KDF,
  type KeyCacheInput,
  type KeyCacheKdf,
  readKeyCache,
  writeKeyCache,
} from "../../../../validator/src/keystores/cache.ts";
import { installKeys } from "../../../../validator/src/keystores/import/commit.ts";
import { loadKeysFromDataDir } from "../../../../validator/src/keystores/loader.ts";
import {
  CHEAP_PBKDF2,
  type FixtureKey,
  fixtureKeys,
  hex,
  makeKeystore,
} from "../../../fixtures/keystores/launchpad.ts";
import { Rng } from "../../../support/random.ts";

/** A cheap cache KDF for tests (the default is EIP-2335's n = 2^18). */
const TEST_KDF: KeyCacheKdf = { n: 2 ** 10, r: 8, p: 1 };
const N_KEYS = 6;

let dir: string;
let keys: FixtureKey[];
let inputs: KeyCacheInput[];
const secrets = () => new Map(keys.map((k) => [k.pubkey as PubkeyHex, new Uint8Array(k.secret)]));

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "sextant-cache-"));
  keys = fixtureKeys(31, N_KEYS);
  const rng = new Rng(31);
  inputs = await Promise.all(
    keys.map(async (k, i) => ({
      pubkey: k.pubkey,
      keystoreText: JSON.stringify(await makeKeystore(k, `pw${i}`, CHEAP_PBKDF2, rng)),
      password: `pw${i}`,
    })),
  );
});
after(() => rm(dir, { recursive: true, force: true }));

describe("key cache file", () => {
  test("absent → miss; written → hit with every secret; mode 0600 in a 0700 folder", async () => {
    const path = join(dir, "c1", "keys.cache");
    assert.deepEqual(await readKeyCache(path, inputs), { hit: false, reason: "absent" });
    await writeKeyCache(path, inputs, secrets(), TEST_KDF);
    const r = await readKeyCache(path, [...inputs].reverse()); // order of inputs does not matter
    assert.ok(r.hit);
    for (const k of keys) assert.equal(hex(r.secrets.get(k.pubkey) as Uint8Array), hex(k.secret));
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal((await stat(join(dir, "c1"))).mode & 0o777, 0o700);
  });

  test("the file holds no secret and no password, in hex, base64 or raw", async () => {
    const path = join(dir, "c2", "keys.cache");
    await writeKeyCache(path, inputs, secrets(), TEST_KDF);
    const raw = await readFile(path);
    const text = raw.toString("utf8");
    for (const [i, k] of keys.entries()) {
      assert.ok(!text.includes(hex(k.secret)));
      assert.ok(!text.includes(Buffer.from(k.secret).toString("base64").slice(0, 40)));
      assert.ok(raw.indexOf(Buffer.from(k.secret)) < 0);
      assert.ok(!text.includes(`pw${i}"`));
    }
    const f = JSON.parse(text) as { kdf: { function: string; n: number } };
    assert.deepEqual([f.kdf.function, f.kdf.n], ["scrypt", TEST_KDF.n]);
  });

  test("invalidation: a keystore changed, added or removed → keystores-changed; a password changed → passwords-changed", async () => {
    const path = join(dir, "c3", "keys.cache");
    await writeKeyCache(path, inputs, secrets(), TEST_KDF);
    const changed = inputs.map((k, i) => (i === 2 ? { ...k, keystoreText: `${k.keystoreText} ` } : k));
    assert.deepEqual(await readKeyCache(path, changed), { hit: false, reason: "keystores-changed" });
    assert.deepEqual(await readKeyCache(path, inputs.slice(1)), { hit: false, reason: "keystores-changed" });
    const [extra] = fixtureKeys(32, 1);
    const added = [...inputs, { pubkey: extra.pubkey, keystoreText: "{}", password: "x" }];
    assert.deepEqual(await readKeyCache(path, added), { hit: false, reason: "keystores-changed" });
    const newPassword = inputs.map((k, i) => (i === 4 ? { ...k, password: "pw4!" } : k));
    assert.deepEqual(await readKeyCache(path, newPassword), { hit: false, reason: "passwords-changed" });
    // A password that normalises to the same bytes (EIP-2335) is the same password.
    const sameNormalised = inputs.map((k, i) => (i === 4 ? { ...k, password: "pw\u00074" } : k));
    assert.ok((await readKeyCache(path, sameNormalised)).hit);
  });

  test("tampering: a flipped ciphertext byte, an edited header or garbage → miss, never wrong keys", async () => {
    const path = join(dir, "c4", "keys.cache");
    await writeKeyCache(path, inputs, secrets(), TEST_KDF);
    const good = await readFile(path, "utf8");
    const f = JSON.parse(good) as Record<string, unknown> & { ciphertext: string; kdf: { n: number; salt: string } };
    const ct = Buffer.from(f.ciphertext, "base64");
    ct[5] ^= 1;
    await writeFile(path, JSON.stringify({ ...f, ciphertext: ct.toString("base64") }));
    assert.deepEqual(await readKeyCache(path, inputs), { hit: false, reason: "passwords-changed" });
    await writeFile(path, JSON.stringify({ ...f, kdf: { ...f.kdf, salt: "00".repeat(32) } }));
    assert.deepEqual(await readKeyCache(path, inputs), { hit: false, reason: "passwords-changed" });
    await writeFile(path, JSON.stringify({ ...f, kdf: { ...f.kdf, n: 2 ** 30 } }));
    assert.deepEqual(await readKeyCache(path, inputs), { hit: false, reason: "unsupported" });
    await writeFile(path, good.slice(0, 100));
    assert.deepEqual(await readKeyCache(path, inputs), { hit: false, reason: "unreadable" });
    await writeFile(path, good);
    assert.ok((await readKeyCache(path, inputs)).hit);
  });

  test("the cache KDF is never weaker than EIP-2335's default nor than the strongest scrypt keystore", () => {
    assert.deepEqual(cacheKdfFor([]), DEFAULT_CACHE_KDF);
    assert.deepEqual(cacheKdfFor([{ function: "pbkdf2", params: { c: 2 ** 20 } }]), DEFAULT_CACHE_KDF);
    assert.deepEqual(cacheKdfFor([{ function: "scrypt", params: { n: 2 ** 10, r: 8, p: 1 } }]), DEFAULT_CACHE_KDF);
    assert.deepEqual(cacheKdfFor([{ function: "scrypt", params: { n: 2 ** 20, r: 8, p: 1 } }]), {
      n: 2 ** 20,
      r: 8,
      p: 1,
    });
  });
});

describe("loadKeysFromDataDir", () => {
  test("first start decrypts the keystores and writes the cache; the next start hits it; a password change misses", async () => {
    const layout = dataDirLayout(join(dir, "datadir"));
    assert.deepEqual(await loadKeysFromDataDir(layout, { progress: null }), { keys: [], source: "none" });
    await installKeys(layout, inputs);
    const opts = { progress: null, cacheKdf: TEST_KDF, threads: 2 };
    const first = await loadKeysFromDataDir(layout, opts);
    assert.equal(first.source, "keystores");
    assert.equal(first.cacheMiss, "absent");
    const expected = keys.map((k) => [k.pubkey, hex(k.secret)]).sort();
    assert.deepEqual(first.keys.map((k) => [k.pubkey, hex(k.secretKey.toBytes())]).sort(), expected);
    const second = await loadKeysFromDataDir(layout, opts);
    assert.equal(second.source, "cache");
    assert.deepEqual(second.keys.map((k) => [k.pubkey, hex(k.secretKey.toBytes())]).sort(), expected);
    // The operator re-imports key 0 under the same password but another keystore file (new salt): miss, reload.
    const [k0] = keys;
    const redone = JSON.stringify(await makeKeystore(k0, "pw0", CHEAP_PBKDF2, new Rng(99)));
    await writeFile(join(layout.keystoresDir, k0.pubkey, "voting-keystore.json"), redone);
    const third = await loadKeysFromDataDir(layout, opts);
    assert.deepEqual([third.source, third.cacheMiss], ["keystores", "keystores-changed"]);
    assert.equal((await loadKeysFromDataDir(layout, opts)).source, "cache");
    // A password file that no longer opens its keystore: the cache misses and the load fails naming the file.
    await writeFile(join(layout.secretsDir, keys[3].pubkey), "not-it");
    await assert.rejects(loadKeysFromDataDir(layout, opts), (e: Error & { code?: string }) => {
      assert.equal(e.code, "WRONG_PASSWORD");
      assert.match(e.message, new RegExp(keys[3].pubkey));
      return true;
    });
  });
});
