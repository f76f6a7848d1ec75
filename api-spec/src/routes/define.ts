// Builders for route-table entries: `route()` keeps the literal types of an entry so handlers and client calls are
// typed from it; the body and response builders cover the API's recurring shapes (a JSON value, an SSZ type offered
// in both media types, a type chosen by fork, a batch of items, no body).

import { ListBasicType, ListCompositeType, type Type, type ValueOf } from "@chainsafe/ssz";
import {
  FORK_NAMES,
  type ForkName,
  type ForkTypes,
  isForkAtLeast,
  type SszTypes,
  sszTypesFor,
} from "@sextant/consensus";
import { ApiError } from "../codec/errors.ts";
import { arrayOf, type JsonCodec } from "../codec/json.ts";
import type { ParamSpec } from "../codec/params.ts";
import { type AnySszType, type SszCodec, sszBytes, sszJson } from "../codec/ssz.ts";
import type { BodySpec, MetaKey, MetaOf, ParamSpecs, ResponseKind, ResponseSpec, RouteDef } from "./types.ts";

/** What route groups are built from: the preset's SSZ types, and what some operations need from the chain. */
export interface RouteContext {
  types: SszTypes;
  /** The fork of a slot (deprecated v1 publishBlock without Eth-Consensus-Version); absent: the header is required. */
  forkAtSlot?: (slot: number) => ForkName;
  /**
   * Fork digests of the light-client updates SSZ encoding (each chunk carries its fork digest); absent: that
   * operation answers JSON only.
   */
  forkDigests?: { digestOf(fork: ForkName): Uint8Array; forkOf(digest: Uint8Array): ForkName | undefined };
}

/** Defines one entry; keeps its literal parameter, body and response types. */
export function route<
  const P extends ParamSpecs,
  T = undefined,
  M extends MetaKey = never,
  B = never,
  V extends boolean = false,
  Req extends boolean = true,
  K extends ResponseKind = ResponseKind,
>(def: RouteDef<P, B, V, T, M, Req, K>): RouteDef<P, B, V, T, M, Req, K> {
  return def;
}

/** No parameters. */
export const NO_PARAMS: Record<never, ParamSpec> = {};

// ---------------------------------------------------------------- responses

/** `{...meta, data}` with a JSON codec. */
export function dataResponse<T, const M extends MetaKey = never>(
  codec: JsonCodec<T>,
  meta: readonly M[] = [],
  opts: { stream?: boolean; ssz?: SszCodec<T> } = {},
): ResponseSpec<T, M, "data"> {
  const ssz = opts.ssz;
  return {
    kind: "data",
    meta,
    statuses: [200],
    json: () => codec,
    ...(ssz ? { ssz: () => ssz } : {}),
    stream: opts.stream,
  };
}

/** `{...meta, data}` of an SSZ type, offered in JSON and SSZ. */
export function sszResponse<S extends AnySszType, const M extends MetaKey = never>(
  type: S,
  meta: readonly M[] = [],
  opts: { stream?: boolean } = {},
): ResponseSpec<ValueOf<S>, M, "data"> {
  return dataResponse(sszJson(type), meta, { stream: opts.stream, ssz: sszBytes(type) });
}

/** A body the codec writes whole (no envelope). */
export function bareResponse<T>(codec: JsonCodec<T>): ResponseSpec<T, never, "bare"> {
  return { kind: "bare", meta: [], statuses: [200], json: () => codec };
}

/** No body; `statuses` are the success codes a handler may choose (the first is the default). */
export function emptyResponse(statuses: readonly number[] = [200]): ResponseSpec<undefined, never, "empty"> {
  return { kind: "empty", meta: [], statuses };
}

/** Picks the SSZ type of a fork's namespace; undefined when the fork has none (BlobSidecars before deneb). */
export type ForkPick = (ns: ForkTypes<ForkName>, fork: ForkName) => AnySszType | undefined;

/** The type `pick` chooses for `fork`, or a 400 naming the fork. */
export function pickType(types: SszTypes, pick: ForkPick, fork: ForkName): AnySszType {
  const type = pick(sszTypesFor(types, fork), fork);
  if (type === undefined) throw new ApiError(400, `not available in fork ${fork}`);
  return type;
}

/**
 * A response whose type depends on the fork in its `version` metadata (Eth-Consensus-Version): `{version, ...,
 * data}`, in JSON and (unless `json: "only"`) SSZ; `list` wraps the fork's type in a JSON array / SSZ list.
 */
export function forkResponse<T, const M extends MetaKey>(
  types: SszTypes,
  pick: ForkPick,
  meta: readonly (M | "version")[],
  opts: { ssz?: boolean; list?: boolean; stream?: boolean } = {},
): ResponseSpec<T, M | "version", "data"> {
  const typeFor = (m: MetaOf<"version">) => {
    const t = pickType(types, pick, m.version);
    return opts.list ? listOf(t) : t;
  };
  return {
    kind: "data",
    meta,
    statuses: [200],
    json: (m) => sszJson(typeFor(m)) as JsonCodec<T>,
    ...(opts.ssz === false ? {} : { ssz: (m: MetaOf<"version">) => sszBytes(typeFor(m)) as SszCodec<T> }),
    stream: opts.stream,
  };
}

// ---------------------------------------------------------------- bodies

/** A JSON request body. */
export function jsonBody<T, Req extends boolean = true>(
  codec: JsonCodec<T>,
  opts: { required?: Req; maxBytes?: number } = {},
): BodySpec<T, false, Req> {
  return { versioned: false, required: (opts.required ?? true) as Req, json: () => codec, maxBytes: opts.maxBytes };
}

/** A request body of an SSZ type, accepted as JSON or SSZ. */
export function sszBody<S extends AnySszType>(
  type: S,
  opts: { maxBytes?: number } = {},
): BodySpec<ValueOf<S>, false, true> {
  return {
    versioned: false,
    required: true,
    json: () => sszJson(type),
    ssz: () => sszBytes(type),
    maxBytes: opts.maxBytes,
  };
}

/** A batch submission of items (a JSON array; SSZ a list when `ssz`): bad items answer the indexed failures body. */
export function batchBody<T>(
  item: JsonCodec<T>,
  opts: { ssz?: SszCodec<T[]>; maxBytes?: number } = {},
): BodySpec<T[], false, true> {
  const ssz = opts.ssz;
  return {
    versioned: false,
    required: true,
    json: () => arrayOf(item),
    ...(ssz ? { ssz: () => ssz } : {}),
    batchItem: () => item,
    maxBytes: opts.maxBytes,
  };
}

/** A batch of SSZ-typed items. */
export function sszBatchBody<S extends AnySszType>(
  item: S,
  opts: { ssz?: boolean; maxBytes?: number } = {},
): BodySpec<ValueOf<S>[], false, true> {
  return batchBody(sszJson(item), {
    ssz: opts.ssz ? (sszBytes(listOf(item)) as SszCodec<ValueOf<S>[]>) : undefined,
    maxBytes: opts.maxBytes,
  });
}

/**
 * A request body whose type depends on Eth-Consensus-Version: the fork's type (`batch`: a list of it, read item by
 * item), in JSON and (when `ssz`) SSZ.
 */
export function forkBody<T>(
  types: SszTypes,
  pick: ForkPick,
  opts: {
    ssz?: boolean;
    batch?: boolean;
    versionOptional?: boolean;
    inferVersion?: (json: unknown) => ForkName | undefined;
    maxBytes?: number;
    maxSszBytes?: number;
  } = {},
): BodySpec<T, true, true> {
  const typeFor = (fork: ForkName | undefined) => {
    if (fork === undefined) throw new ApiError(400, "Eth-Consensus-Version header is required");
    const t = pickType(types, pick, fork);
    return opts.batch ? listOf(t) : t;
  };
  return {
    versioned: true,
    versionOptional: opts.versionOptional,
    required: true,
    json: (fork) => sszJson(typeFor(fork)) as JsonCodec<T>,
    ...(opts.ssz ? { ssz: (fork: ForkName | undefined) => sszBytes(typeFor(fork)) as SszCodec<T> } : {}),
    ...(opts.batch
      ? { batchItem: (fork: ForkName | undefined) => sszJson(pickType(types, pick, requireFork(fork))) }
      : {}),
    inferVersion: opts.inferVersion,
    maxBytes: opts.maxBytes,
    maxSszBytes: opts.maxSszBytes,
  };
}

function requireFork(fork: ForkName | undefined): ForkName {
  if (fork === undefined) throw new ApiError(400, "Eth-Consensus-Version header is required");
  return fork;
}

// ---------------------------------------------------------------- helpers

/**
 * Length limit of the SSZ lists that wrap submissions and list responses (2**40, VALIDATOR_REGISTRY_LIMIT): a bound
 * for the encoding only; request sizes are limited by the body limit.
 */
const LIST_LIMIT = 2 ** 40;

const lists = new WeakMap<AnySszType, AnySszType>();

/** An SSZ list of `element` (cached per element type, so codecs built from it are cached too). */
export function listOf<S extends AnySszType>(element: S): Type<ValueOf<S>[]> {
  let list = lists.get(element);
  if (list === undefined) {
    // biome-ignore lint/suspicious/noExplicitAny: the element is basic or composite, checked at runtime
    const e = element as any;
    list = element.isBasic ? new ListBasicType(e, LIST_LIMIT) : new ListCompositeType(e, LIST_LIMIT);
    lists.set(element, list);
  }
  return list as Type<ValueOf<S>[]>;
}

/** The forks from `since` on. */
export function forksFrom(since: ForkName): ForkName[] {
  return FORK_NAMES.filter((f) => isForkAtLeast(f, since));
}
