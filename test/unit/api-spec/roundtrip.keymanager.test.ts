// Round trips of every Keymanager API operation: client → fastify on loopback → echo handler → client; bodies
// validated against our document and upstream's (keymanager-APIs v1.1.0).
import { roundTripSuite } from "./support/roundtrip.ts";
import { countsPrinted, KEYMANAGER, validatorsFor } from "./support/suites.ts";

/** Random cases per operation and fork (optional fields and list lengths vary between them). */
const CASES_PER_FORK = 4;

const counts = countsPrinted("keymanager round trips");
roundTripSuite(
  "keymanager operations",
  KEYMANAGER,
  Object.keys(KEYMANAGER),
  validatorsFor("keymanager"),
  4,
  counts,
  CASES_PER_FORK,
);
