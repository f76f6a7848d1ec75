// A signing thread of the SigningPool: holds secret keys (received as 32-byte secrets, checked against their
// pubkey) and signs batches of signing roots with them, answering with one buffer of compressed signatures.
import { parentPort } from "node:worker_threads";
import { type SecretKey, secretKeyFromBytes } from "@sextant/consensus/bls/index";
import { type FromWorker, ROOT_BYTES, SIGNATURE_BYTES, type ToWorker } from "./protocol.ts";

const keys = new Map<string, SecretKey>();

function post(msg: FromWorker, transfer?: ArrayBuffer[]): void {
  parentPort?.postMessage(msg, transfer);
}

function addKeys(list: { pubkey: string; secret: Uint8Array }[]): void {
  for (const { pubkey, secret } of list) {
    try {
      const sk = secretKeyFromBytes(secret);
      const derived = `0x${Buffer.from(sk.toPublicKey().toBytes()).toString("hex")}`;
      if (derived !== pubkey) {
        post({ type: "bad-key", pubkey, reason: `the secret's public key is ${derived}` });
        continue;
      }
      keys.set(pubkey, sk);
    } catch (e) {
      post({ type: "bad-key", pubkey, reason: (e as Error).message });
    } finally {
      secret.fill(0);
    }
  }
}

function signBatch(id: number, pubkeys: string[], roots: Uint8Array): void {
  if (roots.length !== pubkeys.length * ROOT_BYTES) {
    post({ type: "failed", id, reason: `${pubkeys.length} keys but ${roots.length} bytes of roots` });
    return;
  }
  const signatures = new Uint8Array(pubkeys.length * SIGNATURE_BYTES);
  for (let i = 0; i < pubkeys.length; i++) {
    const sk = keys.get(pubkeys[i]);
    if (sk === undefined) {
      post({ type: "failed", id, reason: `the signing thread does not hold key ${pubkeys[i]}`, missing: pubkeys[i] });
      return;
    }
    signatures.set(sk.sign(roots.subarray(i * ROOT_BYTES, (i + 1) * ROOT_BYTES)).toBytes(true), i * SIGNATURE_BYTES);
  }
  post({ type: "signed", id, signatures }, [signatures.buffer]);
}

parentPort?.on("message", (msg: ToWorker) => {
  switch (msg.type) {
    case "add":
      addKeys(msg.keys);
      break;
    case "remove":
      for (const pubkey of msg.pubkeys) keys.delete(pubkey);
      break;
    case "sign":
      try {
        signBatch(msg.id, msg.pubkeys, msg.roots);
      } catch (e) {
        post({ type: "failed", id: msg.id, reason: (e as Error).message });
      }
      break;
  }
});

post({ type: "ready" });
