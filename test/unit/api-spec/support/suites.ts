// Shared setup of the round-trip suites: the route tables at the mainnet preset (the documents' schemas carry mainnet sizes) (with test fork digests, so the
// light-client updates SSZ encoding is exercised) and the documents' response validators.
import { join } from "node:path";
import { after } from "node:test";
import { beaconRoutes, keymanagerRouteTable, type RouteContext } from "@sextant/api-spec";
import { FORK_NAMES, type ForkName, getSszTypes } from "@sextant/consensus";
import { PROJECT_ROOT } from "../../../../api-spec/scripts/gen.ts";
import { referencePath, referenceSkip } from "../../../support/reference.ts";
import type { RoundTripCounts, Validators } from "./roundtrip.ts";
import { readDocument, responseValidator } from "./schemas.ts";

/** Test fork digests: byte 0 is the fork's index (a real node derives them from the chain's genesis). */
export const TEST_FORK_DIGESTS: NonNullable<RouteContext["forkDigests"]> = {
  digestOf: (fork: ForkName) => new Uint8Array([FORK_NAMES.indexOf(fork), 0xd1, 0x6e, 0x57]),
  forkOf: (digest: Uint8Array) => (digest[1] === 0xd1 ? FORK_NAMES[digest[0]] : undefined),
};

/** The route context of the suites (mainnet preset). */
export const TEST_CONTEXT: RouteContext = { types: getSszTypes("mainnet"), forkDigests: TEST_FORK_DIGESTS };

export const BEACON = beaconRoutes(TEST_CONTEXT);
export const KEYMANAGER = keymanagerRouteTable(TEST_CONTEXT);

/** Where each upstream document lives under the reference folder. */
const UPSTREAM = {
  "beacon-node": ["beacon-APIs", "bundled", "beacon-node-oapi.bundled.yaml"],
  keymanager: ["keymanager-APIs", "keymanager-oapi.bundled.yaml"],
} as const;

/** Validators of our document `name` and (when the reference is present) upstream's; built on first use. */
export function validatorsFor(name: "beacon-node" | "keymanager"): () => Validators {
  let built: Validators | undefined;
  return () => {
    if (built === undefined) {
      const ours = responseValidator(readDocument(join(PROJECT_ROOT, `api-spec/openapi/${name}.yaml`)), "ours", true);
      const skip = referenceSkip(...UPSTREAM[name]);
      if (skip) console.log(`upstream schema validation skipped: ${skip}`);
      const upstream = skip
        ? undefined
        : responseValidator(readDocument(referencePath(...UPSTREAM[name])), "upstream", false);
      built = { ours, upstream };
    }
    return built;
  };
}

/** Fresh counters, printed when the file's tests are done. */
export function countsPrinted(name: string): RoundTripCounts {
  const counts: RoundTripCounts = { cases: 0, jsonCalls: 0, sszCalls: 0, oursValidated: 0, upstreamValidated: 0 };
  after(() => {
    console.log(
      `${name}: ${counts.cases} cases, ${counts.jsonCalls} JSON and ${counts.sszCalls} SSZ round trips, ` +
        `${counts.oursValidated} bodies valid against our document, ${counts.upstreamValidated} against upstream`,
    );
  });
  return counts;
}
