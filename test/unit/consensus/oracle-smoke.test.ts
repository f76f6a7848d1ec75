import assert from "node:assert/strict";
import { test } from "node:test";
import { loadOracle, oracleSkip } from "../../support/oracle.ts";

test("the oracle loads with the minimal preset", { skip: oracleSkip() }, async () => {
  const o = await loadOracle("minimal");
  assert.equal(o.params.SLOTS_PER_EPOCH, 8);
});
