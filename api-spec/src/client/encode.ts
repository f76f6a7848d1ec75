// The client's half of the route table: a call's arguments written as the request (path, query, headers, body) and
// the response read back into typed data and metadata.
import { camelCase } from "../codec/json.ts";
import type { ParamSpec } from "../codec/params.ts";
import { CONSENSUS_VERSION_HEADER, metaFromHeaders, metaFromJson } from "../routes/meta.ts";
import type { AnyRoute, BodySpec, MetaKey, ResponseMeta } from "../routes/types.ts";
import { type MediaType, MIME } from "../server/negotiate.ts";

/** A request ready for undici. */
export interface EncodedRequest {
  /** Path with the query string. */
  path: string;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
}

/** The path and query of `route` for `args`. */
export function encodePath(route: AnyRoute, args: Record<string, unknown>): string {
  let path = route.path;
  const query: string[] = [];
  for (const [name, spec] of Object.entries(route.params as Record<string, ParamSpec>)) {
    const value = args[camelCase(name)];
    if (spec.in === "path") {
      if (value === undefined) throw new Error(`${route.operationId}: path parameter ${name} is required`);
      path = path.replace(`{${name}}`, encodeURIComponent(spec.codec!.format(value)));
      continue;
    }
    if (value === undefined) {
      if (spec.required) throw new Error(`${route.operationId}: query parameter ${name} is required`);
      continue;
    }
    if (spec.flag) {
      if (value === true) query.push(`${name}=`);
      continue;
    }
    if (spec.items) {
      // OpenAPI's default for query arrays (style form, explode true), which the Beacon API documents rely on:
      // one `name=value` per item. Every node accepts it; some older ones (Lodestar 1.5) accept nothing else.
      for (const v of value as unknown[]) query.push(`${name}=${encodeURIComponent(spec.items.format(v))}`);
      continue;
    }
    query.push(`${name}=${encodeURIComponent(spec.codec!.format(value))}`);
  }
  return query.length === 0 ? path : `${path}?${query.join("&")}`;
}

/** The request of `route` for `args`, with the body in `bodyMedia` when the operation takes a body. */
export function encodeRequest(
  route: AnyRoute,
  args: Record<string, unknown>,
  bodyMedia: MediaType,
  accept: string,
): EncodedRequest {
  const headers: Record<string, string> = { accept };
  const spec = route.body as BodySpec | undefined;
  let body: string | Uint8Array | undefined;
  if (spec !== undefined && args.body !== undefined) {
    const version = args.version as ResponseMeta["version"] | undefined;
    if (spec.versioned && version !== undefined) headers[CONSENSUS_VERSION_HEADER] = version;
    const ssz = bodyMedia === "ssz" ? spec.ssz?.(version) : undefined;
    if (ssz !== undefined) {
      body = ssz.serialize(args.body);
      headers["content-type"] = MIME.ssz;
    } else {
      body = JSON.stringify(spec.json(version)!.toJson(args.body));
      headers["content-type"] = MIME.json;
    }
  }
  return { path: encodePath(route, args), headers, body };
}

/** Decoded response data and metadata. */
export interface DecodedResponse {
  data: unknown;
  meta: Partial<ResponseMeta>;
  mediaType: "json" | "ssz" | "none";
}

/** Reads a success response of `route` (throws InputError when it does not decode). */
export function decodeResponse(
  route: AnyRoute,
  contentType: string | undefined,
  headers: Record<string, string | string[] | undefined>,
  bytes: Uint8Array,
): DecodedResponse {
  const response = route.response;
  if (response.kind === "empty") return { data: undefined, meta: {}, mediaType: "none" };
  const keys = response.meta as readonly MetaKey[];
  const mime = contentType?.split(";")[0].trim().toLowerCase();
  if (mime === MIME.ssz) {
    const meta = metaFromHeaders(keys, headers);
    const codec = response.ssz?.(meta as never);
    if (codec === undefined) throw new Error(`${route.operationId} has no SSZ encoding`);
    return { data: codec.deserialize(bytes), meta, mediaType: "ssz" };
  }
  const json = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"));
  if (response.kind === "bare")
    return { data: response.json!({} as never).fromJson(json, ""), meta: {}, mediaType: "json" };
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new Error("expected a JSON object");
  const envelope = json as Record<string, unknown>;
  const meta = metaFromJson(keys, envelope);
  if (envelope.data === undefined) throw new Error("data: missing");
  return { data: response.json!(meta as never).fromJson(envelope.data, "data"), meta, mediaType: "json" };
}
