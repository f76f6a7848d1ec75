// JSON codecs of the Beacon and Keymanager APIs: a value ⇄ the API's JSON, strict on input. Objects are defined by
// their JSON (snake_case) keys, exactly as the OpenAPI documents name them; the TypeScript value has the camelCase
// keys (`validator_index` ⇄ `validatorIndex`). Every reader takes the path of the value it reads, so a bad request
// answers with the field it got wrong (`body[3].validator_index: expected a decimal string, got 12`).
import { fail, show } from "./errors.ts";

/**
 * What a codec reads and writes, for tools that walk the table (the conformance tests generate random values and
 * compare fields with the OpenAPI schemas from it).
 */
export type Shape =
  | { kind: "uint"; bits: number; repr: "number" | "bigint" }
  | { kind: "int64" }
  /** A non-negative JSON number (not a string). */
  | { kind: "count" }
  | { kind: "bool" }
  | { kind: "string" }
  | { kind: "bytes"; length?: number }
  | { kind: "enum"; values: readonly string[] }
  | { kind: "array"; item: Shape; minItems?: number; maxItems?: number }
  | { kind: "object"; fields: readonly ObjectField[] }
  | { kind: "nullable"; inner: Shape }
  | { kind: "stringRecord" }
  | { kind: "anyObject" }
  /** An SSZ type's JSON (`type` is a @chainsafe/ssz type). */
  | { kind: "ssz"; type: unknown }
  /** One of several shapes, told apart by content. */
  | { kind: "union"; options: readonly Shape[] }
  /** `{version, data}` where data is the SSZ type of the fork (undefined: the fork has none). */
  | { kind: "versioned"; typeAt: (fork: string) => unknown }
  /** Parameter ids: a validator index or public key; a named state/block, a slot or a root. */
  | { kind: "validatorId" }
  | { kind: "stateId" }
  | { kind: "blockId" }
  | { kind: "int"; min: number; max: number };

/** A field of an object shape. */
export interface ObjectField {
  jsonKey: string;
  key: string;
  shape: Shape;
  optional: boolean;
}

/** Reads and writes one JSON value. */
export interface JsonCodec<T> {
  /** What it reads and writes. */
  shape: Shape;
  /** The JSON value (what JSON.stringify should write). */
  toJson(value: T): unknown;
  /** The value of `json`; throws InputError naming `path` when it is malformed. */
  fromJson(json: unknown, path: string): T;
  /**
   * The JSON text in pieces, for values too large to stringify at once (a million validators): present on codecs
   * that can split their output; callers fall back to JSON.stringify(toJson(value)).
   */
  jsonChunks?(value: T): Iterable<string>;
}

/** The value type of a codec. */
export type ValueOfCodec<C> = C extends JsonCodec<infer T> ? T : never;

/** `validator_index` → `validatorIndex`, `signed_header_1` → `signedHeader1` (type level). */
export type CamelCase<S extends string> = S extends `${infer H}_${infer T}` ? `${H}${Capitalize<CamelCase<T>>}` : S;

/** `validator_index` → `validatorIndex`, `signed_header_1` → `signedHeader1`. */
export function camelCase(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Chunks of JSON text for `value`: the codec's own pieces, or one string. */
export function jsonChunks<T>(codec: JsonCodec<T>, value: T): Iterable<string> {
  return codec.jsonChunks ? codec.jsonChunks(value) : [JSON.stringify(codec.toJson(value))];
}

/** Target size of a streamed JSON chunk: large enough to amortize the write, small enough to stay cache-friendly. */
export const JSON_CHUNK_CHARS = 64 * 1024;

/** A unsigned decimal string: the API's uint64 encoding. No sign, no spaces, no exponent. */
const DECIMAL = /^(0|[1-9][0-9]*)$/;
/** A signed decimal string (rewards are Int64). */
const SIGNED_DECIMAL = /^-?(0|[1-9][0-9]*)$/;
const HEX = /^0x([0-9a-fA-F]{2})*$/;
/** Decimal strings of at most 15 digits are below 2**53 (9007199254740991 has 16). */
const SAFE_DIGITS = 15;
const MAX_SAFE_BIGINT = BigInt(Number.MAX_SAFE_INTEGER);

/** Reads an unsigned integer of `bits` bits from a decimal string; a JSON number is an error (the API uses strings). */
export function parseUintString(json: unknown, bits: number, path: string): bigint {
  if (typeof json !== "string") fail(path, `expected a decimal string (uint${bits}), got ${show(json)}`);
  if (!DECIMAL.test(json)) fail(path, `expected a decimal string (uint${bits}), got ${show(json)}`);
  const value = BigInt(json);
  if (value >= 1n << BigInt(bits)) fail(path, `${json} does not fit in uint${bits}`);
  return value;
}

/** uint64 as a number; values above 2**53-1 are refused (no slot, epoch, index or Gwei amount gets there). */
export const uint64: JsonCodec<number> = {
  shape: { kind: "uint", bits: 64, repr: "number" },
  toJson: (value) => (value === Number.POSITIVE_INFINITY ? "18446744073709551615" : String(value)),
  fromJson(json, path) {
    // Up to 15 digits is below 2**53: no bigint needed (the common case, and 5x faster).
    if (typeof json === "string" && json.length <= SAFE_DIGITS && DECIMAL.test(json)) return Number(json);
    const value = parseUintString(json, 64, path);
    if (value > MAX_SAFE_BIGINT) fail(path, `${json} exceeds 2**53-1`);
    return Number(value);
  },
};

/** uint64 as an exact bigint. */
export const uint64Big: JsonCodec<bigint> = {
  shape: { kind: "uint", bits: 64, repr: "bigint" },
  toJson: (value) => value.toString(),
  fromJson: (json, path) => parseUintString(json, 64, path),
};

/** uint256 as a bigint (wei amounts). */
export const uint256: JsonCodec<bigint> = {
  shape: { kind: "uint", bits: 256, repr: "bigint" },
  toJson: (value) => value.toString(),
  fromJson: (json, path) => parseUintString(json, 256, path),
};

/** Int64 as a number (rewards and penalties may be negative). */
export const int64: JsonCodec<number> = {
  shape: { kind: "int64" },
  toJson: (value) => String(value),
  fromJson(json, path) {
    if (typeof json !== "string" || !SIGNED_DECIMAL.test(json)) {
      fail(path, `expected a signed decimal string (int64), got ${show(json)}`);
    }
    const value = Number(json);
    if (!Number.isSafeInteger(value)) fail(path, `${json} exceeds 2**53-1 in magnitude`);
    return value;
  },
};

/** A JSON boolean. */
export const bool: JsonCodec<boolean> = {
  shape: { kind: "bool" },
  toJson: (value) => value,
  fromJson(json, path) {
    if (typeof json !== "boolean") fail(path, `expected a boolean, got ${show(json)}`);
    return json;
  },
};

/** A JSON string. */
export const string: JsonCodec<string> = {
  shape: { kind: "string" },
  toJson: (value) => value,
  fromJson(json, path) {
    if (typeof json !== "string") fail(path, `expected a string, got ${show(json)}`);
    return json;
  },
};

/** Bytes as 0x-prefixed hex (either case on input), of exactly `length` bytes when given. */
export function hexBytes(length?: number): JsonCodec<Uint8Array> {
  return {
    shape: { kind: "bytes", length },
    toJson: (value) => `0x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("hex")}`,
    fromJson(json, path) {
      if (typeof json !== "string" || !HEX.test(json)) fail(path, `expected 0x-prefixed hex bytes, got ${show(json)}`);
      const bytes = new Uint8Array(Buffer.from(json.slice(2), "hex"));
      if (length !== undefined && bytes.length !== length) {
        fail(path, `expected ${length} bytes, got ${bytes.length}`);
      }
      return bytes;
    },
  };
}

/** One of the given strings. */
export function oneOf<const V extends readonly string[]>(values: V): JsonCodec<V[number]> {
  const set = new Set<string>(values);
  return {
    shape: { kind: "enum", values },
    toJson: (value) => value,
    fromJson(json, path) {
      if (typeof json !== "string" || !set.has(json))
        fail(path, `expected one of ${values.join(", ")}, got ${show(json)}`);
      return json as V[number];
    },
  };
}

/** Bounds of an array codec (OpenAPI minItems / maxItems). */
export interface ArrayBounds {
  minItems?: number;
  maxItems?: number;
}

/** A JSON array of `item`; streams element by element. */
export function arrayOf<T>(item: JsonCodec<T>, bounds: ArrayBounds = {}): JsonCodec<T[]> {
  return {
    shape: { kind: "array", item: item.shape, ...bounds },
    toJson: (value) => value.map((v) => item.toJson(v)),
    fromJson(json, path) {
      if (!Array.isArray(json)) fail(path, `expected an array, got ${show(json)}`);
      if (bounds.minItems !== undefined && json.length < bounds.minItems) {
        fail(path, `expected at least ${bounds.minItems} items, got ${json.length}`);
      }
      if (bounds.maxItems !== undefined && json.length > bounds.maxItems) {
        fail(path, `expected at most ${bounds.maxItems} items, got ${json.length}`);
      }
      const out = new Array<T>(json.length);
      for (let i = 0; i < json.length; i++) out[i] = item.fromJson(json[i], `${path}[${i}]`);
      return out;
    },
    jsonChunks: (value) => arrayChunks(value, item),
  };
}

/** `[a,b,c]` in pieces of about JSON_CHUNK_CHARS (each element stringified whole). */
export function* arrayChunks<T>(value: readonly T[], item: JsonCodec<T>): Iterable<string> {
  let buf = "[";
  for (let i = 0; i < value.length; i++) {
    if (i > 0) buf += ",";
    buf += JSON.stringify(item.toJson(value[i]));
    if (buf.length >= JSON_CHUNK_CHARS) {
      yield buf;
      buf = "";
    }
  }
  yield `${buf}]`;
}

/** A field whose key may be absent (OpenAPI: not in `required`). */
export interface OptionalField<T> {
  optional: JsonCodec<T>;
}

/** Marks an object field as optional: absent in JSON ⇄ undefined in the value. */
export function optional<T>(codec: JsonCodec<T>): OptionalField<T> {
  return { optional: codec };
}

/**
 * A required field (always written) that a reader tolerates missing, reading `fallback` instead — for fields that
 * upstream added later and that older servers omit.
 */
export interface DefaultedField<T> extends JsonCodec<T> {
  fallback: { value: T };
}

/** Marks a required field as read with `value` when a (older) peer leaves it out; it is still always written. */
export function withDefault<T>(codec: JsonCodec<T>, value: T): DefaultedField<T> {
  return { ...codec, fallback: { value } };
}

type FieldSpec = JsonCodec<unknown> | OptionalField<unknown>;
type RequiredKeys<F> = { [K in keyof F]: F[K] extends OptionalField<unknown> ? never : K }[keyof F];
type OptionalKeys<F> = { [K in keyof F]: F[K] extends OptionalField<unknown> ? K : never }[keyof F];
type FieldValue<S> = S extends OptionalField<infer T> ? T : S extends JsonCodec<infer T> ? T : never;

/** The value of an object codec: camelCase keys, optional fields optional. */
export type ObjectValue<F> = {
  [K in RequiredKeys<F> as CamelCase<K & string>]: FieldValue<F[K]>;
} & { [K in OptionalKeys<F> as CamelCase<K & string>]?: FieldValue<F[K]> };

/** Flattens an intersection for readable hover types. */
export type Simplify<T> = { [K in keyof T]: T[K] } & {};

interface FieldEntry {
  jsonKey: string;
  key: string;
  codec: JsonCodec<unknown>;
  optional: boolean;
  fallback?: { value: unknown };
}

/** Options of an object codec. */
export interface ObjectOptions {
  /** Refuse keys that are not fields (OpenAPI `additionalProperties: false`). Unknown keys are ignored otherwise. */
  closed?: boolean;
}

/**
 * A JSON object with the given fields, keyed by their JSON names. Unknown keys are ignored (no schema of the Beacon
 * API v4.0.0 forbids them) unless `closed`.
 */
export function object<const F extends Record<string, FieldSpec>>(
  fields: F,
  options: ObjectOptions = {},
): JsonCodec<Simplify<ObjectValue<F>>> & { fields: F } {
  const entries: FieldEntry[] = Object.entries(fields).map(([jsonKey, spec]) =>
    "optional" in spec
      ? { jsonKey, key: camelCase(jsonKey), codec: spec.optional, optional: true }
      : {
          jsonKey,
          key: camelCase(jsonKey),
          codec: spec,
          optional: false,
          fallback: (spec as Partial<DefaultedField<unknown>>).fallback,
        },
  );
  const known = new Set(entries.map((e) => e.jsonKey));
  return {
    fields,
    shape: {
      kind: "object",
      fields: entries.map((e) => ({ jsonKey: e.jsonKey, key: e.key, shape: e.codec.shape, optional: e.optional })),
    },
    toJson(value) {
      const v = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const e of entries) {
        const fieldValue = v[e.key];
        if (fieldValue === undefined && e.optional) continue;
        out[e.jsonKey] = e.codec.toJson(fieldValue);
      }
      return out;
    },
    fromJson(json, path) {
      if (typeof json !== "object" || json === null || Array.isArray(json)) {
        fail(path, `expected an object, got ${show(json)}`);
      }
      const obj = json as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const e of entries) {
        const fieldJson = obj[e.jsonKey];
        const fieldPath = path === "" ? e.jsonKey : `${path}.${e.jsonKey}`;
        if (fieldJson === undefined) {
          if (e.fallback !== undefined) out[e.key] = e.fallback.value;
          else if (!e.optional) fail(fieldPath, "missing");
          continue;
        }
        out[e.key] = e.codec.fromJson(fieldJson, fieldPath);
      }
      if (options.closed) {
        for (const key of Object.keys(obj))
          if (!known.has(key)) fail(path === "" ? key : `${path}.${key}`, "unknown field");
      }
      return out as Simplify<ObjectValue<F>>;
    },
  };
}

/** A value where `null` is read as absent (undefined) — for fields documented "may be null" but typed without null. */
export function nullAsAbsent<T>(codec: JsonCodec<T>): JsonCodec<T | undefined> {
  return {
    shape: codec.shape,
    toJson: (value) => (value === undefined ? null : codec.toJson(value)),
    fromJson: (json, path) => (json === null ? undefined : codec.fromJson(json, path)),
  };
}

/** `null` or a value. */
export function nullable<T>(codec: JsonCodec<T>): JsonCodec<T | null> {
  return {
    shape: { kind: "nullable", inner: codec.shape },
    toJson: (value) => (value === null ? null : codec.toJson(value)),
    fromJson: (json, path) => (json === null ? null : codec.fromJson(json, path)),
  };
}

/** A JSON object with string values (the config spec). */
export const stringRecord: JsonCodec<Record<string, string>> = {
  shape: { kind: "stringRecord" },
  toJson: (value) => value,
  fromJson(json, path) {
    if (typeof json !== "object" || json === null || Array.isArray(json)) {
      fail(path, `expected an object, got ${show(json)}`);
    }
    for (const [k, v] of Object.entries(json)) if (typeof v !== "string") fail(`${path}.${k}`, "expected a string");
    return json as Record<string, string>;
  },
};

/** Any JSON object, kept as it is (free-form `extra_data`). */
export const anyObject: JsonCodec<Record<string, unknown>> = {
  shape: { kind: "anyObject" },
  toJson: (value) => value,
  fromJson(json, path) {
    if (typeof json !== "object" || json === null || Array.isArray(json)) {
      fail(path, `expected an object, got ${show(json)}`);
    }
    return json as Record<string, unknown>;
  },
};
