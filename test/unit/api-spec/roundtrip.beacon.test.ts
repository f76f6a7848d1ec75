// Round trips of the Beacon API's /eth/v*/beacon operations (every fork their types vary by): client → fastify on
// loopback → echo handler → client, in JSON and SSZ; bodies validated against our document and upstream's.
import { roundTripSuite } from "./support/roundtrip.ts";
import { BEACON, countsPrinted, validatorsFor } from "./support/suites.ts";

const OPERATIONS = Object.values(BEACON)
  .filter((r) => /^\/eth\/v[0-9]\/beacon\//.test(r.path))
  .map((r) => r.operationId);

/** Random cases per operation and fork (optional fields and list lengths vary between them). */
const CASES_PER_FORK = 3;

const counts = countsPrinted("beacon round trips");
roundTripSuite("beacon operations", BEACON, OPERATIONS, validatorsFor("beacon-node"), 1, counts, CASES_PER_FORK);
