// Validator keys: EIP-2335 keystores (parallel decryption, encrypted cache, data-directory loading), interop keys
// for devnets, and the launchpad import behind `sextant validator import`.
export {
  cacheKdfFor,
  DEFAULT_CACHE_KDF,
  type KeyCacheInput,
  type KeyCacheKdf,
  type KeyCacheMissReason,
  type KeyCacheReadResult,
  readKeyCache,
  writeKeyCache,
} from "./cache.ts";
export { KeystoreError, type KeystoreErrorCode } from "./errors.ts";
export { installKeys, type KeyToInstall, removeStaleStaging } from "./import/commit.ts";
export {
  checkDepositsMatchKeystores,
  type DepositDataEntry,
  readDepositDataFile,
  verifyDepositData,
} from "./import/depositData.ts";
export { type LaunchpadFiles, scanLaunchpadDirectory } from "./import/launchpad.ts";
export { decryptWithPasswords, MAX_PROMPT_ATTEMPTS, type PasswordSource } from "./import/passwords.ts";
export { type ImportIo, type ImportOptions, type ImportReport, runImport } from "./import/run.ts";
export {
  type ApplyInterchange,
  importInterchangeFile,
  KNOWN_GENESIS_VALIDATORS_ROOTS,
  type SlashingProtectionImporter,
} from "./import/slashingProtection.ts";
export { formatImportSummary, SAME_KEYS_WARNING } from "./import/summary.ts";
export { interopValidatorKeys, MAX_INTEROP_KEYS, parseInteropIndexes } from "./interop.ts";
export {
  EIP2335_VERSION,
  type KeystoreFile,
  kdfMemoryBytes,
  kdfName,
  parseKeystoreText,
  readKeystoreFile,
} from "./keystoreFile.ts";
export {
  type LoadKeysOptions,
  type LoadKeysResult,
  listImportedPubkeys,
  loadKeysFromDataDir,
  type ValidatorKey,
} from "./loader.ts";
export { mapLimit, READ_CONCURRENCY } from "./mapLimit.ts";
export { normalizePassword, passwordFileCandidates, readPasswordFile } from "./password.ts";
export {
  type DecryptJob,
  DecryptPool,
  type DecryptResult,
  decryptKeystores,
  defaultDecryptThreads,
} from "./pool.ts";
export { formatDuration, formatProgress, Progress, type ProgressOptions, type ProgressStream } from "./progress.ts";
export { canPrompt, type PromptIo, promptHidden } from "./prompt.ts";
