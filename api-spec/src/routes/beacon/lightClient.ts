// Beacon API: light-client data (/eth/v1/beacon/light_client/...). The updates-by-range SSZ encoding is a sequence
// of chunks `(uint64 LE length, 4-byte fork digest, SSZ payload)`; it needs the chain's fork digests (RouteContext
// .forkDigests) — without them the operation answers JSON only.
import { type ForkName, isForkAtLeast, isForkName, type SszTypes, sszTypesFor } from "@sextant/consensus";
import { fail, InputError } from "../../codec/errors.ts";
import { arrayOf, type JsonCodec, object } from "../../codec/json.ts";
import { pathParam, requiredQuery, rootParam, uintParam } from "../../codec/params.ts";
import { type AnySszType, type SszCodec, sszJson } from "../../codec/ssz.ts";
import { type ForkPick, forkResponse, NO_PARAMS, pickType, type RouteContext, route } from "../define.ts";
import type { ResponseSpec } from "../types.ts";
import { type ForkValue, forkNameJson } from "../values.ts";

/** A value tagged with its fork (`{version, data}`). */
export interface Versioned<T> {
  version: ForkName;
  data: T;
}

/** `{version, data}` where data's type is the fork's `pick`. */
export function versionedJson<T>(types: SszTypes, pick: ForkPick): JsonCodec<Versioned<T>> {
  return {
    shape: {
      kind: "versioned",
      typeAt: (fork) => (isForkName(fork) ? pick(sszTypesFor(types, fork), fork) : undefined),
    },
    toJson: (value) => ({
      version: value.version,
      data: sszJson(pickType(types, pick, value.version)).toJson(value.data),
    }),
    fromJson(json, path) {
      const head = object({ version: forkNameJson }).fromJson(json, path);
      const type = pickType(types, pick, head.version);
      const data = (json as { data?: unknown }).data;
      if (data === undefined) fail(`${path}.data`, "missing");
      return { version: head.version, data: sszJson(type).fromJson(data, `${path}.data`) as T };
    },
  };
}

/** Bytes of a chunk's length prefix (uint64 little-endian). */
const CHUNK_LENGTH_BYTES = 8;
/** Bytes of a fork digest. */
const FORK_DIGEST_BYTES = 4;

/** The light-client updates SSZ chunk sequence, with fork digests from `digests`. */
function updatesSsz(
  types: SszTypes,
  pick: ForkPick,
  digests: NonNullable<RouteContext["forkDigests"]>,
): SszCodec<Versioned<unknown>[]> {
  return {
    serialize(values) {
      const parts = values.map((v) => pickType(types, pick, v.version).serialize(v.data) as Uint8Array);
      const total = parts.reduce((n, p) => n + CHUNK_LENGTH_BYTES + FORK_DIGEST_BYTES + p.length, 0);
      const out = new Uint8Array(total);
      const view = new DataView(out.buffer);
      let offset = 0;
      values.forEach((v, i) => {
        view.setBigUint64(offset, BigInt(FORK_DIGEST_BYTES + parts[i].length), true);
        out.set(digests.digestOf(v.version), offset + CHUNK_LENGTH_BYTES);
        out.set(parts[i], offset + CHUNK_LENGTH_BYTES + FORK_DIGEST_BYTES);
        offset += CHUNK_LENGTH_BYTES + FORK_DIGEST_BYTES + parts[i].length;
      });
      return out;
    },
    deserialize(bytes) {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const out: Versioned<unknown>[] = [];
      let offset = 0;
      while (offset < bytes.length) {
        if (offset + CHUNK_LENGTH_BYTES + FORK_DIGEST_BYTES > bytes.length) {
          throw new InputError("body", `truncated chunk header at byte ${offset}`);
        }
        const length = Number(view.getBigUint64(offset, true));
        const end = offset + CHUNK_LENGTH_BYTES + length;
        if (length < FORK_DIGEST_BYTES || end > bytes.length)
          throw new InputError("body", `bad chunk length at ${offset}`);
        const digest = bytes.subarray(offset + CHUNK_LENGTH_BYTES, offset + CHUNK_LENGTH_BYTES + FORK_DIGEST_BYTES);
        const version = digests.forkOf(digest);
        if (version === undefined) throw new InputError("body", `unknown fork digest at byte ${offset}`);
        const payload = bytes.subarray(offset + CHUNK_LENGTH_BYTES + FORK_DIGEST_BYTES, end);
        out.push({ version, data: pickType(types, pick, version).deserialize(payload) });
        offset = end;
      }
      return out;
    },
  };
}

/** From altair on (light-client types exist from altair). */
function lightClient(
  name: "LightClientBootstrap" | "LightClientUpdate" | "LightClientFinalityUpdate" | "LightClientOptimisticUpdate",
): ForkPick {
  return (ns, fork) =>
    isForkAtLeast(fork, "altair") && name in ns ? (ns as unknown as Record<string, AnySszType>)[name] : undefined;
}

/** Routes of the light-client endpoints. */
export function lightClientRoutes(ctx: RouteContext) {
  const { types } = ctx;
  const versionOnly = ["version"] as const;
  const pickUpdate = lightClient("LightClientUpdate");
  const updateCodec = versionedJson<ForkValue<"LightClientUpdate">>(types, pickUpdate);
  const digests = ctx.forkDigests;
  const updatesResponse: ResponseSpec<Versioned<ForkValue<"LightClientUpdate">>[], never, "bare"> = {
    kind: "bare",
    meta: [],
    statuses: [200],
    json: () => arrayOf(updateCodec),
    ...(digests
      ? { ssz: () => updatesSsz(types, pickUpdate, digests) as SszCodec<Versioned<ForkValue<"LightClientUpdate">>[]> }
      : {}),
  };

  return {
    getLightClientBootstrap: route({
      operationId: "getLightClientBootstrap",
      method: "GET",
      path: "/eth/v1/beacon/light_client/bootstrap/{block_root}",
      params: { block_root: pathParam(rootParam) },
      response: forkResponse<ForkValue<"LightClientBootstrap">, "version">(
        types,
        lightClient("LightClientBootstrap"),
        versionOnly,
      ),
    }),
    getLightClientUpdatesByRange: route({
      operationId: "getLightClientUpdatesByRange",
      method: "GET",
      path: "/eth/v1/beacon/light_client/updates",
      params: { start_period: requiredQuery(uintParam), count: requiredQuery(uintParam) },
      response: updatesResponse,
    }),
    getLightClientFinalityUpdate: route({
      operationId: "getLightClientFinalityUpdate",
      method: "GET",
      path: "/eth/v1/beacon/light_client/finality_update",
      params: NO_PARAMS,
      response: forkResponse<ForkValue<"LightClientFinalityUpdate">, "version">(
        types,
        lightClient("LightClientFinalityUpdate"),
        versionOnly,
      ),
    }),
    getLightClientOptimisticUpdate: route({
      operationId: "getLightClientOptimisticUpdate",
      method: "GET",
      path: "/eth/v1/beacon/light_client/optimistic_update",
      params: NO_PARAMS,
      response: forkResponse<ForkValue<"LightClientOptimisticUpdate">, "version">(
        types,
        lightClient("LightClientOptimisticUpdate"),
        versionOnly,
      ),
    }),
  };
}
