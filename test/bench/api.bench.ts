// Loopback round trips through our undici client and fastify server (api-spec): requests per second and latency
// percentiles for getAttesterDuties (64 validator indices, JSON) and getBlockV2 (a full fulu block, JSON and SSZ),
// one request at a time and with 16 in flight. Fulu blocks carry at most MAX_ATTESTATIONS_ELECTRA = 8 aggregates
// (each spanning every committee of its slot); a deneb block with 128 attestations (the pre-electra maximum) is
// measured alongside. The handlers return prepared values: this measures the API layer, not the chain.
import { performance } from "node:perf_hooks";
import { BitArray } from "@chainsafe/ssz";
import { beaconRoutes, createApiClient, createApiServer } from "@sextant/api-spec";
import { getSszTypes, mainnetPreset } from "@sextant/consensus";
import { fastBytes } from "../differential/types/sszWalk.ts";
import { Rng } from "../support/random.ts";
import { fmtMs, printTable } from "./harness.ts";

/** Validator indices of a duties request (a validator client with 64 keys). */
const DUTY_INDICES = 64;
/** In-flight requests of the concurrent runs (a validator client fanning out at the start of a slot). */
const CONCURRENCY = 16;
/** Each measurement runs this long after its warm-up. */
const RUN_MS = 2500;
const WARMUP_CALLS = 50;
/** Transactions of the benchmark block's payload and their size: a busy mainnet block is ~150 × ~600 bytes. */
const TRANSACTIONS = 150;
const TRANSACTION_BYTES = 600;
/** Validators per committee at ~1M active validators (1M / 32 slots / 64 committees). */
const COMMITTEE_SIZE = 512;
/** Attestations of the deneb block: MAX_ATTESTATIONS (phase0–deneb). */
const DENEB_ATTESTATIONS = 128;
const BLOBS = 6;

const types = getSszTypes("mainnet");
const rng = new Rng(42);

function bits(length: number, density: number): BitArray {
  const b = BitArray.fromBitLen(length);
  for (let i = 0; i < length; i++) if (rng.float() < density) b.set(i, true);
  return b;
}

function attestationData(slot: number) {
  const data = types.phase0.AttestationData.defaultValue();
  data.slot = slot;
  data.beaconBlockRoot = rng.bytes(32);
  data.source = { epoch: 100, root: rng.bytes(32) };
  data.target = { epoch: 101, root: rng.bytes(32) };
  return data;
}

/** A full fulu block: 8 aggregates of 64 committees × 512 validators, 150 transactions, 16 withdrawals, 6 blobs. */
function fuluBlock() {
  const block = types.fulu.SignedBeaconBlock.defaultValue();
  const body = block.message.body;
  block.message.slot = 3_300_000;
  block.signature = rng.bytes(96);
  body.attestations = Array.from({ length: mainnetPreset.MAX_ATTESTATIONS_ELECTRA }, (_, i) => ({
    aggregationBits: bits(mainnetPreset.MAX_COMMITTEES_PER_SLOT * COMMITTEE_SIZE, 0.9),
    data: attestationData(block.message.slot - 1 - i),
    signature: rng.bytes(96),
    committeeBits: bits(mainnetPreset.MAX_COMMITTEES_PER_SLOT, 1),
  }));
  fillPayload(body);
  return block;
}

/** A full deneb block: 128 attestations of 512-validator committees. */
function denebBlock() {
  const block = types.deneb.SignedBeaconBlock.defaultValue();
  block.message.slot = 3_000_000;
  block.signature = rng.bytes(96);
  block.message.body.attestations = Array.from({ length: DENEB_ATTESTATIONS }, (_, i) => ({
    aggregationBits: bits(COMMITTEE_SIZE, 0.9),
    data: attestationData(block.message.slot - 1 - (i % 32)),
    signature: rng.bytes(96),
  }));
  fillPayload(block.message.body);
  return block;
}

function fillPayload(body: ReturnType<typeof types.deneb.BeaconBlockBody.defaultValue>): void {
  body.randaoReveal = rng.bytes(96);
  body.graffiti = rng.bytes(32);
  body.syncAggregate = { syncCommitteeBits: bits(512, 0.95), syncCommitteeSignature: rng.bytes(96) };
  body.blobKzgCommitments = Array.from({ length: BLOBS }, () => rng.bytes(48));
  const payload = body.executionPayload;
  payload.transactions = Array.from({ length: TRANSACTIONS }, () => fastBytes(rng, TRANSACTION_BYTES));
  payload.withdrawals = Array.from({ length: mainnetPreset.MAX_WITHDRAWALS_PER_PAYLOAD }, (_, i) => ({
    index: 1_000_000 + i,
    validatorIndex: 400_000 + i,
    address: rng.bytes(20),
    amount: 17_000_000 + i,
  }));
  payload.extraData = rng.bytes(32);
  payload.logsBloom = rng.bytes(256);
}

const fulu = fuluBlock();
const deneb = denebBlock();
const duties = Array.from({ length: DUTY_INDICES }, (_, i) => ({
  pubkey: rng.bytes(48),
  validatorIndex: 100_000 + i,
  committeeIndex: i % 64,
  committeeLength: COMMITTEE_SIZE,
  committeesAtSlot: 64,
  validatorCommitteeIndex: i,
  slot: 3_300_000 + (i % 32),
}));

const routes = beaconRoutes({ types });
const server = createApiServer({
  routes,
  handlers: {
    getAttesterDuties: (args) => ({
      data: duties.slice(0, args.body.length),
      meta: { dependentRoot: new Uint8Array(32), executionOptimistic: false },
    }),
    getBlockV2: (args) =>
      args.blockId === "head"
        ? { data: fulu, meta: { version: "fulu", executionOptimistic: false, finalized: false } }
        : { data: deneb, meta: { version: "deneb", executionOptimistic: false, finalized: true } },
  },
});
const url = await server.listen();
const client = createApiClient(routes, { baseUrl: url, connections: CONCURRENCY });
const indices = duties.map((d) => d.validatorIndex);

interface Measurement {
  calls: number;
  perSecond: number;
  p50: number;
  p99: number;
  bytes: number;
}

/** The q-quantile (0..1) of sorted samples (nearest rank). */
function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Runs `call` for RUN_MS with `concurrency` in flight; latencies per call. */
async function measure(call: () => Promise<unknown>, concurrency: number): Promise<Measurement> {
  for (let i = 0; i < WARMUP_CALLS; i++) await call();
  const latencies: number[] = [];
  const start = performance.now();
  const deadline = start + RUN_MS;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        await call();
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = performance.now() - start;
  latencies.sort((a, b) => a - b);
  return {
    calls: latencies.length,
    perSecond: (latencies.length / elapsed) * 1000,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    bytes: 0,
  };
}

const sizes: Record<string, number> = {};
const sized = (label: string, bytes: number) => {
  sizes[label] = bytes;
};
sized("fulu block SSZ", types.fulu.SignedBeaconBlock.serialize(fulu).length);
sized("fulu block JSON", JSON.stringify(types.fulu.SignedBeaconBlock.toJson(fulu)).length);
sized("deneb block SSZ", types.deneb.SignedBeaconBlock.serialize(deneb).length);
sized("deneb block JSON", JSON.stringify(types.deneb.SignedBeaconBlock.toJson(deneb)).length);

const cases: { name: string; body: string; call: () => Promise<unknown> }[] = [
  {
    name: `getAttesterDuties, ${DUTY_INDICES} indices`,
    body: "JSON",
    call: () => client.getAttesterDuties({ epoch: 103_125, body: indices }),
  },
  {
    name: `getBlockV2, fulu (${mainnetPreset.MAX_ATTESTATIONS_ELECTRA} aggregates)`,
    body: `JSON ${(sizes["fulu block JSON"] / 1024).toFixed(0)} KiB`,
    call: () => client.getBlockV2({ blockId: "head" }, { mediaType: "json" }),
  },
  {
    name: `getBlockV2, fulu (${mainnetPreset.MAX_ATTESTATIONS_ELECTRA} aggregates)`,
    body: `SSZ ${(sizes["fulu block SSZ"] / 1024).toFixed(0)} KiB`,
    call: () => client.getBlockV2({ blockId: "head" }, { mediaType: "ssz" }),
  },
  {
    name: `getBlockV2, deneb (${DENEB_ATTESTATIONS} attestations)`,
    body: `JSON ${(sizes["deneb block JSON"] / 1024).toFixed(0)} KiB`,
    call: () => client.getBlockV2({ blockId: 1 }, { mediaType: "json" }),
  },
  {
    name: `getBlockV2, deneb (${DENEB_ATTESTATIONS} attestations)`,
    body: `SSZ ${(sizes["deneb block SSZ"] / 1024).toFixed(0)} KiB`,
    call: () => client.getBlockV2({ blockId: 1 }, { mediaType: "ssz" }),
  },
];

const rows: Record<string, string | number>[] = [];
for (const c of cases) {
  for (const concurrency of [1, CONCURRENCY]) {
    const m = await measure(c.call, concurrency);
    rows.push({
      operation: c.name,
      body: c.body,
      "in flight": concurrency,
      "round trips/s": Math.round(m.perSecond).toLocaleString("en-US"),
      "p50 ms": fmtMs(m.p50),
      "p99 ms": fmtMs(m.p99),
      calls: m.calls,
    });
  }
}
await client.close();
await server.close();

printTable("Beacon API round trips on loopback (undici client → fastify server → handler → back)", rows);
