// The keymanager API's bearer token: 32 random bytes (hex) written at first start into the data directory's token
// file (mode 0600, durable) and reused on later starts. The token itself is never logged; its path is.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { chmod, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { ensurePrivateDir, writeFileDurable } from "../dataDir/fsDurable.ts";
import { FILE_MODE } from "../dataDir/layout.ts";

/** Random bytes of a generated token (256 bits: not guessable). */
export const TOKEN_BYTES = 32;
/** A token read from the file must be at least this long (hex chars) — a shorter one was not written by us. */
const MIN_TOKEN_CHARS = 32;

/** The token and where it is kept. */
export interface ApiToken {
  token: string;
  path: string;
  /** True when this call generated it. */
  created: boolean;
}

/**
 * Reads the token at `path` (setting its mode to 0600), or generates one there (mode 0600, durable) when the file
 * does not exist or holds less than a token.
 */
export async function ensureApiToken(path: string): Promise<ApiToken> {
  try {
    const token = (await readFile(path, "utf8")).trim();
    if (token.length >= MIN_TOKEN_CHARS) {
      // A file copied in or created by hand may be readable by others: make it private again.
      await chmod(path, FILE_MODE);
      return { token, path, created: false };
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  await ensurePrivateDir(dirname(path));
  const token = randomBytes(TOKEN_BYTES).toString("hex");
  await writeFileDurable(path, `${token}\n`, FILE_MODE);
  return { token, path, created: true };
}

/**
 * True when `authorization` is exactly `Bearer <token>` (scheme case-insensitive). The comparison takes the same
 * time wherever the first differing byte is (both sides are hashed to equal length first).
 */
export function bearerMatches(authorization: string | string[] | undefined, token: string): boolean {
  if (typeof authorization !== "string") return false;
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
  if (m === null) return false;
  const given = Buffer.from(m[1], "utf8");
  const expected = Buffer.from(token, "utf8");
  // timingSafeEqual needs equal lengths; comparing against a same-length buffer keeps the timing independent.
  const same = given.length === expected.length;
  return timingSafeEqual(same ? given : expected, expected) && same;
}
