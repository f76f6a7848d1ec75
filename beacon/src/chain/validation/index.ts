// Validation of what clients submit through the API before anything enters a pool or the fork choice.
export * from "./aggregate.ts";
export * from "./attestation.ts";
export * from "./common.ts";
export * from "./liveness.ts";
export * from "./operations.ts";
export * from "./syncCommittee.ts";
