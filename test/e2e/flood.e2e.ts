// The flood test (issue 7 §5): `sextant dev` with a known REST rate limit (RATE_LIMIT, the `--rest.rate-limit`
// syntax <tokens>/s:<burst>) runs its validator client (from 127.0.0.1, allowlisted by `sextant dev`'s default
// --rest.allowlist 127.0.0.1,::1), while one flooding client from 127.0.0.2 (another loopback address, so the
// governor — which keys clients by bearer token, else by IP — rate limits it) sends 10× the configured rate, in
// tokens of the governor's route costs, to expensive routes (states/head/validators, states/head/committees,
// debug/beacon/states/head, blocks/head) for two full epochs. Expect: the flooder gets 429/503 answers (counted),
// never a 5xx other than 503, the chain misses no block from the flood's start to the end of the check window, and
// no attestation is missed: every validator of each flooded epoch's committees has its attestation included in a
// canonical block (GET blocks/{slot}/attestations against GET states/head/committees?epoch=E; `sextant dev` runs the
// validator client without metrics, so validator_duties_missed_total is not available). Prints a table and
// PASS/FAIL lines; exit 1 on failure. Run: node test/e2e/flood.e2e.ts (or node test/e2e/run.ts flood).
import { setTimeout as sleep } from "node:timers/promises";
import { type Devnet, metricValue, startDevnet } from "./lib/devnet.ts";
import { makeAgent, send } from "./lib/http.ts";
import { Report } from "./lib/report.ts";

/** The node's rate limit: tokens per second and burst. */
const RATE = 100;
const BURST = 400;
const RATE_LIMIT = `${RATE}/s:${BURST}`;
/** The flooder sends this many times the configured rate (in tokens). */
const FLOOD_FACTOR = 10;
/** The flooder's source address (loopback, not allowlisted). */
const FLOODER_ADDRESS = "127.0.0.2";
/** Most flood requests in flight at once (a slow node makes them pile up; the rest wait in the flooder). */
const MAX_IN_FLIGHT = 64;
/** Epochs flooded. */
const FLOOD_EPOCHS = 2;

/** The flooded routes and their governor cost (beacon/src/api/governor/routes.ts). */
const ROUTES: { name: string; path: string; cost: number; accept?: string }[] = [
  { name: "states/head/validators", path: "/eth/v1/beacon/states/head/validators", cost: 20 },
  { name: "states/head/committees", path: "/eth/v1/beacon/states/head/committees", cost: 15 },
  { name: "debug/beacon/states/head", path: "/eth/v2/debug/beacon/states/head", cost: 50 },
  { name: "blocks/head", path: "/eth/v2/beacon/blocks/head", cost: 5 },
];

/** Bits of an SSZ bitfield's hex, little-endian within each byte. */
function bitsOf(hex: string): boolean[] {
  const bytes = Buffer.from(hex.replace(/^0x/, ""), "hex");
  const out: boolean[] = [];
  for (const byte of bytes) for (let i = 0; i < 8; i++) out.push(((byte >> i) & 1) === 1);
  return out;
}

/** The bits of an SSZ bitlist (the last set bit marks the length). */
function bitlistOf(hex: string): boolean[] {
  const bits = bitsOf(hex);
  const end = bits.lastIndexOf(true);
  if (end < 0) throw new Error(`bitlist ${hex} has no length bit`);
  return bits.slice(0, end);
}

interface Committee {
  index: number;
  slot: number;
  validators: number[];
}

interface AttestationJson {
  aggregation_bits: string;
  committee_bits?: string;
  data: { slot: string; index: string };
}

/** GET with retries on 503/429/failure (the observer shares the node with the flood). */
async function getWithRetry(devnet: Devnet, path: string, tries = 20): Promise<unknown> {
  let last = 0;
  for (let i = 0; i < tries; i++) {
    const r = await devnet.getJson(path);
    if (r.status === 200) return r.body;
    if (r.status === 404) return undefined;
    last = r.status;
    await sleep(500);
  }
  throw new Error(`GET ${path} kept failing (last status ${last})`);
}

/** The validators (by index) whose attestation for a slot in `epochs` is in the given blocks' attestations. */
function attesters(
  attestations: AttestationJson[],
  committees: Map<string, Committee>,
  into: Map<number, Set<number>>,
  slotsPerEpoch: number,
): void {
  for (const a of attestations) {
    const slot = Number(a.data.slot);
    const epoch = Math.floor(slot / slotsPerEpoch);
    const set = into.get(epoch);
    if (set === undefined) continue;
    const bits = bitlistOf(a.aggregation_bits);
    // Electra on: committee_bits select the committees, aggregation_bits run over them in index order.
    const indices = a.committee_bits
      ? bitsOf(a.committee_bits).flatMap((b, i) => (b ? [i] : []))
      : [Number(a.data.index)];
    let offset = 0;
    for (const index of indices) {
      const committee = committees.get(`${slot}:${index}`);
      if (committee === undefined) throw new Error(`no committee ${index} at slot ${slot} known`);
      committee.validators.forEach((v, i) => {
        if (bits[offset + i]) set.add(v);
      });
      offset += committee.validators.length;
    }
  }
}

/** Runs the flood test; resolves true when every check passed. */
export async function runFloodTest(): Promise<boolean> {
  const report = new Report(
    `flood test (rate limit ${RATE_LIMIT}, flooder at ${FLOOD_FACTOR}× from ${FLOODER_ADDRESS})`,
    ["route", "sent", "2xx", "429", "503", "other", "mean ms"],
  );
  const devnet = await startDevnet({ name: "flood", extraArgs: ["--rest.rate-limit", RATE_LIMIT] });
  const spe = devnet.slotsPerEpoch;
  let ok = false;
  try {
    await devnet.waitForSlot(2, 1000);
    // Flood from the next epoch start for FLOOD_EPOCHS epochs.
    const floodEpoch = Math.floor(devnet.currentSlot() / spe) + 1;
    const floodStartSlot = floodEpoch * spe;
    const floodEndSlot = (floodEpoch + FLOOD_EPOCHS) * spe;
    const checkedEpochs = Array.from({ length: FLOOD_EPOCHS }, (_, i) => floodEpoch + i);
    const committees = new Map<string, Committee>();
    const fetchCommittees = async (epoch: number) => {
      if ([...committees.values()].some((c) => Math.floor(c.slot / spe) === epoch)) return;
      const body = (await getWithRetry(devnet, `/eth/v1/beacon/states/head/committees?epoch=${epoch}`)) as {
        data: { index: string; slot: string; validators: string[] }[];
      };
      for (const c of body.data) {
        const committee = { index: Number(c.index), slot: Number(c.slot), validators: c.validators.map(Number) };
        committees.set(`${committee.slot}:${committee.index}`, committee);
      }
    };
    console.log(`flood: epochs ${checkedEpochs.join(",")} (slots ${floodStartSlot}..${floodEndSlot - 1})`);
    await devnet.waitForSlot(floodStartSlot);

    // The flooder: paced to FLOOD_FACTOR × RATE tokens per second over the routes in turn.
    const agent = makeAgent({ localAddress: FLOODER_ADDRESS, connections: MAX_IN_FLIGHT });
    const stats = ROUTES.map(() => ({ sent: 0, ok: 0, r429: 0, r503: 0, other: new Map<string, number>(), ms: 0 }));
    const meanCost = ROUTES.reduce((s, r) => s + r.cost, 0) / ROUTES.length;
    const requestsPerSecond = (FLOOD_FACTOR * RATE) / meanCost;
    const floodUntil = Date.now() + devnet.msUntilSlot(floodEndSlot);
    let inFlight = 0;
    let i = 0;
    const t0 = performance.now();
    const pending = new Set<Promise<void>>();
    const observer = (async () => {
      // Committees of each flooded epoch, fetched while it is the head's epoch (through the flood).
      for (const epoch of checkedEpochs) {
        await devnet.waitForSlot(epoch * spe, 500);
        await fetchCommittees(epoch);
      }
    })();
    while (Date.now() < floodUntil) {
      const due = t0 + (i / requestsPerSecond) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      if (inFlight >= MAX_IN_FLIGHT) {
        await Promise.race(pending);
        continue;
      }
      const k = i % ROUTES.length;
      i++;
      const route = ROUTES[k];
      const s = stats[k];
      s.sent++;
      inFlight++;
      const p = send(agent, `${devnet.apiUrl}${route.path}`, {
        headers: { accept: route.accept ?? "application/json" },
      }).then((r) => {
        inFlight--;
        s.ms += r.ms;
        if (r.status >= 200 && r.status < 300) s.ok++;
        else if (r.status === 429) s.r429++;
        else if (r.status === 503) s.r503++;
        else {
          const key = r.status === 0 ? `0 (${r.error})` : String(r.status);
          s.other.set(key, (s.other.get(key) ?? 0) + 1);
        }
      });
      pending.add(p);
      void p.finally(() => pending.delete(p));
    }
    await Promise.all(pending);
    await agent.close();
    const floodSeconds = (performance.now() - t0) / 1000;
    await observer;
    for (const [k, route] of ROUTES.entries()) {
      const s = stats[k];
      const other = [...s.other.entries()].map(([st, n]) => `${st}×${n}`).join(" ") || "0";
      report.row(route.name, s.sent, s.ok, s.r429, s.r503, other, s.sent ? (s.ms / s.sent).toFixed(0) : "-");
    }
    const sum = (f: (s: (typeof stats)[number]) => number) => stats.reduce((a, s) => a + f(s), 0);
    const sent = sum((s) => s.sent);
    const refused = sum((s) => s.r429 + s.r503);
    const others = stats.flatMap((s) => [...s.other.entries()]);
    report.row(
      "total",
      sent,
      sum((s) => s.ok),
      sum((s) => s.r429),
      sum((s) => s.r503),
      others.length,
      "",
    );
    const tokensPerSecond = (sent * meanCost) / floodSeconds;
    report.check(
      tokensPerSecond >= 0.9 * FLOOD_FACTOR * RATE,
      `flooder sent ${sent} requests in ${floodSeconds.toFixed(0)} s: ${tokensPerSecond.toFixed(0)} tokens/s = ${(tokensPerSecond / RATE).toFixed(1)}× the rate limit`,
    );
    report.check(
      refused > 0,
      `the flooder was refused ${refused} times (429: ${sum((s) => s.r429)}, 503: ${sum((s) => s.r503)})`,
    );
    report.check(
      others.length === 0,
      `the flooder got only 2xx/429/503${others.length ? `; also ${others.map(([s, n]) => `${s}×${n}`).join(", ")}` : ""}`,
    );
    report.check(devnet.alive(), `the node process is alive${devnet.alive() ? "" : ` (exited: ${devnet.exitInfo()})`}`);

    // The last flooded epoch's attestations may be included until the end of the next epoch.
    const windowEnd = floodEndSlot + spe - 1;
    await devnet.waitForSlot(windowEnd + 1, 1500);
    const empty = await devnet.emptySlots(floodStartSlot, windowEnd);
    report.check(
      empty.length === 0,
      `no missed block in slots ${floodStartSlot}..${windowEnd}${empty.length ? `: empty ${empty.join(",")}` : ""}`,
    );

    for (const epoch of checkedEpochs) await fetchCommittees(epoch);
    const included = new Map<number, Set<number>>(checkedEpochs.map((e) => [e, new Set<number>()]));
    for (let slot = floodStartSlot; slot <= windowEnd; slot++) {
      const body = (await getWithRetry(devnet, `/eth/v2/beacon/blocks/${slot}/attestations`)) as
        | { data: AttestationJson[] }
        | undefined;
      if (body) attesters(body.data, committees, included, spe);
    }
    for (const epoch of checkedEpochs) {
      const expected = new Set(
        [...committees.values()].filter((c) => Math.floor(c.slot / spe) === epoch).flatMap((c) => c.validators),
      );
      const got = included.get(epoch) ?? new Set<number>();
      const missed = [...expected].filter((v) => !got.has(v)).sort((a, b) => a - b);
      report.check(
        expected.size > 0 && missed.length === 0,
        `epoch ${epoch}: ${expected.size - missed.length}/${expected.size} validators' attestations included${missed.length ? `; missed ${missed.join(",")}` : ""}`,
      );
    }
    const page = await devnet.scrapeMetrics();
    const limited = metricValue(page, "sextant_api_rate_limited_total") ?? 0;
    const shed = metricValue(page, "sextant_api_shed_total") ?? 0;
    console.log(`node metrics: sextant_api_rate_limited_total ${limited}, sextant_api_shed_total ${shed}`);
    const requestTransitions = metricValue(page, "sextant_epoch_transitions_total", { cause: "request" }) ?? 0;
    report.check(requestTransitions === 0, `sextant_epoch_transitions_total{cause="request"} = ${requestTransitions}`);
    ok = !report.failed;
  } catch (e) {
    report.check(false, `the flood test could not run: ${(e as Error).stack ?? e}`);
    console.log(`node output tail:\n${devnet.logTail(30)}`);
  } finally {
    report.print();
    await devnet.stop({ failed: report.failed });
  }
  return ok && !report.failed;
}

if (import.meta.main) {
  const ok = await runFloodTest();
  process.exit(ok ? 0 : 1);
}
