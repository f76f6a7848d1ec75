import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isSecretKey, REDACTED, redactSecrets, redactUrl } from "@sextant/common";

describe("redactSecrets", () => {
  test("replaces values under secret-named keys at any depth, keeps the rest", () => {
    const input = {
      password: "hunter2",
      keystore: { path: "/k.json", keystore_password: "pw", nested: [{ secretKey: "0xabc", index: 3 }] },
      "auth-token": "t",
      pubkey: "0x1234",
    };
    assert.deepEqual(redactSecrets(input), {
      password: REDACTED,
      keystore: { path: "/k.json", keystore_password: REDACTED, nested: [{ secretKey: REDACTED, index: 3 }] },
      "auth-token": REDACTED,
      pubkey: "0x1234",
    });
    assert.equal(input.password, "hunter2", "the input is not modified");
  });

  test("strips credentials from URLs found in strings", () => {
    assert.deepEqual(redactSecrets({ url: "http://alice:s3cret@127.0.0.1:5052/eth/v1" }), {
      url: "http://redacted@127.0.0.1:5052/eth/v1",
    });
  });

  test("key matching ignores case, dashes and underscores but not unrelated names", () => {
    for (const k of ["Password", "SECRET_KEY", "private-key", "jwtSecret", "Authorization", "mnemonic"]) {
      assert.ok(isSecretKey(k), k);
    }
    for (const k of ["pubkey", "publicKey", "passed", "keystorePath", "tokenCount"]) assert.ok(!isSecretKey(k), k);
  });
});

describe("redactUrl", () => {
  test("removes user info and token-like query parameters", () => {
    const out = redactUrl("https://user:pw@node.example:443/path?api_token=abc&slot=3");
    assert.ok(!out.includes("pw") && !out.includes("abc"), out);
    assert.ok(out.includes("slot=3"));
  });
  test("leaves URLs without secrets unchanged", () => {
    assert.equal(redactUrl("http://127.0.0.1:5052/eth/v1/node/health"), "http://127.0.0.1:5052/eth/v1/node/health");
  });
});
