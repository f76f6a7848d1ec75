// JSON and SSZ codecs from the consensus SSZ types. The types already write the Beacon API's JSON; reading goes
// through a strict walker instead of `type.fromJson`, for two reasons: the API encodes every uint as a decimal
// *string* (the types tolerate JSON numbers), and a bad request must be told which field is wrong
// (`body.message.slot: expected a decimal string (uint64), got 12`). The walker builds the same value
// representation as the library (plain objects, arrays, Uint8Array, BitArray).
import {
  BitListType,
  BitVectorType,
  BooleanType,
  ByteListType,
  ByteVectorType,
  ContainerType,
  ListBasicType,
  ListCompositeType,
  ListUintNum64Type,
  type Type,
  UintBigintType,
  UintNumberType,
  type ValueOf,
  VectorBasicType,
  VectorCompositeType,
} from "@chainsafe/ssz";
import { fail, InputError, show } from "./errors.ts";
import { arrayChunks, JSON_CHUNK_CHARS, type JsonCodec } from "./json.ts";

/** Reads and writes SSZ bytes. */
export interface SszCodec<T> {
  serialize(value: T): Uint8Array;
  deserialize(bytes: Uint8Array): T;
}

/** Any @chainsafe/ssz type. */
// biome-ignore lint/suspicious/noExplicitAny: the walker handles every type kind by its class
export type AnySszType = Type<any>;

type Reader = (json: unknown, path: string) => unknown;

/** What the walker reads of a list or vector type. */
interface ArrayLike {
  elementType: AnySszType;
  length?: number;
  limit?: number;
}

const readers = new WeakMap<AnySszType, Reader>();

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** Lists with more elements than this are written in chunks when streaming (validators, balances). */
const STREAM_LIST_MIN = 1024;

function leaf(type: AnySszType, check: (json: unknown, path: string) => void): Reader {
  return (json, path) => {
    check(json, path);
    try {
      return type.fromJson(json);
    } catch (e) {
      fail(path, (e as Error).message);
    }
  };
}

function expectString(what: string): (json: unknown, path: string) => void {
  return (json, path) => {
    if (typeof json !== "string") fail(path, `expected ${what}, got ${show(json)}`);
  };
}

function compile(type: AnySszType): Reader {
  const cached = readers.get(type);
  if (cached) return cached;
  let reader: Reader;
  if (type instanceof ContainerType) {
    // ContainerNodeStructType derives from ContainerType: same fields and value representation.
    const fields = type.fieldsEntries.map((e) => ({
      key: e.fieldName as string,
      jsonKey: e.jsonKey,
      type: e.fieldType as AnySszType,
    }));
    let fieldReaders: Reader[] | undefined;
    reader = (json, path) => {
      if (typeof json !== "object" || json === null || Array.isArray(json)) {
        fail(path, `expected an object, got ${show(json)}`);
      }
      fieldReaders ??= fields.map((f) => compile(f.type));
      const obj = json as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (let i = 0; i < fields.length; i++) {
        const f = fields[i];
        const fieldPath = path === "" ? f.jsonKey : `${path}.${f.jsonKey}`;
        const v = obj[f.jsonKey];
        if (v === undefined) fail(fieldPath, "missing");
        out[f.key] = fieldReaders[i](v, fieldPath);
      }
      return out;
    };
  } else if (
    type instanceof ListBasicType ||
    type instanceof ListCompositeType ||
    type instanceof ListUintNum64Type ||
    type instanceof VectorBasicType ||
    type instanceof VectorCompositeType
  ) {
    const isVector = type instanceof VectorBasicType || type instanceof VectorCompositeType;
    const arrayType = type as unknown as ArrayLike;
    const bound = isVector ? (arrayType.length as number) : (arrayType.limit as number);
    const element = arrayType.elementType;
    let elementReader: Reader | undefined;
    reader = (json, path) => {
      if (!Array.isArray(json)) fail(path, `expected an array, got ${show(json)}`);
      if (isVector && json.length !== bound) fail(path, `expected ${bound} items, got ${json.length}`);
      if (!isVector && json.length > bound) fail(path, `expected at most ${bound} items, got ${json.length}`);
      elementReader ??= compile(element);
      const out = new Array(json.length);
      for (let i = 0; i < json.length; i++) out[i] = elementReader(json[i], `${path}[${i}]`);
      return out;
    };
  } else if (type instanceof UintNumberType || type instanceof UintBigintType) {
    const bits = type.byteLength * 8;
    reader = leaf(type, (json, path) => {
      if (typeof json !== "string" || !DECIMAL.test(json)) {
        fail(path, `expected a decimal string (uint${bits}), got ${show(json)}`);
      }
    });
  } else if (type instanceof BooleanType) {
    reader = (json, path) => {
      if (typeof json !== "boolean") fail(path, `expected a boolean, got ${show(json)}`);
      return json;
    };
  } else if (
    type instanceof ByteVectorType ||
    type instanceof ByteListType ||
    type instanceof BitListType ||
    type instanceof BitVectorType
  ) {
    reader = leaf(type, expectString("0x-prefixed hex"));
  } else {
    throw new Error(`no JSON reader for SSZ type ${type.typeName}`);
  }
  readers.set(type, reader);
  return reader;
}

/** Reads the API JSON of an SSZ type strictly; throws InputError naming the path of the first bad value. */
export function readSszJson<T extends AnySszType>(type: T, json: unknown, path: string): ValueOf<T> {
  return compile(type)(json, path) as ValueOf<T>;
}

/** JSON text of an SSZ value in pieces: large lists (validators, balances) element by element. */
export function* sszJsonChunks(type: AnySszType, value: unknown): Iterable<string> {
  if (type instanceof ContainerType) {
    const v = value as Record<string, unknown>;
    let buf = "{";
    for (let i = 0; i < type.fieldsEntries.length; i++) {
      const e = type.fieldsEntries[i];
      buf += `${i === 0 ? "" : ","}${JSON.stringify(e.jsonKey)}:`;
      const fieldValue = v[e.fieldName as string];
      if (Array.isArray(fieldValue) && fieldValue.length >= STREAM_LIST_MIN) {
        yield buf;
        buf = "";
        yield* sszJsonChunks(e.fieldType as AnySszType, fieldValue);
      } else {
        buf += JSON.stringify((e.fieldType as AnySszType).toJson(fieldValue));
        if (buf.length >= JSON_CHUNK_CHARS) {
          yield buf;
          buf = "";
        }
      }
    }
    yield `${buf}}`;
    return;
  }
  const element = (type as unknown as Partial<ArrayLike>).elementType;
  if (Array.isArray(value) && element !== undefined) {
    yield* arrayChunks(value, sszJson(element));
    return;
  }
  yield JSON.stringify(type.toJson(value));
}

const jsonCodecs = new WeakMap<AnySszType, JsonCodec<unknown>>();

/** The API JSON codec of an SSZ type (strict reader, streaming writer). */
export function sszJson<T extends AnySszType>(type: T): JsonCodec<ValueOf<T>> {
  let codec = jsonCodecs.get(type);
  if (codec === undefined) {
    codec = {
      shape: { kind: "ssz", type },
      toJson: (value) => type.toJson(value),
      fromJson: (json, path) => readSszJson(type, json, path),
      jsonChunks: (value) => sszJsonChunks(type, value),
    };
    jsonCodecs.set(type, codec);
  }
  return codec as JsonCodec<ValueOf<T>>;
}

/** SSZ bytes of an SSZ type; malformed bytes are an InputError (400). */
export function sszBytes<T extends AnySszType>(type: T): SszCodec<ValueOf<T>> {
  return {
    serialize: (value) => type.serialize(value),
    deserialize(bytes) {
      try {
        return type.deserialize(bytes) as ValueOf<T>;
      } catch (e) {
        throw new InputError("body", `invalid SSZ ${type.typeName}: ${(e as Error).message}`);
      }
    },
  };
}
