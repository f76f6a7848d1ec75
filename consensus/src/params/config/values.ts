// Decoding and encoding of single chain-config values in the spec's YAML form (as read with the failsafe
// schema, every scalar is a string). The kind of a key is the kind of its value in the reference config.
import { fromHex, toHex } from "../../util/hex.ts";
import { ConfigError } from "../errors.ts";
import type { BlobScheduleEntry } from "./chainConfig.ts";

/** 2**64 - 1: the spec's FAR_FUTURE_EPOCH and the largest uint64; decoded as Infinity. */
export const FAR_FUTURE = 2n ** 64n - 1n;
/** Largest TERMINAL_TOTAL_DIFFICULTY: it is a uint256. */
const MAX_UINT256 = 2n ** 256n - 1n;
/** A plain unsigned decimal integer, the only number syntax the spec's configs use. */
const DECIMAL = /^[0-9]+$/;

/** What a chain-config value is, derived from the value itself. */
export type ValueKind =
  | { readonly type: "string" }
  | { readonly type: "bigint" }
  | { readonly type: "number" }
  | { readonly type: "bytes"; readonly length: number }
  | { readonly type: "blobSchedule" };

/** The kind of a config value (the template decides: a reference config's value for the same key). */
export function kindOfValue(template: unknown): ValueKind {
  if (typeof template === "string") return { type: "string" };
  if (typeof template === "bigint") return { type: "bigint" };
  if (typeof template === "number") return { type: "number" };
  if (template instanceof Uint8Array) return { type: "bytes", length: template.length };
  if (Array.isArray(template)) return { type: "blobSchedule" };
  throw new Error(`no config value kind for ${String(template)}`);
}

function invalid(key: string, raw: unknown, what: string): ConfigError {
  const value = typeof raw === "string" ? raw : JSON.stringify(raw);
  return new ConfigError("INVALID_VALUE", `${key}: ${what}, got ${JSON.stringify(value)}`, { key, value });
}

function scalar(key: string, raw: unknown): string {
  if (typeof raw !== "string" || raw.length === 0) throw invalid(key, raw, "expected a single non-empty value");
  return raw;
}

/** A uint64 as a number: 2**64-1 becomes Infinity; other values above 2**53-1 cannot be held exactly. */
export function decodeUint64(key: string, raw: unknown): number {
  const s = scalar(key, raw);
  if (!DECIMAL.test(s)) throw invalid(key, raw, "expected an unsigned decimal integer");
  const n = BigInt(s);
  if (n === FAR_FUTURE) return Infinity;
  if (n > FAR_FUTURE) throw invalid(key, raw, "expected a uint64 (at most 2**64-1)");
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw invalid(key, raw, "expected at most 2**53-1 or exactly 2**64-1 (FAR_FUTURE_EPOCH)");
  }
  return Number(n);
}

function decodeBigint(key: string, raw: unknown): bigint {
  const s = scalar(key, raw);
  if (!DECIMAL.test(s)) throw invalid(key, raw, "expected an unsigned decimal integer");
  const n = BigInt(s);
  if (n > MAX_UINT256) throw invalid(key, raw, "expected a uint256 (at most 2**256-1)");
  return n;
}

/** A 0x-prefixed hex string of exactly `length` bytes. */
export function decodeBytes(key: string, raw: unknown, length: number): Uint8Array {
  const s = scalar(key, raw);
  if (!/^0x[0-9a-fA-F]*$/.test(s)) throw invalid(key, raw, `expected 0x-prefixed hex of ${length} bytes`);
  if (s.length !== 2 + 2 * length) {
    throw invalid(key, raw, `expected ${length} bytes (${2 * length} hex digits), not ${(s.length - 2) / 2}`);
  }
  return fromHex(s);
}

function decodeBlobSchedule(key: string, raw: unknown, warnings: string[]): BlobScheduleEntry[] {
  if (!Array.isArray(raw)) throw invalid(key, raw, "expected a list of {EPOCH, MAX_BLOBS_PER_BLOCK} entries");
  return raw.map((entry: unknown, i) => {
    const at = `${key}[${i}]`;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      throw invalid(at, entry, "expected a mapping with EPOCH and MAX_BLOBS_PER_BLOCK");
    }
    const fields = entry as Record<string, unknown>;
    for (const field of ["EPOCH", "MAX_BLOBS_PER_BLOCK"]) {
      if (!(field in fields)) throw invalid(`${at}.${field}`, entry, "missing");
    }
    for (const extra of Object.keys(fields).filter((f) => f !== "EPOCH" && f !== "MAX_BLOBS_PER_BLOCK")) {
      warnings.push(`${at}.${extra}: unknown field, ignored`);
    }
    return {
      EPOCH: decodeUint64(`${at}.EPOCH`, fields.EPOCH),
      MAX_BLOBS_PER_BLOCK: decodeUint64(`${at}.MAX_BLOBS_PER_BLOCK`, fields.MAX_BLOBS_PER_BLOCK),
    };
  });
}

/**
 * Decodes the failsafe-parsed YAML value `raw` of `key` to the kind of `template`. Throws INVALID_VALUE
 * naming the key and what is wrong; pushes non-fatal observations to `warnings`.
 */
export function decodeValue(key: string, raw: unknown, template: unknown, warnings: string[]): unknown {
  const kind = kindOfValue(template);
  switch (kind.type) {
    case "string":
      return scalar(key, raw);
    case "bigint":
      return decodeBigint(key, raw);
    case "number":
      return decodeUint64(key, raw);
    case "bytes":
      return decodeBytes(key, raw, kind.length);
    case "blobSchedule":
      return decodeBlobSchedule(key, raw, warnings);
  }
}

/** A YAML single-quoted scalar ('' escapes a quote). */
function quote(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

function encodeNumber(n: number): string {
  return n === Infinity ? FAR_FUTURE.toString() : String(n);
}

/** The YAML text of one config entry (`KEY: value`, or a block list for BLOB_SCHEDULE), without newline. */
export function encodeEntry(key: string, value: unknown): string {
  if (typeof value === "string") return `${key}: ${quote(value)}`;
  if (typeof value === "bigint") return `${key}: ${value.toString()}`;
  if (typeof value === "number") return `${key}: ${encodeNumber(value)}`;
  if (value instanceof Uint8Array) return `${key}: ${toHex(value)}`;
  if (Array.isArray(value)) {
    if (value.length === 0) return `${key}: []`;
    const items = (value as BlobScheduleEntry[]).map(
      (e) => `  - EPOCH: ${encodeNumber(e.EPOCH)}\n    MAX_BLOBS_PER_BLOCK: ${encodeNumber(e.MAX_BLOBS_PER_BLOCK)}`,
    );
    return `${key}:\n${items.join("\n")}`;
  }
  throw new Error(`cannot encode config value of ${key}`);
}
