// The execution layer as the state transition sees it: `execution_engine.verify_and_notify_new_payload`. The
// transition stays pure: the beacon node asks its engine first and passes the verdict through this interface;
// tests, replays and dev mode use `acceptingExecutionEngine`, which accepts every payload whose shape the
// consensus checks already validated (parent hash, prev_randao, timestamp, blob count).
import type { ForkName } from "../params/forkName.ts";

/** The spec's NewPayloadRequest (deneb adds versioned hashes and the parent root, electra the requests). */
export interface NewPayloadRequest {
  readonly fork: ForkName;
  /** The block body's execution payload (plain SSZ value of that fork's ExecutionPayload). */
  readonly executionPayload: unknown;
  readonly versionedHashes?: readonly Uint8Array[];
  readonly parentBeaconBlockRoot?: Uint8Array;
  readonly executionRequests?: unknown;
}

/** `execution_engine.verify_and_notify_new_payload`: true when the engine accepts the payload. */
export interface ExecutionEngine {
  verifyAndNotifyNewPayload(request: NewPayloadRequest): boolean;
}

/** Accepts every payload (dev mode, tests, replays of chains whose payloads were already validated). */
export const acceptingExecutionEngine: ExecutionEngine = Object.freeze({
  verifyAndNotifyNewPayload: () => true,
});
