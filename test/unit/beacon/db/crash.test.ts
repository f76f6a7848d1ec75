// Crash test of the beacon database: a child process (crashWriter.ts) writes blocks, snapshots, anchors and
// finalizations in batches while this test SIGKILLs it at random moments, 20 times; after each kill the database
// is reopened and its invariants checked: every indexed finalized root has its block, every snapshot's metadata
// matches its bytes, the anchor points at a stored state, nothing acknowledged as committed is lost, and counts
// only grow.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { BeaconDb } from "../../../../beacon/src/db/beaconDb.ts";
import { Rng } from "../../../support/random.ts";
import {
  CRASH_NETWORK,
  canonicalBlock,
  FINALIZE_EVERY,
  orphanBlock,
  SNAPSHOT_EVERY,
  snapshotState,
} from "./crashChain.ts";
import { hex, sha256 } from "./fixtures.ts";

const KILLS = 20;
const WRITER = fileURLToPath(new URL("./crashWriter.ts", import.meta.url));
const NODE = process.execPath;

interface RunResult {
  /** Highest slot the child reported as committed before it died (-1: none). */
  acked: number;
  /** True when the child was killed by our signal (not finished or crashed by itself). */
  killed: boolean;
  stderr: string;
}

/** Starts the writer, waits for "ready", lets it write for `delayMs`, SIGKILLs it and reports what it acknowledged. */
function runAndKill(dir: string, seed: number, delayMs: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(NODE, [WRITER, dir, String(seed)], { stdio: ["ignore", "pipe", "pipe"] });
    let acked = -1;
    let buffered = "";
    let stderr = "";
    let timer: NodeJS.Timeout | undefined;
    const watchdog = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.stdout?.setEncoding("utf8");
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.stdout?.on("data", (chunk: string) => {
      buffered += chunk;
      let nl = buffered.indexOf("\n");
      while (nl >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.startsWith("ready") && timer === undefined) {
          timer = setTimeout(() => child.kill("SIGKILL"), delayMs);
        } else if (line.startsWith("committed ")) {
          acked = Number(line.slice("committed ".length));
        }
        nl = buffered.indexOf("\n");
      }
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(watchdog);
      if (timer !== undefined) clearTimeout(timer);
      if (signal !== "SIGKILL" && code !== 0) {
        reject(new Error(`writer exited with code ${code} signal ${signal}: ${stderr}`));
        return;
      }
      resolve({ acked, killed: signal === "SIGKILL", stderr });
    });
  });
}

interface Counts {
  tip: number;
  finalized: number;
  states: number;
  anchorEpoch: number;
}

/** Opens the database and checks every invariant; returns the counts for the monotonicity checks. */
async function checkInvariants(dir: string): Promise<Counts> {
  const db = BeaconDb.open(dir, { network: CRASH_NETWORK, genesisValidatorsRoot: sha256(Buffer.from("crash gvr")) });
  try {
    // Finalized: the slot index names exactly the canonical chain prefix, and every indexed root has its block.
    let finalized = 0;
    let expectedSlot = 0;
    for (const { slot, root } of db.finalizedBlocks.roots()) {
      assert.equal(slot, expectedSlot, "finalized slots are contiguous from genesis");
      assert.equal(hex(root), hex(canonicalBlock(slot).root), `finalized root at slot ${slot} is canonical`);
      const block = db.finalizedBlocks.get(root);
      assert.ok(block, `finalized block at slot ${slot} is stored`);
      assert.equal(block.slot, slot);
      assert.equal(hex(sha256(block.bytes)), hex(root), `finalized block bytes at slot ${slot} are intact`);
      assert.equal(db.hotBlocks.has(root), false, "a finalized block is not also hot");
      finalized++;
      expectedSlot++;
    }
    // Hot blocks: intact, above the finalized slot, canonical or a known orphan.
    const lastFinalized = finalized - 1;
    for (const block of db.hotBlocks.values()) {
      assert.equal(hex(sha256(block.bytes)), hex(block.root), `hot block at slot ${block.slot} is intact`);
      assert.ok(block.slot > lastFinalized, `hot block at slot ${block.slot} is above finalized slot ${lastFinalized}`);
      const known = [
        hex(canonicalBlock(block.slot).root),
        block.slot >= 1 && block.slot % 5 === 0 ? hex(orphanBlock(block.slot).root) : "",
      ];
      assert.ok(known.includes(hex(block.root)), `hot block at slot ${block.slot} is one the writer wrote`);
    }
    // Snapshots: the slot index and the records agree, and each record's metadata matches its bytes.
    let states = 0;
    for (const { slot, root } of db.states.roots()) {
      const state = db.states.get(root);
      assert.ok(state, `indexed snapshot at slot ${slot} is stored`);
      assert.equal(state.slot, slot, "index slot equals record slot");
      assert.equal(slot % SNAPSHOT_EVERY, 0);
      assert.equal(hex(sha256(state.bytes)), hex(root), `snapshot bytes at slot ${slot} are intact`);
      assert.equal(hex(root), hex(snapshotState(slot).root));
      states++;
    }
    assert.equal(db.states.count(), states, "every snapshot record is indexed");
    // Anchor: points at a stored state and block; restart resume works.
    let tip = -1;
    let anchorEpoch = -1;
    const loaded = db.loadAnchor();
    if (loaded !== undefined) {
      anchorEpoch = loaded.anchor.epoch;
      const anchorSlot = anchorEpoch * FINALIZE_EVERY;
      assert.equal(loaded.state.slot, anchorSlot, "anchor state is the checkpoint state");
      assert.equal(hex(loaded.anchor.blockRoot), hex(canonicalBlock(anchorSlot).root));
      assert.ok(loaded.anchorBlock, "anchor block is stored");
      assert.ok(anchorSlot <= Math.max(0, lastFinalized), "anchor is finalized (or genesis)");
      tip = anchorSlot;
      for (const block of loaded.blocks) {
        if (hex(block.root) === hex(canonicalBlock(block.slot).root)) {
          assert.equal(block.slot, tip + 1, "hot canonical blocks form a contiguous chain after the anchor");
          tip = block.slot;
        }
      }
    } else {
      assert.equal(db.hotBlocks.count() + finalized + states, 0, "no anchor only in an empty database");
    }
    return { tip, finalized, states, anchorEpoch };
  } finally {
    await db.close();
  }
}

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("BeaconDb crash safety", () => {
  it(`survives ${KILLS} SIGKILLs of a writer mid-batch without corruption or loss of committed data`, async () => {
    const root = mkdtempSync(join(tmpdir(), "sextant-db-crash-"));
    dirs.push(root);
    const dir = join(root, "db");
    const rng = new Rng(20_240_601);
    let previous: Counts = { tip: -1, finalized: 0, states: 0, anchorEpoch: -1 };
    let killedMidRun = 0;
    for (let i = 0; i < KILLS; i++) {
      const delay = 5 + rng.int(150);
      const run = await runAndKill(dir, i + 1, delay);
      if (run.killed) killedMidRun++;
      const counts = await checkInvariants(dir);
      assert.ok(
        counts.tip >= run.acked,
        `run ${i}: slot ${run.acked} was acknowledged, tip after restart is ${counts.tip}`,
      );
      assert.ok(counts.tip >= previous.tip, `run ${i}: tip went back from ${previous.tip} to ${counts.tip}`);
      assert.ok(counts.finalized >= previous.finalized, `run ${i}: finalized count shrank`);
      assert.ok(counts.states >= previous.states, `run ${i}: snapshot count shrank`);
      assert.ok(counts.anchorEpoch >= previous.anchorEpoch, `run ${i}: anchor went back`);
      if (process.env.SEXTANT_DB_CRASH_VERBOSE)
        console.log(
          `run ${i}: delay ${delay} ms, acked ${run.acked}, tip ${counts.tip}, finalized ${counts.finalized}, states ${counts.states}`,
        );
      previous = counts;
    }
    assert.equal(killedMidRun, KILLS, "every run was killed, none finished on its own");
    assert.ok(previous.tip >= 4 * FINALIZE_EVERY, `the writer made progress (tip ${previous.tip})`);
    assert.ok(previous.finalized > 0 && previous.anchorEpoch > 0, "finalization happened");
  });
});
