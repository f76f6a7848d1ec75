// Differential test of every SSZ container of ours against Lodestar's, minimal preset (see types/sszDiff.ts).
import { test } from "node:test";
import { getSszTypes } from "../../consensus/src/types/index.ts";
import { useHashtreeHasher } from "../support/hashtreeHasher.ts";
import { loadOracle, oracleSkip } from "../support/oracle.ts";
import { runTypesDifferential } from "./types/sszDiff.ts";

/** Random values per distinct container; with the minimal preset every container, states included, gets them all. */
const CASES = 20;
const SEED = 0x5e47a47;

test("SSZ types match the Lodestar oracle (minimal preset)", { skip: oracleSkip() }, async (t) => {
  await useHashtreeHasher();
  const oracle = await loadOracle("minimal");
  const stats = runTypesDifferential(getSszTypes("minimal"), oracle, {
    cases: CASES,
    heavyJsonCases: CASES,
    heavyBytes: Number.POSITIVE_INFINITY,
    seed: SEED,
  });
  t.diagnostic(
    `minimal: ${stats.containersByFork} containers × forks compared (fields, order, shape); ` +
      `${stats.distinctPairs} distinct containers × ${CASES} random values = ${stats.cases} cases; ` +
      `${stats.otherTypes} list/vector/bitfield types compared by shape`,
  );
});
