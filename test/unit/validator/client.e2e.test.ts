// The whole validator client (startValidatorClient: pool, clock, signer threads, duties, services, slashing
// protection on disk) against simulated beacon nodes over real loopback HTTP, with 1-second slots of the minimal
// preset: it must attest every slot, propose, send sync messages and prepare proposers; fail over when its first
// node dies; and pair with an older node that serves only the deprecated v1 endpoints.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { createLogger } from "@sextant/common";
import type { ForkName } from "@sextant/consensus/params/forkName";
import { type RunningValidatorClient, startValidatorClient } from "@sextant/validator/client";
import { interopPubkeys, type SimBeaconNode, simChainConfig, startSimBeaconNode } from "../../support/simBeaconNode.ts";

const KEYS = 16;
const SLOT_MS = 1000;
const pubkeys = interopPubkeys(KEYS);
const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function waitFor(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function startPair(
  genesisFork: ForkName,
  nodes: number,
  disabled: Parameters<typeof startSimBeaconNode>[0]["disabled"] = undefined,
): Promise<{ sims: SimBeaconNode[]; client: RunningValidatorClient }> {
  const config = simChainConfig({ preset: "minimal", genesisFork, slotDurationMs: SLOT_MS });
  const genesisTimeSec = Math.floor(Date.now() / 1000) + 2;
  const sims: SimBeaconNode[] = [];
  for (let i = 0; i < nodes; i++)
    sims.push(await startSimBeaconNode({ pubkeys, config, genesisTimeSec, disabled, headDelayMs: 50 }));
  const dataDir = await mkdtemp(join(tmpdir(), "sextant-vc-e2e-"));
  dirs.push(dataDir);
  const client = await startValidatorClient({
    beaconNodes: sims.map((s) => s.url),
    config,
    dataDir,
    interopIndexes: Array.from({ length: KEYS }, (_, i) => i),
    loadDataDirKeys: false,
    logger: createLogger({ level: (process.env.E2E_LOG as "info") ?? "silent", format: "json" }),
    threads: 1,
  });
  return { sims, client };
}

/** Slots (after genesis) whose attestations all arrived, without a problem, at `sim`. */
function attestedSlots(sim: SimBeaconNode): Set<number> {
  const bySlot = new Map<number, number>();
  for (const a of sim.received.attestations) {
    assert.equal(a.problem, "", `attestation of slot ${a.slot}: ${a.problem}`);
    bySlot.set(a.slot, (bySlot.get(a.slot) ?? 0) + 1);
  }
  return new Set([...bySlot].filter(([slot, n]) => n === sim.attestersAt(slot)).map(([slot]) => slot));
}

describe("validator client end to end (simulated beacon nodes, 1 s slots)", { timeout: 60_000 }, () => {
  it("electra at genesis: attests every slot, proposes, sync committee, proposer preparation", async () => {
    const { sims, client } = await startPair("electra", 1);
    const [sim] = sims;
    try {
      await waitFor(
        "attestations of slots 1..6",
        () => [1, 2, 3, 4, 5, 6].every((s) => attestedSlots(sim).has(s)),
        20_000,
      );
      assert.ok(sim.received.attestations.every((a) => a.operationId === "submitPoolAttestationsV2"));
      await waitFor("blocks", () => sim.received.blocks.length >= 3, 5_000);
      for (const b of sim.received.blocks) assert.equal(b.proposerIndex, sim.proposerAt(b.slot));
      assert.ok(sim.received.syncCommitteeMessages.length > 0, "sync committee messages");
      assert.ok(sim.received.proposerPreparations.length > 0, "prepare_beacon_proposer");
      assert.ok(sim.received.beaconCommitteeSubscriptions.length > 0, "committee subscriptions");
      const metrics = await client.metrics.registry.getSingleMetricAsString("validator_duties_performed_total");
      assert.match(metrics, /duty="attestation"} [1-9]/);
    } finally {
      await client.stop();
      for (const s of sims) await s.close();
    }
  });

  it("fails over to the second node when the first dies, and keeps attesting", async () => {
    const { sims, client } = await startPair("altair", 2);
    const [first, second] = sims;
    try {
      await waitFor("attestations at the first node", () => attestedSlots(first).size >= 2, 15_000);
      first.setDown(true, "close");
      const killedAt = first.currentSlot();
      const requestsAtKill = [...first.counts.values()].reduce((a, b) => a + b, 0);
      await waitFor(
        "attestations at the second node after the kill",
        () => [1, 2, 3].every((d) => attestedSlots(second).has(killedAt + d)),
        15_000,
      );
      const requestsAfter = [...first.counts.values()].reduce((a, b) => a + b, 0) - requestsAtKill;
      // Bounded: backoff, not one request per duty (3+ slots × several duties would be dozens).
      assert.ok(requestsAfter <= 6, `requests to the dead node after the kill: ${requestsAfter}`);
    } finally {
      await client.stop();
      for (const s of sims) await s.close();
    }
  });

  it("phase0 node without the v2 endpoints: falls back to v1 and attests", async () => {
    const { sims, client } = await startPair("phase0", 1, [
      "submitPoolAttestationsV2",
      "publishBlockV2",
      "getAggregatedAttestationV2",
      "publishAggregateAndProofsV2",
    ]);
    const [sim] = sims;
    try {
      await waitFor("attestations of slots 1..4", () => [1, 2, 3, 4].every((s) => attestedSlots(sim).has(s)), 20_000);
      assert.ok(sim.received.attestations.every((a) => a.operationId === "submitPoolAttestations"));
      await waitFor("a block published through the v1 endpoint", () => sim.received.blocks.length >= 1, 5_000);
    } finally {
      await client.stop();
      for (const s of sims) await s.close();
    }
  });
});
