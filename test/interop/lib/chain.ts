// Watches a beacon node's chain over REST while a scenario runs: finality checkpoints at every poll, the committees
// of each epoch while the head state can still compute them, and at the end the canonical block of every slot.
// From those it derives what the acceptance checks need: blocks proposed/missed per slot, the distinct validators
// whose attestations were included per target epoch (participation), and which validators attested to each slot.
import { setTimeout as sleep } from "node:timers/promises";
import { SECONDS_PER_SLOT, SLOTS_PER_EPOCH, VALIDATOR_COUNT } from "./lodestar.ts";
import { getJson, getJsonOr404 } from "./rest.ts";

/** Slot arithmetic of one chain (minimal preset: 6 s slots, 8 slots per epoch). */
export class ChainTime {
  readonly genesisTime: number;
  constructor(genesisTime: number) {
    this.genesisTime = genesisTime;
  }
  /** The slot at wall-clock ms `t` (negative before genesis). */
  slotAt(t: number = Date.now()): number {
    return Math.floor((t / 1000 - this.genesisTime) / SECONDS_PER_SLOT);
  }
  /** Wall-clock ms when `slot` starts. */
  slotStart(slot: number): number {
    return (this.genesisTime + slot * SECONDS_PER_SLOT) * 1000;
  }
  /** Seconds into the slot at `t`, e.g. 2.5. */
  secondsIntoSlot(t: number = Date.now()): number {
    return (t - this.slotStart(this.slotAt(t))) / 1000;
  }
  /** Resolves at the start of `slot` plus `offsetMs`. */
  async waitFor(slot: number, offsetMs = 0): Promise<void> {
    const ms = this.slotStart(slot) + offsetMs - Date.now();
    if (ms > 0) await sleep(ms);
  }
}

export function epochOf(slot: number): number {
  return Math.floor(slot / SLOTS_PER_EPOCH);
}

/** One poll of the node. */
export interface FinalitySample {
  t: number;
  wallSlot: number;
  headSlot: number;
  justified: number;
  finalized: number;
}

/** An attestation included in a block (its bits resolved later against the committees). */
export interface IncludedAttestation {
  slot: number;
  index: number;
  targetEpoch: number;
  bits: Uint8Array;
}

/** A canonical block, or `null` for an empty slot. */
export interface SlotBlock {
  slot: number;
  proposer: number;
  attestations: IncludedAttestation[];
}

/** Decodes a 0x-hex SSZ bitlist into bytes (bit i of the list is bit i%8 of byte i/8). */
export function hexToBytes(hex: string): Uint8Array {
  const h = hex.startsWith("0x") ? hex.slice(2) : hex;
  return Uint8Array.from(Buffer.from(h, "hex"));
}

function bitSet(bits: Uint8Array, i: number): boolean {
  return (((bits[i >> 3] ?? 0) >> (i & 7)) & 1) === 1;
}

export interface CommitteeJson {
  index: string;
  slot: string;
  validators: string[];
}

/**
 * Committees of `epoch` keyed `${slot}/${index}`. Lodestar 1.5.1 answers GET …/committees with the fields mixed up:
 * `index` holds the slot's position in the epoch (0..7) and `slot` the committee index (checked against its
 * attester duties). When the `slot` values are not the epoch's slots but the `index` values are 8 positions, the
 * answer is read that way.
 */
export function committeeMap(epoch: number, data: CommitteeJson[]): Map<string, number[]> {
  const first = epoch * SLOTS_PER_EPOCH;
  const slots = new Set(data.map((c) => Number(c.slot)));
  const spec = slots.size === SLOTS_PER_EPOCH && [...slots].every((s) => s >= first && s < first + SLOTS_PER_EPOCH);
  const positions = new Set(data.map((c) => Number(c.index)));
  const mixed =
    !spec && positions.size === SLOTS_PER_EPOCH && [...positions].every((p) => p >= 0 && p < SLOTS_PER_EPOCH);
  const m = new Map<string, number[]>();
  for (const c of data) {
    const slot = mixed ? first + Number(c.index) : Number(c.slot);
    const index = mixed ? Number(c.slot) : Number(c.index);
    m.set(`${slot}/${index}`, c.validators.map(Number));
  }
  return m;
}

export class ChainWatcher {
  readonly url: string;
  readonly time: ChainTime;
  readonly samples: FinalitySample[] = [];
  /** Committees per epoch: key `${slot}/${index}` → validator indices. */
  readonly committees = new Map<number, Map<string, number[]>>();
  /** Canonical blocks by slot (`null` = empty slot), filled by `scanBlocks`. */
  readonly blocks = new Map<number, SlotBlock | null>();
  private stopped = false;
  private loop: Promise<void> | undefined;
  private lastPrinted = -1;
  private readonly print: (line: string) => void;

  constructor(url: string, genesisTime: number, print: (line: string) => void) {
    this.url = url;
    this.time = new ChainTime(genesisTime);
    this.print = print;
  }

  /** Starts polling every `intervalMs`. */
  start(intervalMs = 1500): void {
    this.loop = (async () => {
      while (!this.stopped) {
        await this.pollOnce().catch((e: unknown) => {
          // A node restarting or busy: the next poll retries.
          if (this.time.slotAt() >= 0) this.print(`  (poll ${this.url}: ${(e as Error).message})`);
        });
        await sleep(intervalMs);
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  /** The last sample, if any. */
  latest(): FinalitySample | undefined {
    return this.samples.at(-1);
  }

  /** Highest finalized epoch seen so far. */
  finalizedEpoch(): number {
    return this.samples.reduce((m, s) => Math.max(m, s.finalized), 0);
  }

  /** The first sample with finalized ≥ `epoch`. */
  firstFinalized(epoch: number): FinalitySample | undefined {
    return this.samples.find((s) => s.finalized >= epoch);
  }

  async pollOnce(): Promise<void> {
    const t = Date.now();
    const wallSlot = this.time.slotAt(t);
    if (wallSlot < 0) return;
    const head = (await getJson(`${this.url}/eth/v1/beacon/headers/head`, 3000)) as {
      data: { header: { message: { slot: string } } };
    };
    const fin = (await getJson(`${this.url}/eth/v1/beacon/states/head/finality_checkpoints`, 3000)) as {
      data: { current_justified: { epoch: string }; finalized: { epoch: string } };
    };
    const sample: FinalitySample = {
      t,
      wallSlot,
      headSlot: Number(head.data.header.message.slot),
      justified: Number(fin.data.current_justified.epoch),
      finalized: Number(fin.data.finalized.epoch),
    };
    this.samples.push(sample);
    const epoch = epochOf(wallSlot);
    for (const e of [epoch - 1, epoch]) {
      if (e >= 0 && !this.committees.has(e)) await this.fetchCommittees(e).catch(() => undefined);
    }
    if (wallSlot !== this.lastPrinted) {
      this.lastPrinted = wallSlot;
      this.print(
        `  slot ${String(wallSlot).padStart(3)} (epoch ${epoch}) head ${sample.headSlot} justified ${sample.justified} finalized ${sample.finalized}`,
      );
    }
  }

  /** Caches the committees of `epoch` (the head state answers for its previous, current and next epoch). */
  async fetchCommittees(epoch: number): Promise<void> {
    const body = (await getJson(`${this.url}/eth/v1/beacon/states/head/committees?epoch=${epoch}`, 5000)) as {
      data: CommitteeJson[];
    };
    this.committees.set(epoch, committeeMap(epoch, body.data));
  }

  /** Fetches the canonical block of every slot in [from, to] (404 = empty slot). */
  async scanBlocks(from: number, to: number): Promise<void> {
    for (let s = from; s <= to; s++) {
      const body = (await getJsonOr404(`${this.url}/eth/v2/beacon/blocks/${s}`, 10_000)) as
        | {
            data: {
              message: {
                slot: string;
                proposer_index: string;
                body: {
                  attestations: {
                    aggregation_bits: string;
                    data: { slot: string; index: string; target: { epoch: string } };
                  }[];
                };
              };
            };
          }
        | undefined;
      if (body === undefined || Number(body.data.message.slot) !== s) {
        this.blocks.set(s, null);
        continue;
      }
      const msg = body.data.message;
      this.blocks.set(s, {
        slot: s,
        proposer: Number(msg.proposer_index),
        attestations: msg.body.attestations.map((a) => ({
          slot: Number(a.data.slot),
          index: Number(a.data.index),
          targetEpoch: Number(a.data.target.epoch),
          bits: hexToBytes(a.aggregation_bits),
        })),
      });
    }
  }

  /** Validators covered by an included attestation, or undefined when the committee is unknown. */
  private attesters(a: IncludedAttestation): number[] | undefined {
    const committee = this.committees.get(epochOf(a.slot))?.get(`${a.slot}/${a.index}`);
    if (committee === undefined) return undefined;
    return committee.filter((_, i) => bitSet(a.bits, i));
  }

  /** Distinct validators with an included attestation whose target is `epoch` (undefined: committees unknown). */
  participants(epoch: number): Set<number> | undefined {
    if (!this.committees.has(epoch)) return undefined;
    const out = new Set<number>();
    for (const b of this.blocks.values()) {
      if (b === null) continue;
      for (const a of b.attestations) {
        if (a.targetEpoch !== epoch) continue;
        for (const v of this.attesters(a) ?? []) out.add(v);
      }
    }
    return out;
  }

  /** Validators due to attest at `slot` (from the cached committees); undefined when unknown. */
  dueAt(slot: number): number[] | undefined {
    const m = this.committees.get(epochOf(slot));
    if (m === undefined) return undefined;
    const out: number[] = [];
    for (const [k, v] of m) if (k.startsWith(`${slot}/`)) out.push(...v);
    // Every slot has at least one committee: none means the committees are wrong, never "nobody was due".
    return out.length > 0 ? out : undefined;
  }

  /** Validators due at `slot` whose attestation for `slot` is not in any canonical block scanned. */
  missingAttesters(slot: number): number[] | undefined {
    const due = this.dueAt(slot);
    if (due === undefined) return undefined;
    const seen = new Set<number>();
    for (const b of this.blocks.values()) {
      if (b === null) continue;
      for (const a of b.attestations) if (a.slot === slot) for (const v of this.attesters(a) ?? []) seen.add(v);
    }
    return due.filter((v) => !seen.has(v));
  }

  /** Empty slots in [from, to] (slot 0 is genesis and never counts). */
  emptySlots(from: number, to: number): number[] {
    const out: number[] = [];
    for (let s = Math.max(1, from); s <= to; s++) if (this.blocks.get(s) === null) out.push(s);
    return out;
  }

  /** One row per epoch: epoch | finalized epoch seen at its end | participation | blocks proposed/missed. */
  epochRows(lastSlot: number): string[][] {
    const rows: string[][] = [];
    const lastEpoch = epochOf(lastSlot);
    for (let e = 0; e <= lastEpoch; e++) {
      const inEpoch = this.samples.filter((s) => epochOf(s.wallSlot) === e);
      const fin = inEpoch.length > 0 ? String(Math.max(...inEpoch.map((s) => s.finalized))) : "?";
      const p = this.participants(e);
      // Attestations to epoch e can be included until the end of epoch e+1.
      const complete = (e + 2) * SLOTS_PER_EPOCH - 1 <= lastSlot;
      const part =
        p === undefined ? "?" : `${((100 * p.size) / VALIDATOR_COUNT).toFixed(1)}%${complete ? "" : " (partial)"}`;
      const first = Math.max(1, e * SLOTS_PER_EPOCH);
      const last = Math.min(lastSlot, (e + 1) * SLOTS_PER_EPOCH - 1);
      let proposed = 0;
      let missed = 0;
      for (let s = first; s <= last; s++) {
        const b = this.blocks.get(s);
        if (b === undefined) continue;
        if (b === null) missed++;
        else proposed++;
      }
      rows.push([String(e), fin, part, `${proposed}/${missed}`]);
    }
    return rows;
  }
}
