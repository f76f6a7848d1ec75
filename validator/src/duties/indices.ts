// The validator indices of our keys: which of the signer's public keys the chain knows, under which index, and in
// which status (pending_*, active_*, exited_*, withdrawal_*). Keys come and go through the keymanager API, so the
// list of keys is read again at every refresh; keys the chain does not know yet are asked for again at each refresh,
// and known keys that are still pending are re-read so their activation is noticed (and logged once).
import { isApiClientError, type ValidatorStatus } from "@sextant/api-spec";
import type { Logger } from "@sextant/common";
import { fromHex, toHex } from "@sextant/consensus/util/hex";
import { chunks } from "../collections.ts";
import type { BeaconApi, BeaconNodes, IndexResolver, NodeHealth, PubkeyHex } from "../ports.ts";

/** Ids per POST /eth/v1/beacon/states/head/validators request (a body of ~100 kB of public keys). */
export const POST_IDS_PER_REQUEST = 1000;
/** Ids per GET request (the API's maxItems for the `id` query: longer URLs are refused with 414). */
export const GET_IDS_PER_REQUEST = 64;
/** Above this many keys newly known at once, one summary line is logged instead of a line per key. */
const LOG_EACH_KEY_UP_TO = 20;

/** What the chain says of one of our validators. */
export interface ValidatorRecord {
  index: number;
  status: ValidatorStatus;
}

/** Options of ValidatorIndices. */
export interface ValidatorIndicesOptions {
  nodes: BeaconNodes;
  /** The signer's keys, read at each refresh (and by indices()): keys come and go via the keymanager API. */
  pubkeys: () => PubkeyHex[];
  logger: Logger;
  /** Ids per POST request (default POST_IDS_PER_REQUEST). */
  postChunkSize?: number;
  /** Ids per GET request (default GET_IDS_PER_REQUEST). */
  getChunkSize?: number;
}

/** A validator as the two state-validators endpoints answer it (only the fields used here). */
interface ValidatorAnswer {
  index: number;
  status: ValidatorStatus;
  validator: { pubkey: Uint8Array };
}

/** `0xabcd…ef01`: a public key short enough for a log line. */
export function shortPubkey(pubkey: string): string {
  return `${pubkey.slice(0, 6)}…${pubkey.slice(-4)}`;
}

/** True for the statuses of a validator that is not active yet. */
function isPending(status: ValidatorStatus): boolean {
  return status === "pending_initialized" || status === "pending_queued";
}

function isActive(status: ValidatorStatus): boolean {
  return status.startsWith("active_");
}

/** The HTTP status of an API client error, if the node answered one. */
export function httpStatusOf(err: unknown): number | undefined {
  return isApiClientError(err) && err.code === "API_CLIENT_HTTP" ? err.context.status : undefined;
}

/**
 * The indices of the signer's keys, from the beacon nodes. `refresh()` asks POST /eth/v1/beacon/states/head/
 * validators for the keys without an index (in chunks), falling back to GET with an `id` query (short chunks) for a
 * node that answers the POST with 404 or 405 (nodes older than the POST endpoint).
 */
export class ValidatorIndices implements IndexResolver {
  private readonly nodes: BeaconNodes;
  private readonly pubkeysOf: () => PubkeyHex[];
  private readonly logger: Logger;
  private readonly postChunkSize: number;
  private readonly getChunkSize: number;
  private readonly byPubkey = new Map<PubkeyHex, ValidatorRecord>();
  private readonly byIndex = new Map<number, PubkeyHex>();
  /** byIndex's keys sorted, kept until byIndex changes (indices() is read every slot). */
  private sorted: number[] | undefined;
  /** Nodes (by url) that answered the POST with 404/405: GET only from then on. */
  private readonly postUnsupported = new Set<string>();
  /** A refresh in progress (concurrent callers share it). */
  private running: Promise<void> | undefined;

  constructor(opts: ValidatorIndicesOptions) {
    this.nodes = opts.nodes;
    this.pubkeysOf = opts.pubkeys;
    this.logger = opts.logger;
    this.postChunkSize = opts.postChunkSize ?? POST_IDS_PER_REQUEST;
    this.getChunkSize = Math.min(opts.getChunkSize ?? GET_IDS_PER_REQUEST, GET_IDS_PER_REQUEST);
  }

  indexOf(pubkey: PubkeyHex): number | undefined {
    return this.byPubkey.get(pubkey)?.index;
  }

  pubkeyOf(index: number): PubkeyHex | undefined {
    return this.byIndex.get(index);
  }

  /** The chain's record (index, status) of a key, once known. */
  recordOf(pubkey: PubkeyHex): ValidatorRecord | undefined {
    const record = this.byPubkey.get(pubkey);
    return record === undefined ? undefined : { ...record };
  }

  /** Indices of the signer's keys the chain knows, ascending (keys removed from the signer are left out). */
  indices(): number[] {
    this.forgetRemovedKeys(this.pubkeysOf());
    this.sorted ??= [...this.byIndex.keys()].sort((a, b) => a - b);
    return [...this.sorted];
  }

  unknownPubkeys(): PubkeyHex[] {
    return this.pubkeysOf().filter((pubkey) => !this.byPubkey.has(pubkey));
  }

  /**
   * Asks the node for the keys it did not know and re-reads the status of the pending ones. Concurrent calls share
   * one refresh. Throws when the node could not answer (NoUsableNodeError, a failed request): what was learnt by the
   * chunks answered before is kept.
   */
  refresh(signal: AbortSignal): Promise<void> {
    if (this.running !== undefined) return this.running;
    this.running = this.doRefresh(signal).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async doRefresh(signal: AbortSignal): Promise<void> {
    const keys = this.pubkeysOf();
    this.forgetRemovedKeys(keys);
    const ask: PubkeyHex[] = [];
    for (const pubkey of keys) {
      const record = this.byPubkey.get(pubkey);
      if (record === undefined || isPending(record.status)) ask.push(pubkey);
    }
    if (ask.length === 0) return;
    const newlyKnown: { pubkey: PubkeyHex; record: ValidatorRecord }[] = [];
    const activated: { pubkey: PubkeyHex; record: ValidatorRecord }[] = [];
    const wanted = new Set<string>(ask);
    try {
      for (const chunk of chunks(ask, this.postChunkSize)) {
        signal.throwIfAborted();
        const answers = await this.nodes.request(
          "postStateValidators",
          (api, node) => this.fetchChunk(api, node, chunk, signal),
          { signal },
        );
        for (const answer of answers) {
          const pubkey = toHex(answer.validator.pubkey) as PubkeyHex;
          if (!wanted.has(pubkey)) continue;
          const before = this.byPubkey.get(pubkey);
          const record: ValidatorRecord = { index: answer.index, status: answer.status };
          this.byPubkey.set(pubkey, record);
          this.byIndex.set(record.index, pubkey);
          this.sorted = undefined;
          if (before === undefined) newlyKnown.push({ pubkey, record });
          else if (isPending(before.status) && !isPending(record.status)) activated.push({ pubkey, record });
        }
      }
    } finally {
      this.logChanges(newlyKnown, activated);
    }
  }

  /** One chunk of ids, by POST, or by GET in chunks of GET_IDS_PER_REQUEST where POST is not served. */
  private async fetchChunk(
    api: BeaconApi,
    node: NodeHealth,
    chunk: readonly PubkeyHex[],
    signal: AbortSignal,
  ): Promise<ValidatorAnswer[]> {
    if (!this.postUnsupported.has(node.url)) {
      try {
        const res = await api.postStateValidators(
          { stateId: "head", body: { ids: chunk.map((pubkey) => fromHex(pubkey)) } },
          { signal },
        );
        return res.data;
      } catch (err) {
        const status = httpStatusOf(err);
        if (status !== 404 && status !== 405) throw err;
        this.postUnsupported.add(node.url);
        this.logger.info(
          { node: node.url, status },
          "the beacon node does not serve POST /eth/v1/beacon/states/{state_id}/validators; asking with GET instead",
        );
      }
    }
    const out: ValidatorAnswer[] = [];
    for (const small of chunks(chunk, this.getChunkSize)) {
      signal.throwIfAborted();
      try {
        const res = await api.getStateValidators(
          { stateId: "head", id: small.map((pubkey) => fromHex(pubkey)) },
          { signal },
        );
        out.push(...res.data);
      } catch (err) {
        // Some nodes answer 404 when none of the ids is known: nothing known in this chunk.
        if (httpStatusOf(err) !== 404) throw err;
      }
    }
    return out;
  }

  /** Drops the keys the signer no longer has. */
  private forgetRemovedKeys(keys: readonly PubkeyHex[]): void {
    if (keys.length === this.byPubkey.size && keys.every((k) => this.byPubkey.has(k))) return;
    const current = new Set(keys);
    for (const [pubkey, record] of this.byPubkey) {
      if (current.has(pubkey)) continue;
      this.byPubkey.delete(pubkey);
      if (this.byIndex.get(record.index) === pubkey) {
        this.byIndex.delete(record.index);
        this.sorted = undefined;
      }
    }
  }

  private logChanges(
    newlyKnown: { pubkey: PubkeyHex; record: ValidatorRecord }[],
    activated: { pubkey: PubkeyHex; record: ValidatorRecord }[],
  ): void {
    if (newlyKnown.length > LOG_EACH_KEY_UP_TO) {
      const statuses: Record<string, number> = {};
      for (const { record } of newlyKnown) statuses[record.status] = (statuses[record.status] ?? 0) + 1;
      this.logger.info({ count: newlyKnown.length, statuses }, `${newlyKnown.length} validators known to the chain`);
    } else {
      for (const { pubkey, record } of newlyKnown)
        this.logger.info(
          { pubkey, index: record.index, status: record.status },
          `validator ${shortPubkey(pubkey)} is known to the chain as index ${record.index}, ${record.status}`,
        );
    }
    for (const { pubkey, record } of activated) {
      const what = isActive(record.status) ? "is now active" : "left the activation queue";
      this.logger.info(
        { pubkey, index: record.index, status: record.status },
        `validator ${shortPubkey(pubkey)} (index ${record.index}) ${what}: ${record.status}`,
      );
    }
  }
}
