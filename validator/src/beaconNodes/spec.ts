// Is a beacon node on our chain? The pool reads each node's GET /eth/v1/config/spec once and refuses a node whose
// network (fork versions and epochs), preset or slot timing differs from the validator client's: duties computed
// or messages signed against another fork schedule are lost at best, slashable on the wrong chain at worst.
// Also: a chain config built from a node's spec, for devnets where the operator says "use the node's config".
import type { ChainConfig } from "@sextant/consensus/params/config/chainConfig";
import { decodeValue } from "@sextant/consensus/params/config/values";
import {
  ATTESTATION_SUBNET_COUNT,
  SYNC_COMMITTEE_SUBNET_COUNT,
  TARGET_AGGREGATORS_PER_COMMITTEE,
  TARGET_AGGREGATORS_PER_SYNC_SUBCOMMITTEE,
} from "@sextant/consensus/params/constants";
import { ConfigError } from "@sextant/consensus/params/errors";
import type { Preset } from "@sextant/consensus/params/presets/preset";
import { DOMAIN_TYPES } from "@sextant/consensus/signing/domainTypes";
import { toHex } from "@sextant/consensus/util/hex";

/** 2**64-1 (FAR_FUTURE_EPOCH), as the API writes it. */
const FAR_FUTURE = (2n ** 64n - 1n).toString();
/** A fork key of the config: <NAME>_FORK_EPOCH or <NAME>_FORK_VERSION. */
const FORK_KEY = /^([A-Z0-9]+)_FORK_(EPOCH|VERSION)$/;
/** Reasons listed at most (the first mismatch is usually enough to see the node is on another chain). */
const MAX_REASONS = 3;

/**
 * The preset values the validator client computes with: committees and their sizes (attester duties, aggregation
 * selection), sync committees (periods, subcommittees), the seed lookahead (how far ahead duties are known).
 */
const PRESET_KEYS = [
  "SLOTS_PER_EPOCH",
  "MAX_COMMITTEES_PER_SLOT",
  "TARGET_COMMITTEE_SIZE",
  "MAX_VALIDATORS_PER_COMMITTEE",
  "SHUFFLE_ROUND_COUNT",
  "MIN_SEED_LOOKAHEAD",
  "MAX_SEED_LOOKAHEAD",
  "SYNC_COMMITTEE_SIZE",
  "EPOCHS_PER_SYNC_COMMITTEE_PERIOD",
] as const satisfies readonly (keyof Preset)[];

/** Constants the validator client relies on (aggregator selection, subnets); a node serves them in its spec. */
const CONSTANTS: Readonly<Record<string, number>> = {
  TARGET_AGGREGATORS_PER_COMMITTEE,
  TARGET_AGGREGATORS_PER_SYNC_SUBCOMMITTEE,
  SYNC_COMMITTEE_SUBNET_COUNT,
  ATTESTATION_SUBNET_COUNT,
};

/** A config or spec value in one comparable form: decimal for integers (2**64-1 for Infinity), lower-case hex. */
function canonical(value: unknown): string | undefined {
  if (typeof value === "number") {
    if (value === Infinity) return FAR_FUTURE;
    return Number.isSafeInteger(value) ? String(value) : undefined;
  }
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return toHex(value).toLowerCase();
  if (typeof value === "string") {
    if (/^[0-9]+$/.test(value)) return BigInt(value).toString();
    if (/^0x[0-9a-fA-F]*$/.test(value)) return value.toLowerCase();
    return value;
  }
  return undefined;
}

/** How a value is shown in a reason: FAR_FUTURE spelled out. */
function shown(value: string): string {
  return value === FAR_FUTURE ? `${value} (FAR_FUTURE_EPOCH)` : value;
}

/**
 * Why a beacon node's spec (GET /eth/v1/config/spec) is not compatible with ours, or undefined when it is.
 *
 * Compared when present on both sides: PRESET_BASE, the preset values duties depend on (SLOTS_PER_EPOCH,
 * committee and sync-committee sizes, seed lookahead…), the constants of aggregation and subnets
 * (TARGET_AGGREGATORS_PER_COMMITTEE…), the signing domains (DOMAIN_*), GENESIS_FORK_VERSION, every
 * <FORK>_FORK_VERSION and <FORK>_FORK_EPOCH, SECONDS_PER_SLOT and SLOT_DURATION_MS. A key absent on one side is not
 * compared, except forks:
 * - a fork our config schedules (finite epoch) that the node does not know (no <FORK>_FORK_EPOCH: an older node)
 *   is incompatible: the node would not follow the chain past it;
 * - a fork the node schedules (finite epoch) that our config does not define (a newer fork than this client knows)
 *   is incompatible too: we could not sign for it.
 * The reason names the key and both values, e.g. "GENESIS_FORK_VERSION 0x00000001 ≠ ours 0x00000000".
 */
export function checkSpecCompatible(
  ours: { config: ChainConfig; preset: Preset },
  theirs: Record<string, unknown>,
): string | undefined {
  const reasons: string[] = [];
  const compare = (key: string, ourValue: unknown) => {
    if (!Object.hasOwn(theirs, key)) return;
    const a = canonical(ourValue);
    const b = canonical(theirs[key]);
    if (a === undefined || b === undefined || a === b) return;
    reasons.push(`${key} ${shown(b)} ≠ ours ${shown(a)}`);
  };
  const config = ours.config as unknown as Record<string, unknown>;

  compare("PRESET_BASE", ours.config.PRESET_BASE);
  compare("GENESIS_FORK_VERSION", ours.config.GENESIS_FORK_VERSION);
  // Fork schedule: every fork key either side has.
  // Our config's order (fork order), then the node's forks we do not define.
  const forkKeys = new Set([...Object.keys(config), ...Object.keys(theirs)].filter((k) => FORK_KEY.test(k)));
  for (const key of forkKeys) {
    if (key === "GENESIS_FORK_VERSION") continue;
    const inOurs = Object.hasOwn(config, key);
    const inTheirs = Object.hasOwn(theirs, key);
    if (inOurs && inTheirs) compare(key, config[key]);
    else if (key.endsWith("_EPOCH")) {
      const ourEpoch = inOurs ? canonical(config[key]) : undefined;
      const theirEpoch = inTheirs ? canonical(theirs[key]) : undefined;
      if (inOurs && ourEpoch !== FAR_FUTURE)
        reasons.push(
          `${key} absent (the node does not know this fork) but ours schedules it at epoch ${ourEpoch}: upgrade the beacon node`,
        );
      if (inTheirs && theirEpoch !== undefined && theirEpoch !== FAR_FUTURE)
        reasons.push(
          `${key} ${theirEpoch} is a fork this validator client does not know: upgrade the validator client`,
        );
    }
  }
  compare("SECONDS_PER_SLOT", ours.config.SECONDS_PER_SLOT);
  compare("SLOT_DURATION_MS", ours.config.SLOT_DURATION_MS);
  for (const key of PRESET_KEYS) compare(key, ours.preset[key]);
  for (const [key, value] of Object.entries(CONSTANTS)) compare(key, value);
  for (const [key, value] of Object.entries(DOMAIN_TYPES)) compare(key, value);

  if (reasons.length === 0) return undefined;
  const more = reasons.length > MAX_REASONS ? ` (and ${reasons.length - MAX_REASONS} more)` : "";
  return reasons.slice(0, MAX_REASONS).join("; ") + more;
}

/** Spec values as the config YAML's failsafe reading gives them: every scalar a string (numbers too). */
function asYamlValue(value: unknown): unknown {
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return value.map(asYamlValue);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asYamlValue(v)]));
  return value;
}

/**
 * A chain config from a beacon node's spec (GET /eth/v1/config/spec): every key of `base` the spec has, decoded
 * as the config YAML's values are (fork versions as bytes, 2**64-1 as Infinity, BLOB_SCHEDULE as entries); the
 * others keep `base`'s values. When the spec gives only SECONDS_PER_SLOT (an older node), SLOT_DURATION_MS is
 * derived from it (and the reverse). Choose `base` of the spec's PRESET_BASE (referenceChainConfig(preset)):
 * a different PRESET_BASE throws. Throws ConfigError INVALID_VALUE naming the key of a malformed value.
 */
export function chainConfigFromSpec(spec: Record<string, unknown>, base: ChainConfig): ChainConfig {
  const raw = asYamlValue(spec) as Record<string, unknown>;
  if (raw.PRESET_BASE !== undefined && raw.PRESET_BASE !== base.PRESET_BASE)
    throw new ConfigError(
      "INVALID_VALUE",
      `the beacon node's PRESET_BASE is ${String(raw.PRESET_BASE)} but the base config is ${base.PRESET_BASE}: ` +
        "build on the reference config of the node's preset",
      { key: "PRESET_BASE", value: String(raw.PRESET_BASE) },
    );
  const out: Record<string, unknown> = {};
  const warnings: string[] = [];
  for (const [key, fallback] of Object.entries(base)) {
    out[key] = Object.hasOwn(raw, key) ? decodeValue(key, raw[key], fallback, warnings) : fallback;
  }
  const hasMs = Object.hasOwn(raw, "SLOT_DURATION_MS");
  const hasSeconds = Object.hasOwn(raw, "SECONDS_PER_SLOT");
  if (hasSeconds && !hasMs) out.SLOT_DURATION_MS = (out.SECONDS_PER_SLOT as number) * 1000;
  else if (hasMs && !hasSeconds)
    out.SECONDS_PER_SLOT = Math.max(1, Math.floor((out.SLOT_DURATION_MS as number) / 1000));
  return out as unknown as ChainConfig;
}
