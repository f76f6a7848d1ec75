// Types of the test-chain generator: what a scenario asks for (ScenarioSpec, SlotPlan, OpRequest), what it
// produces (GeneratedChain, ChainStep: the contract the differential replay reads), and the generator's context.
import type { ForkName } from "../../../consensus/src/params/index.ts";
import type { Oracle } from "../oracle.ts";
import type { Rng } from "../random.ts";
import type { Vote } from "./attestations.ts";
import type { Any, ConfigOverrides, InteropKeys } from "./env.ts";
import type { CredentialKind, DepositTree } from "./genesis.ts";

/** A generated chain: config, genesis and the steps to replay, each with the oracle's post-state root. */
export interface GeneratedChain {
  name: string;
  /** Chain config as YAML text in the spec's config format (parseable by parseChainConfigYaml). Minimal preset. */
  configYaml: string;
  /** The same config as key → YAML value text. */
  config: Record<string, string>;
  /** The genesis (anchor) state, SSZ bytes, and its fork name. */
  genesisFork: ForkName;
  genesisState: Uint8Array;
  genesisStateRoot: Uint8Array;
  steps: ChainStep[];
}

/**
 * One replay step. `slots`: process_slots only (skipped slots, or alone onto an epoch's first slot so the replay
 * compares right after epoch processing). `block`: a full state_transition; postStateRoot is the block's
 * state_root.
 */
export type ChainStep =
  | { kind: "slots"; toSlot: number; fork: ForkName; postStateRoot: Uint8Array }
  | {
      kind: "block";
      slot: number;
      fork: ForkName;
      signedBlock: Uint8Array;
      postStateRoot: Uint8Array;
      /** what the block contains, for test names/logs */
      contents: string[];
    };

/** An operation a scenario asks a block to carry. Each throws at generation when it cannot be made valid. */
export type OpRequest =
  | { kind: "proposer_slashing" }
  | { kind: "attester_slashing"; surround?: boolean; validators?: number }
  | { kind: "voluntary_exit" }
  | { kind: "bls_change"; count?: number }
  /** Phase0-style deposits: appended to the deposit contract, voted in through eth1_data, then included. */
  | { kind: "deposit"; count?: number; topUp?: boolean; credentials?: CredentialKind }
  | { kind: "deposit_request"; count?: number; topUp?: boolean; credentials?: CredentialKind; amountEth?: number }
  | { kind: "withdrawal_request"; full: boolean; amountEth?: number }
  | { kind: "consolidation_request"; switchToCompounding?: boolean };

/** What happens at one slot. */
export interface SlotPlan {
  /** No block at this slot. */
  skip?: boolean;
  /** Fraction of each committee attesting at this slot (default: the scenario's). */
  participation?: number;
  /** Votes of this slot are included this many slots later at the earliest (default 1). */
  inclusionDelay?: number;
  /** Fraction of the sync committee signing in this block (default: the scenario's). */
  syncParticipation?: number;
  ops?: OpRequest[];
}

/** A named scenario: genesis, fork schedule, config overrides, length and a per-slot plan. */
export interface ScenarioSpec {
  name: string;
  seed: number;
  genesisFork: ForkName;
  /** Epochs of the forks after the genesis fork (unlisted ones stay unscheduled). */
  forkEpochs?: Partial<Record<ForkName, number>>;
  /** Default 64. */
  validatorCount?: number;
  genesisCredentials?: (i: number) => CredentialKind;
  /** Genesis deposit amount of validator i, Gwei (default 32 ETH). */
  genesisBalance?: (i: number) => number;
  config?: ConfigOverrides;
  /** The last slot to generate. */
  slots: number;
  /** Default fraction of committees attesting (1) and of the sync committee signing (1). */
  participation?: number;
  syncParticipation?: number;
  /** Epochs whose first slot has no block and gets a slots-only step (compared right after epoch processing). */
  epochBoundarySteps?: number[];
  /** The merge-transition payload comes in the first bellatrix block at or after this slot (default: the first). */
  mergeSlot?: number;
  plan?: (slot: number, fork: ForkName) => SlotPlan;
}

/** The generator's running context. */
export interface GenContext {
  o: Oracle;
  keys: InteropKeys;
  rng: Rng;
  spec: ScenarioSpec;
  /** The oracle's chain config. */
  chain: Any;
  /** The latest state (after the latest block or slots step). */
  head: Any;
  votes: Vote[];
  /** Every deposit of the deposit contract (genesis ones first). */
  depositTree: DepositTree;
  depositDatas: Any[];
  /** The eth1_data blocks vote for while deposits are pending. */
  eth1Target: Any | null;
  /** The next deposit index of a deposit request. */
  nextDepositRequestIndex: number;
  /** The next interop key not yet used by any validator or deposit. */
  nextKey: number;
  /** Interop key index of every pubkey in use (genesis validators and deposits). */
  keyByPubkey: Map<string, number>;
  /** Validators already used by an exit, slashing or request (never picked again). */
  reserved: Set<number>;
  /** Validators whose BLS credentials were changed (or asked to be) in a block. */
  blsChanged: Set<number>;
  /** Null before any inactivity leak; -1 during one; then the first epoch with finality back. */
  leakEndEpoch: number | null;
  /** Execution block number of the latest payload. */
  executionBlockNumber: number;
}
