// Importing an EIP-3076 interchange into the complete database.
//
// All or nothing: the whole document is validated before the database is touched, then merged in ONE write
// transaction; any failure rolls it back. Every record is kept (an exact duplicate of a stored row is skipped), so
// the database never forgets a message: the watermarks become the lowest slot / source / target on record, as the
// "complete" expectations of the interchange tests require.
//
// Records that are slashable with respect to the database or to each other (the tests' contains_slashable_data)
// are recorded too — keeping them only makes the checks stricter — and reported as conflicts, since they usually
// mean the keys ran in two places.
import { toHex } from "@sextant/consensus/util/hex";
import type { SlashingProtection } from "./database.ts";
import { type SlashableCode, SlashingProtectionError } from "./errors.ts";
import { parseInterchange } from "./interchange.ts";
import type { Minima } from "./queries.ts";
import { judgeAttestation, judgeBlock } from "./rules.ts";
import { rootHex, type StoredAttestation, type StoredBlock } from "./types.ts";

/** How many conflicts an import lists in its summary (the count is always complete). */
export const MAX_REPORTED_CONFLICTS = 100;

/** An imported record that would have been refused by the signing rules (recorded anyway). */
export interface ImportConflict {
  pubkey: string;
  code: SlashableCode;
  block?: { slot: number; signingRoot: string | null };
  attestation?: { sourceEpoch: number; targetEpoch: number; signingRoot: string | null };
}

export interface ImportSummary {
  /** Distinct validators in the document. */
  validators: number;
  blocksImported: number;
  attestationsImported: number;
  /** Records identical to a stored one (same message, or same unknown-root slot/epochs): not stored twice. */
  duplicatesSkipped: number;
  /** Records slashable with respect to the database before the import or to each other. */
  conflictCount: number;
  /** The first {@link MAX_REPORTED_CONFLICTS} of them. */
  conflicts: ImportConflict[];
}

const NO_MINIMA: Minima = { minSlot: null, minSource: null, minTarget: null };

/**
 * Imports `json` (a string or parsed document) into `sp`. Throws INTERCHANGE_INVALID / INTERCHANGE_VERSION for a
 * malformed document and GENESIS_ROOT_MISMATCH when it belongs to another chain; the database is unchanged then.
 */
export function importInterchange(sp: SlashingProtection, json: unknown): ImportSummary {
  const doc = parseInterchange(json);
  const expected = toHex(sp.genesisValidatorsRoot);
  const actual = toHex(doc.genesisValidatorsRoot);
  if (actual !== expected) {
    throw new SlashingProtectionError(
      "GENESIS_ROOT_MISMATCH",
      `interchange is for another chain: its genesis_validators_root is ${actual}, the database's is ${expected}`,
      { path: "metadata.genesis_validators_root", interchangeRoot: actual, databaseRoot: expected },
    );
  }
  return sp.write((tx) => {
    const summary: ImportSummary = {
      validators: new Set(doc.data.map((d) => d.pubkey.hex)).size,
      blocksImported: 0,
      attestationsImported: 0,
      duplicatesSkipped: 0,
      conflictCount: 0,
      conflicts: [],
    };
    const conflict = (c: ImportConflict) => {
      summary.conflictCount++;
      if (summary.conflicts.length < MAX_REPORTED_CONFLICTS) summary.conflicts.push(c);
    };
    // Watermarks are judged against the database as it was before this import: the order of records inside one
    // document carries no meaning, so only slashable pairs (not "below the minimum") count within it.
    const before = new Map<number, Minima>();
    for (const entry of doc.data) {
      const existing = tx.validatorId(entry.pubkey, false);
      const id = existing ?? tx.validatorId(entry.pubkey, true)!;
      if (!before.has(id)) before.set(id, existing === undefined ? NO_MINIMA : tx.q.minima(id));
      const minima = before.get(id)!;
      for (const b of entry.blocks) {
        const verdict = judgeBlock(tx.q, id, b.slot, b.signingRoot, () => minima.minSlot);
        if (verdict.kind === "refuse") conflict({ pubkey: entry.pubkey.hex, code: verdict.code, block: show(b) });
        if (tx.q.hasBlock(id, b.slot, b.signingRoot)) summary.duplicatesSkipped++;
        else {
          tx.q.insertBlock(id, b.slot, b.signingRoot);
          summary.blocksImported++;
        }
      }
      for (const a of entry.attestations) {
        const verdict = judgeAttestation(tx.q, id, a.sourceEpoch, a.targetEpoch, a.signingRoot, () => minima);
        if (verdict.kind === "refuse") conflict({ pubkey: entry.pubkey.hex, code: verdict.code, attestation: show(a) });
        if (tx.q.hasAttestation(id, a.sourceEpoch, a.targetEpoch, a.signingRoot)) summary.duplicatesSkipped++;
        else {
          tx.q.insertAttestation(id, a.sourceEpoch, a.targetEpoch, a.signingRoot);
          summary.attestationsImported++;
        }
      }
    }
    return summary;
  });
}

function show<T extends StoredBlock | StoredAttestation>(
  row: T,
): Omit<T, "signingRoot"> & { signingRoot: string | null } {
  return { ...row, signingRoot: rootHex(row.signingRoot) };
}
