// Crash safety: signers (test/fixtures/slashing-protection/crash-signer.ts) sign in a loop and log every released
// signature; they are killed with SIGKILL at random moments — two at a time, sharing the database — and restarted,
// ≥ 200 kills by default (SEXTANT_LONG_TESTS=1: 2,000). Afterwards: no two released signatures of a validator form
// a slashable pair, every released signature is in the database (the commit came before the release), and the
// database opens and passes SQLite's integrity check.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { DatabaseSync } from "node:sqlite";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { SlashingProtection } from "../../../../validator/src/slashing-protection/index.ts";
import { CRASH_VALIDATORS, crashPubkey, parseReleaseLog } from "../../../fixtures/slashing-protection/crash-common.ts";
import { Rng } from "../../../support/random.ts";
import { PROJECT_ROOT } from "../../../support/reference.ts";
import {
  GVR,
  type ModelAttestation,
  type ModelBlock,
  slashableAttestations,
  slashableBlocks,
  tempDir,
} from "./helpers.ts";

const SIGNER = join(PROJECT_ROOT, "test/fixtures/slashing-protection/crash-signer.ts");
const LONG = process.env.SEXTANT_LONG_TESTS === "1";
/** Kills in total; two signers run side by side, so half as many rounds. */
const KILLS = LONG ? 2_000 : 200;
const SIDE_BY_SIDE = 2;
/** Longest time a signer runs after it is ready before it is killed: long enough for dozens of commits. */
const MAX_RUN_MS = 40;

/** Starts a signer, waits until it has opened the database, lets it sign for `runMs`, then SIGKILLs it. */
async function signThenKill(dir: string, log: string, seed: number, epochBase: number, runMs: number): Promise<void> {
  const child = spawn(process.execPath, [SIGNER, dir, GVR, log, String(seed), String(epochBase)], {
    stdio: ["ignore", "pipe", "pipe"],
    // Node's compile cache (shared by the restarts) takes ~ a quarter off each restart's start-up.
    env: { ...process.env, NODE_COMPILE_CACHE: join(dir, "..", "compile-cache") },
  });
  let stderr = "";
  child.stderr!.on("data", (d) => {
    stderr += String(d);
  });
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once("exit", (code, signal) => resolve([code, signal])),
  );
  const lines = createInterface({ input: child.stdout! });
  const ready = await Promise.race([
    new Promise<boolean>((resolve) => lines.once("line", (l) => resolve(l === "ready"))),
    exited.then(() => false),
  ]);
  assert.ok(ready, `signer did not start: ${stderr}`);
  await sleep(runMs);
  child.kill("SIGKILL");
  const [code, signal] = await exited;
  // Killed by us, or (rarely) it had already died: that must not be an error of its own.
  assert.ok(signal === "SIGKILL", `signer exited on its own (code ${code}): ${stderr}`);
}

function assertNoSlashablePairs(blocks: ModelBlock[], atts: ModelAttestation[], v: number): void {
  const bySlot = new Map<number, ModelBlock>();
  for (const b of blocks) {
    const other = bySlot.get(b.slot);
    assert.ok(
      other === undefined || !slashableBlocks(other, b),
      `validator ${v}: two blocks released at slot ${b.slot}`,
    );
    bySlot.set(b.slot, b);
  }
  // Distinct votes only (re-signs are identical), then every pair.
  const distinct = [...new Map(atts.map((a) => [`${a.source}/${a.target}/${a.root}`, a])).values()];
  for (let i = 0; i < distinct.length; i++) {
    for (let j = i + 1; j < distinct.length; j++) {
      const [a, b] = [distinct[i], distinct[j]];
      assert.ok(!slashableAttestations(a, b), `validator ${v}: released slashable votes ${JSON.stringify([a, b])}`);
    }
  }
}

test(`crash safety: ${KILLS} SIGKILLs of racing signers never release a slashable pair`, {
  timeout: LONG ? 1_800_000 : 120_000,
}, async () => {
  const dir = join(tempDir(), "db");
  SlashingProtection.open(dir, { genesisValidatorsRoot: GVR }).close();
  const logs = [...Array(SIDE_BY_SIDE)].map((_, i) => join(dir, `..`, `released-${i}.log`));
  for (const log of logs) writeFileSync(log, "");
  // Each lane restarts its signer over and over; the lanes run side by side, so signers overlap at random.
  await Promise.all(
    logs.map(async (log, lane) => {
      const rng = new Rng(200 + lane);
      for (let run = 0; run < KILLS / SIDE_BY_SIDE; run++) {
        await signThenKill(dir, log, run * SIDE_BY_SIDE + lane, run, rng.int(MAX_RUN_MS + 1));
      }
    }),
  );

  const released = logs.map((log) => parseReleaseLog(readFileSync(log, "utf8")));
  const sp = SlashingProtection.open(dir, { genesisValidatorsRoot: GVR });
  const stored = new Map(sp.exportInterchange().data.map((d) => [d.pubkey, d]));
  sp.close();
  const raw = new DatabaseSync(join(dir, "slashing-protection.sqlite"));
  assert.equal((raw.prepare("PRAGMA integrity_check").get() as { integrity_check: string }).integrity_check, "ok");
  raw.close();

  let total = 0;
  for (let v = 0; v < CRASH_VALIDATORS; v++) {
    const blocks = released.flatMap((r) => r.blocks[v]);
    const atts = released.flatMap((r) => r.attestations[v]);
    total += blocks.length + atts.length;
    assertNoSlashablePairs(blocks, atts, v);
    const history = stored.get(crashPubkey(v));
    assert.ok(history !== undefined, `validator ${v} has no history`);
    const storedBlocks = new Set(history.signed_blocks.map((b) => `${b.slot}/${b.signing_root}`));
    const storedAtts = new Set(
      history.signed_attestations.map((a) => `${a.source_epoch}/${a.target_epoch}/${a.signing_root}`),
    );
    for (const b of blocks)
      assert.ok(storedBlocks.has(`${b.slot}/${b.root}`), `released block not in the database: ${JSON.stringify(b)}`);
    for (const a of atts) {
      assert.ok(
        storedAtts.has(`${a.source}/${a.target}/${a.root}`),
        `released vote not in the database: ${JSON.stringify(a)}`,
      );
    }
  }
  console.log(`crash safety: ${KILLS} kills, ${total} released signatures, no slashable pair, all committed`);
  assert.ok(total > KILLS, `too few signatures released (${total}) for the test to mean much`);
});
