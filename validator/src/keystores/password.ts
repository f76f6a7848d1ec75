// Keystore passwords: EIP-2335 normalisation, password files, and where a per-key password file is looked for.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { PubkeyHex } from "../dataDir/layout.ts";
import { KeystoreError } from "./errors.ts";
import { ioReason } from "./keystoreFile.ts";

/** Last code point of the C0 control codes (U+0000 … U+001F). */
const C0_LAST = 0x1f;
/** DEL, stripped like the control codes. */
const DEL = 0x7f;
/** First and last code points of the C1 control codes (U+0080 … U+009F). */
const C1_FIRST = 0x80;
const C1_LAST = 0x9f;

function isControlCode(codePoint: number): boolean {
  return codePoint <= C0_LAST || codePoint === DEL || (codePoint >= C1_FIRST && codePoint <= C1_LAST);
}

/**
 * The bytes EIP-2335 feeds to the KDF for `password`: NFKD normalisation, then the C0, C1 and DEL control codes
 * stripped (space stays), then UTF-8. @chainsafe/bls-keystore does the same when given a string — and only then:
 * given bytes it strips bytes 0x80–0x9F, which breaks UTF-8 of non-ASCII passwords — so passwords are always
 * handed to it as strings. This function is ours for the key cache and to check the library against the vectors.
 */
export function normalizePassword(password: string): Uint8Array {
  let kept = "";
  for (const ch of password.normalize("NFKD")) {
    if (!isControlCode(ch.codePointAt(0) as number)) kept += ch;
  }
  return new TextEncoder().encode(kept);
}

/**
 * Reads a password file (UTF-8). One trailing line break ("\n" or "\r\n", as editors and `echo` add) is removed;
 * every other character is kept — spaces are valid in passwords, and any other control code would be stripped by
 * the EIP-2335 normalisation anyway. An empty file is an error (almost always a mistake, not a password).
 */
export async function readPasswordFile(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new KeystoreError(
      "FILE_UNREADABLE",
      `cannot read the password file ${path} (${ioReason(e)}); check the path and its permissions`,
      { file: path },
      { cause: e },
    );
  }
  const password = text.replace(/\r?\n$/, "");
  if (password.length === 0)
    throw new KeystoreError(
      "PASSWORD_MISSING",
      `the password file ${path} is empty; write the keystore's password into it`,
      {
        file: path,
      },
    );
  return password;
}

/**
 * Where `--passwords-dir DIR` keeps the password of `pubkey`: a file named by the public key, with or without
 * the 0x prefix (`DIR/0xa1b2…` or `DIR/a1b2…`, 96 lowercase hex digits), holding only the password. The first
 * that exists is used.
 */
export function passwordFileCandidates(dir: string, pubkey: PubkeyHex): string[] {
  return [join(dir, pubkey), join(dir, pubkey.slice(2))];
}
