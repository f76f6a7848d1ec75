// Writes a handler's result as the route-table entry says: the JSON envelope `{...metadata, data}` (or the bare
// body), or SSZ bytes, with the metadata headers. Large responses are written without extra copies: SSZ bytes are
// serialized once and sent as they are; JSON marked `stream` is produced in chunks (a state with a million
// validators never exists as one string).
import { Readable } from "node:stream";
import { jsonChunks } from "../codec/json.ts";
import { metaToHeaders, metaToJson } from "../routes/meta.ts";
import type { AnyRoute, MetaKey, ResponseMeta } from "../routes/types.ts";
import { type MediaType, MIME } from "./negotiate.ts";

/** A response ready to send. */
export interface EncodedResponse {
  status: number;
  headers: Record<string, string>;
  /** A string or bytes (Content-Length known), a stream (chunked), or nothing. */
  body: string | Uint8Array | Readable | undefined;
}

/** What a data handler returns. */
interface DataResult {
  data: unknown;
  meta?: Partial<ResponseMeta>;
  status?: number;
}

/** The status a result asks for, or the route's default. */
function statusOf(route: AnyRoute, result: unknown): number {
  const status = (result as { status?: unknown } | undefined)?.status;
  return typeof status === "number" ? status : (route.response.statuses[0] as number);
}

/** The JSON envelope text in chunks: `{"version":...,"data":` + data chunks + `}`. */
function* envelopeChunks(prefix: string, data: Iterable<string>): Iterable<string> {
  yield prefix;
  yield* data;
  yield "}";
}

/** The encoded response of `result` for `route` in `media` (ignored for bodiless responses). */
export function encodeResponse(route: AnyRoute, result: unknown, media: MediaType): EncodedResponse {
  const response = route.response;
  const status = statusOf(route, result);
  if (response.kind === "empty") return { status, headers: {}, body: undefined };

  const { data, meta = {} } = result as DataResult;
  const keys = response.meta as readonly MetaKey[];
  const headers = metaToHeaders(keys, meta);
  if (media === "ssz") {
    const codec = response.ssz?.(meta as never);
    if (codec !== undefined) {
      const bytes = codec.serialize(data);
      headers["content-type"] = MIME.ssz;
      return { status, headers, body: bytes };
    }
  }
  headers["content-type"] = MIME.json;
  const codec = response.json!(meta as never);
  if (response.kind === "bare") {
    return {
      status,
      headers,
      body: response.stream ? streamOf(jsonChunks(codec, data)) : JSON.stringify(codec.toJson(data)),
    };
  }
  const envelope = metaToJson(keys, meta);
  if (response.stream) {
    const head = JSON.stringify(envelope);
    const prefix = `${head.slice(0, -1)}${head.length > 2 ? "," : ""}"data":`;
    return { status, headers, body: streamOf(envelopeChunks(prefix, jsonChunks(codec, data))) };
  }
  envelope.data = codec.toJson(data);
  return { status, headers, body: JSON.stringify(envelope) };
}

/** A byte stream of text chunks, pulled as the socket drains. */
function streamOf(chunks: Iterable<string>): Readable {
  return Readable.from(chunks, { objectMode: false });
}
