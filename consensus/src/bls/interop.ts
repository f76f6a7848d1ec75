// Interop ("mocked start") validator keys, as every client derives them for test networks:
// privkey = int.from_bytes(sha256(uint_to_bytes32(index)), "little") mod curve_order, serialized big-endian.
import { digest } from "@chainsafe/as-sha256";
import { SECRET_KEY_LENGTH, type SecretKey, secretKeyFromBytes } from "./keys.ts";

/** The order r of the BLS12-381 G1/G2 subgroups (the scalar field modulus). */
export const CURVE_ORDER = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;

/** Bytes of uint_to_bytes32 (a little-endian 256-bit integer). */
const UINT256_LENGTH = 32;

function bytesToBigIntLE(bytes: Uint8Array): bigint {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]);
  return value;
}

function bigIntToBytesBE(value: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return out;
}

/** The 32-byte big-endian interop secret key of validator `index`. */
export function interopSecretKeyBytes(index: number): Uint8Array {
  if (!Number.isSafeInteger(index) || index < 0)
    throw new RangeError(`validator index must be a non-negative integer, got ${index}`);
  const indexBytes = new Uint8Array(UINT256_LENGTH);
  new DataView(indexBytes.buffer).setBigUint64(0, BigInt(index), true);
  const scalar = bytesToBigIntLE(digest(indexBytes)) % CURVE_ORDER;
  return bigIntToBytesBE(scalar, SECRET_KEY_LENGTH);
}

/** The interop secret key of validator `index`. */
export function interopSecretKey(index: number): SecretKey {
  return secretKeyFromBytes(interopSecretKeyBytes(index));
}

/** The interop secret keys of validators 0 … count-1. */
export function interopSecretKeys(count: number): SecretKey[] {
  return Array.from({ length: count }, (_, i) => interopSecretKey(i));
}
