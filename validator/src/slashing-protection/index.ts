// EIP-3076 slashing protection for the validator client: a SQLite database (node:sqlite) that the signer asks
// before releasing any block or attestation signature, with interchange v5 import/export. See README.md.
export { DEFAULT_DB_FILE_NAME, type OpenOptions, SlashingProtection, type Tx } from "./database.ts";
export {
  isSlashableError,
  type SlashableCode,
  SlashingProtectionError,
  type SlashingProtectionErrorCode,
} from "./errors.ts";
export { exportInterchange } from "./exportInterchange.ts";
export {
  type ImportConflict,
  type ImportSummary,
  importInterchange,
  MAX_REPORTED_CONFLICTS,
} from "./importInterchange.ts";
export {
  INTERCHANGE_FORMAT_VERSION,
  type Interchange,
  type InterchangeAttestation,
  type InterchangeBlock,
  type InterchangeData,
  type ParsedInterchange,
  parseInterchange,
} from "./interchange.ts";
export { type PruneOptions, type PruneSummary, pruneHistory } from "./prune.ts";
export { DEFAULT_BUSY_TIMEOUT_MS, SCHEMA_VERSION } from "./schema.ts";
export type {
  AttestationRequest,
  AttestationVote,
  BatchItemResult,
  BlockProposal,
  BytesInput,
  SigningOutcome,
  StoredAttestation,
  StoredBlock,
} from "./types.ts";
