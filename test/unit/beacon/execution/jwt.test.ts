// Engine API JWT: HS256 tokens with iat, verified as an engine does (signature, algorithm, ±60 s); secret files.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { createJwt, parseJwtSecret, readJwtSecretFile, verifyJwt } from "@sextant/beacon/execution/jwt";
import { isSextantError } from "@sextant/common/errors";

const secret = new Uint8Array(32).fill(7);

describe("engine JWT", () => {
  it("signs HS256 with an iat claim and verifies within ±60 s", () => {
    const token = createJwt(secret, 1_000_000);
    const [h, p] = token.split(".");
    assert.deepEqual(JSON.parse(Buffer.from(h, "base64url").toString()), { alg: "HS256", typ: "JWT" });
    assert.deepEqual(JSON.parse(Buffer.from(p, "base64url").toString()), { iat: 1_000_000 });
    assert.equal(verifyJwt(token, secret, 1_000_000), null);
    assert.equal(verifyJwt(token, secret, 1_000_060), null);
    assert.equal(verifyJwt(token, secret, 1_000_061), "stale iat");
    assert.equal(verifyJwt(token, secret, 999_939), "stale iat");
  });

  it("refuses another secret, a tampered payload, other algorithms and garbage", () => {
    const token = createJwt(secret, 5);
    assert.equal(verifyJwt(token, new Uint8Array(32).fill(8), 5), "bad signature");
    const [h, , s] = token.split(".");
    const forged = Buffer.from(JSON.stringify({ iat: 6 })).toString("base64url");
    assert.equal(verifyJwt(`${h}.${forged}.${s}`, secret, 5), "bad signature");
    const none = Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url");
    assert.equal(verifyJwt(`${none}.${forged}.`, secret, 5), "bad algorithm");
    assert.equal(verifyJwt("abc", secret, 5), "malformed");
    assert.equal(verifyJwt("a.b.c", secret, 5), "malformed");
  });

  it("reads 32-byte hex secrets with or without 0x and rejects others", () => {
    const dir = mkdtempSync(join(tmpdir(), "sextant-jwt-"));
    try {
      const file = join(dir, "jwt.hex");
      writeFileSync(file, `0x${"ab".repeat(32)}\n`);
      assert.deepEqual(readJwtSecretFile(file), new Uint8Array(32).fill(0xab));
      assert.deepEqual(parseJwtSecret("cd".repeat(32)), new Uint8Array(32).fill(0xcd));
      assert.throws(
        () => parseJwtSecret("ab".repeat(31)),
        (e) => isSextantError(e, "EXECUTION_JWT_SECRET"),
      );
      assert.throws(
        () => parseJwtSecret("zz".repeat(32)),
        (e) => isSextantError(e, "EXECUTION_JWT_SECRET"),
      );
      assert.throws(
        () => readJwtSecretFile(join(dir, "missing")),
        (e) => isSextantError(e, "EXECUTION_JWT_SECRET") && /cannot read/.test((e as Error).message),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
