// Path and query parameters: each is read from its URL text and written back by the client. A parameter spec says
// where it lives (path or query), whether it is required, and — for arrays — how many items are allowed; the route
// table keys them by their wire name (`state_id`), the handler receives them camelCased (`stateId`).
import { fail, show } from "./errors.ts";
import type { Shape } from "./json.ts";

/** Reads and writes one parameter value from and to its URL text. */
export interface ParamCodec<T> {
  /** What it reads and writes (for tools walking the table). */
  shape: Shape;
  /** The value of `raw`; throws InputError (any path: the server names the parameter) when malformed. */
  parse(raw: string): T;
  format(value: T): string;
}

/** Where a parameter lives. */
export type ParamLocation = "path" | "query";

/** A parameter of a route: its location, codec and cardinality. */
export interface ParamSpec<T = unknown, R extends boolean = boolean> {
  in: ParamLocation;
  required: R;
  /** One value (`codec`) or a list (`items`; repeated and/or comma-separated in the query). */
  codec?: ParamCodec<T>;
  items?: ParamCodec<unknown>;
  /** A list parameter's maximum length, and the status answered above it (414 for validator ids, else 400). */
  maxItems?: number;
  tooManyStatus?: number;
  /** A query flag without a value (`?skip_randao_verification`): present means true. */
  flag?: boolean;
}

/** A required path parameter. */
export function pathParam<T>(codec: ParamCodec<T>): ParamSpec<T, true> {
  return { in: "path", required: true, codec };
}

/** An optional query parameter. */
export function queryParam<T>(codec: ParamCodec<T>): ParamSpec<T, false> {
  return { in: "query", required: false, codec };
}

/** A required query parameter. */
export function requiredQuery<T>(codec: ParamCodec<T>): ParamSpec<T, true> {
  return { in: "query", required: true, codec };
}

/** A list query parameter (`?id=1,2&id=3`); required when `required`. */
export function queryList<T, const R extends boolean = false>(
  items: ParamCodec<T>,
  opts: { required?: R; maxItems?: number; tooManyStatus?: number } = {},
): ParamSpec<T[], R> {
  return {
    in: "query",
    required: (opts.required ?? false) as R,
    items,
    maxItems: opts.maxItems,
    tooManyStatus: opts.tooManyStatus,
  };
}

/** A query flag with an empty value: `true` when present. */
export function queryFlag(): ParamSpec<boolean, false> {
  return { in: "query", required: false, flag: true };
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;
const HEX = /^0x([0-9a-fA-F]{2})*$/;
/** Decimal strings of at most 15 digits are below 2**53 (9007199254740991 has 16). */
const SAFE_DIGITS = 15;
/** 2**64: uint64 values are below it. */
const TWO_POW_64 = 1n << 64n;

/** uint64 as a number (a slot, epoch, index, period or count). */
export const uintParam: ParamCodec<number> = {
  shape: { kind: "uint", bits: 64, repr: "number" },
  parse(raw) {
    if (!DECIMAL.test(raw)) fail("", `expected an unsigned decimal integer, got ${show(raw)}`);
    // Up to 15 digits is below 2**53.
    if (raw.length <= SAFE_DIGITS) return Number(raw);
    const value = BigInt(raw);
    if (value >= TWO_POW_64) fail("", `${raw} does not fit in uint64`);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) fail("", `${raw} exceeds 2**53-1`);
    return Number(value);
  },
  format: (value) => String(value),
};

/** uint64 as an exact bigint (builder_boost_factor may be 2**64-1). */
export const uintBigParam: ParamCodec<bigint> = {
  shape: { kind: "uint", bits: 64, repr: "bigint" },
  parse(raw) {
    if (!DECIMAL.test(raw)) fail("", `expected an unsigned decimal integer, got ${show(raw)}`);
    const value = BigInt(raw);
    if (value >= TWO_POW_64) fail("", `${raw} does not fit in uint64`);
    return value;
  },
  format: (value) => value.toString(),
};

/** A (signed) integer in [min, max]: the health endpoint's `syncing_status` HTTP code. */
export function intParam(min: number, max: number): ParamCodec<number> {
  return {
    shape: { kind: "int", min, max },
    parse(raw) {
      if (!/^-?(0|[1-9][0-9]*)$/.test(raw)) fail("", `expected an integer, got ${show(raw)}`);
      const value = Number(raw);
      if (value < min || value > max) fail("", `expected an integer in [${min}, ${max}], got ${raw}`);
      return value;
    },
    format: (value) => String(value),
  };
}

/** 0x-prefixed hex of exactly `length` bytes. */
export function bytesParam(length: number): ParamCodec<Uint8Array> {
  return {
    shape: { kind: "bytes", length },
    parse(raw) {
      if (!HEX.test(raw) || raw.length !== 2 + 2 * length) {
        fail("", `expected 0x-prefixed hex of ${length} bytes, got ${show(raw)}`);
      }
      return new Uint8Array(Buffer.from(raw.slice(2), "hex"));
    },
    format: (value) => `0x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("hex")}`,
  };
}

/** Bytes of a root. */
export const ROOT_BYTES = 32;

/**
 * Graffiti (Bytes32): 0x-prefixed hex of 32 bytes as the spec says, or — what validator clients of the deprecated
 * block endpoints send (Lodestar ≤ 1.x) — text of at most 32 UTF-8 bytes, zero-padded. Written as hex.
 */
export const graffitiParam: ParamCodec<Uint8Array> = {
  shape: { kind: "bytes", length: ROOT_BYTES },
  parse(raw) {
    if (HEX.test(raw) && raw.length === 2 + 2 * ROOT_BYTES) return new Uint8Array(Buffer.from(raw.slice(2), "hex"));
    const text = Buffer.from(raw, "utf8");
    if (text.length > ROOT_BYTES || raw.startsWith("0x")) {
      fail(
        "",
        `expected 0x-prefixed hex of ${ROOT_BYTES} bytes or text of at most ${ROOT_BYTES} bytes, got ${show(raw)}`,
      );
    }
    const out = new Uint8Array(ROOT_BYTES);
    out.set(text);
    return out;
  },
  format: (value) => `0x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("hex")}`,
};
/** Bytes of a BLS public key. */
export const PUBKEY_BYTES = 48;
/** Bytes of a BLS signature. */
export const SIGNATURE_BYTES = 96;

/** A 32-byte root. */
export const rootParam = bytesParam(ROOT_BYTES);
/** A 48-byte BLS public key. */
export const pubkeyParam = bytesParam(PUBKEY_BYTES);
/** A 96-byte BLS signature (randao reveal). */
export const signatureParam = bytesParam(SIGNATURE_BYTES);

/** Any string (peer ids). */
export const stringParam: ParamCodec<string> = {
  shape: { kind: "string" },
  parse(raw) {
    if (raw.length === 0) fail("", "expected a non-empty string");
    return raw;
  },
  format: (value) => value,
};

/** One of the given strings. */
export function enumParam<const V extends readonly string[]>(values: V): ParamCodec<V[number]> {
  const set = new Set<string>(values);
  return {
    shape: { kind: "enum", values },
    parse(raw) {
      if (!set.has(raw)) fail("", `expected one of ${values.join(", ")}, got ${show(raw)}`);
      return raw as V[number];
    },
    format: (value) => value,
  };
}

/** Named states of a state id. */
export const STATE_ID_NAMES = ["head", "genesis", "finalized", "justified"] as const;
/** Named blocks of a block id. */
export const BLOCK_ID_NAMES = ["head", "genesis", "finalized"] as const;

/** A state id: a named state, a slot (number) or a state root (32 bytes). */
export type StateId = (typeof STATE_ID_NAMES)[number] | number | Uint8Array;
/** A block id: a named block, a slot (number) or a block root (32 bytes). */
export type BlockId = (typeof BLOCK_ID_NAMES)[number] | number | Uint8Array;

function namedOrSlotOrRoot<N extends string>(
  names: readonly N[],
  what: "state" | "block",
): ParamCodec<N | number | Uint8Array> {
  const set = new Set<string>(names);
  const expected = `${names.join(", ")}, a slot or a 0x-prefixed 32-byte ${what} root`;
  return {
    shape: { kind: what === "state" ? "stateId" : "blockId" },
    parse(raw) {
      if (set.has(raw)) return raw as N;
      if (raw.startsWith("0x")) {
        if (!HEX.test(raw) || raw.length !== 2 + 2 * ROOT_BYTES) fail("", `expected ${expected}, got ${show(raw)}`);
        return new Uint8Array(Buffer.from(raw.slice(2), "hex"));
      }
      if (!DECIMAL.test(raw)) fail("", `expected ${expected}, got ${show(raw)}`);
      return uintParam.parse(raw);
    },
    format: (value) => (value instanceof Uint8Array ? rootParam.format(value) : String(value)),
  };
}

/** state_id: head, genesis, finalized, justified, a slot or a state root. */
export const stateIdParam: ParamCodec<StateId> = namedOrSlotOrRoot(STATE_ID_NAMES, "state");
/** block_id: head, genesis, finalized, a slot or a block root. */
export const blockIdParam: ParamCodec<BlockId> = namedOrSlotOrRoot(BLOCK_ID_NAMES, "block");

/** A validator id: an index (number) or a public key (48 bytes). */
export type ValidatorId = number | Uint8Array;

/** validator_id / id: a validator index or a 0x-prefixed 48-byte public key. */
export const validatorIdParam: ParamCodec<ValidatorId> = {
  shape: { kind: "validatorId" },
  parse(raw) {
    if (raw.startsWith("0x")) {
      if (!HEX.test(raw) || raw.length !== 2 + 2 * PUBKEY_BYTES) {
        fail("", `expected a validator index or a 0x-prefixed 48-byte public key, got ${show(raw)}`);
      }
      return new Uint8Array(Buffer.from(raw.slice(2), "hex"));
    }
    if (!DECIMAL.test(raw))
      fail("", `expected a validator index or a 0x-prefixed 48-byte public key, got ${show(raw)}`);
    return uintParam.parse(raw);
  },
  format: (value) => (value instanceof Uint8Array ? pubkeyParam.format(value) : String(value)),
};
