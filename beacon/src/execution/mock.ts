// An in-process execution engine for dev mode and tests. It keeps no EVM state: it tracks blocks by hash (from the
// genesis block it is given), builds valid-shaped payloads on forkchoiceUpdated with attributes (parent = head,
// number + 1, the attributes' timestamp, prev_randao, fee recipient and withdrawals, no transactions, a constant
// gas limit, the EIP-1559 base fee of an empty parent, a block hash that is the hash tree root of the payload's
// other fields), with no blobs and no execution requests, and answers newPayload VALID for a well-formed payload
// whose parent it knows (block number = parent's + 1, matching block hash), SYNCING otherwise.
import { createHash } from "node:crypto";
import type { ForkName } from "@sextant/consensus/params/forkName";
import type { SszTypes } from "@sextant/consensus/types/sszTypes";
import { ENGINE_ERROR, rpcError } from "./errors.ts";
import { dataToJson } from "./json.ts";
import {
  ENGINE_METHODS,
  type ExecutionEngineClient,
  type ExecutionPayloadValue,
  engineVersions,
  type ForkchoiceState,
  type ForkchoiceUpdatedResult,
  forkAtLeast,
  type GetPayloadResult,
  type NewPayloadRequest,
  type PayloadAttributes,
  type PayloadId,
  type PayloadStatus,
} from "./types.ts";

/** Gas limit of every mock block (the interop genesis value). */
export const MOCK_GAS_LIMIT = 30_000_000;
/** keccak256(rlp([])): the receipts root of a block without transactions. */
export const EMPTY_TRIE_ROOT = new Uint8Array(
  Buffer.from("56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421", "hex"),
);
/** extra_data of mock blocks. */
export const MOCK_EXTRA_DATA = new TextEncoder().encode("sextant mock engine");
/** Built payloads kept for getPayload (oldest dropped first). */
const MAX_BUILT_PAYLOADS = 64;
const ZERO_HASH = new Uint8Array(32);

/**
 * The execution block a mock chain starts from. A merged genesis state's latest_execution_payload_header value
 * fits as is (same field names).
 */
export interface MockGenesis {
  readonly blockHash: Uint8Array;
  readonly blockNumber?: number;
  readonly timestamp?: number;
  readonly baseFeePerGas?: bigint;
  readonly stateRoot?: Uint8Array;
}

/** Options of MockExecutionEngine. */
export interface MockExecutionEngineOptions {
  /** SSZ types of the chain's preset (block hashes are hash tree roots). */
  readonly types: SszTypes;
  readonly genesis: MockGenesis;
  /** Gas limit of built blocks (MOCK_GAS_LIMIT by default). */
  readonly gasLimit?: number;
  /**
   * Recompute every incoming payload's block hash and reject a mismatch (INVALID_BLOCK_HASH before deneb, INVALID
   * from deneb), as a real engine does. On by default; payloads not built by a mock engine then fail.
   */
  readonly checkBlockHash?: boolean;
  /**
   * Require each block's timestamp to exceed its parent's (newPayload INVALID, forkchoiceUpdated -38003 otherwise).
   * Off by default: the interop dev genesis header carries the eth1 timestamp 2**40, far after the slots' times,
   * and the consensus checks already pin every payload's timestamp to its slot.
   */
  readonly checkTimestamps?: boolean;
}

/** A block the mock engine knows. */
export interface MockBlock {
  readonly hash: Uint8Array;
  readonly parentHash: Uint8Array;
  readonly number: number;
  readonly timestamp: number;
  readonly baseFeePerGas: bigint;
  readonly gasLimit: number;
  readonly stateRoot: Uint8Array;
}

type PayloadGeneration = "bellatrix" | "capella" | "deneb";

interface BuiltPayload {
  readonly generation: PayloadGeneration;
  readonly payload: ExecutionPayloadValue;
}

/** The payload container a fork uses (electra and fulu use deneb's). */
function generationOf(fork: ForkName): PayloadGeneration {
  engineVersions(fork); // throws before bellatrix
  if (forkAtLeast(fork, "deneb")) return "deneb";
  if (forkAtLeast(fork, "capella")) return "capella";
  return "bellatrix";
}

/** EIP-1559 base fee of a child of a parent that used `gasUsed` of `gasLimit`. */
export function nextBaseFee(parentBaseFee: bigint, gasLimit: number, gasUsed: number): bigint {
  const target = BigInt(Math.floor(gasLimit / 2));
  const used = BigInt(gasUsed);
  if (target === 0n || used === target) return parentBaseFee;
  if (used > target) {
    const delta = (parentBaseFee * (used - target)) / target / 8n;
    return parentBaseFee + (delta > 1n ? delta : 1n);
  }
  const delta = (parentBaseFee * (target - used)) / target / 8n;
  return parentBaseFee > delta ? parentBaseFee - delta : 0n;
}

/** ExecutionEngineClient kept in memory: the dev-mode engine. */
export class MockExecutionEngine implements ExecutionEngineClient {
  private readonly types: SszTypes;
  private readonly gasLimit: number;
  private readonly checkBlockHash: boolean;
  private readonly checkTimestamps: boolean;
  private readonly blocks = new Map<string, MockBlock>();
  private readonly built = new Map<PayloadId, BuiltPayload>();
  private forkchoice: ForkchoiceState | null = null;

  constructor(opts: MockExecutionEngineOptions) {
    this.types = opts.types;
    this.gasLimit = opts.gasLimit ?? MOCK_GAS_LIMIT;
    this.checkBlockHash = opts.checkBlockHash ?? true;
    this.checkTimestamps = opts.checkTimestamps ?? false;
    const g = opts.genesis;
    this.addBlock({
      hash: g.blockHash,
      parentHash: ZERO_HASH,
      number: g.blockNumber ?? 0,
      timestamp: g.timestamp ?? 0,
      baseFeePerGas: g.baseFeePerGas ?? 1_000_000_000n,
      gasLimit: this.gasLimit,
      stateRoot: g.stateRoot ?? ZERO_HASH,
    });
  }

  /** The block with this hash, if known. */
  getBlock(hash: Uint8Array): MockBlock | undefined {
    return this.blocks.get(dataToJson(hash));
  }

  /** Number of known blocks (genesis included). */
  get blockCount(): number {
    return this.blocks.size;
  }

  /** The last fork-choice state accepted by forkchoiceUpdated (null before the first). */
  get forkchoiceState(): ForkchoiceState | null {
    return this.forkchoice;
  }

  /** The block hash a mock engine gives `payload` (its hash tree root with block_hash zeroed) at `fork`. */
  computeBlockHash(fork: ForkName, payload: ExecutionPayloadValue): Uint8Array {
    const type = this.types[generationOf(fork)].ExecutionPayload;
    // biome-ignore lint/suspicious/noExplicitAny: the payload has the fields of `fork`'s container (checked by callers)
    return type.hashTreeRoot({ ...payload, blockHash: ZERO_HASH } as any);
  }

  async notifyNewPayload(request: NewPayloadRequest): Promise<PayloadStatus> {
    const { fork, executionPayload: p } = request;
    const generation = generationOf(fork);
    this.checkPayloadShape(request, generation);
    const hash = p.blockHash;
    if (this.checkBlockHash) {
      const computed = this.computeBlockHash(fork, p);
      if (!bytesEqual(computed, hash)) {
        const error = `block hash ${dataToJson(hash)} does not match the payload's hash ${dataToJson(computed)}`;
        return generation === "deneb"
          ? { status: "INVALID", latestValidHash: null, validationError: error }
          : { status: "INVALID_BLOCK_HASH", latestValidHash: null, validationError: error };
      }
    }
    if (generation === "deneb" && p.transactions.length === 0 && (request.versionedHashes?.length ?? 0) !== 0) {
      return invalid(p.parentHash, "versioned hashes given for a payload without blob transactions");
    }
    if (this.blocks.has(dataToJson(hash))) return { status: "VALID", latestValidHash: hash, validationError: null };
    const parent = this.getBlock(p.parentHash);
    if (parent === undefined) return { status: "SYNCING", latestValidHash: null, validationError: null };
    if (p.blockNumber !== parent.number + 1) {
      return invalid(parent.hash, `block number ${p.blockNumber} after parent ${parent.number}`);
    }
    if (this.checkTimestamps && p.timestamp <= parent.timestamp) {
      return invalid(parent.hash, `timestamp ${p.timestamp} not after parent's ${parent.timestamp}`);
    }
    this.addBlock({
      hash,
      parentHash: p.parentHash,
      number: p.blockNumber,
      timestamp: p.timestamp,
      baseFeePerGas: p.baseFeePerGas,
      gasLimit: p.gasLimit,
      stateRoot: p.stateRoot,
    });
    return { status: "VALID", latestValidHash: hash, validationError: null };
  }

  async forkchoiceUpdated(
    fork: ForkName,
    state: ForkchoiceState,
    attributes?: PayloadAttributes,
  ): Promise<ForkchoiceUpdatedResult> {
    const generation = generationOf(fork);
    if (attributes !== undefined) checkAttributesShape(attributes, generation);
    const head = this.getBlock(state.headBlockHash);
    if (head === undefined) {
      return { payloadStatus: { status: "SYNCING", latestValidHash: null, validationError: null }, payloadId: null };
    }
    for (const [name, hash] of [
      ["safe", state.safeBlockHash],
      ["finalized", state.finalizedBlockHash],
    ] as const) {
      if (!bytesEqual(hash, ZERO_HASH) && this.getBlock(hash) === undefined) {
        throw rpcError(ENGINE_ERROR.INVALID_FORKCHOICE_STATE, `Invalid forkchoice state: unknown ${name} block`, {
          [`${name}BlockHash`]: dataToJson(hash),
        });
      }
    }
    this.forkchoice = state;
    const payloadStatus: PayloadStatus = { status: "VALID", latestValidHash: head.hash, validationError: null };
    if (attributes === undefined) return { payloadStatus, payloadId: null };
    if (this.checkTimestamps && attributes.timestamp <= head.timestamp) {
      throw rpcError(
        ENGINE_ERROR.INVALID_PAYLOAD_ATTRIBUTES,
        `Invalid payload attributes: timestamp ${attributes.timestamp} not after head's ${head.timestamp}`,
      );
    }
    const payload = this.buildPayload(fork, head, attributes);
    const payloadId = payloadIdOf(generation, head.hash, payload, attributes.parentBeaconBlockRoot);
    this.built.set(payloadId, { generation, payload });
    while (this.built.size > MAX_BUILT_PAYLOADS) {
      const oldest = this.built.keys().next().value as PayloadId;
      this.built.delete(oldest);
    }
    return { payloadStatus, payloadId };
  }

  async getPayload(fork: ForkName, payloadId: PayloadId): Promise<GetPayloadResult> {
    const generation = generationOf(fork);
    const built = this.built.get(payloadId.toLowerCase());
    if (built === undefined) throw rpcError(ENGINE_ERROR.UNKNOWN_PAYLOAD, `Unknown payload ${payloadId}`);
    if (built.generation !== generation) {
      throw rpcError(
        ENGINE_ERROR.UNSUPPORTED_FORK,
        `Unsupported fork: payload ${payloadId} was built as a ${built.generation} payload, asked for ${fork}`,
      );
    }
    return {
      executionPayload: built.payload,
      blockValue: 0n,
      blobsBundle: forkAtLeast(fork, "deneb") ? { commitments: [], proofs: [], blobs: [] } : null,
      executionRequests: forkAtLeast(fork, "electra") ? { deposits: [], withdrawals: [], consolidations: [] } : null,
      shouldOverrideBuilder: false,
    };
  }

  async exchangeCapabilities(_methods: readonly string[]): Promise<string[]> {
    return [...ENGINE_METHODS];
  }

  private addBlock(block: MockBlock): void {
    this.blocks.set(dataToJson(block.hash), block);
  }

  private buildPayload(fork: ForkName, parent: MockBlock, a: PayloadAttributes): ExecutionPayloadValue {
    const generation = generationOf(fork);
    let payload: ExecutionPayloadValue = {
      parentHash: parent.hash,
      feeRecipient: a.suggestedFeeRecipient,
      stateRoot: parent.stateRoot,
      receiptsRoot: EMPTY_TRIE_ROOT,
      logsBloom: new Uint8Array(256),
      prevRandao: a.prevRandao,
      blockNumber: parent.number + 1,
      gasLimit: this.gasLimit,
      gasUsed: 0,
      timestamp: a.timestamp,
      extraData: MOCK_EXTRA_DATA,
      baseFeePerGas: nextBaseFee(parent.baseFeePerGas, parent.gasLimit, 0),
      blockHash: ZERO_HASH,
      transactions: [],
    };
    if (generation !== "bellatrix") payload = { ...payload, withdrawals: a.withdrawals ?? [] };
    if (generation === "deneb") payload = { ...payload, blobGasUsed: 0n, excessBlobGas: 0n };
    return { ...payload, blockHash: this.computeBlockHash(fork, payload) };
  }

  private checkPayloadShape(r: NewPayloadRequest, generation: PayloadGeneration): void {
    const p = r.executionPayload;
    const need = (ok: boolean, what: string) => {
      if (!ok) throw rpcError(ENGINE_ERROR.INVALID_PARAMS, `Invalid params: ${r.fork} newPayload needs ${what}`);
    };
    if (generation !== "bellatrix") need(p.withdrawals !== undefined, "withdrawals in the payload");
    if (generation === "deneb") {
      need(p.blobGasUsed !== undefined && p.excessBlobGas !== undefined, "blobGasUsed and excessBlobGas");
      need(r.versionedHashes !== undefined, "expected blob versioned hashes");
      need(r.parentBeaconBlockRoot !== undefined, "the parent beacon block root");
    }
    if (forkAtLeast(r.fork, "electra")) need(r.executionRequests !== undefined, "execution requests");
  }
}

function checkAttributesShape(a: PayloadAttributes, generation: PayloadGeneration): void {
  const fail = (what: string) => {
    throw rpcError(ENGINE_ERROR.INVALID_PARAMS, `Invalid params: payload attributes ${what}`);
  };
  if (generation === "bellatrix" && a.withdrawals !== undefined) fail("carry withdrawals before capella");
  if (generation !== "bellatrix" && a.withdrawals === undefined) fail("lack withdrawals (required from capella)");
  if (generation !== "deneb" && a.parentBeaconBlockRoot !== undefined) fail("carry a parent beacon root before deneb");
  if (generation === "deneb" && a.parentBeaconBlockRoot === undefined) {
    fail("lack parentBeaconBlockRoot (required from deneb)");
  }
}

function invalid(latestValidHash: Uint8Array, validationError: string): PayloadStatus {
  return { status: "INVALID", latestValidHash, validationError };
}

/**
 * A payload id: the first 8 bytes of sha256(generation ‖ head hash ‖ built block hash ‖ parent beacon root), so the
 * same attributes on the same head give the same id.
 */
function payloadIdOf(
  generation: PayloadGeneration,
  head: Uint8Array,
  payload: ExecutionPayloadValue,
  parentBeaconBlockRoot: Uint8Array | undefined,
): PayloadId {
  const h = createHash("sha256").update(generation).update(head).update(payload.blockHash);
  if (parentBeaconBlockRoot !== undefined) h.update(parentBeaconBlockRoot);
  return `0x${h.digest().subarray(0, 8).toString("hex")}`;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
