// Fakes for the duties tests: a beacon-node pool answering from tables (no HTTP), a signer returning deterministic
// "signatures", a slot clock whose slot the test sets, head events pushed by the test, and a JSON log in memory.
import { createHash } from "node:crypto";
import { ApiClientError } from "@sextant/api-spec";
import { createLogger, type Logger, memoryLogDestination } from "@sextant/common";
import { toHex } from "@sextant/consensus/util/hex";
import type {
  BeaconApi,
  BeaconNodes,
  BeaconNodesEvent,
  DuePoints,
  HeadEvent,
  HeadEvents,
  IndexResolver,
  NodeCall,
  NodeHealth,
  PubkeyHex,
  Signer,
  SlotClock,
  TimeSource,
} from "../../../../validator/src/ports.ts";
import { FakeTime } from "../../../support/fakeTime.ts";

/** Minimal preset numbers (the duties service reads only these). */
export const PRESET = { SLOTS_PER_EPOCH: 8, EPOCHS_PER_SYNC_COMMITTEE_PERIOD: 8, SYNC_COMMITTEE_SIZE: 32 } as const;

/** A deterministic 48-byte public key for validator `i`. */
export function pubkeyOf(i: number): PubkeyHex {
  const a = createHash("sha256").update(`pubkey-${i}`).digest();
  const b = createHash("sha256").update(`pubkey-tail-${i}`).digest().subarray(0, 16);
  return toHex(Buffer.concat([a, b])) as PubkeyHex;
}

export function bytesOf(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex.slice(2), "hex"));
}

/** A 32-byte root named by a small number. */
export function root(n: number): Uint8Array {
  const r = new Uint8Array(32);
  r[0] = n & 0xff;
  r[1] = (n >> 8) & 0xff;
  return r;
}

/** A deterministic 96-byte "signature" of `parts`. */
export function fakeSignature(...parts: (string | number)[]): Uint8Array {
  const a = createHash("sha256").update(parts.join("/")).digest();
  const b = createHash("sha256").update(a).digest();
  const c = createHash("sha256").update(b).digest();
  return new Uint8Array(Buffer.concat([a, b, c]));
}

/** The NoUsableNodeError of the pool (matched by name by the duties service). */
export class FakeNoUsableNodeError extends Error {
  constructor() {
    super("no usable beacon node");
    this.name = "NoUsableNodeError";
  }
}

/** An API client error as the real client throws it for an HTTP status. */
export function httpError(operationId: string, status: number): ApiClientError {
  return new ApiClientError("API_CLIENT_HTTP", `${operationId} failed: ${status}`, {
    operationId,
    method: "GET",
    url: "http://node",
    status,
  });
}

/** A pool of one node: calls go to `api` (a partial client the test fills) unless `down`. */
export class FakeNodes implements BeaconNodes {
  api: Partial<BeaconApi>;
  down = false;
  readonly requests: string[] = [];
  readonly node: NodeHealth = {
    url: "http://node-a",
    index: 0,
    state: "synced",
    consecutiveFailures: 0,
    nextCheckAt: 0,
  };
  private readonly listeners = new Set<(event: BeaconNodesEvent) => void>();

  constructor(api: Partial<BeaconApi> = {}) {
    this.api = api;
  }

  nodes(): readonly NodeHealth[] {
    return [this.node];
  }
  isUsable(): boolean {
    return !this.down;
  }
  async waitUntilUsable(): Promise<void> {}
  async request<T>(what: string, call: NodeCall<T>): Promise<T> {
    if (this.down) throw new FakeNoUsableNodeError();
    this.requests.push(what);
    return call(this.api as BeaconApi, this.node);
  }
  async publish(what: string, call: NodeCall<unknown>): Promise<void> {
    await this.request(what, call);
  }
  on(listener: (event: BeaconNodesEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(event: BeaconNodesEvent): void {
    for (const l of this.listeners) l(event);
  }
}

/** A signer of keys `keys`: selection proofs are hashes of (kind, slot, pubkey[, subcommittee]). */
export class FakeSigner implements Pick<Signer, "pubkeys" | "has" | "signSelectionProofs" | "signSyncSelectionProofs"> {
  keys: Set<PubkeyHex>;
  readonly selectionBatches: { pubkey: PubkeyHex; slot: number }[][] = [];
  readonly syncBatches: { pubkey: PubkeyHex; slot: number; subcommitteeIndex: number }[][] = [];
  /** Keys whose signing throws (a doppelganger gate). */
  refuse = new Set<PubkeyHex>();

  constructor(keys: PubkeyHex[]) {
    this.keys = new Set(keys);
  }
  pubkeys(): PubkeyHex[] {
    return [...this.keys];
  }
  has(pubkey: PubkeyHex): boolean {
    return this.keys.has(pubkey);
  }
  async signSelectionProofs(items: readonly { pubkey: PubkeyHex; slot: number }[]): Promise<Uint8Array[]> {
    this.selectionBatches.push([...items]);
    for (const item of items) if (this.refuse.has(item.pubkey)) throw new Error(`key ${item.pubkey} is gated`);
    return items.map((item) => fakeSignature("selection", item.slot, item.pubkey));
  }
  async signSyncSelectionProofs(
    items: readonly { pubkey: PubkeyHex; slot: number; subcommitteeIndex: number }[],
  ): Promise<Uint8Array[]> {
    this.syncBatches.push([...items]);
    return items.map((item) => fakeSignature("sync", item.slot, item.pubkey, item.subcommitteeIndex));
  }
  /** The full Signer type (the duties service uses only the methods above). */
  asSigner(): Signer {
    return this as unknown as Signer;
  }
}

/** Indices from a table the test edits. */
export class FakeIndices implements IndexResolver {
  readonly table = new Map<PubkeyHex, number>();
  refreshes = 0;
  indexOf(pubkey: PubkeyHex): number | undefined {
    return this.table.get(pubkey);
  }
  pubkeyOf(index: number): PubkeyHex | undefined {
    for (const [k, v] of this.table) if (v === index) return k;
    return undefined;
  }
  indices(): number[] {
    return [...this.table.values()].sort((a, b) => a - b);
  }
  unknownPubkeys(): PubkeyHex[] {
    return [];
  }
  async refresh(): Promise<void> {
    this.refreshes++;
  }
}

/** Head events the test pushes; records gap listeners. */
export class FakeHead implements HeadEvents {
  private readonly listeners = new Set<(event: HeadEvent) => void>();
  private readonly gapListeners = new Set<(gap: unknown) => void>();
  onHead(listener: (event: HeadEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  onGap(listener: (gap: unknown) => void): () => void {
    this.gapListeners.add(listener);
    return () => this.gapListeners.delete(listener);
  }
  async waitForHeadOfSlot(): Promise<boolean> {
    return false;
  }
  push(event: HeadEvent): void {
    for (const l of this.listeners) l(event);
  }
  gap(): void {
    for (const l of this.gapListeners) l({ reason: "stream-gap" });
  }
}

/** A slot clock of 8-slot epochs, 6 s slots, whose current slot the test sets. */
export class FakeClock implements SlotClock {
  readonly genesisTimeSec = 1_600_000_000;
  readonly slotDurationMs = 6000;
  readonly slotsPerEpoch = PRESET.SLOTS_PER_EPOCH;
  readonly due: DuePoints = { attestation: 2000, aggregate: 4000, syncMessage: 2000, contribution: 4000 };
  readonly time: TimeSource = new FakeTime(1_700_000_000_000);
  slot = 0;
  currentSlot(): number {
    return this.slot;
  }
  currentEpoch(): number {
    return this.epochAtSlot(this.slot);
  }
  epochAtSlot(slot: number): number {
    return Math.floor(slot / this.slotsPerEpoch);
  }
  startSlotOfEpoch(epoch: number): number {
    return epoch * this.slotsPerEpoch;
  }
  timeAtSlot(slot: number, offsetMs = 0): number {
    return this.genesisTimeSec * 1000 + slot * this.slotDurationMs + offsetMs;
  }
  async sleepUntilSlot(): Promise<void> {}
  async onEverySlot(): Promise<void> {}
}

/** A JSON logger whose lines the test reads. */
export function memoryLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const dest = memoryLogDestination();
  return { logger: createLogger({ destination: dest.stream, format: "json", level: "debug" }), lines: dest.lines };
}
