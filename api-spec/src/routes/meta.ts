// Response metadata in the JSON envelope and in headers: one record per field with its JSON key, its header name
// and how its value is written in each. The server writes both; the client reads the envelope for JSON bodies and the
// headers for SSZ bodies (which have no envelope).
import { FORK_NAMES, type ForkName } from "@sextant/consensus";
import { fail, show } from "../codec/errors.ts";
import { bool, hexBytes, type JsonCodec, oneOf, uint256 } from "../codec/json.ts";
import type { MetaKey, ResponseMeta } from "./types.ts";

/** How one metadata field is carried. */
export interface MetaField<K extends MetaKey = MetaKey> {
  key: K;
  /** Key in the JSON envelope. */
  jsonKey: string;
  /** Response header (lower-case, as node's http module reports them). */
  header: string;
  json: JsonCodec<ResponseMeta[K]>;
  /** Header text of a value, and back. */
  toHeader(value: ResponseMeta[K]): string;
  fromHeader(text: string, path: string): ResponseMeta[K];
  /**
   * What a reader takes when the field is absent, for fields older nodes do not send (finalized came in 2023,
   * execution_optimistic in 2022; their SSZ headers are not upstream at all). Absent: the field is required.
   */
  absent?: ResponseMeta[K];
}

const forkName = oneOf(FORK_NAMES);
const root = hexBytes(32);

function boolHeader(text: string, path: string): boolean {
  if (text === "true") return true;
  if (text === "false") return false;
  return fail(path, `expected true or false, got ${show(text)}`);
}

/** Every metadata field, in the order the envelope writes them (upstream's order: version first, data last). */
export const META_FIELDS: { readonly [K in MetaKey]: MetaField<K> } = {
  version: {
    key: "version",
    jsonKey: "version",
    header: "eth-consensus-version",
    json: forkName,
    toHeader: (v) => v,
    fromHeader: (text, path) => forkName.fromJson(text, path) as ForkName,
  },
  executionOptimistic: {
    key: "executionOptimistic",
    absent: false,
    jsonKey: "execution_optimistic",
    header: "eth-execution-optimistic",
    json: bool,
    toHeader: String,
    fromHeader: boolHeader,
  },
  finalized: {
    key: "finalized",
    absent: false,
    jsonKey: "finalized",
    header: "eth-finalized",
    json: bool,
    toHeader: String,
    fromHeader: boolHeader,
  },
  dependentRoot: {
    key: "dependentRoot",
    jsonKey: "dependent_root",
    header: "eth-dependent-root",
    json: root,
    toHeader: (v) => root.toJson(v) as string,
    fromHeader: (text, path) => root.fromJson(text, path),
  },
  executionPayloadBlinded: {
    key: "executionPayloadBlinded",
    jsonKey: "execution_payload_blinded",
    header: "eth-execution-payload-blinded",
    json: bool,
    toHeader: String,
    fromHeader: boolHeader,
  },
  executionPayloadValue: {
    key: "executionPayloadValue",
    jsonKey: "execution_payload_value",
    header: "eth-execution-payload-value",
    json: uint256,
    toHeader: (v) => v.toString(),
    fromHeader: (text, path) => uint256.fromJson(text, path),
  },
  consensusBlockValue: {
    key: "consensusBlockValue",
    jsonKey: "consensus_block_value",
    header: "eth-consensus-block-value",
    json: uint256,
    toHeader: (v) => v.toString(),
    fromHeader: (text, path) => uint256.fromJson(text, path),
  },
  blockValue: {
    key: "blockValue",
    absent: 0n,
    jsonKey: "block_value",
    header: "eth-block-value",
    json: uint256,
    toHeader: (v) => v.toString(),
    fromHeader: (text, path) => uint256.fromJson(text, path),
  },
};

/** Order of the envelope's metadata keys. */
export const META_ORDER: readonly MetaKey[] = [
  "version",
  "executionPayloadBlinded",
  "executionPayloadValue",
  "consensusBlockValue",
  "blockValue",
  "executionOptimistic",
  "finalized",
  "dependentRoot",
];

/** The request header naming the fork of a versioned body. */
export const CONSENSUS_VERSION_HEADER = "eth-consensus-version";

/** The metadata `keys` of `meta` as JSON envelope entries (in envelope order). */
export function metaToJson(keys: readonly MetaKey[], meta: Partial<ResponseMeta>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of META_ORDER) {
    if (!keys.includes(key)) continue;
    const field = META_FIELDS[key] as MetaField;
    const value = meta[key];
    if (value === undefined) throw new Error(`response metadata ${key} is missing`);
    out[field.jsonKey] = field.json.toJson(value);
  }
  return out;
}

/** The metadata `keys` as response headers. */
export function metaToHeaders(keys: readonly MetaKey[], meta: Partial<ResponseMeta>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of keys) {
    const field = META_FIELDS[key] as MetaField;
    const value = meta[key];
    if (value === undefined) throw new Error(`response metadata ${key} is missing`);
    out[field.header] = field.toHeader(value);
  }
  return out;
}

/** Reads metadata `keys` from a JSON envelope. */
export function metaFromJson(keys: readonly MetaKey[], body: Record<string, unknown>): Partial<ResponseMeta> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const field = META_FIELDS[key] as MetaField;
    const json = body[field.jsonKey];
    if (json === undefined) {
      if (field.absent === undefined) fail(field.jsonKey, "missing");
      out[key] = field.absent;
      continue;
    }
    out[key] = field.json.fromJson(json, field.jsonKey);
  }
  return out as Partial<ResponseMeta>;
}

/** Reads metadata `keys` from response headers (lower-case names). */
export function metaFromHeaders(
  keys: readonly MetaKey[],
  headers: Record<string, string | string[] | undefined>,
): Partial<ResponseMeta> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const field = META_FIELDS[key] as MetaField;
    const raw = headers[field.header];
    const text = Array.isArray(raw) ? raw[0] : raw;
    if (text === undefined) {
      if (field.absent === undefined) fail(field.header, "missing header");
      out[key] = field.absent;
      continue;
    }
    out[key] = field.fromHeader(text, field.header);
  }
  return out as Partial<ResponseMeta>;
}
