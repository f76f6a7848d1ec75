// startBeaconNode on the dev network: the REST API on an ephemeral loopback port with the handlers, the governor
// (429 past the rate limit, allowlisted addresses never limited), CORS only for configured origins, the header
// limit, metrics, and a clean close after which the same data directory resumes the same chain.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type BeaconNode, startBeaconNode } from "@sextant/beacon/node/node";
import { type BeaconNodeOptionsInput, resolveBeaconNodeOptions } from "@sextant/beacon/node/options";
import { silentLogger } from "@sextant/common";

const ORIGIN = "http://localhost:3000";

function devOptions(dataDir: string, rest: BeaconNodeOptionsInput["rest"] = {}) {
  return resolveBeaconNodeOptions({
    network: "dev",
    dataDir,
    rest: { port: 0, ...rest },
    metrics: { enabled: true, port: 0 },
    dev: { validators: 16, fork: "fulu", genesisDelaySeconds: 60 },
  });
}

describe("startBeaconNode (dev)", () => {
  let dir: string;
  let node: BeaconNode;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "sextant-node-"));
    node = await startBeaconNode({
      ...devOptions(dir, { corsOrigins: [ORIGIN], rateLimit: { ratePerSecond: 0.01, burst: 3 } }),
      logger: silentLogger(),
      version: "0.1.0",
      statusLine: false,
    });
  });
  after(async () => {
    await node?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves the API on loopback with the dev chain's spec and version", async () => {
    assert.match(node.apiUrl ?? "", /^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${node.apiUrl}/eth/v1/config/spec`);
    assert.equal(res.status, 200);
    const spec = (await res.json()) as { data: Record<string, string> };
    assert.equal(spec.data.CONFIG_NAME, "dev");
    assert.equal(spec.data.PRESET_BASE, "minimal");
    assert.equal(spec.data.SECONDS_PER_SLOT, "6");
    assert.equal(spec.data.FULU_FORK_EPOCH, "0");
    assert.equal(node.chain.config.chain.GENESIS_DELAY, 0);
    assert.equal(node.chain.head().slot, 0);
  });

  it("adds CORS headers for a configured origin only, and answers preflights", async () => {
    const allowed = await fetch(`${node.apiUrl}/eth/v1/node/version`, { headers: { origin: ORIGIN } });
    assert.equal(allowed.headers.get("access-control-allow-origin"), ORIGIN);
    const other = await fetch(`${node.apiUrl}/eth/v1/node/version`, { headers: { origin: "http://elsewhere" } });
    assert.equal(other.headers.get("access-control-allow-origin"), null);
    const preflight = await fetch(`${node.apiUrl}/eth/v1/beacon/genesis`, {
      method: "OPTIONS",
      headers: { origin: ORIGIN, "access-control-request-method": "GET" },
    });
    assert.equal(preflight.status, 204);
    assert.match(preflight.headers.get("access-control-allow-methods") ?? "", /GET/);
  });

  it("refuses oversized headers (431)", async () => {
    const res = await fetch(`${node.apiUrl}/eth/v1/node/version`, { headers: { "x-big": "a".repeat(64 * 1024) } });
    assert.equal(res.status, 431);
  });

  it("rate limits a client past its burst with 429 and Retry-After, and counts it", async () => {
    // The earlier requests of this suite used part of the burst of 3; the bucket refills at 0.01/s.
    let limited: Response | undefined;
    for (let i = 0; i < 5 && limited === undefined; i++) {
      const res = await fetch(`${node.apiUrl}/eth/v1/node/syncing`);
      if (res.status === 429) limited = res;
      else await res.arrayBuffer();
    }
    assert.ok(limited, "no 429 after the burst");
    assert.ok(Number(limited.headers.get("retry-after")) >= 1);
    const metrics = await (await fetch(node.metricsUrl ?? "")).text();
    assert.match(metrics, /sextant_api_rate_limited_total\{class="cheap"\} [1-9]/);
    assert.match(metrics, /^beacon_head_slot 0$/m);
  });

  it("closes cleanly, and the same directory resumes the same chain", async () => {
    const genesisTime = node.chain.genesisTime;
    const root = node.chain.head().root;
    const url = node.apiUrl;
    await node.close();
    await assert.rejects(fetch(`${url}/eth/v1/node/version`));
    node = await startBeaconNode({
      ...devOptions(dir, { allowlist: ["127.0.0.1", "::1"], rateLimit: { ratePerSecond: 0.01, burst: 1 } }),
      logger: silentLogger(),
      statusLine: false,
    });
    assert.equal(node.chain.genesisTime, genesisTime);
    assert.equal(node.chain.head().root, root);
    // Allowlisted: never rate limited however small the bucket.
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${node.apiUrl}/eth/v1/node/syncing`);
      assert.notEqual(res.status, 429);
      await res.arrayBuffer();
    }
  });
});

describe("startBeaconNode refusals", () => {
  it("needs a start state for a network without a built-in genesis", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sextant-node-"));
    try {
      await assert.rejects(
        startBeaconNode({
          ...resolveBeaconNodeOptions({ network: "minimal", dataDir: dir, rest: { enabled: false } }),
          logger: silentLogger(),
        }),
        /holds no chain: give --genesis-state/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
