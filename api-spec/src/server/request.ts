// Reads a request into a handler's arguments from the route-table entry: path and query parameters (each error
// names the parameter), Eth-Consensus-Version, and the body in JSON or SSZ. A batch submission is read item by item:
// items that do not parse become indexed failures and the others still reach the handler.
import { type ForkName, isForkName } from "@sextant/consensus";
import { ApiError, type IndexedFailure, InputError, show } from "../codec/errors.ts";
import { camelCase } from "../codec/json.ts";
import type { ParamSpec } from "../codec/params.ts";
import { CONSENSUS_VERSION_HEADER } from "../routes/meta.ts";
import type { AnyRoute, BodySpec } from "../routes/types.ts";
import { bodyMediaType, MIME } from "./negotiate.ts";

/** The parts of an HTTP request the decoder reads. */
export interface RawRequest {
  params: Record<string, string | undefined>;
  query: Record<string, string | string[] | undefined>;
  headers: Record<string, string | string[] | undefined>;
  /** Raw body bytes, undefined when none was sent. */
  body: Uint8Array | undefined;
}

/** A decoded request: the handler's arguments and, for batches, where each item came from. */
export interface DecodedRequest {
  args: Record<string, unknown>;
  /** Batch submissions: items that did not parse, and the request index of each item given to the handler. */
  batch?: { failures: IndexedFailure[]; indices: number[] };
}

function header(headers: RawRequest["headers"], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The values of a list parameter: repeated keys and comma-separated values, empty items dropped. */
function listValues(raw: string | string[] | undefined): string[] {
  if (raw === undefined) return [];
  const parts = Array.isArray(raw) ? raw : [raw];
  return parts
    .flatMap((p) => p.split(","))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function parseOne(spec: ParamSpec, name: string, raw: string): unknown {
  try {
    return (spec.codec ?? spec.items)!.parse(raw);
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`${spec.in} parameter ${name}`, e.detail);
    throw e;
  }
}

/** The camelCased parameter arguments of `route` from the path and query. */
export function decodeParams(route: AnyRoute, raw: RawRequest): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(route.params as Record<string, ParamSpec>)) {
    const key = camelCase(name);
    if (spec.in === "path") {
      const value = raw.params[name];
      if (value === undefined || value === "") throw new InputError(`path parameter ${name}`, "missing");
      args[key] = parseOne(spec, name, value);
      continue;
    }
    const value = raw.query[name];
    if (spec.flag) {
      if (value !== undefined) args[key] = true;
      continue;
    }
    if (spec.items) {
      const values = listValues(value);
      if (values.length === 0) {
        if (spec.required) throw new InputError(`query parameter ${name}`, "missing");
        continue;
      }
      if (spec.maxItems !== undefined && values.length > spec.maxItems) {
        throw new ApiError(
          spec.tooManyStatus ?? 400,
          `query parameter ${name}: at most ${spec.maxItems} values, got ${values.length}`,
        );
      }
      args[key] = values.map((v) => parseOne(spec, name, v));
      continue;
    }
    if (value === undefined) {
      if (spec.required) throw new InputError(`query parameter ${name}`, "missing");
      continue;
    }
    if (Array.isArray(value)) throw new InputError(`query parameter ${name}`, "given more than once");
    args[key] = parseOne(spec, name, value);
  }
  return args;
}

/**
 * Most values (array elements and object members) a JSON body may hold. Bodies are bounded in bytes, but a byte budget
 * alone is not a memory budget: 25 MiB of `1,1,1,…` parses into 13 million values (≈ 200 MiB of heap and most of a
 * second on the event loop). The largest real bodies hold far fewer: a block with blobs is mostly long hex strings
 * (tens of thousands of values), a POST of validator ids within the default 2 MiB limit is ~250,000.
 */
export const MAX_JSON_VALUES = 1 << 19;
/** Bodies up to this size cannot exceed MAX_JSON_VALUES (two bytes per value at least): no need to count. */
const COUNT_VALUES_ABOVE = 2 * MAX_JSON_VALUES;

/**
 * True when `bytes` (JSON text) holds more than `max` values, counting the commas and opening brackets outside
 * strings. Strings are skipped with indexOf (memchr), so a body of long hex strings costs little.
 */
export function jsonValuesExceed(bytes: Uint8Array, max: number): boolean {
  let count = 0;
  const n = bytes.length;
  for (let i = 0; i < n; i++) {
    const c = bytes[i];
    if (c === 0x22) {
      // Find the closing quote: one not preceded by an odd number of backslashes.
      let j = i;
      for (;;) {
        j = bytes.indexOf(0x22, j + 1);
        if (j < 0) return false; // unterminated: JSON.parse reports it
        let k = j - 1;
        while (bytes[k] === 0x5c) k--;
        if ((j - 1 - k) % 2 === 0) break;
      }
      i = j;
    } else if (c === 0x2c || c === 0x5b || c === 0x7b) {
      if (++count > max) return true;
    }
  }
  return false;
}

/** Parses JSON text; a syntax error is a 400 that says where, a body of too many values a 413. */
export function parseJson(bytes: Uint8Array): unknown {
  if (bytes.length > COUNT_VALUES_ABOVE && jsonValuesExceed(bytes, MAX_JSON_VALUES)) {
    throw new ApiError(
      413,
      `JSON body holds more than ${MAX_JSON_VALUES} values (arrays and objects together): send fewer items per request`,
    );
  }
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError("body", `malformed JSON: ${(e as Error).message}`);
  }
}

function requestVersion(spec: BodySpec, raw: RawRequest, json: () => unknown): ForkName | undefined {
  if (!spec.versioned) return undefined;
  const value = header(raw.headers, CONSENSUS_VERSION_HEADER);
  if (value !== undefined) {
    if (!isForkName(value)) throw new InputError("header Eth-Consensus-Version", `unknown fork ${show(value)}`);
    return value;
  }
  if (spec.versionOptional && spec.inferVersion) {
    const inferred = spec.inferVersion(json());
    if (inferred !== undefined) return inferred;
  }
  throw new InputError("header Eth-Consensus-Version", "missing");
}

/** The body argument (and `version` for versioned bodies) of `route`. */
function decodeBody(route: AnyRoute, raw: RawRequest, decoded: DecodedRequest): void {
  const spec = route.body as BodySpec | undefined;
  if (spec === undefined) return;
  const contentType = header(raw.headers, "content-type");
  const media = bodyMediaType(contentType);
  // An empty SSZ list is zero bytes: a body, not a missing one.
  const empty = raw.body === undefined || raw.body.length === 0;
  if (empty && !(media === "ssz" && contentType !== undefined)) {
    if (spec.required) throw new InputError("body", "missing");
    return;
  }
  if (media === undefined || (media === "ssz" && spec.ssz === undefined)) {
    const accepted = spec.ssz ? `${MIME.json} or ${MIME.ssz}` : MIME.json;
    throw new ApiError(415, `unsupported media type ${show(contentType ?? "(none)")}: send ${accepted}`);
  }
  const body = raw.body ?? new Uint8Array(0);
  let json: unknown;
  let parsed = false;
  const jsonValue = () => {
    if (!parsed) {
      json = parseJson(body);
      parsed = true;
    }
    return json;
  };
  const version = requestVersion(spec, raw, jsonValue);
  if (version !== undefined) decoded.args.version = version;
  if (media === "ssz") {
    const codec = spec.ssz!(version);
    if (codec === undefined) throw new ApiError(415, `no SSZ encoding for fork ${version}: send ${MIME.json}`);
    decoded.args.body = codec.deserialize(body);
    return;
  }
  const value = jsonValue();
  const item = spec.batchItem?.(version);
  if (item === undefined) {
    decoded.args.body = spec.json(version)!.fromJson(value, "body");
    return;
  }
  if (!Array.isArray(value)) throw new InputError("body", `expected an array, got ${show(value)}`);
  const items: unknown[] = [];
  const failures: IndexedFailure[] = [];
  const indices: number[] = [];
  value.forEach((v, i) => {
    try {
      items.push(item.fromJson(v, `body[${i}]`));
      indices.push(i);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      failures.push({ index: i, message: e.message });
    }
  });
  decoded.args.body = items;
  decoded.batch = { failures, indices };
}

/** The handler arguments of a request to `route`; throws ApiError (4xx) for anything malformed. */
export function decodeRequest(route: AnyRoute, raw: RawRequest): DecodedRequest {
  const decoded: DecodedRequest = { args: decodeParams(route, raw) };
  decodeBody(route, raw, decoded);
  return decoded;
}
