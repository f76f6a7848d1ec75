// Prepared statements over the schema in schema.ts: one object per connection. Every query that a signing runs is
// an index seek or a short index range scan (see the index comments in schema.ts).
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { StoredAttestation, StoredBlock } from "./types.ts";

type Row = Record<string, unknown>;

function blob(value: unknown): Uint8Array | null {
  return value === null || value === undefined ? null : (value as Uint8Array);
}

function toBlock(row: Row): StoredBlock {
  return { slot: row.slot as number, signingRoot: blob(row.signing_root) };
}

function toAttestation(row: Row): StoredAttestation {
  return {
    sourceEpoch: row.source_epoch as number,
    targetEpoch: row.target_epoch as number,
    signingRoot: blob(row.signing_root),
  };
}

/** Lowest slot / source / target on record for a validator (null when it has none). */
export interface Minima {
  minSlot: number | null;
  minSource: number | null;
  minTarget: number | null;
}

/** The prepared statements of one connection, with typed results. Used inside the caller's transaction. */
export class Queries {
  private readonly validatorId: StatementSync;
  private readonly insertValidatorStmt: StatementSync;
  private readonly allValidators: StatementSync;
  private readonly blocksAt: StatementSync;
  private readonly blockExists: StatementSync;
  private readonly minSlot: StatementSync;
  private readonly maxSlot: StatementSync;
  private readonly insertBlockStmt: StatementSync;
  private readonly attsAt: StatementSync;
  private readonly attExists: StatementSync;
  private readonly surroundingStmt: StatementSync;
  private readonly surroundedStmt: StatementSync;
  private readonly surroundedInvertedStmt: StatementSync;
  private readonly attMinima: StatementSync;
  private readonly attMaxima: StatementSync;
  private readonly insertAttStmt: StatementSync;
  private readonly blocksOf: StatementSync;
  private readonly attsOf: StatementSync;
  private readonly blocksBelowStmt: StatementSync;
  private readonly deleteBlocksStmt: StatementSync;
  private readonly attsBelowStmt: StatementSync;
  private readonly deleteAttsStmt: StatementSync;

  constructor(db: DatabaseSync) {
    this.validatorId = db.prepare("SELECT id FROM validators WHERE pubkey = ?");
    this.insertValidatorStmt = db.prepare("INSERT INTO validators (pubkey) VALUES (?)");
    this.allValidators = db.prepare("SELECT id, pubkey FROM validators ORDER BY id");
    this.blocksAt = db.prepare("SELECT slot, signing_root FROM signed_blocks WHERE validator_id = ? AND slot = ?");
    this.blockExists = db.prepare(
      "SELECT 1 FROM signed_blocks WHERE validator_id = ? AND slot = ? AND signing_root IS ? LIMIT 1",
    );
    this.minSlot = db.prepare("SELECT MIN(slot) AS m FROM signed_blocks WHERE validator_id = ?");
    this.maxSlot = db.prepare("SELECT MAX(slot) AS m FROM signed_blocks WHERE validator_id = ?");
    this.insertBlockStmt = db.prepare("INSERT INTO signed_blocks (validator_id, slot, signing_root) VALUES (?, ?, ?)");
    this.attsAt = db.prepare(
      "SELECT source_epoch, target_epoch, signing_root FROM signed_attestations WHERE validator_id = ? AND target_epoch = ?",
    );
    this.attExists = db.prepare(
      "SELECT 1 FROM signed_attestations WHERE validator_id = ? AND target_epoch = ? AND source_epoch = ? AND signing_root IS ? LIMIT 1",
    );
    // INDEXED BY: the planner has no statistics; these are the index range scans that stay short.
    this.surroundingStmt = db.prepare(
      `SELECT source_epoch, target_epoch, signing_root FROM signed_attestations
         INDEXED BY signed_attestations_validator_target
         WHERE validator_id = ?1 AND target_epoch > ?3 AND source_epoch < ?2 LIMIT 1`,
    );
    // A vote (s', t') with s' <= t' surrounded by (s, t) has s < s' <= t' < t: only the targets between s and t.
    this.surroundedStmt = db.prepare(
      `SELECT source_epoch, target_epoch, signing_root FROM signed_attestations
         INDEXED BY signed_attestations_validator_target
         WHERE validator_id = ?1 AND target_epoch > ?2 AND target_epoch < ?3 AND source_epoch > ?2 LIMIT 1`,
    );
    // …and an imported vote with s' > t' (its target may lie anywhere below t): from the partial index.
    this.surroundedInvertedStmt = db.prepare(
      `SELECT source_epoch, target_epoch, signing_root FROM signed_attestations
         INDEXED BY signed_attestations_inverted
         WHERE validator_id = ?1 AND source_epoch > target_epoch AND target_epoch < ?3 AND source_epoch > ?2 LIMIT 1`,
    );
    this.attMinima = db.prepare(
      `SELECT (SELECT MIN(source_epoch) FROM signed_attestations WHERE validator_id = ?1) AS s,
              (SELECT MIN(target_epoch) FROM signed_attestations WHERE validator_id = ?1) AS t`,
    );
    this.attMaxima = db.prepare(
      "SELECT max_source AS s, max_target AS t FROM attestation_maxima WHERE validator_id = ?",
    );
    this.insertAttStmt = db.prepare(
      "INSERT INTO signed_attestations (validator_id, source_epoch, target_epoch, signing_root) VALUES (?, ?, ?, ?)",
    );
    this.blocksOf = db.prepare(
      "SELECT slot, signing_root FROM signed_blocks WHERE validator_id = ? ORDER BY slot, signing_root",
    );
    this.attsOf = db.prepare(
      `SELECT source_epoch, target_epoch, signing_root FROM signed_attestations WHERE validator_id = ?
         ORDER BY target_epoch, source_epoch, signing_root`,
    );
    this.blocksBelowStmt = db.prepare(
      "SELECT COUNT(*) AS n, MAX(slot) AS m FROM signed_blocks WHERE validator_id = ? AND slot < ?",
    );
    this.deleteBlocksStmt = db.prepare("DELETE FROM signed_blocks WHERE validator_id = ? AND slot < ?");
    this.attsBelowStmt = db.prepare(
      `SELECT COUNT(*) AS n, MAX(source_epoch) AS s, MAX(target_epoch) AS t FROM signed_attestations
         WHERE validator_id = ? AND target_epoch < ?`,
    );
    this.deleteAttsStmt = db.prepare("DELETE FROM signed_attestations WHERE validator_id = ? AND target_epoch < ?");
  }

  /** The id of a validator, or undefined when it has no row yet. */
  findValidator(pubkey: Uint8Array): number | undefined {
    const row = this.validatorId.get(pubkey) as Row | undefined;
    return row === undefined ? undefined : (row.id as number);
  }

  /** Registers a validator; returns its new id. */
  insertValidator(pubkey: Uint8Array): number {
    return Number(this.insertValidatorStmt.run(pubkey).lastInsertRowid);
  }

  /** Every registered validator, by id. */
  validators(): { id: number; pubkey: Uint8Array }[] {
    return (this.allValidators.all() as Row[]).map((r) => ({ id: r.id as number, pubkey: r.pubkey as Uint8Array }));
  }

  /** The stored blocks of a validator at one slot (several only after importing slashable data). */
  blocksAtSlot(validatorId: number, slot: number): StoredBlock[] {
    return (this.blocksAt.all(validatorId, slot) as Row[]).map(toBlock);
  }

  /** True when this exact row (same slot, same root or both unknown) is stored. */
  hasBlock(validatorId: number, slot: number, root: Uint8Array | null): boolean {
    return this.blockExists.get(validatorId, slot, root) !== undefined;
  }

  /** Records a block (root null: unknown). */
  insertBlock(validatorId: number, slot: number, root: Uint8Array | null): void {
    this.insertBlockStmt.run(validatorId, slot, root);
  }

  /** The stored votes of a validator with this target epoch. */
  attestationsAtTarget(validatorId: number, target: number): StoredAttestation[] {
    return (this.attsAt.all(validatorId, target) as Row[]).map(toAttestation);
  }

  /** True when this exact vote (same source, target and root, or both roots unknown) is stored. */
  hasAttestation(validatorId: number, source: number, target: number, root: Uint8Array | null): boolean {
    return this.attExists.get(validatorId, target, source, root) !== undefined;
  }

  /** A stored attestation that surrounds (source, target), if any. */
  findSurrounding(validatorId: number, source: number, target: number): StoredAttestation | undefined {
    const row = this.surroundingStmt.get(validatorId, source, target) as Row | undefined;
    return row === undefined ? undefined : toAttestation(row);
  }

  /** A stored attestation that (source, target) would surround, if any. */
  findSurrounded(validatorId: number, source: number, target: number): StoredAttestation | undefined {
    const row = (this.surroundedStmt.get(validatorId, source, target) ??
      this.surroundedInvertedStmt.get(validatorId, source, target)) as Row | undefined;
    return row === undefined ? undefined : toAttestation(row);
  }

  /** Records a vote (root null: unknown); the trigger updates attestation_maxima. */
  insertAttestation(validatorId: number, source: number, target: number, root: Uint8Array | null): void {
    this.insertAttStmt.run(validatorId, source, target, root);
  }

  /** Lowest stored slot: the block low watermark. */
  minBlockSlot(validatorId: number): number | null {
    return ((this.minSlot.get(validatorId) as Row).m as number | null) ?? null;
  }

  /** Highest stored slot. */
  maxBlockSlot(validatorId: number): number | null {
    return ((this.maxSlot.get(validatorId) as Row).m as number | null) ?? null;
  }

  /**
   * Highest source and target on record (both null when the validator has no attestation). Never below the true
   * maxima (pruning can leave them above, which only sends a request down the full check).
   */
  attestationMaxima(validatorId: number): { maxSource: number | null; maxTarget: number | null } {
    const row = this.attMaxima.get(validatorId) as Row | undefined;
    return row === undefined
      ? { maxSource: null, maxTarget: null }
      : { maxSource: row.s as number, maxTarget: row.t as number };
  }

  /** Lowest stored source and target: the attestation low watermarks. */
  attestationMinima(validatorId: number): { minSource: number | null; minTarget: number | null } {
    const row = this.attMinima.get(validatorId) as Row;
    return { minSource: (row.s as number | null) ?? null, minTarget: (row.t as number | null) ?? null };
  }

  /** All three low watermarks. */
  minima(validatorId: number): Minima {
    return { minSlot: this.minBlockSlot(validatorId), ...this.attestationMinima(validatorId) };
  }

  /** A validator's blocks by slot (for the export). */
  blocksOfValidator(validatorId: number): StoredBlock[] {
    return (this.blocksOf.all(validatorId) as Row[]).map(toBlock);
  }

  /** A validator's votes by target, then source (for the export). */
  attestationsOfValidator(validatorId: number): StoredAttestation[] {
    return (this.attsOf.all(validatorId) as Row[]).map(toAttestation);
  }

  /** How many blocks lie below `slot` and the highest of their slots. */
  blocksBelow(validatorId: number, slot: number): { count: number; maxSlot: number } {
    const row = this.blocksBelowStmt.get(validatorId, slot) as Row;
    return { count: row.n as number, maxSlot: (row.m as number | null) ?? 0 };
  }

  /** Deletes the blocks below `slot` (pruning). */
  deleteBlocksBelow(validatorId: number, slot: number): void {
    this.deleteBlocksStmt.run(validatorId, slot);
  }

  /** How many attestations have a target below `epoch`, and their highest source and target. */
  attestationsBelow(validatorId: number, epoch: number): { count: number; maxSource: number; maxTarget: number } {
    const row = this.attsBelowStmt.get(validatorId, epoch) as Row;
    return {
      count: row.n as number,
      maxSource: (row.s as number | null) ?? 0,
      maxTarget: (row.t as number | null) ?? 0,
    };
  }

  /** Deletes the votes with a target below `epoch` (pruning). */
  deleteAttestationsBelow(validatorId: number, epoch: number): void {
    this.deleteAttsStmt.run(validatorId, epoch);
  }
}
