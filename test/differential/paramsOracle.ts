// Shared checks of params.{mainnet,minimal}.test.ts: our presets, chain configs and fork schedule against
// Lodestar (the oracle). One preset per process, so each file calls these with its own preset.
import assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";
import {
  blobParametersAtEpoch,
  type ChainConfig,
  FORK_NAMES,
  forkInfo,
  forkNameAtEpoch,
  forkVersionAtEpoch,
  isForkAtLeast,
  type Preset,
} from "../../consensus/src/params/index.ts";
import { toHex } from "../../consensus/src/util/hex.ts";
import type { Oracle } from "../support/oracle.ts";
import { Rng } from "../support/random.ts";

/** At least this share of our preset keys must have a Lodestar constant to compare with. */
export const MIN_PRESET_COVERAGE = 0.9;

// biome-ignore lint/suspicious/noExplicitAny: the oracle's values are untyped
type Any = any;

/** A value in one comparable form: numbers (Infinity kept), bigints and strings as text, bytes as hex. */
function normalize(value: unknown): unknown {
  if (value instanceof Uint8Array) return toHex(value);
  if (typeof value === "bigint") return `${value}n`;
  if (Array.isArray(value)) return value.map((e) => normalize(e));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
  }
  return value;
}

/** Every preset value Lodestar exports under the same name must be equal; returns [compared, total]. */
export function comparePreset(o: Oracle, preset: Preset): [number, number] {
  let compared = 0;
  const missing: string[] = [];
  for (const [key, value] of Object.entries(preset)) {
    if (!(key in o.params)) {
      missing.push(key);
      continue;
    }
    assert.equal(o.params[key], value, `${o.preset} preset ${key}`);
    compared++;
  }
  const total = Object.keys(preset).length;
  console.log(`# ${o.preset} preset: compared ${compared}/${total} keys with @lodestar/params; missing: ${missing}`);
  return [compared, total];
}

/**
 * Every key of Lodestar's chain config that ours also has must be equal; keys only we have are compared with
 * @lodestar/params constants of the same name where it exports one; `skip` lists known, explained differences.
 * Returns the number compared.
 */
export function compareChainConfig(o: Oracle, ours: ChainConfig, theirs: Any, skip: readonly string[] = []): number {
  let compared = 0;
  const uncompared: string[] = [];
  const mismatches: string[] = [];
  for (const [key, value] of Object.entries(ours)) {
    if (skip.includes(key)) {
      assert.ok(key in theirs, `${key} is skipped but Lodestar does not have it`);
      continue;
    }
    const source = key in theirs ? theirs : key in o.params ? o.params : undefined;
    if (!source) {
      uncompared.push(key);
      continue;
    }
    const [mine, lodestar] = [normalize(value), normalize(source[key])];
    if (!isDeepStrictEqual(mine, lodestar))
      mismatches.push(`${key}: ours ${String(mine)}, Lodestar ${String(lodestar)}`);
    compared++;
  }
  const total = Object.keys(ours).length;
  console.log(`# ${ours.CONFIG_NAME} chain config: compared ${compared}/${total} keys; not in Lodestar: ${uncompared}`);
  assert.deepEqual(mismatches, [], `${ours.CONFIG_NAME} chain config differs from Lodestar's`);
  return compared;
}

/** Epochs worth probing in a config: each fork and BPO boundary, one either side, and seeded random ones. */
function probeEpochs(config: ChainConfig, seed: number): number[] {
  const boundaries = [
    ...FORK_NAMES.map((f) => forkInfo(config, f).epoch),
    ...config.BLOB_SCHEDULE.map((e) => e.EPOCH),
  ].filter((e) => e !== Infinity);
  const rng = new Rng(seed);
  const top = Math.max(...boundaries) + 10;
  const random = Array.from({ length: 50 }, () => rng.int(top + 1));
  return [...new Set([0, ...boundaries.flatMap((e) => [e - 1, e, e + 1]), ...random])].filter((e) => e >= 0);
}

/**
 * Our fork schedule and blob parameters of `ours` equal Lodestar's fork config built from `theirs` (the same
 * network as Lodestar defines it) at every probed epoch. Returns the number of epochs compared.
 */
export function compareForkSchedule(o: Oracle, ours: ChainConfig, theirs: Any, seed: number): number {
  const lodestar = o.config.createChainForkConfig(theirs);
  const epochs = probeEpochs(ours, seed);
  for (const epoch of epochs) {
    const at = `${ours.CONFIG_NAME} epoch ${epoch}`;
    const info = lodestar.getForkInfoAtEpoch(epoch);
    const name = forkNameAtEpoch(ours, epoch);
    assert.equal(name, info.name, at);
    assert.equal(toHex(forkVersionAtEpoch(ours, epoch)), toHex(info.version), at);
    const mine = forkInfo(ours, name);
    assert.equal(mine.epoch, info.epoch, at);
    assert.equal(mine.previousName, info.prevForkName, at);
    assert.equal(toHex(mine.previousVersion), toHex(info.prevVersion), at);
    const blobs = blobParametersAtEpoch(ours, epoch);
    if (isForkAtLeast(name, "fulu")) assert.deepEqual(blobs, lodestar.getBlobParameters(epoch), at);
    if (isForkAtLeast(name, "deneb")) assert.equal(blobs.maxBlobsPerBlock, lodestar.getMaxBlobsPerBlock(epoch), at);
  }
  return epochs.length;
}

/** Lodestar's chain config with our fork epochs, versions and blob schedule (for dev configs it lacks). */
export function lodestarConfigLike(o: Oracle, ours: ChainConfig): Any {
  const theirs: Any = { ...o.config.defaultChainConfig, CONFIG_NAME: ours.CONFIG_NAME };
  for (const [key, value] of Object.entries(ours)) {
    if (/^[A-Z]+_FORK_(EPOCH|VERSION)$/.test(key) && key in theirs) theirs[key] = value;
  }
  theirs.BLOB_SCHEDULE = ours.BLOB_SCHEDULE.map((e) => ({ ...e }));
  return theirs;
}
