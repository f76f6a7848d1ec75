// The slashing-protection database: what the signer asks before it releases a signature. Each check-and-insert is
// one write transaction (BEGIN IMMEDIATE … COMMIT); a method returns only after the commit, so a signature released
// after it returns is on disk (WAL, synchronous=FULL) and a crash can lose a signature, never make one slashable.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { isSlashableError, SlashingProtectionError, wrapSqliteError } from "./errors.ts";
import { exportInterchange } from "./exportInterchange.ts";
import { type ImportSummary, importInterchange } from "./importInterchange.ts";
import type { Interchange } from "./interchange.ts";
import { type PruneOptions, type PruneSummary, pruneHistory } from "./prune.ts";
import { Queries } from "./queries.ts";
import { attestationRefusal, blockRefusal, judgeAttestation, judgeBlock } from "./rules.ts";
import { applyPragmas, DEFAULT_BUSY_TIMEOUT_MS, migrateAndBind } from "./schema.ts";
import {
  type AttestationRequest,
  type AttestationVote,
  type BatchItemResult,
  type BlockProposal,
  type BytesInput,
  type Pubkey,
  type SigningOutcome,
  toPubkey,
  toRoot,
  toUint,
} from "./types.ts";

/** File name of the database inside the data directory. */
export const DEFAULT_DB_FILE_NAME = "slashing-protection.sqlite";

export interface OpenOptions {
  /**
   * The chain's genesis_validators_root. Given: a missing database is created and bound to it, an existing one
   * must be bound to it (GENESIS_ROOT_MISMATCH otherwise). Omitted: the database must already exist
   * (DATABASE_NOT_FOUND) and is used with whatever root it is bound to (e.g. for an export).
   */
  genesisValidatorsRoot?: BytesInput;
  /** Default {@link DEFAULT_DB_FILE_NAME}. */
  fileName?: string;
  /** How long to wait for another writer's lock; default {@link DEFAULT_BUSY_TIMEOUT_MS}. */
  busyTimeoutMs?: number;
}

/** What import, export and prune get inside a transaction. */
export interface Tx {
  readonly q: Queries;
  /** The validator's id; registers it when `create` is true (undefined when absent and not created). */
  validatorId(pubkey: Pubkey, create: boolean): number | undefined;
}

/**
 * One connection to the slashing-protection database. Several instances (threads, processes) may share the file:
 * every check-and-insert holds the write lock for its whole transaction, so exactly one of several conflicting
 * requests is recorded and the others are refused.
 */
export class SlashingProtection {
  /** Path of the SQLite file. */
  readonly path: string;
  /** The genesis_validators_root the database is bound to. */
  readonly genesisValidatorsRoot: Uint8Array;
  private db: DatabaseSync | null;
  private readonly q: Queries;
  /** pubkey hex → validator id. Ids are never reused or changed once committed, so other connections agree. */
  private readonly ids = new Map<string, number>();
  /** Ids created by the running transaction: cached only once it commits. */
  private readonly pendingIds = new Map<string, number>();
  private readonly tx: Tx;

  private constructor(path: string, db: DatabaseSync, root: Uint8Array) {
    this.path = path;
    this.db = db;
    this.genesisValidatorsRoot = root;
    this.q = new Queries(db);
    this.tx = { q: this.q, validatorId: (pubkey, create) => this.validatorId(pubkey, create) };
  }

  /**
   * Opens (or creates) the database `dataDir/slashing-protection.sqlite`: applies the connection settings,
   * migrates the schema and checks the genesis_validators_root binding (see {@link OpenOptions}).
   */
  static open(dataDir: string, options: OpenOptions = {}): SlashingProtection {
    const path = join(dataDir, options.fileName ?? DEFAULT_DB_FILE_NAME);
    const root =
      options.genesisValidatorsRoot === undefined
        ? undefined
        : toRoot(options.genesisValidatorsRoot, "genesisValidatorsRoot");
    if (root === undefined && !existsSync(path)) {
      throw new SlashingProtectionError("DATABASE_NOT_FOUND", `no slashing protection database at ${path}`, { path });
    }
    mkdirSync(dataDir, { recursive: true });
    let db: DatabaseSync | undefined;
    try {
      db = new DatabaseSync(path, { timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
      applyPragmas(db);
      db.exec("BEGIN IMMEDIATE");
      const bound = migrateAndBind(db, path, root);
      db.exec("COMMIT");
      return new SlashingProtection(path, db, bound);
    } catch (err) {
      if (db?.isOpen && rollbackQuietly(db)) db.close();
      throw wrapSqliteError(err, "open", { path });
    }
  }

  /**
   * Checks a block against the validator's history and records it, in one committed transaction. Returns "new" or
   * "repeat" (the identical block was signed before); throws a SlashingProtectionError with a slashable code
   * (DOUBLE_BLOCK, BLOCK_BELOW_WATERMARK) when it must not be signed, or another code when the check failed.
   */
  checkAndInsertBlockProposal(pubkey: BytesInput, block: BlockProposal): SigningOutcome {
    const pk = toPubkey(pubkey);
    const slot = toUint(block.slot, "slot");
    const root = toRoot(block.signingRoot);
    return this.write(() => {
      const id = this.validatorId(pk, true)!;
      const verdict = judgeBlock(this.q, id, slot, root, () => this.q.minBlockSlot(id));
      if (verdict.kind === "refuse") throw blockRefusal(verdict, pk.hex, slot, root);
      if (verdict.kind === "new") this.q.insertBlock(id, slot, root);
      return verdict.kind;
    });
  }

  /**
   * Checks an attestation (double vote, surround either way, source/target low watermarks) and records it, in one
   * committed transaction. Returns "new" or "repeat"; throws like {@link checkAndInsertBlockProposal}.
   */
  checkAndInsertAttestation(pubkey: BytesInput, attestation: AttestationVote): SigningOutcome {
    const pk = toPubkey(pubkey);
    const vote = normalizeVote(attestation);
    return this.write(() => this.attest(pk, vote.source, vote.target, vote.root));
  }

  /**
   * Checks and records many attestations (typically one slot's, for every validator attesting in it) in ONE
   * transaction. Items are judged in order (a later item for the same validator sees the earlier ones). Returns a
   * result per item: ok, or the refusal / input error for that item. Throws (and records nothing) only when the
   * database itself fails; nothing may be signed then.
   */
  checkAndInsertAttestations(items: readonly AttestationRequest[]): BatchItemResult[] {
    const prepared = items.map((item) => {
      try {
        return { pk: toPubkey(item.pubkey), ...normalizeVote(item) };
      } catch (err) {
        return err as SlashingProtectionError;
      }
    });
    return this.write(() =>
      prepared.map((p): BatchItemResult => {
        if (p instanceof Error) return { ok: false, error: p };
        try {
          return { ok: true, outcome: this.attest(p.pk, p.source, p.target, p.root) };
        } catch (err) {
          if (isSlashableError(err)) return { ok: false, error: err };
          throw err;
        }
      }),
    );
  }

  /**
   * Imports an EIP-3076 interchange (v5; a JSON string or the parsed object), all or nothing: the document is
   * validated first and merged in one transaction, so a bad file changes nothing. See importInterchange.ts.
   */
  importInterchange(json: unknown): ImportSummary {
    return importInterchange(this, json);
  }

  /** Exports the complete history (every stored message) of the given validators, or of all, as interchange v5. */
  exportInterchange(pubkeys?: readonly BytesInput[]): Interchange {
    return exportInterchange(this, pubkeys);
  }

  /** Prunes old history while keeping the protection it gave (see prune.ts). */
  prune(options: PruneOptions): PruneSummary {
    return pruneHistory(this, options);
  }

  /** Pubkeys (lower-case hex) of every validator with a row, in registration order. */
  listPubkeys(): string[] {
    return this.read(() => this.q.validators().map((v) => toPubkey(v.pubkey).hex));
  }

  /** The connection's effective settings, as SQLite reports them (for diagnostics and tests). */
  settings(): { journalMode: string; synchronous: number; busyTimeoutMs: number; schemaVersion: number } {
    const db = this.open_();
    const pragma = (name: string) => Object.values(db.prepare(`PRAGMA ${name}`).get() ?? {})[0];
    return {
      journalMode: String(pragma("journal_mode")),
      synchronous: Number(pragma("synchronous")),
      busyTimeoutMs: Number(pragma("busy_timeout")),
      schemaVersion: Number(pragma("user_version")),
    };
  }

  /** Closes the connection (idempotent). */
  close(): void {
    this.db?.close();
    this.db = null;
  }

  /** Runs `fn` inside BEGIN IMMEDIATE … COMMIT; returns after the commit, rolls back when `fn` throws. */
  write<T>(fn: (tx: Tx) => T): T {
    const db = this.open_();
    try {
      db.exec("BEGIN IMMEDIATE");
    } catch (err) {
      throw wrapSqliteError(err, "begin write transaction", { path: this.path });
    }
    try {
      const result = fn(this.tx);
      db.exec("COMMIT");
      for (const [hex, id] of this.pendingIds) this.ids.set(hex, id);
      this.pendingIds.clear();
      return result;
    } catch (err) {
      this.pendingIds.clear();
      if (!rollbackQuietly(db)) this.db = null;
      throw wrapSqliteError(err, "write transaction", { path: this.path });
    }
  }

  /** Runs `fn` inside a read transaction (a consistent snapshot). */
  read<T>(fn: (tx: Tx) => T): T {
    const db = this.open_();
    try {
      db.exec("BEGIN");
      const result = fn(this.tx);
      db.exec("COMMIT");
      return result;
    } catch (err) {
      if (!rollbackQuietly(db)) this.db = null;
      throw wrapSqliteError(err, "read transaction", { path: this.path });
    }
  }

  private attest(pk: Pubkey, source: number, target: number, root: Uint8Array): SigningOutcome {
    const id = this.validatorId(pk, true)!;
    const verdict = judgeAttestation(this.q, id, source, target, root, () => this.q.attestationMinima(id));
    if (verdict.kind === "refuse") throw attestationRefusal(verdict, pk.hex, source, target, root);
    if (verdict.kind === "new") this.q.insertAttestation(id, source, target, root);
    return verdict.kind;
  }

  private validatorId(pk: Pubkey, create: boolean): number | undefined {
    const cached = this.ids.get(pk.hex) ?? this.pendingIds.get(pk.hex);
    if (cached !== undefined) return cached;
    const found = this.q.findValidator(pk.bytes);
    if (found !== undefined) {
      // Found by a query, not created by this transaction: the row is committed, cache it at once.
      this.ids.set(pk.hex, found);
      return found;
    }
    if (!create) return undefined;
    const id = this.q.insertValidator(pk.bytes);
    this.pendingIds.set(pk.hex, id);
    return id;
  }

  private open_(): DatabaseSync {
    if (this.db === null) {
      throw new SlashingProtectionError("DATABASE_CLOSED", "slashing protection database is closed", {
        path: this.path,
      });
    }
    return this.db;
  }
}

function normalizeVote(vote: AttestationVote): { source: number; target: number; root: Uint8Array } {
  return {
    source: toUint(vote.sourceEpoch, "sourceEpoch"),
    target: toUint(vote.targetEpoch, "targetEpoch"),
    root: toRoot(vote.signingRoot),
  };
}

/**
 * Rolls back the open transaction, if any. When even ROLLBACK fails (I/O error) the connection is closed, which
 * discards the uncommitted changes; returns false then. The original error is the one reported either way.
 */
function rollbackQuietly(db: DatabaseSync): boolean {
  try {
    if (db.isTransaction) db.exec("ROLLBACK");
    return true;
  } catch {
    try {
      db.close();
    } catch {
      // already unusable; nothing more to release
    }
    return false;
  }
}
