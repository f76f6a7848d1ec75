// Content negotiation: which of JSON and SSZ to answer with, from the Accept header (RFC 9110 §12.5.1: media ranges
// with q-values; the most specific range that matches a type gives its q; q=0 means "not acceptable"), and which
// media type a request body is in.

/** The two body encodings of the Beacon API. */
export type MediaType = "json" | "ssz";

/** MIME types of the two encodings. */
export const MIME: Readonly<Record<MediaType, string>> = {
  json: "application/json",
  ssz: "application/octet-stream",
};

/** One media range of an Accept header. */
interface MediaRange {
  type: string;
  subtype: string;
  q: number;
  /** Position in the header (ties between equal q-values go to the range listed first). */
  position: number;
}

/** A q-value: 0 to 1 with up to three decimals. */
const Q_VALUE = /^(0(\.[0-9]{0,3})?|1(\.0{0,3})?)$/;

/** The media ranges of an Accept header; malformed ranges are skipped. */
export function parseAccept(header: string): MediaRange[] {
  const out: MediaRange[] = [];
  header.split(",").forEach((part, position) => {
    const [range, ...params] = part.split(";").map((s) => s.trim());
    const slash = range.indexOf("/");
    if (slash <= 0 || slash === range.length - 1) return;
    let q = 1;
    for (const param of params) {
      const eq = param.indexOf("=");
      if (eq < 0) continue;
      if (param.slice(0, eq).trim().toLowerCase() !== "q") continue;
      const value = param.slice(eq + 1).trim();
      q = Q_VALUE.test(value) ? Number(value) : 0;
    }
    out.push({ type: range.slice(0, slash).toLowerCase(), subtype: range.slice(slash + 1).toLowerCase(), q, position });
  });
  return out;
}

/** The matching range for `mime` with the highest specificity (exact, type/*, then * /*), or undefined. */
function bestMatch(ranges: MediaRange[], mime: string): MediaRange | undefined {
  const [type, subtype] = mime.split("/");
  let best: MediaRange | undefined;
  let bestSpecificity = -1;
  for (const r of ranges) {
    let specificity: number;
    if (r.type === type && r.subtype === subtype) specificity = 2;
    else if (r.type === type && r.subtype === "*") specificity = 1;
    else if (r.type === "*" && r.subtype === "*") specificity = 0;
    else continue;
    if (specificity > bestSpecificity) {
      best = r;
      bestSpecificity = specificity;
    }
  }
  return best;
}

/**
 * The encoding to answer with among `offered` (in the server's order of preference), or undefined when the Accept
 * header excludes all of them (406). No Accept header accepts anything: the first offered.
 */
export function chooseMediaType(accept: string | undefined, offered: readonly MediaType[]): MediaType | undefined {
  if (accept === undefined || accept.trim() === "") return offered[0];
  const ranges = parseAccept(accept);
  if (ranges.length === 0) return offered[0];
  let chosen: MediaType | undefined;
  let chosenQ = 0;
  let chosenPosition = Number.POSITIVE_INFINITY;
  for (const media of offered) {
    const match = bestMatch(ranges, MIME[media]);
    if (match === undefined || match.q === 0) continue;
    if (match.q > chosenQ || (match.q === chosenQ && match.position < chosenPosition)) {
      chosen = media;
      chosenQ = match.q;
      chosenPosition = match.position;
    }
  }
  return chosen;
}

/** The encoding of a request body from its Content-Type (parameters such as charset ignored); undefined if other. */
export function bodyMediaType(contentType: string | undefined): MediaType | undefined {
  if (contentType === undefined) return undefined;
  const mime = contentType.split(";")[0].trim().toLowerCase();
  if (mime === MIME.json) return "json";
  if (mime === MIME.ssz) return "ssz";
  return undefined;
}

/** An Accept header preferring SSZ with JSON as the fallback (what the client sends when SSZ is offered). */
export const ACCEPT_SSZ_THEN_JSON = `${MIME.ssz};q=1,${MIME.json};q=0.9`;
