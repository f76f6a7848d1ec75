// Differential test of every SSZ container of ours against Lodestar's, mainnet preset (see types/sszDiff.ts).
import { test } from "node:test";
import { getSszTypes } from "../../consensus/src/types/index.ts";
import { useHashtreeHasher } from "../support/hashtreeHasher.ts";
import { loadOracle, oracleSkip } from "../support/oracle.ts";
import { runTypesDifferential } from "./types/sszDiff.ts";

/** Random values per distinct container. */
const CASES = 20;
/**
 * A mainnet BeaconState is ~2.6 MB (8192 block and state roots, 65536 randao mixes). Every one of its 20 values runs
 * the bytes and root checks, but JSON costs ~0.6 s a value in the oracle's encoder: 3 values per fork compare JSON
 * (the minimal file compares JSON on all 20; only vector lengths and list limits differ).
 */
const HEAVY_JSON_CASES = 3;
/** Minimum serialized size from which a container counts as heavy (only the mainnet BeaconStates reach it). */
const HEAVY_BYTES = 1 << 20;
const SEED = 0xa1b2c3;

test("SSZ types match the Lodestar oracle (mainnet preset)", { skip: oracleSkip() }, async (t) => {
  await useHashtreeHasher();
  const oracle = await loadOracle("mainnet");
  const stats = runTypesDifferential(getSszTypes("mainnet"), oracle, {
    cases: CASES,
    heavyJsonCases: HEAVY_JSON_CASES,
    heavyBytes: HEAVY_BYTES,
    seed: SEED,
  });
  t.diagnostic(
    `mainnet: ${stats.containersByFork} containers × forks compared (fields, order, shape); ` +
      `${stats.distinctPairs} distinct containers, ${stats.cases} random-value cases ` +
      `(${CASES} each; JSON on ${HEAVY_JSON_CASES} of them for ${stats.heavy.join(", ")}); ` +
      `${stats.otherTypes} list/vector/bitfield types compared by shape`,
  );
});
