// Round trips of the Beacon API's debug operations — the full BeaconState of every fork at mainnet sizes in JSON
// (streamed) and SSZ, heads, fork choice, data column sidecars — validated against the documents' schemas.
import { roundTripSuite } from "./support/roundtrip.ts";
import { BEACON, countsPrinted, validatorsFor } from "./support/suites.ts";

const OPERATIONS = Object.values(BEACON)
  .filter((r) => /^\/eth\/v[0-9]\/debug\//.test(r.path))
  .map((r) => r.operationId);

const counts = countsPrinted("debug round trips");
roundTripSuite("debug operations", BEACON, OPERATIONS, validatorsFor("beacon-node"), 2, counts);
