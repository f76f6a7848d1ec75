// Interop genesis for the test-chain generator, built by the oracle the way Lodestar builds its dev genesis:
// deterministic interop keys, one signed 32 ETH deposit each (credentials and amounts chosen by the scenario),
// initializeBeaconStateFromEth1 at whatever fork is active at epoch 0, then the fixed genesis time, a non-default
// execution payload header for merged forks (so the chain is post-merge) and, for fulu, the proposer lookahead.
import { createHash } from "node:crypto";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { ForkName } from "../../../consensus/src/params/index.ts";
import type { Oracle } from "../oracle.ts";
import { PROJECT_ROOT } from "../reference.ts";
import type { Any, InteropKeys } from "./env.ts";

/** Genesis time of every generated chain. */
export const GENESIS_TIME = 1_600_000_000;
/** The eth1 block hash genesis is built from (also the initial RANDAO mixes). */
export const GENESIS_ETH1_BLOCK_HASH = new Uint8Array(32).fill(0x42);
/** The block hash of the genesis execution payload header of a post-merge genesis. */
export const GENESIS_EXECUTION_BLOCK_HASH = new Uint8Array(32).fill(0x11);
/** Gwei per ETH. */
export const ETH = 1_000_000_000;

/** The kind of withdrawal credentials a validator gets at genesis or in a deposit. */
export type CredentialKind = "bls" | "eth1" | "compounding";

/** The execution address of interop validator `i` (its 0x01/0x02 credentials and requests' source address). */
export function executionAddress(i: number): Uint8Array {
  const a = new Uint8Array(20);
  a[0] = 0xee;
  new DataView(a.buffer).setUint32(16, i);
  return a;
}

/** Withdrawal credentials of `kind` for interop validator `i` (BLS ones commit to its own pubkey). */
export function withdrawalCredentials(keys: InteropKeys, i: number, kind: CredentialKind): Uint8Array {
  const wc = new Uint8Array(32);
  if (kind === "bls") {
    wc.set(sha256(keys.pubkey(i)));
    wc[0] = 0x00;
    return wc;
  }
  wc[0] = kind === "eth1" ? 0x01 : 0x02;
  wc.set(executionAddress(i), 12);
  return wc;
}

/** SHA-256 (node:crypto). */
export function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(data).digest());
}

/** A signed deposit (DepositData value) of interop key `i`. */
export function depositData(
  o: Oracle,
  keys: InteropKeys,
  chain: Any,
  i: number,
  credentials: Uint8Array,
  amount: number,
): Any {
  const { ssz } = o.types;
  const message = { pubkey: keys.pubkey(i), withdrawalCredentials: credentials, amount };
  const domain = o.stateTransition.computeDomain(
    o.params.DOMAIN_DEPOSIT,
    chain.GENESIS_FORK_VERSION,
    new Uint8Array(32),
  );
  const root = o.stateTransition.computeSigningRoot(ssz.phase0.DepositMessage, message, domain);
  return { ...message, signature: keys.sign(i, root) };
}

/** What a genesis is made of. */
export interface GenesisSpec {
  validatorCount: number;
  /** Credentials of genesis validator `i` (default: BLS). */
  credentials?: (i: number) => CredentialKind;
  /** Deposit amount of genesis validator `i` in Gwei (default 32 ETH). */
  balance?: (i: number) => number;
}

/** The genesis state and the deposit data roots it was built from (the start of the deposit contract's list). */
export interface Genesis {
  fork: ForkName;
  /** A fresh CachedBeaconState of the genesis state under `beaconConfig`. */
  state: Any;
  beaconConfig: Any;
  depositDataRoots: Uint8Array[];
  /** The genesis deposits' DepositData values. */
  depositDatas: Any[];
  /** Credentials kind per genesis validator. */
  credentialKinds: CredentialKind[];
}

async function loadInitializeProposerLookahead(): Promise<Any> {
  const file = join(PROJECT_ROOT, "test", "oracle", "node_modules", "@lodestar", "state-transition", "lib", "util");
  const mod = await import(pathToFileURL(join(file, "fulu.js")).href);
  return mod.initializeProposerLookahead;
}

/** A post-merge genesis execution payload header of `fork`'s type. */
function genesisPayloadHeader(o: Oracle, fork: ForkName): Any {
  const t = o.types.ssz[fork].ExecutionPayloadHeader;
  const h = t.defaultValue();
  h.blockHash = GENESIS_EXECUTION_BLOCK_HASH;
  h.parentHash = new Uint8Array(32).fill(0x10);
  h.blockNumber = 0;
  h.gasLimit = 30_000_000;
  h.timestamp = GENESIS_TIME;
  h.baseFeePerGas = 1_000_000_000n;
  h.prevRandao = GENESIS_ETH1_BLOCK_HASH;
  return t.toViewDU(h);
}

/** Above this many validators genesis is built directly (the oracle's deposit-by-deposit path is quadratic). */
export const DIRECT_GENESIS_ABOVE = 1024;

/** The signed genesis deposits of `spec`: data values, their roots and proofs against the growing list. */
function genesisDeposits(o: Oracle, keys: InteropKeys, chain: Any, spec: GenesisSpec) {
  const { ssz } = o.types;
  const credentialKinds: CredentialKind[] = [];
  const datas: Any[] = [];
  const roots: Uint8Array[] = [];
  const deposits: Any[] = [];
  const tree = new DepositTree();
  for (let i = 0; i < spec.validatorCount; i++) {
    const kind = spec.credentials?.(i) ?? "bls";
    credentialKinds.push(kind);
    const data = depositData(o, keys, chain, i, withdrawalCredentials(keys, i, kind), spec.balance?.(i) ?? 32 * ETH);
    datas.push(data);
    roots.push(ssz.phase0.DepositData.hashTreeRoot(data));
    deposits.push({ proof: tree.pushWithProof(roots[i]), data });
  }
  return { credentialKinds, datas, roots, deposits, tree };
}

/**
 * Lodestar's initializeBeaconStateFromEth1 over `deposits` (a cached state). Before electra it takes compounding
 * credentials' effective balance above MAX_EFFECTIVE_BALANCE, unlike the spec: buildGenesis goes the direct way
 * for such deposits.
 */
function oracleGenesis(o: Oracle, chain: Any, fork: ForkName, deposits: Any[], roots: Uint8Array[]): Any {
  const st = o.stateTransition;
  const zeroConfig = o.config.createBeaconConfig(chain, new Uint8Array(32));
  const header = fork === "phase0" || fork === "altair" ? undefined : genesisPayloadHeader(o, fork);
  return st.initializeBeaconStateFromEth1(
    zeroConfig,
    { config: zeroConfig, pubkeyCache: st.createPubkeyCache() },
    GENESIS_ETH1_BLOCK_HASH,
    GENESIS_TIME - chain.GENESIS_DELAY,
    deposits,
    // The full list of deposit roots: without it the oracle rehashes every DepositData per deposit.
    o.types.ssz.phase0.DepositDataRootList.toViewDU(roots),
    header,
  );
}

/** The spec's genesis effective balance of a deposit (electra: up to the credentials' maximum). */
function genesisEffectiveBalance(o: Oracle, fork: ForkName, credentials: Uint8Array, amount: number): number {
  const P = o.params;
  const max =
    P.ForkSeq[fork] >= P.ForkSeq.electra && credentials[0] === 2
      ? P.MAX_EFFECTIVE_BALANCE_ELECTRA
      : P.MAX_EFFECTIVE_BALANCE;
  return Math.min(amount - (amount % P.EFFECTIVE_BALANCE_INCREMENT), max);
}

/**
 * The same genesis built directly: the oracle's genesis of the first deposit (fork fields, header, randao), then
 * every validator written as the deposits and genesis activation would leave it, the eth1 data of all deposits,
 * the genesis validators root and (altair+) the sync committees computed by the oracle.
 */
function directGenesis(o: Oracle, chain: Any, fork: ForkName, dep: ReturnType<typeof genesisDeposits>): Any {
  const { ssz } = o.types;
  const P = o.params;
  const state = oracleGenesis(o, chain, fork, dep.deposits.slice(0, 1), dep.roots.slice(0, 1));
  const altair = P.ForkSeq[fork] >= P.ForkSeq.altair;
  for (const [i, data] of dep.datas.entries()) {
    const effectiveBalance = genesisEffectiveBalance(o, fork, data.withdrawalCredentials, data.amount);
    const epoch = effectiveBalance >= P.MIN_ACTIVATION_BALANCE ? 0 : Number.POSITIVE_INFINITY;
    const validator = ssz.phase0.Validator.toViewDU({
      pubkey: data.pubkey,
      withdrawalCredentials: data.withdrawalCredentials,
      effectiveBalance,
      slashed: false,
      activationEligibilityEpoch: epoch,
      activationEpoch: epoch,
      exitEpoch: Number.POSITIVE_INFINITY,
      withdrawableEpoch: Number.POSITIVE_INFINITY,
    });
    if (i === 0) {
      state.validators.set(0, validator);
      state.balances.set(0, data.amount);
      continue;
    }
    state.validators.push(validator);
    state.balances.push(data.amount);
    if (altair) {
      state.previousEpochParticipation.push(0);
      state.currentEpochParticipation.push(0);
      state.inactivityScores.push(0);
    }
  }
  state.eth1Data.depositRoot = dep.tree.root();
  state.eth1Data.depositCount = BigInt(dep.datas.length);
  state.eth1DepositIndex = dep.datas.length;
  state.genesisValidatorsRoot = state.validators.hashTreeRoot();
  state.commit();
  return freshState(o, chain, fork, state.serialize());
}

/** A fresh cached state of `fork` from SSZ bytes (its own pubkey cache, config under its genesis validators root). */
function freshState(o: Oracle, chain: Any, fork: ForkName, bytes: Uint8Array): Any {
  const st = o.stateTransition;
  const view = o.types.ssz[fork].BeaconState.deserializeToViewDU(bytes);
  const beaconConfig = o.config.createBeaconConfig(chain, view.genesisValidatorsRoot);
  return st.createCachedBeaconState(view, { config: beaconConfig, pubkeyCache: st.createPubkeyCache() });
}

/** Whether Lodestar's genesis would give some validator more effective balance than the spec (see oracleGenesis). */
function oracleOvershoots(o: Oracle, fork: ForkName, datas: Any[]): boolean {
  const P = o.params;
  if (P.ForkSeq[fork] >= P.ForkSeq.electra) return false;
  return datas.some(
    (d) => d.withdrawalCredentials[0] === 2 && d.amount >= P.MAX_EFFECTIVE_BALANCE + P.EFFECTIVE_BALANCE_INCREMENT,
  );
}

/**
 * Builds the interop genesis of `spec` under the oracle chain config `chain` (fork from its epoch-0 schedule):
 * through Lodestar's initializeBeaconStateFromEth1 (up to DIRECT_GENESIS_ABOVE validators, or always with
 * `method: "oracle"`), else directly (`method: "direct"`; identical result, checked by the self-test).
 */
export async function buildGenesis(
  o: Oracle,
  keys: InteropKeys,
  chain: Any,
  spec: GenesisSpec,
  method?: "oracle" | "direct",
): Promise<Genesis> {
  const { ssz } = o.types;
  const P = o.params;
  const fork: ForkName = o.config.createBeaconConfig(chain, new Uint8Array(32)).getForkName(0);
  const dep = genesisDeposits(o, keys, chain, spec);
  const direct = method
    ? method === "direct"
    : spec.validatorCount > DIRECT_GENESIS_ABOVE || oracleOvershoots(o, fork, dep.datas);
  let state: Any;
  if (direct) {
    state = directGenesis(o, chain, fork, dep);
  } else {
    const built = oracleGenesis(o, chain, fork, dep.deposits, dep.roots);
    built.commit();
    state = freshState(o, chain, fork, built.serialize());
  }
  if (state.genesisTime !== GENESIS_TIME) throw new Error(`genesis time ${state.genesisTime} ≠ ${GENESIS_TIME}`);
  const active = state.validators.getAllReadonlyValues().filter((v: Any) => v.activationEpoch === 0).length;
  if (active !== spec.validatorCount) {
    throw new Error(`only ${active} of ${spec.validatorCount} genesis validators active`);
  }
  if (direct && P.ForkSeq[fork] >= P.ForkSeq.altair) {
    // Sync committees of the full registry (the oracle's genesis computes them the same way).
    const indices = Uint32Array.from({ length: spec.validatorCount }, (_, i) => i);
    const { syncCommittee } = o.stateTransition.getNextSyncCommittee(
      P.ForkSeq[fork],
      state,
      indices,
      state.epochCtx.effectiveBalanceIncrements,
    );
    state.currentSyncCommittee = ssz.altair.SyncCommittee.toViewDU(syncCommittee);
    state.nextSyncCommittee = ssz.altair.SyncCommittee.toViewDU(syncCommittee);
    state.commit();
    state = freshState(o, chain, fork, state.serialize());
  }
  if (fork === "fulu") {
    const initializeProposerLookahead = await loadInitializeProposerLookahead();
    state.proposerLookahead = ssz.fulu.ProposerLookahead.toViewDU(initializeProposerLookahead(state));
    state.commit();
    state = freshState(o, chain, fork, state.serialize());
  }
  return {
    fork,
    state,
    beaconConfig: state.config,
    depositDataRoots: dep.roots,
    depositDatas: dep.datas,
    credentialKinds: dep.credentialKinds,
  };
}

/** The deposit contract's Merkle tree (depth 32, with the leaf count mixed in), for proofs of any leaf. */
export class DepositTree {
  private readonly leaves: Uint8Array[] = [];
  /** The deposit contract's branch: the last complete left node of each layer. */
  private readonly branch: Uint8Array[] = [];
  private static zeros: Uint8Array[] = (() => {
    const z: Uint8Array[] = [new Uint8Array(32)];
    for (let d = 1; d <= 32; d++) z.push(sha256(concat(z[d - 1], z[d - 1])));
    return z;
  })();
  get count(): number {
    return this.leaves.length;
  }
  push(leaf: Uint8Array): void {
    let node = leaf;
    let size = this.leaves.length + 1;
    this.leaves.push(leaf);
    for (let h = 0; h < 32; h++) {
      if ((size & 1) === 1) {
        this.branch[h] = node;
        return;
      }
      node = sha256(concat(this.branch[h], node));
      size >>>= 1;
    }
  }
  /** Appends `leaf` and returns its proof against the new root (cheap: from the contract's branch). */
  pushWithProof(leaf: Uint8Array): Uint8Array[] {
    const i = this.leaves.length;
    const proof: Uint8Array[] = [];
    for (let d = 0; d < 32; d++) proof.push(((i >>> d) & 1) === 1 ? this.branch[d] : DepositTree.zeros[d]);
    this.push(leaf);
    proof.push(lengthLeaf(i + 1));
    return proof;
  }
  /** Nodes of every layer (layer 0: the leaves), only as far as there are leaves. */
  private layers(count: number): Uint8Array[][] {
    const layers: Uint8Array[][] = [this.leaves.slice(0, count)];
    for (let d = 0; d < 32; d++) {
      const below = layers[d];
      const up: Uint8Array[] = [];
      for (let j = 0; j < below.length; j += 2) up.push(sha256(concat(below[j], below[j + 1] ?? DepositTree.zeros[d])));
      layers.push(up);
    }
    return layers;
  }
  /** The root of the first `count` leaves (DepositDataRootList hash_tree_root). */
  root(count = this.count): Uint8Array {
    const top = this.layers(count)[32][0] ?? DepositTree.zeros[32];
    return sha256(concat(top, lengthLeaf(count)));
  }
  /** The 33-node proof of leaf `index` against the root of the first `count` leaves. */
  proof(index: number, count = this.count): Uint8Array[] {
    const layers = this.layers(count);
    const proof: Uint8Array[] = [];
    for (let d = 0; d < 32; d++) proof.push(layers[d][(index >>> d) ^ 1] ?? DepositTree.zeros[d]);
    proof.push(lengthLeaf(count));
    return proof;
  }
}

function lengthLeaf(n: number): Uint8Array {
  const b = new Uint8Array(32);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
