// The keymanager API of the validator client: server, bearer token, key registry and persisted per-key settings.
export {
  type DeleteStatus,
  deleteKeystores,
  type ImportStatus,
  importKeystores,
  type LocalKeysContext,
  serialiser,
} from "./localKeys.ts";
export {
  DEFAULT_GAS_LIMIT,
  GRAFFITI_MAX_BYTES,
  ProposerConfig,
  type ProposerDefaults,
  ZERO_ADDRESS,
} from "./proposerConfig.ts";
export { KeyRegistry, type LocalKey, type RegistryChange, type RemoteKey } from "./registry.ts";
export {
  createKeymanagerServer,
  DEFAULT_KEYMANAGER_HOST,
  DEFAULT_KEYMANAGER_PORT,
  type KeymanagerServer,
  type KeymanagerServerOptions,
} from "./server.ts";
export {
  keymanagerPaths,
  PROPOSER_CONFIG_FILE,
  type ProposerSettings,
  REMOTE_KEYS_FILE,
  readProposerConfig,
  readRemoteKeys,
  writeProposerConfig,
  writeRemoteKeys,
} from "./stores.ts";
export { type ApiToken, bearerMatches, ensureApiToken, TOKEN_BYTES } from "./token.ts";
export {
  createExitSigner,
  currentEpoch,
  type ExitSigner,
  type ExitSignerOptions,
  fetchValidatorIndex,
  type SignedVoluntaryExitValue,
  type ValidatorIndexSource,
} from "./voluntaryExit.ts";
