// The node's database survives SIGKILL during block import: a child process imports blocks (with attestations, so
// finalization moves and the database archives, prunes and re-anchors) and is killed at a random moment, 20 times;
// every restart resumes (no corrupt database, no refused anchor) with a head at least as far as the last block the
// child reported imported, and goes on importing from there.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Rng } from "../../../support/random.ts";

const CHILD = join(import.meta.dirname, "crashChild.ts");
const KILLS = 20;

/** Runs the child until it has printed `imports` more imports (plus a random delay), then SIGKILLs it. */
async function runAndKill(
  dir: string,
  imports: number,
  delayMs: number,
): Promise<{ resumed: number; lastImported: number; output: string }> {
  const child = spawn(process.execPath, [CHILD, dir], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  let resumed = -1;
  let lastImported = -1;
  let seen = 0;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve) => {
    const onLine = (line: string) => {
      const r = /^resumed (\d+)/.exec(line);
      if (r) resumed = Number(r[1]);
      const m = /^imported (\d+)/.exec(line);
      if (m) {
        lastImported = Number(m[1]);
        if (++seen === imports) setTimeout(resolve, delayMs);
      }
    };
    let pending = "";
    child.stdout?.on("data", (d: Buffer) => {
      output += d.toString();
      pending += d.toString();
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) onLine(line);
    });
    child.stderr?.on("data", (d: Buffer) => {
      output += d.toString();
    });
    child.once("exit", () => resolve());
  });
  child.kill("SIGKILL");
  await exited;
  return { resumed, lastImported, output };
}

describe("SIGKILL during block import", { timeout: 240_000 }, () => {
  it(`${KILLS} kills: every restart resumes at or after the last imported block`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "sextant-crash-"));
    const rng = new Rng(7);
    try {
      let lastImported = 0;
      for (let i = 0; i < KILLS; i++) {
        // 2 to 4 imports per run: at least 40 slots in all, so finalization moves (and re-anchors) under the kills.
        const run = await runAndKill(dir, 2 + rng.int(3), rng.int(40));
        assert.ok(run.resumed >= 0, `restart ${i} did not resume:\n${run.output.slice(-2000)}`);
        assert.ok(
          run.resumed >= lastImported,
          `restart ${i} resumed at ${run.resumed}, the last block reported imported was ${lastImported}`,
        );
        assert.ok(run.lastImported > run.resumed, `run ${i} imported nothing:\n${run.output.slice(-2000)}`);
        lastImported = run.lastImported;
      }
      // Finalization moved (the database re-anchored) under the kills: 40+ slots with every slot attested.
      const final = await runAndKill(dir, 1, 0);
      assert.match(final.output, /finalized ([2-9]|\d\d)/, final.output.slice(0, 500));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
