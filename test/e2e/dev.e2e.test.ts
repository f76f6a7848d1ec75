// `sextant dev` as a user runs it, as processes: the beacon node with the mock engine and the validator client as a
// separate process over REST. With 2-second slots (the protocol's rhythm, faster clock) the chain must finalize
// epoch 2 by slot 32 + 1 with every fork through fulu active from genesis, keep every slot's block, and stop
// cleanly on SIGINT (exit 0, both processes gone). The same run checks that no epoch transition was caused by a
// request (the metric sextant_epoch_transitions_total{cause="request"} stays 0).
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";

const ROOT = resolve(import.meta.dirname, "..", "..");
const SLOT_SECONDS = 2;
const SPE = 8;

async function freePort(): Promise<number> {
  return await new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

async function getJson(url: string): Promise<{ data: Record<string, unknown> } | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
    if (!res.ok) return undefined;
    return (await res.json()) as { data: Record<string, unknown> };
  } catch {
    return undefined;
  }
}

describe("sextant dev (processes, 2 s slots)", { timeout: 180_000 }, () => {
  it("finalizes epoch 2 by slot 33 with fulu active, misses no block, stops cleanly on SIGINT", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sextant-dev-e2e-"));
    const port = await freePort();
    const metricsPort = await freePort();
    const output: string[] = [];
    const child: ChildProcess = spawn(
      process.execPath,
      [
        join(ROOT, "cli/src/main.ts"),
        "--log-format",
        "json",
        "dev",
        "--data-dir",
        dir,
        "--rest.port",
        String(port),
        "--metrics",
        "--metrics.port",
        String(metricsPort),
        "--dev.slot-seconds",
        String(SLOT_SECONDS),
      ],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    child.stdout?.on("data", (d: Buffer) => output.push(d.toString()));
    child.stderr?.on("data", (d: Buffer) => output.push(d.toString()));
    const exited = new Promise<number | null>((res) => child.on("exit", (code) => res(code)));
    const base = `http://127.0.0.1:${port}`;
    try {
      let genesisTime: number | undefined;
      for (let i = 0; i < 60 && genesisTime === undefined; i++) {
        const g = await getJson(`${base}/eth/v1/beacon/genesis`);
        if (g) genesisTime = Number(g.data.genesis_time);
        else await sleep(500);
      }
      assert.ok(
        genesisTime !== undefined,
        `the node never served /eth/v1/beacon/genesis:\n${output.join("").slice(-3000)}`,
      );
      const slotNow = () => Math.floor((Date.now() / 1000 - genesisTime) / SLOT_SECONDS);
      let finalizedAt: number | undefined;
      while (slotNow() <= 4 * SPE + 3) {
        const f = await getJson(`${base}/eth/v1/beacon/states/head/finality_checkpoints`);
        const epoch = Number((f?.data.finalized as { epoch?: string } | undefined)?.epoch ?? 0);
        if (epoch >= 2) {
          finalizedAt = slotNow();
          break;
        }
        await sleep(500);
      }
      assert.ok(finalizedAt !== undefined && finalizedAt <= 4 * SPE + 1, `finalized epoch 2 at slot ${finalizedAt}`);
      const fork = await getJson(`${base}/eth/v1/beacon/states/head/fork`);
      assert.ok(fork, "GET states/head/fork answered");
      assert.equal((fork.data as { current_version?: string }).current_version?.length, 10);
      const spec = await getJson(`${base}/eth/v1/config/spec`);
      assert.equal(spec?.data.FULU_FORK_EPOCH, "0", "fulu is active from genesis");
      // Every slot up to the head has a block (a validator client that misses nothing).
      const head = await getJson(`${base}/eth/v1/beacon/headers/head`);
      assert.ok(head, "GET headers/head answered");
      const headSlot = Number((head.data.header as { message: { slot: string } }).message.slot);
      const empty: number[] = [];
      for (let s = 1; s <= headSlot; s++)
        if ((await getJson(`${base}/eth/v1/beacon/headers/${s}`)) === undefined) empty.push(s);
      assert.deepEqual(empty, [], "slots without a block");
      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      assert.match(metrics, /sextant_epoch_transitions_total\{cause="request"\} 0/);
      child.kill("SIGINT");
      const code = await Promise.race([exited, sleep(20_000).then(() => "timeout")]);
      assert.equal(code, 0, `exit after SIGINT:\n${output.join("").slice(-2000)}`);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
