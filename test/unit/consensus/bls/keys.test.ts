import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import {
  BlsError,
  CURVE_ORDER,
  G2_POINT_AT_INFINITY,
  interopSecretKey,
  interopSecretKeyBytes,
  interopSecretKeys,
  publicKeyFromBytes,
  publicKeyFromSecret,
  secretKeyFromBytes,
  secretKeyFromIkm,
  signatureFromBytes,
} from "../../../../consensus/src/bls/index.ts";
import { toHex } from "../../../../consensus/src/util/hex.ts";
import { Rng } from "../../../support/random.ts";

const INTEROP_CHECKED = 64;
/** Attempts allowed when searching random encodings for an on-curve point outside the subgroup. */
const SEARCH_LIMIT = 500;

function assertBlsError(fn: () => unknown, code: string, reason?: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof BlsError, `expected BlsError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (typeof reason === "string") assert.equal(e.reason, reason);
    else if (reason) assert.match(e.reason, reason);
    assert.ok(e.message.length > 10);
    return true;
  });
}

/** A compressed encoding (x < p, sign bit clear) of an on-curve point outside the prime-order subgroup. */
function findNonSubgroupPoint(length: 48 | 96, decode: (b: Uint8Array) => unknown, seed: number): Uint8Array {
  const rng = new Rng(seed);
  for (let i = 0; i < SEARCH_LIMIT; i++) {
    const bytes = rng.bytes(length);
    bytes[0] = (bytes[0] & 0x0f) | 0x80; // compressed flag, keep x below the field modulus
    if (length === 96) bytes[48] &= 0x0f; // the second Fp coordinate must also be below p
    try {
      decode(bytes);
    } catch (e) {
      if (e instanceof BlsError && e.reason === "BLST_POINT_NOT_IN_GROUP") return bytes;
    }
  }
  throw new Error("no non-subgroup point found");
}

describe("secret keys", () => {
  test("KeyGen from IKM is deterministic and needs ≥ 32 bytes", () => {
    const ikm = new Uint8Array(32).fill(7);
    assert.equal(secretKeyFromIkm(ikm).toHex(), secretKeyFromIkm(ikm.slice()).toHex());
    assert.notEqual(secretKeyFromIkm(ikm).toHex(), secretKeyFromIkm(new Uint8Array(32).fill(8)).toHex());
    assertBlsError(() => secretKeyFromIkm(new Uint8Array(31)), "INVALID_IKM");
  });

  test("bytes round-trip; zero, ≥ curve order and wrong lengths are rejected", () => {
    const sk = secretKeyFromIkm(new Rng(410).bytes(32));
    assert.equal(secretKeyFromBytes(sk.toBytes()).toHex(), sk.toHex());
    const orderMinusOne = Buffer.from((CURVE_ORDER - 1n).toString(16).padStart(64, "0"), "hex");
    assert.equal(toHex(secretKeyFromBytes(orderMinusOne).toBytes()), toHex(orderMinusOne));
    assertBlsError(() => secretKeyFromBytes(new Uint8Array(32)), "INVALID_SECRET_KEY");
    assertBlsError(() => secretKeyFromBytes(Buffer.from(CURVE_ORDER.toString(16), "hex")), "INVALID_SECRET_KEY");
    assertBlsError(() => secretKeyFromBytes(new Uint8Array(31).fill(1)), "INVALID_SECRET_KEY", "BAD_LENGTH");
  });
});

describe("public key validation (KeyValidate)", () => {
  const pk = publicKeyFromSecret(secretKeyFromIkm(new Uint8Array(32).fill(1)));

  test("a valid key round-trips", () => {
    assert.equal(publicKeyFromBytes(pk.toBytes()).toHex(), pk.toHex());
  });

  test("infinity, off-curve, non-subgroup and wrong-length keys are rejected with blst's reason", () => {
    const infinity = new Uint8Array(48);
    infinity[0] = 0xc0;
    assertBlsError(() => publicKeyFromBytes(infinity), "INVALID_PUBLIC_KEY", "BLST_PK_IS_INFINITY");
    assertBlsError(() => publicKeyFromBytes(new Uint8Array(48).fill(0xaa)), "INVALID_PUBLIC_KEY", /BLST_/);
    const notInGroup = findNonSubgroupPoint(48, publicKeyFromBytes, 411);
    assertBlsError(() => publicKeyFromBytes(notInGroup), "INVALID_PUBLIC_KEY", "BLST_POINT_NOT_IN_GROUP");
    assertBlsError(() => publicKeyFromBytes(pk.toBytes().subarray(0, 47)), "INVALID_PUBLIC_KEY", "BAD_LENGTH");
    assertBlsError(() => publicKeyFromBytes(pk.toBytes(false)), "INVALID_PUBLIC_KEY", "BAD_LENGTH");
  });
});

describe("signature validation", () => {
  const sig = secretKeyFromIkm(new Uint8Array(32).fill(2)).sign(new Uint8Array(32));

  test("a valid signature round-trips", () => {
    assert.equal(signatureFromBytes(sig.toBytes()).toHex(), sig.toHex());
  });

  test("infinity is a valid encoding unless rejected explicitly", () => {
    assert.equal(toHex(signatureFromBytes(G2_POINT_AT_INFINITY).toBytes()), toHex(G2_POINT_AT_INFINITY));
    assertBlsError(() => signatureFromBytes(G2_POINT_AT_INFINITY, true), "INVALID_SIGNATURE");
  });

  test("garbage, non-subgroup and wrong-length signatures are rejected", () => {
    assertBlsError(() => signatureFromBytes(new Uint8Array(96).fill(0xaa)), "INVALID_SIGNATURE", /BLST_/);
    const notInGroup = findNonSubgroupPoint(96, signatureFromBytes, 412);
    assertBlsError(() => signatureFromBytes(notInGroup), "INVALID_SIGNATURE", "BLST_POINT_NOT_IN_GROUP");
    assertBlsError(() => signatureFromBytes(sig.toBytes().subarray(1)), "INVALID_SIGNATURE", "BAD_LENGTH");
  });
});

describe("interop keys", () => {
  test("validator 0: known secret and public key", () => {
    assert.equal(toHex(interopSecretKeyBytes(0)), "0x25295f0d1d592a90b333e26e85149708208e9f8e8bc18f6c77bd62f8ad7a6866");
    assert.equal(
      interopSecretKey(0).toPublicKey().toHex(),
      "0xa99a76ed7796f7be22d5b7e85deeb7c5677e88e511e0b337618f8c4eb61349b4bf2d153f649f7b53359fe8b94a38e44c",
    );
  });

  test(`validators 0…${INTEROP_CHECKED - 1} match an independent derivation`, () => {
    const keys = interopSecretKeys(INTEROP_CHECKED);
    for (let i = 0; i < INTEROP_CHECKED; i++) {
      const indexBytes = Buffer.alloc(32);
      indexBytes.writeUInt32LE(i, 0);
      const hash = createHash("sha256").update(indexBytes).digest();
      const little = BigInt(`0x${Buffer.from(hash).reverse().toString("hex")}`);
      const expected = `0x${(little % CURVE_ORDER).toString(16).padStart(64, "0")}`;
      assert.equal(keys[i].toHex(), expected, `index ${i}`);
    }
  });

  test("negative or fractional indices are rejected", () => {
    assert.throws(() => interopSecretKeyBytes(-1), RangeError);
    assert.throws(() => interopSecretKeyBytes(0.5), RangeError);
  });
});
