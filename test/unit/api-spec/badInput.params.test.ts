// Bad path ids, numbers and query parameters: each gets the right 4xx (400, 414) with the spec's error body naming
// the parameter — never a 500.
import { describe } from "node:test";
import { badInputServer, type Case, get, post, runCases, SIG } from "./support/badInput.ts";

const PROPOSER = "/eth/v1/validator/duties/proposer";
const ATTESTATION_DATA = "/eth/v1/validator/attestation_data";

const PATH_IDS: Case[] = [
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

const NUMBERS: Case[] = [
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

const QUERIES: Case[] = [
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

describe("bad path ids, numbers and queries answer the right 4xx with the spec's error body", () => {
  runCases(badInputServer(), [...PATH_IDS, ...NUMBERS, ...QUERIES]);
});
