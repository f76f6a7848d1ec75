// Random values for the route table, generated from each codec's `shape` with a seeded Rng: arguments (path, query,
// body) and handler results (data, metadata, status) of any operation at any fork. SSZ-typed values come from the
// differential suite's generator (test/differential/types/sszWalk.ts), so every field of every fork's type is hit.
import type { AnyRoute, MetaKey, ParamSpec, ResponseMeta, Shape } from "@sextant/api-spec";
import { FORK_NAMES, type ForkName } from "@sextant/consensus";
import { camelCase } from "../../../../api-spec/src/codec/json.ts";
import { BLOCK_ID_NAMES, STATE_ID_NAMES } from "../../../../api-spec/src/codec/params.ts";
import { type AnyType, randomValue } from "../../../differential/types/sszWalk.ts";
import type { Rng } from "../../../support/random.ts";

/** Characters of random strings: ASCII letters, digits, punctuation and a non-ASCII letter (UTF-8 in bodies). */
const STRING_CHARS = "abcXYZ019 -_/:.é";
/** Random arrays get at most this many items (above their minimum). */
const MAX_ARRAY_EXTRA = 3;

function randomUint(rng: Rng, bits: number): bigint {
  switch (rng.int(4)) {
    case 0:
      return 0n;
    case 1:
      return (1n << BigInt(bits)) - 1n;
    default: {
      let v = 0n;
      for (let i = 0; i < bits; i += 64) v = (v << 64n) | rng.nextU64();
      return v & ((1n << BigInt(bits)) - 1n);
    }
  }
}

function randomSafe(rng: Rng): number {
  switch (rng.int(4)) {
    case 0:
      return 0;
    case 1:
      return Number.MAX_SAFE_INTEGER;
    case 2:
      return rng.int(1000);
    default:
      return rng.int(2 ** 53);
  }
}

function randomString(rng: Rng): string {
  let s = "";
  for (let i = rng.int(12); i > 0; i--) s += STRING_CHARS[rng.int(STRING_CHARS.length)];
  return s;
}

/** A random value of `shape` (values as the codec's readers produce them). */
export function randomOfShape(shape: Shape, rng: Rng): unknown {
  switch (shape.kind) {
    case "uint":
      return shape.repr === "bigint" ? randomUint(rng, shape.bits) : randomSafe(rng);
    case "int64":
      return rng.bool() ? randomSafe(rng) : -randomSafe(rng) || 0;
    case "count":
      return rng.int(1000);
    case "bool":
      return rng.bool();
    case "string":
      return randomString(rng);
    case "bytes":
      return rng.bytes(shape.length ?? rng.int(40));
    case "enum":
      return shape.values[rng.int(shape.values.length)];
    case "array": {
      const min = shape.minItems ?? 0;
      const max = Math.min(shape.maxItems ?? Number.POSITIVE_INFINITY, min + MAX_ARRAY_EXTRA);
      return Array.from({ length: min + rng.int(max - min + 1) }, () => randomOfShape(shape.item, rng));
    }
    case "object": {
      const out: Record<string, unknown> = {};
      for (const f of shape.fields) if (!f.optional || rng.bool()) out[f.key] = randomOfShape(f.shape, rng);
      return out;
    }
    case "nullable":
      return rng.int(3) === 0 ? null : randomOfShape(shape.inner, rng);
    case "stringRecord":
      return Object.fromEntries(Array.from({ length: rng.int(4) }, (_, i) => [`KEY_${i}`, randomString(rng)]));
    case "anyObject":
      return { note: randomString(rng), n: rng.int(100), nested: { ok: rng.bool() } };
    case "ssz":
      return randomValue(shape.type as AnyType, shape.type as AnyType, rng);
    case "union":
      return randomOfShape(shape.options[rng.int(shape.options.length)], rng);
    case "versioned": {
      const forks = FORK_NAMES.filter((f) => shape.typeAt(f) !== undefined);
      const version = forks[rng.int(forks.length)];
      const type = shape.typeAt(version) as AnyType;
      return { version, data: randomValue(type, type, rng) };
    }
    case "validatorId":
      return rng.bool() ? randomSafe(rng) : rng.bytes(48);
    case "stateId":
    case "blockId": {
      const pick = rng.int(3);
      if (pick === 0) return rng.bytes(32);
      if (pick === 1) return randomSafe(rng);
      const names: readonly string[] = shape.kind === "stateId" ? STATE_ID_NAMES : BLOCK_ID_NAMES;
      return names[rng.int(names.length)];
    }
    case "int":
      return shape.min + rng.int(shape.max - shape.min + 1);
  }
}

/** Random arguments of `route` (a body of `fork` for versioned bodies); optional parameters present at random. */
export function randomArgs(route: AnyRoute, rng: Rng, fork: ForkName | undefined): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(route.params as Record<string, ParamSpec>)) {
    if (!spec.required && rng.int(3) === 0) continue;
    const key = camelCase(name);
    if (spec.flag) args[key] = true;
    else if (spec.items) {
      const n = 1 + rng.int(Math.min(spec.maxItems ?? 4, 4));
      args[key] = Array.from({ length: n }, () => randomOfShape(spec.items!.shape, rng));
    } else args[key] = randomOfShape(spec.codec!.shape, rng);
  }
  const body = route.body;
  if (body !== undefined && (body.required || rng.int(4) !== 0)) {
    if (body.versioned) args.version = fork;
    args.body = randomOfShape(body.json(fork)!.shape, rng);
  }
  return args;
}

/** Random metadata for `keys` at `fork`. */
export function randomMeta(keys: readonly MetaKey[], rng: Rng, fork: ForkName | undefined): Partial<ResponseMeta> {
  const meta: Partial<ResponseMeta> = {};
  for (const key of keys) {
    switch (key) {
      case "version":
        meta.version = fork ?? "phase0";
        break;
      case "dependentRoot":
        meta.dependentRoot = rng.bytes(32);
        break;
      case "executionPayloadValue":
      case "consensusBlockValue":
      case "blockValue":
        meta[key] = randomUint(rng, 256);
        break;
      default:
        meta[key] = rng.bool();
    }
  }
  return meta;
}

/** The forks a route is exercised at: those its versioned body or `version` metadata accept; else one (undefined). */
export function routeForks(route: AnyRoute): (ForkName | undefined)[] {
  const versionedBody = route.body?.versioned === true;
  const versionedResponse = (route.response.meta as readonly string[]).includes("version");
  if (!versionedBody && !versionedResponse) return [undefined];
  return FORK_NAMES.filter((fork) => {
    try {
      if (versionedBody) route.body!.json(fork);
      if (versionedResponse) route.response.json!({ version: fork, executionPayloadBlinded: false } as never);
      return true;
    } catch {
      return false;
    }
  });
}

/** A random handler result of `route` at `fork`: data, metadata, status. */
export function randomResult(
  route: AnyRoute,
  rng: Rng,
  fork: ForkName | undefined,
): { data?: unknown; meta?: Partial<ResponseMeta>; status: number } {
  const statuses = route.response.statuses as readonly number[];
  const status = statuses[rng.int(statuses.length)];
  if (route.response.kind === "empty" || route.response.kind === "events") return { status };
  const meta = randomMeta(route.response.meta as readonly MetaKey[], rng, fork);
  let codec: { shape: Shape };
  try {
    codec = route.response.json!(meta as never);
  } catch {
    // produceBlockV3: no blinded block before bellatrix.
    meta.executionPayloadBlinded = false;
    codec = route.response.json!(meta as never);
  }
  return { data: randomOfShape(codec.shape, rng), meta, status };
}
