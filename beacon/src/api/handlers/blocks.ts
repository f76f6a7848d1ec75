// REST handlers of block reads (/eth/v1/beacon/headers, /eth/v2/beacon/blocks/{block_id}, blinded blocks, block
// roots and attestations, blob sidecars and blobs). Blocks come from the database through stateId.ts's block_id
// resolution. The node stores no blobs yet: a known block's blobs are an empty list.
import { ApiError } from "@sextant/api-spec/codec/errors";
import type { BeaconRoutes } from "@sextant/api-spec/routes/index";
import type { Handlers } from "@sextant/api-spec/server/server";
import { type ForkName, isForkAtLeast } from "@sextant/consensus/params/index";
import type { BeaconConfig } from "@sextant/consensus/state/types";
import type { AnySignedBeaconBlock } from "@sextant/consensus/transition/blockTypes";
import { toHex } from "@sextant/consensus/util/hex";
import type { ApiContext } from "../context.ts";
import { answer } from "../errors.ts";
import { type ResolvedBlock, resolveBlockId } from "../stateId.ts";

/** A hash_tree_root-capable SSZ type (loosely typed: the fork picks it at runtime). */
export interface Hashable {
  hashTreeRoot(value: unknown): Uint8Array;
}
export interface ContainerLike extends Hashable {
  fields: Record<string, Hashable>;
}

/** The SignedBeaconBlockHeader of a signed block. */
export function signedHeaderOf(
  config: BeaconConfig,
  fork: ForkName,
  signed: AnySignedBeaconBlock,
): {
  message: { slot: number; proposerIndex: number; parentRoot: Uint8Array; stateRoot: Uint8Array; bodyRoot: Uint8Array };
  signature: Uint8Array;
} {
  const m = signed.message;
  const bodyType = config.types[fork].BeaconBlockBody as unknown as Hashable;
  return {
    message: {
      slot: m.slot,
      proposerIndex: m.proposerIndex,
      parentRoot: m.parentRoot,
      stateRoot: m.stateRoot,
      bodyRoot: bodyType.hashTreeRoot(m.body),
    },
    signature: signed.signature,
  };
}

/**
 * The execution payload header (of SSZ type `headerType`) of an execution payload (of `payloadType`): the fields they
 * share copied, each list replaced by its root (`transactionsRoot`, `withdrawalsRoot`).
 */
export function executionPayloadHeaderOf(
  headerType: ContainerLike,
  payloadType: ContainerLike,
  payload: Record<string, unknown>,
): Record<string, unknown> {
  const header: Record<string, unknown> = {};
  for (const key of Object.keys(headerType.fields)) {
    if (key in payload) header[key] = payload[key];
    else if (key.endsWith("Root")) {
      const listKey = key.slice(0, -"Root".length);
      header[key] = payloadType.fields[listKey].hashTreeRoot(payload[listKey]);
    } else throw new Error(`internal: payload header field ${key} has no payload counterpart`);
  }
  return header;
}

/**
 * The blinded form of a signed block (bellatrix on): the body's execution payload replaced by its header (lists
 * replaced by their roots). Before bellatrix the block itself.
 */
export function blindedBlockOf(config: BeaconConfig, fork: ForkName, signed: AnySignedBeaconBlock): unknown {
  if (!isForkAtLeast(fork, "bellatrix")) return signed;
  const ns = config.types[fork] as unknown as Record<string, ContainerLike>;
  const payloadType = ns.BeaconBlockBody.fields.executionPayload as ContainerLike;
  const headerType = ns.BlindedBeaconBlockBody.fields.executionPayloadHeader as ContainerLike;
  const { executionPayload, ...rest } = signed.message.body as unknown as Record<string, unknown> & {
    executionPayload: Record<string, unknown>;
  };
  const header = executionPayloadHeaderOf(headerType, payloadType, executionPayload);
  return {
    message: { ...signed.message, body: { ...rest, executionPayloadHeader: header } },
    signature: signed.signature,
  };
}

function meta(b: ResolvedBlock): { executionOptimistic: boolean; finalized: boolean } {
  return { executionOptimistic: b.executionOptimistic, finalized: b.finalized };
}

/** Handlers of block reads. */
export function blockHandlers(ctx: ApiContext): Partial<Handlers<BeaconRoutes>> {
  const { chain } = ctx;
  const config = chain.config;
  const headerEntry = (b: ResolvedBlock) => ({
    root: rootBytes(b.root),
    canonical: b.canonical,
    header: signedHeaderOf(config, b.fork, b.signed),
  });

  return {
    getBlockHeaders: ({ slot, parentRoot }) =>
      answer(() => {
        const roots = new Set<string>();
        if (slot === undefined && parentRoot === undefined) roots.add(chain.head().root);
        else {
          const parent = parentRoot === undefined ? undefined : toHex(parentRoot);
          for (const node of chain.forkChoice.protoArray.allNodes()) {
            if (slot !== undefined && node.slot !== slot) continue;
            if (parent !== undefined && node.parentRoot !== parent) continue;
            roots.add(node.blockRoot);
          }
          // Finalized blocks older than the fork choice: the canonical block at the slot.
          if (slot !== undefined && slot < chain.anchor.slot) {
            const stored = chain.db.finalizedBlocks.rootAtSlot(slot);
            if (stored !== undefined) {
              const found = chain.db.finalizedBlocks.get(stored);
              const p = found && chain.decodeStoredBlock(found).message.parentRoot;
              if (parent === undefined || (p && toHex(p) === parent)) roots.add(toHex(stored));
            }
          }
        }
        const blocks: ResolvedBlock[] = [];
        for (const root of roots) {
          try {
            blocks.push(resolveBlockId(chain, rootBytes(root)));
          } catch (e) {
            // A fork-choice node whose block is not stored (the anchor of a checkpoint start): leave it out.
            if (!(e instanceof ApiError && e.status === 404)) throw e;
          }
        }
        blocks.sort(
          (a, b) => a.signed.message.slot - b.signed.message.slot || Number(b.canonical) - Number(a.canonical),
        );
        return {
          data: blocks.map(headerEntry),
          meta: {
            executionOptimistic: blocks.some((b) => b.executionOptimistic),
            finalized: blocks.length > 0 && blocks.every((b) => b.finalized),
          },
        };
      }),

    getBlockHeader: ({ blockId }) =>
      answer(() => {
        const b = resolveBlockId(chain, blockId);
        return { data: () => headerEntry(b), cacheKey: blockCacheKey(b), meta: meta(b) };
      }),

    getBlockV2: ({ blockId }) =>
      answer(() => {
        const b = resolveBlockId(chain, blockId);
        return { data: b.signed as never, cacheKey: blockCacheKey(b), meta: { version: b.fork, ...meta(b) } };
      }),

    getBlindedBlock: ({ blockId }) =>
      answer(() => {
        const b = resolveBlockId(chain, blockId);
        return { data: blindedBlockOf(config, b.fork, b.signed) as never, meta: { version: b.fork, ...meta(b) } };
      }),

    getBlockRoot: ({ blockId }) =>
      answer(() => {
        const b = resolveBlockId(chain, blockId);
        return { data: { root: rootBytes(b.root) }, meta: meta(b) };
      }),

    getBlockAttestationsV2: ({ blockId }) =>
      answer(() => {
        const b = resolveBlockId(chain, blockId);
        return {
          data: b.signed.message.body.attestations as never,
          meta: { version: b.fork, ...meta(b) },
        };
      }),

    getBlobSidecars: ({ blockId }) =>
      answer(() => {
        const b = resolveBlockId(chain, blockId);
        if (!isForkAtLeast(b.fork, "deneb")) {
          throw new ApiError(400, `block ${b.root} is of fork ${b.fork}: blob sidecars exist from deneb on`);
        }
        if (isForkAtLeast(b.fork, "fulu")) {
          throw new ApiError(
            400,
            `block ${b.root} is of fork ${b.fork}: from fulu on blobs are served by GET /eth/v1/beacon/blobs/{block_id}`,
          );
        }
        // No blobs are stored by this node (no blob sidecars are received or kept yet).
        return { data: [], meta: { version: b.fork, ...meta(b) } };
      }),

    getBlobs: ({ blockId }) =>
      answer(() => {
        const b = resolveBlockId(chain, blockId);
        // No blobs are stored by this node: a known block answers an empty list.
        return { data: [], meta: meta(b) };
      }),
  };
}

function rootBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.slice(2), "hex"));
}

/** What an answer about a block depends on: the block and its standing (canonical, finalized, optimistic). */
function blockCacheKey(b: ResolvedBlock): string {
  return `${b.root}:${b.canonical}:${b.finalized}:${b.executionOptimistic}`;
}
