// A decryption worker thread: decrypts one keystore per message (scrypt/pbkdf2 block this thread, not the main
// one) and checks that the secret belongs to the keystore's public key. The secret travels back in a fresh
// buffer that is transferred (not copied), so no copy stays behind in this thread.
import { parentPort } from "node:worker_threads";
import { decrypt } from "@chainsafe/bls-keystore";
import { publicKeyFromSecret, secretKeyFromBytes } from "@sextant/consensus/bls/index";
import type { DecryptRequest, DecryptResponse } from "./pool.ts";

/** What @chainsafe/bls-keystore throws when the checksum does not match (the password is wrong). */
const LIBRARY_WRONG_PASSWORD_MESSAGE = "Invalid password";

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

async function handle(req: DecryptRequest): Promise<void> {
  const port = parentPort;
  if (port === null) return;
  let decrypted: Uint8Array;
  try {
    decrypted = await decrypt(req.keystore, req.password);
  } catch (e) {
    const message = (e as Error).message;
    const code = message === LIBRARY_WRONG_PASSWORD_MESSAGE ? "WRONG_PASSWORD" : "NOT_A_KEYSTORE";
    port.postMessage({ id: req.id, ok: false, code, reason: message } satisfies DecryptResponse);
    return;
  }
  const secret = new Uint8Array(decrypted.length);
  secret.set(decrypted);
  decrypted.fill(0);
  let reason: string | null = null;
  try {
    const pubkey = toHex(publicKeyFromSecret(secretKeyFromBytes(secret)).toBytes());
    if (pubkey !== req.keystore.pubkey.toLowerCase().replace(/^0x/, ""))
      reason = `the decrypted secret's public key is 0x${pubkey}, not the keystore's pubkey`;
  } catch (e) {
    reason = `the decrypted secret is not a valid BLS secret key (${(e as Error).message})`;
  }
  if (reason !== null) {
    secret.fill(0);
    port.postMessage({ id: req.id, ok: false, code: "PUBKEY_MISMATCH", reason } satisfies DecryptResponse);
    return;
  }
  port.postMessage({ id: req.id, ok: true, secret } satisfies DecryptResponse, [secret.buffer]);
}

parentPort?.on("message", (req: DecryptRequest) => {
  handle(req).catch((e: unknown) => {
    // Unexpected (a bug): report it as this job's failure rather than killing the thread.
    parentPort?.postMessage({
      id: req.id,
      ok: false,
      code: "NOT_A_KEYSTORE",
      reason: String((e as Error).message ?? e),
    } satisfies DecryptResponse);
  });
});
