// N parallel conflicting signing requests for one validator → exactly one succeeds: same slot with different
// roots, same target with different roots, mutually surrounding votes, and a contested vote inside batches. Raced by
// several connections in one thread, by worker threads (one connection each, released together through a shared
// flag) and by child processes sharing the database file.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { test } from "node:test";
import { Worker } from "node:worker_threads";
import { SlashingProtection } from "../../../../validator/src/slashing-protection/index.ts";
import { contestedPubkey, ROUND_KINDS, raceOnce } from "../../../fixtures/slashing-protection/race.ts";
import { PROJECT_ROOT } from "../../../support/reference.ts";
import { GVR, tempDir } from "./helpers.ts";

const FIXTURES = join(PROJECT_ROOT, "test/fixtures/slashing-protection");
/** Rounds per racer set: each kind of contest several times. */
const ROUNDS = 4 * ROUND_KINDS.length;
const SLASHABLE = new Set(["DOUBLE_BLOCK", "DOUBLE_VOTE", "SURROUNDING_VOTE", "SURROUNDED_VOTE"]);

/** Asserts that in every round exactly one racer signed, the others were refused, and one record is stored. */
function assertOneWinnerPerRound(results: string[][], dataDir: string): void {
  const sp = SlashingProtection.open(dataDir);
  try {
    for (const [round, answers] of results.entries()) {
      const winners = answers.filter((a) => a === "new");
      assert.equal(
        winners.length,
        1,
        `round ${round} (${ROUND_KINDS[round % ROUND_KINDS.length]}): ${answers.join(", ")}`,
      );
      for (const a of answers) assert.ok(a === "new" || SLASHABLE.has(a), `round ${round}: unexpected ${a}`);
      const [history] = sp.exportInterchange([contestedPubkey(round)]).data;
      assert.equal(history.signed_blocks.length + history.signed_attestations.length, 1, `round ${round} stored`);
    }
  } finally {
    sp.close();
  }
}

test("several connections in one thread: exactly one of the conflicting requests is signed", () => {
  const dir = join(tempDir(), "db");
  const connections = [...Array(5)].map(() => SlashingProtection.open(dir, { genesisValidatorsRoot: GVR }));
  const results = [...Array(ROUNDS)].map((_, round) => connections.map((sp, racer) => raceOnce(sp, round, racer)));
  for (const sp of connections) sp.close();
  assertOneWinnerPerRound(results, dir);
});

test("worker threads racing together: exactly one signs in every round", async () => {
  const dir = join(tempDir(), "db");
  SlashingProtection.open(dir, { genesisValidatorsRoot: GVR }).close();
  const racers = 6;
  const flag = new SharedArrayBuffer(4);
  const go = new Int32Array(flag);
  const results: string[][] = [...Array(ROUNDS)].map(() => []);
  let ready = 0;
  const roundDone: (() => void)[] = [];
  const allReady = Promise.withResolvers<void>();
  const exited = [...Array(racers)].map((_, racer) => {
    const w = new Worker(join(FIXTURES, "race-worker.ts"), {
      workerData: { dataDir: dir, genesisValidatorsRoot: GVR, racer, rounds: ROUNDS, flag },
    });
    w.on("message", (m: { ready?: true; round?: number; result?: string }) => {
      if (m.ready && ++ready === racers) allReady.resolve();
      if (m.round !== undefined) {
        results[m.round].push(m.result!);
        if (results[m.round].length === racers) roundDone[m.round]?.();
      }
    });
    w.on("error", (err) => allReady.reject(err));
    return new Promise<number>((resolve) => w.once("exit", resolve));
  });
  await allReady.promise;
  for (let round = 0; round < ROUNDS; round++) {
    const done = new Promise<void>((resolve) => {
      roundDone[round] = resolve;
    });
    Atomics.store(go, 0, round + 1);
    Atomics.notify(go, 0);
    await done;
  }
  assert.deepEqual(
    await Promise.all(exited),
    exited.map(() => 0),
  );
  assertOneWinnerPerRound(results, dir);
});

test("child processes sharing the database file: exactly one signs in every round", async () => {
  const dir = join(tempDir(), "db");
  SlashingProtection.open(dir, { genesisValidatorsRoot: GVR }).close();
  const racers = 3;
  const children: ChildProcess[] = [];
  const lines: AsyncIterator<string>[] = [];
  for (let racer = 0; racer < racers; racer++) {
    const child = spawn(process.execPath, [join(FIXTURES, "race-child.ts"), dir, GVR, String(racer)], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    children.push(child);
    lines.push(createInterface({ input: child.stdout! })[Symbol.asyncIterator]());
  }
  const next = async (i: number) => {
    const r = await lines[i].next();
    assert.ok(!r.done, `child ${i} ended early`);
    return r.value;
  };
  for (let i = 0; i < racers; i++) assert.equal(await next(i), "ready");
  const results: string[][] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const child of children) child.stdin!.write(`go ${round}\n`);
    const answers = await Promise.all(children.map((_, i) => next(i)));
    results.push(answers.map((a) => (JSON.parse(a) as { result: string }).result));
  }
  const exits = children.map((c) => new Promise((resolve) => c.once("exit", resolve)));
  for (const child of children) child.stdin!.end();
  assert.deepEqual(
    await Promise.all(exits),
    children.map(() => 0),
  );
  assertOneWinnerPerRound(results, dir);
});
