// Bad path ids, numbers and query parameters: each gets the right 4xx (400, 414) with the spec's error body naming
// the parameter — never a 500.
import { describe } from "node:test";
import { badInputServer, runCases } from "./support/badInput.ts";
import { NUMBER_CASES, PATH_ID_CASES, QUERY_CASES } from "./support/badInputCases.ts";

describe("bad path ids, numbers and queries answer the right 4xx with the spec's error body", () => {
  runCases(badInputServer(), [...PATH_ID_CASES, ...NUMBER_CASES, ...QUERY_CASES]);
});
