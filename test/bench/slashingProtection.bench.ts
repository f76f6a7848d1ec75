// Slashing-protection throughput (validator/src/slashing-protection, node:sqlite, WAL, synchronous=FULL): attestations
// checked + inserted per second for 10k and 100k validators that already have a 1,000-epoch history each, in
// per-slot batches (validators / SLOTS_PER_EPOCH per transaction, as a client attests), plus the latency of single
// requests (one committed transaction each). SEXTANT_BENCH_SP_VALIDATORS=10000,100000 chooses the sizes.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { DatabaseSync } from "node:sqlite";
import { type AttestationRequest, SlashingProtection } from "../../validator/src/slashing-protection/index.ts";
import { bench, fmtMs, mib, printTable } from "./harness.ts";

/** mainnet SLOTS_PER_EPOCH: a client attests with 1/32 of its validators in each slot. */
const SLOTS_PER_EPOCH = 32;
/** Epochs of history every validator already has (one attestation each). */
const HISTORY_EPOCHS = 1_000;
const GVR = `0x${"42".repeat(32)}`;
const SIZES = (process.env.SEXTANT_BENCH_SP_VALIDATORS ?? "10000,100000").split(",").map(Number);

const pubkeyOf = (v: number) => `0x${"b0".repeat(44)}${v.toString(16).padStart(8, "0")}`;
const rootOf = (epoch: number, v: number) =>
  `0x${"5a".repeat(24)}${epoch.toString(16).padStart(8, "0")}${v.toString(16).padStart(8, "0")}`;

/** Registers the validators and writes their history straight through SQL (sorted, so the indexes append). */
function seed(dir: string, validators: number): { path: string; seconds: number } {
  const t0 = performance.now();
  const sp = SlashingProtection.open(dir, { genesisValidatorsRoot: GVR });
  const path = sp.path;
  sp.close();
  const db = new DatabaseSync(path);
  // Seeding only: no rollback journal (the file is thrown away on failure), no fsync, a big page cache.
  db.exec("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -1000000");
  db.exec("BEGIN");
  const reg = db.prepare("INSERT INTO validators (id, pubkey) VALUES (?, ?)");
  for (let v = 0; v < validators; v++) reg.run(v + 1, Buffer.from(pubkeyOf(v).slice(2), "hex"));
  db.exec("COMMIT");
  // The per-insert trigger that keeps attestation_maxima is set aside while seeding (a GROUP BY fills the table at
  // the end, as the trigger would have), then restored with its own SQL.
  const triggers = db
    .prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'signed_attestations'")
    .all() as {
    sql: string;
  }[];
  db.exec("DROP TRIGGER attestation_maxima_on_insert");
  const fill = db.prepare(`
    WITH RECURSIVE e(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM e WHERE x < ${HISTORY_EPOCHS})
    INSERT INTO signed_attestations (validator_id, source_epoch, target_epoch, signing_root)
      SELECT v.id, e.x - 1, e.x, randomblob(32) FROM validators v CROSS JOIN e
      WHERE v.id BETWEEN ? AND ? ORDER BY v.id, e.x`);
  const CHUNK = 5_000;
  for (let v = 1; v <= validators; v += CHUNK) {
    db.exec("BEGIN");
    fill.run(v, Math.min(validators, v + CHUNK - 1));
    db.exec("COMMIT");
  }
  db.exec(`INSERT INTO attestation_maxima (validator_id, max_source, max_target)
    SELECT validator_id, MAX(source_epoch), MAX(target_epoch) FROM signed_attestations GROUP BY validator_id`);
  for (const t of triggers) db.exec(t.sql);
  db.exec("PRAGMA journal_mode = WAL");
  db.close();
  return { path, seconds: (performance.now() - t0) / 1000 };
}

const rows: Record<string, string | number>[] = [];
for (const validators of SIZES) {
  const dir = mkdtempSync(join(tmpdir(), "sextant-sp-bench-"));
  try {
    const seeded = seed(dir, validators);
    const size = statSync(seeded.path).size;
    console.log(
      `${validators.toLocaleString("en-US")} validators: seeded ${(validators * HISTORY_EPOCHS).toLocaleString("en-US")} attestations in ${seeded.seconds.toFixed(1)} s, database ${mib(size)} MiB`,
    );
    const sp = SlashingProtection.open(dir, { genesisValidatorsRoot: GVR });
    const perSlot = Math.ceil(validators / SLOTS_PER_EPOCH);
    // The client's next epochs: slot s of epoch e attests with validators [s·perSlot, (s+1)·perSlot).
    let next = 0;
    const batchAt = (k: number): AttestationRequest[] => {
      const epoch = HISTORY_EPOCHS + 1 + Math.floor(k / SLOTS_PER_EPOCH);
      const first = (k % SLOTS_PER_EPOCH) * perSlot;
      const items: AttestationRequest[] = [];
      for (let v = first; v < Math.min(validators, first + perSlot); v++) {
        items.push({ pubkey: pubkeyOf(v), sourceEpoch: epoch - 1, targetEpoch: epoch, signingRoot: rootOf(epoch, v) });
      }
      return items;
    };
    let batch = batchAt(next);
    let refused = 0;
    const batched = await bench(
      `${validators.toLocaleString("en-US")} validators: per-slot batch of ${perSlot}`,
      () => {
        refused += sp.checkAndInsertAttestations(batch).filter((r) => !r.ok).length;
      },
      {
        opsPerRun: perSlot,
        minRuns: SLOTS_PER_EPOCH,
        maxRuns: 4 * SLOTS_PER_EPOCH,
        maxTimeMs: 20_000,
        warmupRuns: SLOTS_PER_EPOCH, // one full epoch first: every validator's first lookup (id cache) is paid
        beforeEach: () => {
          batch = batchAt(next++);
        },
      },
    );
    if (refused > 0) throw new Error(`${refused} honest attestations were refused`);
    // Single requests, each its own committed transaction: validators past the batches, so no id-cache help.
    let single = 0;
    const singleAtt = await bench(
      `${validators.toLocaleString("en-US")} validators: one attestation per transaction`,
      () => {
        const v = single++ % validators;
        const epoch = HISTORY_EPOCHS + 100 + Math.floor(single / validators);
        sp.checkAndInsertAttestation(pubkeyOf(v), {
          sourceEpoch: epoch - 1,
          targetEpoch: epoch,
          signingRoot: rootOf(epoch, v),
        });
      },
      { maxRuns: 2_000, maxTimeMs: 3_000 },
    );
    let slot = HISTORY_EPOCHS * SLOTS_PER_EPOCH * 2;
    const singleBlock = await bench(
      `${validators.toLocaleString("en-US")} validators: one block per transaction`,
      () => {
        slot++;
        sp.checkAndInsertBlockProposal(pubkeyOf(slot % validators), { slot, signingRoot: rootOf(slot, 0) });
      },
      { maxRuns: 2_000, maxTimeMs: 3_000 },
    );
    sp.close();
    for (const r of [batched, singleAtt, singleBlock]) {
      rows.push({
        case: r.name,
        "history rows": (validators * HISTORY_EPOCHS).toLocaleString("en-US"),
        "median ms/run": fmtMs(r.medianMs),
        "checked+inserted/s": Math.round(r.opsPerSec).toLocaleString("en-US"),
        runs: r.runs,
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

printTable(
  `Slashing protection (node:sqlite, WAL, synchronous=FULL; ${HISTORY_EPOCHS}-epoch history per validator)`,
  rows,
);
