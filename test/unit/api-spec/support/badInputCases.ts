// The bad-input case tables of the Beacon API: bad bodies, media types, versioned bodies, path ids, numbers and
// queries, each with the status and the error-message fragment it must get. Shared by the api-spec unit tests
// (against a test server, test/unit/api-spec/badInput.*.test.ts) and the live suite against `sextant dev`
// (test/e2e/badInput.e2e.ts): the paths are the standard Beacon API paths. This module imports nothing heavy
// (no node:test, no schema loading) so that plain scripts can use it.

/** The test server's small body limit, so oversize bodies are cheap to send. */
export const BODY_LIMIT = 4096;
export const ROOT = `0x${"ab".repeat(32)}`;
export const SIG = `0x${"cd".repeat(96)}`;
export const JSON_HEADERS: Record<string, string> = { "content-type": "application/json" };

/** One bad request and its expected answer. */
export interface Case {
  name: string;
  method: "GET" | "POST";
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  status: number;
  /** A fragment the error message must contain (what is wrong, where). */
  says: string;
}

/** A GET case. */
export function get(name: string, path: string, status: number, says: string, headers?: Record<string, string>): Case {
  return { name, method: "GET", path, headers, status, says };
}

/** A POST case (JSON content type unless `headers` say otherwise). */
export function post(
  name: string,
  path: string,
  body: string | Uint8Array | undefined,
  status: number,
  says: string,
  headers: Record<string, string> = JSON_HEADERS,
): Case {
  return { name, method: "POST", path, headers, body, status, says };
}

const DUTIES = "/eth/v1/validator/duties/attester/1";
const EXITS = "/eth/v1/beacon/pool/voluntary_exits";
const BLOCKS = "/eth/v2/beacon/blocks";
const PROPOSER = "/eth/v1/validator/duties/proposer";
const ATTESTATION_DATA = "/eth/v1/validator/attestation_data";
const SSZ = (fork: string) => ({ "content-type": "application/octet-stream", "eth-consensus-version": fork });
/** A signed voluntary exit body with the given epoch value. */
export const exitBody = (epoch: unknown): string =>
  JSON.stringify({ message: { epoch, validator_index: "2" }, signature: SIG });

/** The oversize-body case for a server whose body limit is `bodyLimit` bytes (the body is just above it). */
export function oversizeBodyCase(bodyLimit: number): Case {
  // JSON.stringify of n × "1" is 4n + 1 bytes: n = bodyLimit / 4 + 1 passes the limit.
  const body = JSON.stringify(Array(Math.floor(bodyLimit / 4) + 1).fill("1"));
  return post("oversize body", DUTIES, body, 413, `limit of ${bodyLimit} bytes`);
}

/** Bad JSON bodies (the oversize case sized for `bodyLimit`). */
export function bodyCases(bodyLimit: number = BODY_LIMIT): Case[] {
  const subscription = { validator_index: "1", committee_index: "1", committees_at_slot: "1", slot: "1" };
  return [
    post("malformed JSON", DUTIES, '["1",', 400, "malformed JSON"),
    post("empty JSON body", DUTIES, "", 400, "body: missing"),
    post("object where an array is required", DUTIES, '{"a":1}', 400, "body: expected an array"),
    post("number where a string is required", DUTIES, '["1",2]', 400, "body[1]: expected a decimal string"),
    post("empty list where one index is required", "/eth/v1/validator/liveness/1", "[]", 400, "at least 1"),
    post("nested number where a string is required", EXITS, exitBody(1), 400, "body.message.epoch: expected a decimal"),
    post(
      "missing field",
      EXITS,
      JSON.stringify({ message: { epoch: "1", validator_index: "2" } }),
      400,
      "body.signature: missing",
    ),
    post("hex of the wrong length", EXITS, exitBody("1").replace(SIG, "0xabcd"), 400, "body.signature"),
    post(
      "non-hex digits",
      "/eth/v1/validator/prepare_beacon_proposer",
      JSON.stringify([{ validator_index: "1", fee_recipient: `0x${"zz".repeat(20)}` }]),
      400,
      "body[0].fee_recipient",
    ),
    post(
      "boolean as a string",
      "/eth/v1/validator/beacon_committee_subscriptions",
      JSON.stringify([{ ...subscription, is_aggregator: "true" }]),
      400,
      "body[0].is_aggregator: expected a boolean",
    ),
    post(
      "unknown enum value",
      "/eth/v1/beacon/states/head/validators",
      '{"statuses":["sleeping"]}',
      400,
      "body.statuses[0]",
    ),
    post("uint64 overflow in a body", EXITS, exitBody("18446744073709551616"), 400, "body.message.epoch"),
    post("negative number in a body", "/eth/v1/validator/duties/sync/1", '["-1"]', 400, "body[0]"),
    oversizeBodyCase(bodyLimit),
    post("missing required body", "/eth/v1/beacon/pool/proposer_slashings", undefined, 400, "body: missing"),
  ];
}

/** Unsupported request media types and unacceptable Accept headers. */
export const MEDIA_TYPE_CASES: readonly Case[] = [
  post("text/plain body", DUTIES, '["1"]', 415, "text/plain", { "content-type": "text/plain" }),
  post("body without a content type", DUTIES, '["1"]', 415, "unsupported media type", {}),
  post("SSZ to a JSON-only operation", DUTIES, new Uint8Array(8), 415, "send application/json", SSZ("fulu")),
  get("Accept: octet-stream only, JSON-only operation", "/eth/v1/beacon/genesis", 406, "serves application/json", {
    accept: "application/octet-stream",
  }),
  get("Accept: text/html", "/eth/v2/beacon/blocks/head", 406, "application/octet-stream", { accept: "text/html" }),
  get("Accept: JSON refused, SSZ not listed", "/eth/v2/beacon/blocks/head", 406, "cannot answer", {
    accept: "application/json;q=0, text/plain",
  }),
];

/** Versioned bodies: missing or unknown Eth-Consensus-Version, wrong fork, bad SSZ. */
export const VERSIONED_CASES: readonly Case[] = [
  post("missing Eth-Consensus-Version", BLOCKS, "{}", 400, "Eth-Consensus-Version: missing"),
  post("unknown Eth-Consensus-Version", BLOCKS, "{}", 400, "unknown fork", {
    ...JSON_HEADERS,
    "eth-consensus-version": "frontier",
  }),
  post("a block of the wrong fork", BLOCKS, "{}", 400, "body.signed_block: missing", {
    ...JSON_HEADERS,
    "eth-consensus-version": "fulu",
  }),
  post("garbage SSZ block", BLOCKS, new Uint8Array([1, 2, 3]), 400, "invalid SSZ", SSZ("fulu")),
  post(
    "SSZ attestations of the wrong size",
    "/eth/v2/beacon/pool/attestations",
    new Uint8Array(7),
    400,
    "invalid SSZ",
    SSZ("electra"),
  ),
];

/** Bad path ids and unknown routes. */
export const PATH_ID_CASES: readonly Case[] = [
  get("states/notastate", "/eth/v1/beacon/states/notastate/root", 400, "path parameter state_id"),
  get("blocks/0xzz", "/eth/v2/beacon/blocks/0xzz", 400, "path parameter block_id"),
  get("block root of 31 bytes", `/eth/v1/beacon/blocks/0x${"00".repeat(31)}/root`, 400, "path parameter block_id"),
  get("justified is not a block id", "/eth/v1/beacon/blocks/justified/root", 400, "path parameter block_id"),
  get(
    "validator id of 47 bytes",
    `/eth/v1/beacon/states/head/validators/0x${"11".repeat(47)}`,
    400,
    "path parameter validator_id",
  ),
  get("bad percent-encoding", "/eth/v1/beacon/states/%zz/root", 400, ""),
  get("unknown route", "/eth/v1/beacon/nothing", 404, "not found"),
];

/** Bad numbers in paths and queries. */
export const NUMBER_CASES: readonly Case[] = [
  post("epoch 1.5", "/eth/v1/validator/duties/attester/1.5", '["1"]', 400, "path parameter epoch"),
  get("epoch 1e3", `${PROPOSER}/1e3`, 400, "path parameter epoch"),
  get("epoch abc", `${PROPOSER}/abc`, 400, "path parameter epoch"),
  get("negative epoch", `${PROPOSER}/-1`, 400, "path parameter epoch"),
  get("epoch with a sign", `${PROPOSER}/+1`, 400, "path parameter epoch"),
  get("epoch with a leading zero", `${PROPOSER}/01`, 400, "path parameter epoch"),
  get("uint64 overflow in the path", `${PROPOSER}/18446744073709551616`, 400, "does not fit in uint64"),
  get("beyond 2**53-1 in the path", `${PROPOSER}/9007199254740992`, 400, "exceeds 2**53-1"),
  get(
    "uint64 overflow in the query",
    `${ATTESTATION_DATA}?slot=99999999999999999999&committee_index=0`,
    400,
    "query parameter slot",
  ),
  get(
    "builder_boost_factor overflow",
    `/eth/v3/validator/blocks/1?randao_reveal=${SIG}&builder_boost_factor=18446744073709551616`,
    400,
    "query parameter builder_boost_factor",
  ),
];

/** Bad query parameters. */
export const QUERY_CASES: readonly Case[] = [
  get(
    "missing required query parameter",
    `${ATTESTATION_DATA}?committee_index=0`,
    400,
    "query parameter slot: missing",
  ),
  get("query parameter given twice", `${ATTESTATION_DATA}?slot=1&slot=2&committee_index=0`, 400, "more than once"),
  get("unknown validator status", "/eth/v1/beacon/states/head/validators?status=sleeping", 400, "parameter status"),
  get(
    "65 validator ids in a query",
    `/eth/v1/beacon/states/head/validators?id=${Array.from({ length: 65 }, (_, i) => i).join(",")}`,
    414,
    "at most 64",
  ),
  get(
    "randao reveal of 95 bytes",
    `/eth/v3/validator/blocks/1?randao_reveal=${SIG.slice(0, -2)}`,
    400,
    "randao_reveal",
  ),
  get("unknown event topic", "/eth/v1/events?topics=head,weather_forecast", 400, "query parameter topics"),
  get("no event topic", "/eth/v1/events", 400, "query parameter topics: missing"),
  get("health syncing_status out of range", "/eth/v1/node/health?syncing_status=600", 400, "syncing_status"),
];

/** Every case of the table, the oversize one sized for `bodyLimit`. */
export function allBadInputCases(bodyLimit: number = BODY_LIMIT): Case[] {
  return [
    ...bodyCases(bodyLimit),
    ...MEDIA_TYPE_CASES,
    ...VERSIONED_CASES,
    ...PATH_ID_CASES,
    ...NUMBER_CASES,
    ...QUERY_CASES,
  ];
}
