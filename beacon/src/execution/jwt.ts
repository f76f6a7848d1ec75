// Engine API authentication (execution-apis src/engine/authentication.md): HS256 JWTs signed with a shared
// 32-byte secret, carrying an `iat` claim the engine accepts within ±60 s of its clock. One fresh token per request.
import { createHmac, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { ExecutionError } from "./errors.ts";

/** Seconds an `iat` may differ from the verifier's clock (the Engine API's ±60 s). */
export const JWT_IAT_TOLERANCE_SECONDS = 60;

const HEADER_B64 = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");

/** The 32-byte secret from its hex text (optional 0x, surrounding whitespace ignored). */
export function parseJwtSecret(text: string, source = "jwt secret"): Uint8Array {
  const hex = text.trim().replace(/^0x/i, "");
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new ExecutionError(
      "EXECUTION_JWT_SECRET",
      `${source} must be 32 bytes as 64 hex digits (optionally 0x-prefixed), got ${hex.length} characters`,
      { source },
    );
  }
  return new Uint8Array(Buffer.from(hex, "hex"));
}

/** Reads and parses the `--jwt-secret` file. */
export function readJwtSecretFile(path: string): Uint8Array {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ExecutionError("EXECUTION_JWT_SECRET", `cannot read the JWT secret file ${path}`, { path }, err);
  }
  return parseJwtSecret(text, `JWT secret file ${path}`);
}

function sign(secret: Uint8Array, signingInput: string): Buffer {
  return createHmac("sha256", secret).update(signingInput).digest();
}

/** An HS256 JWT with claim `{ iat }` (seconds since the epoch; now by default). */
export function createJwt(secret: Uint8Array, iatSeconds: number = Math.floor(Date.now() / 1000)): string {
  const payload = Buffer.from(JSON.stringify({ iat: iatSeconds })).toString("base64url");
  const input = `${HEADER_B64}.${payload}`;
  return `${input}.${sign(secret, input).toString("base64url")}`;
}

/** Why a token was refused by verifyJwt, or null when accepted. */
export type JwtRejection = "malformed" | "bad algorithm" | "bad signature" | "missing iat" | "stale iat";

/**
 * Checks an HS256 token as an engine does: structure, `alg` HS256, signature (constant-time), and `iat` within
 * ±JWT_IAT_TOLERANCE_SECONDS of `nowSeconds`. Returns null when accepted, else the reason.
 */
export function verifyJwt(
  token: string,
  secret: Uint8Array,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): JwtRejection | null {
  const parts = token.split(".");
  if (parts.length !== 3) return "malformed";
  const [headerB64, payloadB64, sigB64] = parts;
  let header: unknown;
  let payload: unknown;
  try {
    header = JSON.parse(Buffer.from(headerB64, "base64url").toString("utf8"));
    payload = JSON.parse(Buffer.from(payloadB64, "base64url").toString("utf8"));
  } catch {
    return "malformed";
  }
  if (header === null || typeof header !== "object" || (header as { alg?: unknown }).alg !== "HS256") {
    return "bad algorithm";
  }
  const expected = sign(secret, `${headerB64}.${payloadB64}`);
  const given = Buffer.from(sigB64, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return "bad signature";
  const iat = payload !== null && typeof payload === "object" ? (payload as { iat?: unknown }).iat : undefined;
  if (typeof iat !== "number" || !Number.isFinite(iat)) return "missing iat";
  if (Math.abs(iat - nowSeconds) > JWT_IAT_TOLERANCE_SECONDS) return "stale iat";
  return null;
}
