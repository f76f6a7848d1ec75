// Opening the database: connection settings, schema version, genesis_validators_root binding, persistence,
// lock waits, closed use, and the validator-id cache across a rolled-back transaction.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { test } from "node:test";
import {
  DEFAULT_DB_FILE_NAME,
  SCHEMA_VERSION,
  SlashingProtection,
  SlashingProtectionError,
} from "../../../../validator/src/slashing-protection/index.ts";
import { GVR, OTHER_GVR, pubkey, root, tempDir } from "./helpers.ts";

const dir = tempDir();
let n = 0;
const newDir = () => join(dir, String(n++));

function throwsCode(fn: () => unknown, code: string): SlashingProtectionError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof SlashingProtectionError, String(err));
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected ${code}`);
}

test("a new database is created in the given directory with WAL, synchronous=FULL and a busy timeout", () => {
  const d = newDir();
  const sp = SlashingProtection.open(d, { genesisValidatorsRoot: GVR, busyTimeoutMs: 1234 });
  assert.equal(sp.path, join(d, DEFAULT_DB_FILE_NAME));
  assert.ok(existsSync(sp.path));
  // synchronous: 2 = FULL (SQLite's numbering: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA).
  assert.deepEqual(sp.settings(), {
    journalMode: "wal",
    synchronous: 2,
    busyTimeoutMs: 1234,
    schemaVersion: SCHEMA_VERSION,
  });
  assert.equal(Buffer.from(sp.genesisValidatorsRoot).toString("hex"), GVR.slice(2));
  sp.close();
});

test("the database is bound to its genesis_validators_root: another root refuses to open and changes nothing", () => {
  const d = newDir();
  const sp = SlashingProtection.open(d, { genesisValidatorsRoot: GVR });
  sp.checkAndInsertBlockProposal(pubkey(0), { slot: 5, signingRoot: root(1) });
  sp.close();
  const err = throwsCode(
    () => SlashingProtection.open(d, { genesisValidatorsRoot: OTHER_GVR }),
    "GENESIS_ROOT_MISMATCH",
  );
  assert.equal(err.context.databaseRoot, GVR);
  assert.equal(err.context.expectedRoot, OTHER_GVR);
  assert.match(err.message, /another chain/);
  // Same root, or no root at all (use whatever it is bound to): opens, history intact.
  const again = SlashingProtection.open(d, { genesisValidatorsRoot: GVR });
  assert.equal(again.checkAndInsertBlockProposal(pubkey(0), { slot: 5, signingRoot: root(1) }), "repeat");
  again.close();
  const unbound = SlashingProtection.open(d);
  assert.equal(Buffer.from(unbound.genesisValidatorsRoot).toString("hex"), GVR.slice(2));
  throwsCode(() => unbound.checkAndInsertBlockProposal(pubkey(0), { slot: 5, signingRoot: root(2) }), "DOUBLE_BLOCK");
  unbound.close();
});

test("without a root, a missing database is DATABASE_NOT_FOUND and nothing is created", () => {
  const d = newDir();
  throwsCode(() => SlashingProtection.open(d), "DATABASE_NOT_FOUND");
  assert.ok(!existsSync(d));
});

test("a database file never bound to a chain is DATABASE_NOT_BOUND when no root is given", () => {
  const d = newDir();
  SlashingProtection.open(d, { genesisValidatorsRoot: GVR }).close();
  const raw = new DatabaseSync(join(d, DEFAULT_DB_FILE_NAME));
  raw.exec("DELETE FROM metadata");
  raw.close();
  throwsCode(() => SlashingProtection.open(d), "DATABASE_NOT_BOUND");
  // Given a root, it binds.
  SlashingProtection.open(d, { genesisValidatorsRoot: OTHER_GVR }).close();
  throwsCode(() => SlashingProtection.open(d, { genesisValidatorsRoot: GVR }), "GENESIS_ROOT_MISMATCH");
});

test("a schema version newer than this code refuses to open (UNSUPPORTED_SCHEMA_VERSION)", () => {
  const d = newDir();
  SlashingProtection.open(d, { genesisValidatorsRoot: GVR }).close();
  const raw = new DatabaseSync(join(d, DEFAULT_DB_FILE_NAME));
  raw.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
  raw.close();
  const err = throwsCode(
    () => SlashingProtection.open(d, { genesisValidatorsRoot: GVR }),
    "UNSUPPORTED_SCHEMA_VERSION",
  );
  assert.equal(err.context.version, SCHEMA_VERSION + 1);
});

test("a writer holding the lock past the busy timeout gives DATABASE_BUSY; nothing is recorded, later it works", () => {
  const d = newDir();
  const sp = SlashingProtection.open(d, { genesisValidatorsRoot: GVR, busyTimeoutMs: 50 });
  const other = new DatabaseSync(sp.path);
  other.exec("BEGIN IMMEDIATE");
  throwsCode(() => sp.checkAndInsertBlockProposal(pubkey(0), { slot: 1, signingRoot: root(1) }), "DATABASE_BUSY");
  other.exec("ROLLBACK");
  other.close();
  assert.equal(sp.checkAndInsertBlockProposal(pubkey(0), { slot: 1, signingRoot: root(1) }), "new");
  sp.close();
});

test("using a closed database is DATABASE_CLOSED; close is idempotent", () => {
  const sp = SlashingProtection.open(newDir(), { genesisValidatorsRoot: GVR });
  sp.close();
  sp.close();
  throwsCode(
    () => sp.checkAndInsertAttestation(pubkey(0), { sourceEpoch: 0, targetEpoch: 1, signingRoot: root(1) }),
    "DATABASE_CLOSED",
  );
  throwsCode(() => sp.exportInterchange(), "DATABASE_CLOSED");
});

test("a refused first request does not leave a stale validator id behind (another connection takes that id)", () => {
  const d = newDir();
  const a = SlashingProtection.open(d, { genesisValidatorsRoot: GVR });
  const b = SlashingProtection.open(d, { genesisValidatorsRoot: GVR });
  // A registers validator 0 inside a transaction that is rolled back (the vote is invalid)…
  throwsCode(
    () => a.checkAndInsertAttestation(pubkey(0), { sourceEpoch: 3, targetEpoch: 2, signingRoot: root(1) }),
    "INVALID_ATTESTATION",
  );
  // …B then registers validator 1, which gets the id A had used.
  b.checkAndInsertBlockProposal(pubkey(1), { slot: 100, signingRoot: root(2) });
  // A's request for validator 0 must not land on validator 1's history.
  assert.equal(a.checkAndInsertBlockProposal(pubkey(0), { slot: 50, signingRoot: root(3) }), "new");
  const exported = b.exportInterchange().data;
  assert.deepEqual(
    exported.map((d) => [d.pubkey, d.signed_blocks.map((x) => x.slot)]),
    [
      [pubkey(0), ["50"]],
      [pubkey(1), ["100"]],
    ].sort(),
  );
  a.close();
  b.close();
});
