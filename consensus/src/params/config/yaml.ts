// Custom networks: a chain config read from (and written to) YAML in the spec's format, e.g. a testnet's
// config.yaml. Values are read with the failsafe schema so hex strings and uint64s are never mangled.
import { parseDocument } from "yaml";
import { ConfigError } from "../errors.ts";
import { FORK_CONFIG_KEYS } from "../forkSchedule.ts";
import { isPresetName } from "../presets/index.ts";
import type { PresetName } from "../presets/preset.ts";
import { collectUnknownForks, type UnknownFork, unknownForkOfKey, unsupportedForkMessage } from "../unknownForks.ts";
import type { ChainConfig } from "./chainConfig.ts";
import { mainnetChainConfig } from "./mainnet.ts";
import { minimalChainConfig } from "./minimal.ts";
import { validateChainConfig } from "./validate.ts";
import { decodeBytes, decodeUint64, decodeValue, encodeEntry } from "./values.ts";

/** Milliseconds per second, to derive SLOT_DURATION_MS from an older config's SECONDS_PER_SLOT and back. */
const MS_PER_SECOND = 1000;
/** Bytes in a fork version. */
const FORK_VERSION_LENGTH = 4;

/** Options of parseChainConfigYaml. */
export interface ParseChainConfigOptions {
  /** Values for keys the YAML omits; default: the reference config of the YAML's PRESET_BASE. */
  readonly defaults?: ChainConfig;
}

/** A chain config read from YAML, with everything the loader noticed but did not reject. */
export interface ParsedChainConfig {
  readonly config: ChainConfig;
  /** Human-readable notes: unknown keys, unknown forks, values taken from defaults that matter, oddities. */
  readonly warnings: string[];
  /** Forks the YAML schedules that this client does not implement (see assertNoUnsupportedForkScheduled). */
  readonly unknownForks: UnknownFork[];
  /** Keys of the YAML that ChainConfig does not define; kept out of the config. */
  readonly unknownKeys: string[];
  /** Keys of ChainConfig the YAML omits, filled in from the defaults. */
  readonly defaultedKeys: string[];
}

/** The spec's reference chain config of a preset (configs/mainnet.yaml or configs/minimal.yaml). */
export function referenceChainConfig(preset: PresetName): ChainConfig {
  return preset === "minimal" ? minimalChainConfig : mainnetChainConfig;
}

function readMapping(text: string): Record<string, unknown> {
  const doc = parseDocument(text, { schema: "failsafe", uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    throw new ConfigError("INVALID_YAML", `chain config is not valid YAML: ${first.message.split("\n")[0]}`, {
      yamlCode: first.code,
      line: first.linePos?.[0]?.line,
    });
  }
  const value: unknown = doc.toJS();
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConfigError("INVALID_YAML", "chain config must be a YAML mapping of KEY: value", {
      found: value === null ? "nothing" : Array.isArray(value) ? "a list" : typeof value,
    });
  }
  return value as Record<string, unknown>;
}

function choosePreset(raw: Record<string, unknown>, opts: ParseChainConfigOptions, warnings: string[]): PresetName {
  let base: unknown = raw.PRESET_BASE;
  if (base === undefined) {
    base = opts.defaults?.PRESET_BASE ?? "mainnet";
    warnings.push(`PRESET_BASE not set; assuming ${base}`);
  }
  if (typeof base !== "string" || !isPresetName(base)) {
    throw new ConfigError(
      "UNSUPPORTED_PRESET",
      `PRESET_BASE ${JSON.stringify(base)} is not a preset this client has (mainnet, minimal)`,
      { key: "PRESET_BASE", value: String(base) },
    );
  }
  if (opts.defaults && opts.defaults.PRESET_BASE !== base) {
    throw new ConfigError(
      "INVALID_VALUE",
      `PRESET_BASE: the YAML says ${base} but the defaults are for ${opts.defaults.PRESET_BASE}`,
      { key: "PRESET_BASE", value: base },
    );
  }
  return base;
}

/** SLOT_DURATION_MS replaced SECONDS_PER_SLOT (deprecated): when a YAML sets only one, derive the other. */
function reconcileSlotDuration(raw: Record<string, unknown>, out: Record<string, unknown>, warnings: string[]): void {
  const hasMs = Object.hasOwn(raw, "SLOT_DURATION_MS");
  const hasSeconds = Object.hasOwn(raw, "SECONDS_PER_SLOT");
  if (hasSeconds && !hasMs) {
    out.SLOT_DURATION_MS = (out.SECONDS_PER_SLOT as number) * MS_PER_SECOND;
    warnings.push(`SLOT_DURATION_MS not set; derived ${out.SLOT_DURATION_MS} from SECONDS_PER_SLOT`);
  } else if (hasMs && !hasSeconds) {
    out.SECONDS_PER_SLOT = Math.max(1, Math.floor((out.SLOT_DURATION_MS as number) / MS_PER_SECOND));
  }
}

/** Fork keys of unknown forks that ChainConfig does not define (e.g. HEZE_FORK_EPOCH): decoded leniently. */
function unknownForkValues(raw: Record<string, unknown>, unknownKeys: string[], warnings: string[]) {
  const values: [string, unknown][] = [];
  for (const key of unknownKeys) {
    const fork = unknownForkOfKey(key);
    if (!fork) continue;
    try {
      values.push([
        key,
        fork.field === "EPOCH" ? decodeUint64(key, raw[key]) : decodeBytes(key, raw[key], FORK_VERSION_LENGTH),
      ]);
    } catch (e) {
      warnings.push(`${(e as Error).message} (fork ${fork.name} is not implemented; ignored)`);
    }
  }
  return values;
}

/**
 * Reads a chain config from YAML text in the spec's format. Keys the YAML omits come from `opts.defaults`
 * or the reference config of its PRESET_BASE; keys ChainConfig does not define are left out and reported in
 * warnings; forks this client does not implement that the YAML schedules are reported in `unknownForks`
 * (and warnings) without failing. Throws ConfigError: INVALID_YAML, INVALID_VALUE (naming the key and the
 * problem), UNSUPPORTED_PRESET, INVALID_FORK_ORDER, INVALID_BLOB_SCHEDULE.
 */
export function parseChainConfigYaml(text: string, opts: ParseChainConfigOptions = {}): ParsedChainConfig {
  const raw = readMapping(text);
  const warnings: string[] = [];
  const preset = choosePreset(raw, opts, warnings);
  const defaults = opts.defaults ?? referenceChainConfig(preset);
  const out: Record<string, unknown> = {};
  const defaultedKeys: string[] = [];
  for (const [key, fallback] of Object.entries(defaults)) {
    if (Object.hasOwn(raw, key)) {
      out[key] = decodeValue(key, raw[key], fallback, warnings);
    } else {
      out[key] = fallback;
      defaultedKeys.push(key);
    }
  }
  out.PRESET_BASE = preset;
  reconcileSlotDuration(raw, out, warnings);
  for (const { epoch } of Object.values(FORK_CONFIG_KEYS)) {
    if (!Object.hasOwn(raw, epoch) && out[epoch] !== Infinity) {
      warnings.push(`${epoch} not set; using the ${defaults.CONFIG_NAME} value ${out[epoch]}`);
    }
  }
  const config = out as unknown as ChainConfig;
  warnings.push(...validateChainConfig(config));

  const unknownKeys = Object.keys(raw).filter((k) => !Object.hasOwn(defaults, k));
  const forkValues = unknownForkValues(raw, unknownKeys, warnings);
  for (const key of unknownKeys) warnings.push(`unknown key ${key}: not part of this client's chain config; ignored`);
  const unknownForks = collectUnknownForks([...Object.entries(config), ...forkValues]);
  for (const fork of unknownForks) warnings.push(unsupportedForkMessage(fork));
  return { config, warnings, unknownForks, unknownKeys, defaultedKeys };
}

/**
 * Writes `config` as YAML in the spec's format: one `KEY: value` line per ChainConfig key in the reference
 * configs' order, byte strings as 0x hex, Infinity as 18446744073709551615, strings single-quoted.
 * parseChainConfigYaml reads it back unchanged.
 */
export function chainConfigToYaml(config: ChainConfig): string {
  const lines = Object.keys(mainnetChainConfig).map((key) => encodeEntry(key, config[key as keyof ChainConfig]));
  return `${lines.join("\n")}\n`;
}
