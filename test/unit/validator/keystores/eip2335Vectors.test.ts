// EIP-2335 test vectors (../shared/reference/eip-keystore-vectors): the scrypt and pbkdf2 keystores decrypt to the
// given secret with the unicode password, through our worker pool; our password normalisation gives the vector's
// encoded password; and the library normalises passwords the same way (control codes stripped, NFKD).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { create, decrypt } from "@chainsafe/bls-keystore";
import { parseKeystoreText } from "../../../../validator/src/keystores/keystoreFile.ts";
import { normalizePassword } from "../../../../validator/src/keystores/password.ts";
import { decryptKeystores } from "../../../../validator/src/keystores/pool.ts";
import { fixtureKeys, hex } from "../../../fixtures/keystores/launchpad.ts";
import { referencePath, referenceSkip } from "../../../support/reference.ts";

interface Vector {
  name: string;
  password: string;
  encoded_password: string;
  secret: string;
  keystore: unknown;
}

const skip = referenceSkip("eip-keystore-vectors", "eip2335_keystore_vectors.json");
const vectors = (): Vector[] =>
  (
    JSON.parse(readFileSync(referencePath("eip-keystore-vectors", "eip2335_keystore_vectors.json"), "utf8")) as {
      vectors: Vector[];
    }
  ).vectors;

describe("EIP-2335 vectors", { skip }, () => {
  test("both vectors (scrypt and pbkdf2, real parameters) decrypt to the given secret on the pool", async () => {
    const vs = vectors();
    assert.deepEqual(
      vs.map((v) => (v.keystore as { crypto: { kdf: { function: string } } }).crypto.kdf.function).sort(),
      ["pbkdf2", "scrypt"],
    );
    const files = vs.map((v) => parseKeystoreText(JSON.stringify(v.keystore), v.name));
    const results = await decryptKeystores(
      files.map((f, i) => ({ keystore: f.keystore, password: vs[i].password, path: f.path })),
      { threads: 2 },
    );
    results.forEach((r, i) => {
      assert.ok(r.ok, `${vs[i].name}: ${r.ok ? "" : r.error.message}`);
      assert.equal(`0x${hex(r.secret)}`, vs[i].secret);
    });
  });

  test("the standalone keystore files decrypt too (pbkdf2 and scrypt)", async () => {
    const v = vectors()[0];
    for (const name of ["eip2335_pbkdf2_keystore.json", "eip2335_scrypt_keystore.json"]) {
      const text = readFileSync(referencePath("eip-keystore-vectors", name), "utf8");
      const file = parseKeystoreText(text, name);
      assert.equal(`0x${hex(await decrypt(file.keystore, v.password))}`, v.secret, name);
    }
  });

  test("normalizePassword gives the vectors' encoded_password", () => {
    for (const v of vectors()) assert.equal(`0x${hex(normalizePassword(v.password))}`, v.encoded_password);
  });

  test("a wrong password is rejected", async () => {
    const v = vectors().find((x) => x.name.startsWith("PBKDF2")) as Vector;
    const file = parseKeystoreText(JSON.stringify(v.keystore), v.name);
    const [r] = await decryptKeystores([{ keystore: file.keystore, password: "testpassword", path: v.name }], {
      threads: 1,
    });
    assert.equal(r.ok, false);
    assert.equal(r.ok ? "" : r.error.code, "WRONG_PASSWORD");
  });
});

describe("password normalisation (EIP-2335: NFKD, strip C0/C1/DEL, keep space)", () => {
  test("control codes are stripped, space and other characters kept", () => {
    const cases: [string, string][] = [
      ["pass word", "pass word"],
      ["a\u0000b\u001fc\u007fd\u0080e\u009ff", "abcdef"],
      ["pw\n", "pw"],
      ["\u00a0x", " x"], // NO-BREAK SPACE is not a control code; NFKD maps it to a space
      ["ﬁ", "fi"], // compatibility ligature
      ["é", "e\u0301"], // precomposed → decomposed
      ["😀", "😀"],
    ];
    for (const [input, expected] of cases)
      assert.equal(hex(normalizePassword(input)), hex(new TextEncoder().encode(expected)), JSON.stringify(input));
  });

  test("the library strips the same codes: a keystore made with the clean password opens with the noisy one", async () => {
    const [key] = fixtureKeys(11, 1);
    const kdf = {
      function: "pbkdf2" as const,
      params: { dklen: 32, c: 16, prf: "hmac-sha256" as const, salt: "00".repeat(32) },
    };
    const pubkey = Buffer.from(key.pubkey.slice(2), "hex");
    const clean = "correct horse é ﬁ 😀";
    const noisy = "\u0007correct\u007f horse \u0085e\u0301 fi\u0000 😀\n";
    const ks = await create(clean, key.secret, pubkey, "", "", kdf);
    assert.equal(hex(await decrypt(ks, noisy)), hex(key.secret));
    assert.equal(hex(normalizePassword(clean)), hex(normalizePassword(noisy)));
    await assert.rejects(decrypt(ks, "correct horse e fi 😀"), /Invalid password/);
  });
});
