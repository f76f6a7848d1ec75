// Interop keys for devnets (`--interop-indexes 0..63`): the deterministic keys every client derives for
// validator indexes of a test network (consensus/bls/interop.ts). Never for a real network: anyone can derive them.
import { interopSecretKey, publicKeyFromSecret } from "@sextant/consensus/bls/index";
import type { PubkeyHex } from "../dataDir/layout.ts";
import { KeystoreError } from "./errors.ts";
import type { ValidatorKey } from "./loader.ts";

/** Most interop keys one flag may ask for (2^20: far beyond any devnet, small enough to catch a typo like 0..1e9). */
export const MAX_INTEROP_KEYS = 2 ** 20;

const RANGE_RE = /^(\d+)\.\.(\d+)$/;
const SINGLE_RE = /^\d+$/;

function invalid(spec: string, why: string): KeystoreError {
  return new KeystoreError(
    "INVALID_INTEROP_INDEXES",
    `--interop-indexes ${JSON.stringify(spec)}: ${why}; write ranges and lists of validator indexes, e.g. 0..63 or 0..7,16,20..23`,
    { spec },
  );
}

/**
 * Parses an interop index list: comma-separated items, each a single index (`5`) or an inclusive range
 * (`0..63` is the 64 indexes 0 to 63). Returns the indexes in ascending order; a repeated index, a reversed
 * range or more than MAX_INTEROP_KEYS indexes is an error.
 */
export function parseInteropIndexes(spec: string): number[] {
  const items = spec.split(",").map((s) => s.trim());
  if (spec.trim() === "") throw invalid(spec, "empty");
  const seen = new Set<number>();
  const add = (i: number) => {
    if (!Number.isSafeInteger(i)) throw invalid(spec, `${i} is not a valid index`);
    if (seen.has(i)) throw invalid(spec, `index ${i} appears twice`);
    if (seen.size >= MAX_INTEROP_KEYS) throw invalid(spec, `more than ${MAX_INTEROP_KEYS} indexes`);
    seen.add(i);
  };
  for (const item of items) {
    const range = RANGE_RE.exec(item);
    if (range !== null) {
      const from = Number(range[1]);
      const to = Number(range[2]);
      if (to < from) throw invalid(spec, `range ${item} is reversed`);
      if (to - from + 1 > MAX_INTEROP_KEYS) throw invalid(spec, `more than ${MAX_INTEROP_KEYS} indexes`);
      for (let i = from; i <= to; i++) add(i);
    } else if (SINGLE_RE.test(item)) add(Number(item));
    else throw invalid(spec, `${JSON.stringify(item)} is neither an index nor a range a..b`);
  }
  return [...seen].sort((a, b) => a - b);
}

/** The interop keys of these validator indexes, in the same order. */
export function interopValidatorKeys(indexes: readonly number[]): (ValidatorKey & { index: number })[] {
  return indexes.map((index) => {
    const secretKey = interopSecretKey(index);
    const pubkey = `0x${Buffer.from(publicKeyFromSecret(secretKey).toBytes()).toString("hex")}` as PubkeyHex;
    return { index, pubkey, secretKey };
  });
}
