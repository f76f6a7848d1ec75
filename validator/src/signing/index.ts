// Signing for the validator client: slashing protection + BLS signatures on worker threads (LocalSigner), and the
// signing root of every message kind (roots.ts).
export { SignerError, type SignerErrorCode } from "./errors.ts";
export { DEFAULT_MIN_WORKER_BATCH, SigningPool, type SigningPoolOptions } from "./pool.ts";
export * from "./roots.ts";
export { LocalSigner, type LocalSignerOptions, REMOTE_SIGNING_UNSUPPORTED, type SigningKind } from "./signer.ts";
