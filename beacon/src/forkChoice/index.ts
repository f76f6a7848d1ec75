// The fork choice of the beacon node: proto-array LMD-GHOST with Casper FFG (see forkChoice.ts, protoArray.ts).
export { ForkChoiceError, type ForkChoiceErrorCode } from "./errors.ts";
export {
  type AttestationVote,
  ForkChoice,
  type ForkChoiceOpts,
  type ForkChoiceStoreView,
  forkChoiceOptsFromConfig,
  type JustifiedBalances,
  type JustifiedBalancesGetter,
} from "./forkChoice.ts";
export {
  type Checkpoint,
  type ExecutionStatus,
  ProtoArray,
  type ProtoBlock,
  type ProtoNode,
  type RootHex,
  type ViabilityContext,
} from "./protoArray.ts";
