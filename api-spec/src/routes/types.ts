// The shape of a route-table entry, and the handler, argument and result types derived from it. One entry says
// everything both sides need: operationId, method and path; how each path/query parameter is read and written; how
// the request body is read and written in JSON and SSZ (chosen by Eth-Consensus-Version where the type depends on
// the fork); how the response is read and written and which metadata it carries (in the JSON envelope and in the
// headers). The fastify adapter (server/) and the undici client (client/) are both generic over it.
import type { ForkName } from "@sextant/consensus";
import type { CamelCase, JsonCodec, Simplify } from "../codec/json.ts";
import type { ParamSpec } from "../codec/params.ts";
import type { SszCodec } from "../codec/ssz.ts";
import type { EventCodec } from "./events.ts";

/** HTTP methods of the two APIs. */
export type HttpMethod = "GET" | "POST" | "DELETE";

/**
 * Response metadata. In the JSON envelope under the snake_case names (`execution_optimistic`, ...); in the headers
 * upstream defines (Eth-Consensus-Version, Eth-Execution-Payload-Blinded, Eth-Execution-Payload-Value,
 * Eth-Consensus-Block-Value); for SSZ responses, where there is no envelope, also in Eth-Execution-Optimistic,
 * Eth-Finalized and Eth-Dependent-Root (the headers Lodestar and Nimbus use; not in the upstream document).
 */
export interface ResponseMeta {
  version: ForkName;
  executionOptimistic: boolean;
  finalized: boolean;
  dependentRoot: Uint8Array;
  executionPayloadBlinded: boolean;
  executionPayloadValue: bigint;
  consensusBlockValue: bigint;
  /**
   * Wei the block pays (`block_value` in the envelope of the deprecated v1/v2 block production answers): not upstream,
   * but what Lodestar's validator clients before the v3 endpoint read (they refuse an answer without it).
   */
  blockValue: bigint;
}

/** A metadata field name. */
export type MetaKey = keyof ResponseMeta;
/** The metadata of a response carrying fields M. */
export type MetaOf<M extends MetaKey> = Pick<ResponseMeta, M>;

/** Codecs of a request body (one JSON/SSZ pair per fork when it is versioned). */
export interface BodySpec<B = unknown, V extends boolean = boolean, Req extends boolean = boolean> {
  /** Request carries Eth-Consensus-Version and the body type depends on it. */
  versioned: V;
  /** Eth-Consensus-Version may be absent (deprecated v1 publishBlock): the server infers the fork from the slot. */
  versionOptional?: boolean;
  /** requestBody.required in the document: false lets the client send nothing (the handler gets undefined). */
  required: Req;
  /** JSON codec of the body for the request's fork (undefined for unversioned bodies). */
  json(version: ForkName | undefined): JsonCodec<B> | undefined;
  /** SSZ codec, when the operation accepts application/octet-stream bodies. */
  ssz?(version: ForkName | undefined): SszCodec<B> | undefined;
  /**
   * A batch submission: the body is a JSON array and items are read one by one; items that do not parse are
   * answered in the indexed failures body (the others still reach the handler). Gives the item codec.
   */
  batchItem?(version: ForkName | undefined): JsonCodec<unknown> | undefined;
  /** Largest accepted body, bytes (413 above); the server's default otherwise. */
  maxBytes?: number;
  /** Largest accepted SSZ body, bytes, when it differs from `maxBytes` (SSZ is about half the size of its JSON). */
  maxSszBytes?: number;
  /** The fork of a JSON body from its content (when Eth-Consensus-Version is optional and absent). */
  inferVersion?(json: unknown): ForkName | undefined;
}

/** How a response body is laid out. */
export type ResponseKind =
  /** `{...metadata, data}` (the common envelope). */
  | "data"
  /** The codec writes the whole body (fork choice dump, peers with `meta.count`, light-client updates list). */
  | "bare"
  /** No body (submissions answer 200 with nothing; keymanager 202/204; health). */
  | "empty"
  /** A Server-Sent Events stream (GET /eth/v1/events). */
  | "events";

/** Codecs and metadata of a response. */
export interface ResponseSpec<T = unknown, M extends MetaKey = MetaKey, K extends ResponseKind = ResponseKind> {
  kind: K;
  /** Metadata fields the response always carries. */
  meta: readonly M[];
  /** Success statuses a handler may answer with; the first is the default. */
  statuses: readonly number[];
  /** JSON codec of `data` (or of the whole body for "bare"), given the metadata. */
  json?(meta: MetaOf<M>): JsonCodec<T>;
  /** SSZ codec given the metadata, when the operation offers application/octet-stream. */
  ssz?(meta: MetaOf<M>): SszCodec<T> | undefined;
  /** Write the JSON in chunks (large lists: validators, balances, states). */
  stream?: boolean;
  /** The event codec of an "events" response. */
  events?: EventCodec<T>;
}

/** Parameters of a route keyed by their wire names. */
export type ParamSpecs = Record<string, ParamSpec<unknown, boolean>>;

/** One route-table entry. */
export interface RouteDef<
  P extends ParamSpecs = ParamSpecs,
  B = unknown,
  V extends boolean = boolean,
  T = unknown,
  M extends MetaKey = MetaKey,
  Req extends boolean = boolean,
  K extends ResponseKind = ResponseKind,
> {
  operationId: string;
  method: HttpMethod;
  /** Path template as in the OpenAPI document (`/eth/v1/beacon/states/{state_id}/root`). */
  path: string;
  params: P;
  body?: BodySpec<B, V, Req>;
  response: ResponseSpec<T, M, K>;
}

/** Any route of any table. */
// biome-ignore lint/suspicious/noExplicitAny: the table is heterogeneous; the derived types stay precise per entry
export type AnyRoute = RouteDef<any, any, any, any, any, any, any>;

/** A route table: operationId → entry. */
export type RouteTable = Record<string, AnyRoute>;

type ParamValue<S> = S extends ParamSpec<infer T, boolean> ? T : never;
type RequiredParams<P> = { [K in keyof P]: P[K] extends ParamSpec<unknown, true> ? K : never }[keyof P];
type OptionalParams<P> = { [K in keyof P]: P[K] extends ParamSpec<unknown, true> ? never : K }[keyof P];

/** Handler / client arguments of parameters P (camelCase names). */
export type ParamArgs<P> = { [K in RequiredParams<P> as CamelCase<K & string>]: ParamValue<P[K]> } & {
  [K in OptionalParams<P> as CamelCase<K & string>]?: ParamValue<P[K]>;
};

type BodyArgs<R extends AnyRoute> =
  NonNullable<R["body"]> extends BodySpec<infer B, infer V, infer Req>
    ? [B] extends [never]
      ? unknown
      : (Req extends true ? { body: B } : { body?: B }) & (V extends true ? { version: ForkName } : unknown)
    : unknown;

/** The arguments of route R: its parameters, `body` and, for versioned bodies, `version`. */
export type ArgsOf<R extends AnyRoute> = Simplify<ParamArgs<R["params"]> & BodyArgs<R>>;

/** The value of route R's response body (`data`). */
export type DataOf<R extends AnyRoute> = R extends RouteDef<ParamSpecs, unknown, boolean, infer T, MetaKey> ? T : never;
/** The metadata keys of route R. */
export type MetaKeysOf<R extends AnyRoute> =
  R extends RouteDef<ParamSpecs, unknown, boolean, unknown, infer M> ? M : never;

/** What a handler answers for route R. */
export type ResultOf<R extends AnyRoute> = R["response"]["kind"] extends "events"
  ? AsyncIterable<DataOf<R>>
  : R["response"]["kind"] extends "empty"
    ? // biome-ignore lint/suspicious/noConfusingVoidType: a handler of an empty response may return nothing
      void | { status?: number }
    : {
        /** The value, or a function giving it (called only when the answer is not served from the cache). */
        data: DataOf<R> | (() => DataOf<R>);
        status?: number;
        /**
         * The answer is the same for every request with this key (which must name everything it depends on,
         * metadata included): the server may send the bytes it encoded for an earlier request.
         */
        cacheKey?: string;
      } & ([MetaKeysOf<R>] extends [never] ? { meta?: Record<string, never> } : { meta: MetaOf<MetaKeysOf<R>> });

/** What the client returns for route R. */
export interface ApiResponse<T, M extends MetaKey> {
  status: number;
  data: T;
  meta: MetaOf<M>;
  /** The media type the body came in. */
  mediaType: "json" | "ssz" | "none";
}

/** The client's result type of route R. */
export type ResponseOf<R extends AnyRoute> = ApiResponse<DataOf<R>, MetaKeysOf<R>>;
