// Options of the state transition and of block processing.
import type { SignatureSet } from "../bls/batch.ts";
import type { ExecutionEngine } from "./execution.ts";

/** How much of a block to check. Defaults: everything checked, with the accepting execution engine. */
export interface TransitionOptions {
  /** Verify every signature of the block in one batch (default true). False for trusted inputs. */
  readonly verifySignatures?: boolean;
  /** Compare the post-state root with block.state_root (default true). */
  readonly verifyStateRoot?: boolean;
  /** The execution engine's verdict on payloads (default: accept). */
  readonly executionEngine?: ExecutionEngine;
}

/** What `processBlock` and the operations receive. */
export interface BlockContext {
  readonly executionEngine: ExecutionEngine;
  /** Signature sets to verify in one batch after processing; null when signatures are not checked. */
  readonly signatureSets: SignatureSet[] | null;
}
