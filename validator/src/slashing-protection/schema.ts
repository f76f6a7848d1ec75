// The SQLite schema of the slashing-protection database, its migrations and the connection settings.
//
// One row per signed message (the "complete" strategy of EIP-3076): blocks by (validator, slot), attestations by
// (validator, source, target). A NULL signing_root means "unknown" (imported without one). The version lives in
// PRAGMA user_version; MIGRATIONS[i] turns version i into i + 1 inside the transaction that opens the database.
import type { DatabaseSync } from "node:sqlite";
import { toHex } from "@sextant/consensus/util/hex";
import { SlashingProtectionError } from "./errors.ts";

/** Key of the metadata row that binds the database to one chain. */
const GENESIS_KEY = "genesis_validators_root";

const SCHEMA_V1 = `
CREATE TABLE metadata (
  key TEXT PRIMARY KEY NOT NULL,
  value BLOB NOT NULL
) WITHOUT ROWID;

CREATE TABLE validators (
  id INTEGER PRIMARY KEY,
  pubkey BLOB NOT NULL UNIQUE
);

CREATE TABLE signed_blocks (
  validator_id INTEGER NOT NULL REFERENCES validators(id),
  slot INTEGER NOT NULL,
  signing_root BLOB
);
-- Same-slot lookups and MIN(slot) (the low watermark) are one index seek each.
CREATE INDEX signed_blocks_validator_slot ON signed_blocks (validator_id, slot);

CREATE TABLE signed_attestations (
  validator_id INTEGER NOT NULL REFERENCES validators(id),
  source_epoch INTEGER NOT NULL,
  target_epoch INTEGER NOT NULL,
  signing_root BLOB
);
-- Double votes (target = t), "surrounded by" (target > t: a short scan of the newest targets), "surrounds"
-- (t > target > s: the few targets between), MIN(target_epoch), and the export order.
CREATE INDEX signed_attestations_validator_target ON signed_attestations (validator_id, target_epoch, source_epoch);
-- Votes with source > target exist only when imported (they are never signed): the "surrounds" check finds them here,
-- since their target can lie below the new source. Empty in practice, so it costs nothing.
CREATE INDEX signed_attestations_inverted ON signed_attestations (validator_id, target_epoch, source_epoch)
  WHERE source_epoch > target_epoch;

-- Highest source and target on record per validator, kept by the trigger below on every insert. A vote with
-- source >= max_source and target > max_target cannot conflict with anything (the fast path of every honest
-- signing), so it is decided with one small-table lookup. Deleting votes (pruning) leaves these maxima unchanged
-- (pruning keeps a synthetic vote at the highest pruned source and target).
CREATE TABLE attestation_maxima (
  validator_id INTEGER PRIMARY KEY REFERENCES validators(id),
  max_source INTEGER NOT NULL,
  max_target INTEGER NOT NULL
);
CREATE TRIGGER attestation_maxima_on_insert AFTER INSERT ON signed_attestations BEGIN
  INSERT INTO attestation_maxima (validator_id, max_source, max_target)
    VALUES (NEW.validator_id, NEW.source_epoch, NEW.target_epoch)
    ON CONFLICT (validator_id) DO UPDATE SET
      max_source = MAX(max_source, excluded.max_source),
      max_target = MAX(max_target, excluded.max_target);
END;
`;

/** MIGRATIONS[i] upgrades a database at user_version i to i + 1. Append only; never edit a released entry. */
const MIGRATIONS: readonly ((db: DatabaseSync) => void)[] = [(db) => db.exec(SCHEMA_V1)];

/** The schema version this code writes and understands. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** How long a writer waits for another connection's write transaction before giving up (DATABASE_BUSY). */
export const DEFAULT_BUSY_TIMEOUT_MS = 10_000;

/**
 * Per-connection settings. WAL lets readers run beside the single writer and makes a commit one append to the
 * log; synchronous=FULL fsyncs the log at every commit, so a committed record survives power loss, not only a
 * process crash. foreign_keys guards the validator references.
 */
export function applyPragmas(db: DatabaseSync): void {
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = FULL");
  db.exec("PRAGMA foreign_keys = ON");
}

/**
 * Brings the schema to {@link SCHEMA_VERSION} and checks (or records) the genesis_validators_root, inside the
 * caller's write transaction. Returns the root the database is bound to.
 */
export function migrateAndBind(
  db: DatabaseSync,
  path: string,
  genesisValidatorsRoot: Uint8Array | undefined,
): Uint8Array {
  const version = (db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version;
  if (version > SCHEMA_VERSION) {
    throw new SlashingProtectionError(
      "UNSUPPORTED_SCHEMA_VERSION",
      `slashing protection database ${path} has schema version ${version}, newer than this Sextant understands (${SCHEMA_VERSION}); upgrade Sextant`,
      { path, version, supported: SCHEMA_VERSION },
    );
  }
  for (let v = version; v < SCHEMA_VERSION; v++) MIGRATIONS[v](db);
  if (version !== SCHEMA_VERSION) db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);

  const row = db.prepare("SELECT value FROM metadata WHERE key = ?").get(GENESIS_KEY) as
    | { value: Uint8Array }
    | undefined;
  if (row === undefined) {
    if (genesisValidatorsRoot === undefined) {
      throw new SlashingProtectionError(
        "DATABASE_NOT_BOUND",
        `slashing protection database ${path} is not bound to a chain; open it with the genesis_validators_root`,
        { path },
      );
    }
    db.prepare("INSERT INTO metadata (key, value) VALUES (?, ?)").run(GENESIS_KEY, genesisValidatorsRoot);
    return genesisValidatorsRoot;
  }
  const bound = new Uint8Array(row.value);
  if (genesisValidatorsRoot !== undefined && toHex(bound) !== toHex(genesisValidatorsRoot)) {
    throw new SlashingProtectionError(
      "GENESIS_ROOT_MISMATCH",
      `slashing protection database ${path} belongs to another chain (genesis_validators_root ${toHex(bound)}, expected ${toHex(genesisValidatorsRoot)}); refusing to start`,
      { path, databaseRoot: toHex(bound), expectedRoot: toHex(genesisValidatorsRoot) },
    );
  }
  return bound;
}
