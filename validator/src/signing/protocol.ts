// The messages between the signing pool (main thread) and its signing threads. Keys travel once, as 32-byte
// secrets, when they are added; a batch travels as its pubkeys and one buffer of 32-byte signing roots, and comes
// back as one buffer of 96-byte compressed signatures in the same order (transferred, not copied).

/** Bytes of one signing root in a batch buffer. */
export const ROOT_BYTES = 32;
/** Bytes of one compressed signature in a result buffer. */
export const SIGNATURE_BYTES = 96;

/** Main thread → signing thread. */
export type ToWorker =
  /** Hold these keys (a key already held is replaced). */
  | { type: "add"; keys: { pubkey: string; secret: Uint8Array }[] }
  /** Forget these keys. */
  | { type: "remove"; pubkeys: string[] }
  /** Sign roots[i*32 … i*32+32] with the key of pubkeys[i], for every i. */
  | { type: "sign"; id: number; pubkeys: string[]; roots: Uint8Array };

/** Signing thread → main thread. */
export type FromWorker =
  /** The thread loaded BLS and listens. */
  | { type: "ready" }
  /** signatures[i*96 … i*96+96] is the signature of item i of batch `id`. */
  | { type: "signed"; id: number; signatures: Uint8Array }
  /** Batch `id` was not signed: `reason` says why (`missing`: a key the thread does not hold). */
  | { type: "failed"; id: number; reason: string; missing?: string }
  /** A key sent with "add" was rejected (not a valid secret key, or not the key of its pubkey). */
  | { type: "bad-key"; pubkey: string; reason: string };
