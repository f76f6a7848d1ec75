// A fake beacon node's duty tables for the duties tests: attester, proposer and sync committee duties per epoch /
// period with their dependent roots, answered the way the API client returns them, and every call recorded.
import type { BeaconApi, PubkeyHex } from "../../../../validator/src/ports.ts";
import { bytesOf, httpError, PRESET, pubkeyOf, root } from "./fakes.ts";

export interface TableAttesterDuty {
  slot: number;
  committeeIndex: number;
  committeeLength: number;
  committeesAtSlot: number;
  validatorCommitteeIndex: number;
}

export interface Call {
  op: string;
  epoch?: number;
  body?: unknown;
}

/** The duties of a chain of `validators` validators (indices 0..n-1 unless changed). */
export class DutyTables {
  readonly attester = new Map<number, { root: Uint8Array; byIndex: Map<number, TableAttesterDuty> }>();
  readonly proposer = new Map<number, { root: Uint8Array; duties: { index: number; slot: number }[] }>();
  /** Epochs whose proposers the node refuses (400). */
  readonly refuseProposer = new Set<number>();
  /** Sync committee seats per period: index → positions. */
  readonly sync = new Map<number, Map<number, number[]>>();
  readonly calls: Call[] = [];
  /** Runs before each attester answer (tests change tables mid-fetch or make it wait). */
  beforeAttester: ((epoch: number, body: number[]) => Promise<void> | void) | undefined;

  /** Default duties of `epoch`: validator i at slot start+(i % 8), committee i % 2, length 128. */
  setAttester(epoch: number, dependentRoot: Uint8Array, indices: number[], shift = 0): void {
    const byIndex = new Map<number, TableAttesterDuty>();
    for (const i of indices)
      byIndex.set(i, {
        slot: epoch * PRESET.SLOTS_PER_EPOCH + ((i + shift) % PRESET.SLOTS_PER_EPOCH),
        committeeIndex: i % 2,
        committeeLength: 128,
        committeesAtSlot: 2,
        validatorCommitteeIndex: i,
      });
    this.attester.set(epoch, { root: dependentRoot, byIndex });
  }

  /** Proposers of `epoch`: slot k proposed by `proposers[k]`. */
  setProposer(epoch: number, dependentRoot: Uint8Array, proposers: number[]): void {
    this.proposer.set(epoch, {
      root: dependentRoot,
      duties: proposers.map((index, k) => ({ index, slot: epoch * PRESET.SLOTS_PER_EPOCH + k })),
    });
  }

  count(op: string, epoch?: number): number {
    return this.calls.filter((c) => c.op === op && (epoch === undefined || c.epoch === epoch)).length;
  }

  api(): Partial<BeaconApi> {
    const json = "json" as const;
    return {
      getAttesterDuties: (async ({ epoch, body }: { epoch: number; body: number[] }) => {
        this.calls.push({ op: "attester", epoch, body });
        await this.beforeAttester?.(epoch, body);
        const table = this.attester.get(epoch);
        if (table === undefined) throw httpError("getAttesterDuties", 400);
        const data = body.flatMap((i) => {
          const d = table.byIndex.get(i);
          return d === undefined ? [] : [{ pubkey: bytesOf(pubkeyOf(i)), validatorIndex: i, ...d }];
        });
        return { status: 200, data, meta: { dependentRoot: table.root, executionOptimistic: false }, mediaType: json };
      }) as BeaconApi["getAttesterDuties"],
      getProposerDuties: (async ({ epoch }: { epoch: number }) => {
        this.calls.push({ op: "proposer", epoch });
        const table = this.proposer.get(epoch);
        if (table === undefined || this.refuseProposer.has(epoch)) throw httpError("getProposerDuties", 400);
        const data = table.duties.map((d) => ({
          pubkey: bytesOf(pubkeyOf(d.index)),
          validatorIndex: d.index,
          slot: d.slot,
        }));
        return { status: 200, data, meta: { dependentRoot: table.root, executionOptimistic: false }, mediaType: json };
      }) as BeaconApi["getProposerDuties"],
      getSyncCommitteeDuties: (async ({ epoch, body }: { epoch: number; body: number[] }) => {
        this.calls.push({ op: "sync", epoch, body });
        const seats = this.sync.get(Math.floor(epoch / PRESET.EPOCHS_PER_SYNC_COMMITTEE_PERIOD)) ?? new Map();
        const data = body.flatMap((i) => {
          const positions = seats.get(i);
          return positions === undefined
            ? []
            : [{ pubkey: bytesOf(pubkeyOf(i)), validatorIndex: i, validatorSyncCommitteeIndices: positions }];
        });
        return { status: 200, data, meta: { executionOptimistic: false }, mediaType: json };
      }) as BeaconApi["getSyncCommitteeDuties"],
      prepareBeaconCommitteeSubnet: (async ({ body }: { body: unknown }) => {
        this.calls.push({ op: "subscribe", body });
        return { status: 200, data: undefined, meta: {}, mediaType: "none" as const };
      }) as unknown as BeaconApi["prepareBeaconCommitteeSubnet"],
      prepareSyncCommitteeSubnets: (async ({ body }: { body: unknown }) => {
        this.calls.push({ op: "syncSubscribe", body });
        return { status: 200, data: undefined, meta: {}, mediaType: "none" as const };
      }) as unknown as BeaconApi["prepareSyncCommitteeSubnets"],
    };
  }
}

/** Keys 0..n-1. */
export function keys(n: number): PubkeyHex[] {
  return Array.from({ length: n }, (_, i) => pubkeyOf(i));
}

export { root };
