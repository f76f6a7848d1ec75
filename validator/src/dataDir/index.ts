// The validator client's data directory: layout, private durable writes and the one-process lock.
export { DataDirError, type DataDirErrorCode } from "./errors.ts";
export { ensurePrivateDir, fsyncDir, removePath, tempSiblingPath, writeFileDurable } from "./fsDurable.ts";
export {
  type DataDirLayout,
  DIR_MODE,
  dataDirLayout,
  defaultDataDir,
  FILE_MODE,
  KEYSTORE_FILE_NAME,
  keystoreDirOf,
  keystorePathOf,
  normalizePubkeyHex,
  type PubkeyHex,
  STAGING_PREFIX,
  secretPathOf,
} from "./layout.ts";
export {
  acquireDataDirLock,
  assertDataDirFree,
  type DataDirLock,
  isPidAlive,
  type LockHolder,
  readLiveLockHolder,
} from "./lock.ts";
