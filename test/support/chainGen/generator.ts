// The test-chain generator's main loop: genesis, then slot by slot a block (or a skipped slot), recording the
// oracle's post-state root after every step, so our state transition can replay the chain and compare. Slots
// steps come before a block after skipped slots (up to the slot before it) and alone onto the first slot of
// the scenario's chosen epochs.
import type { ForkName } from "../../../consensus/src/params/index.ts";
import type { Oracle } from "../oracle.ts";
import { Rng } from "../random.ts";
import { recordVotes } from "./attestations.ts";
import { buildBlock } from "./block.ts";
import {
  configYamlOf,
  InteropKeys,
  minimalOracle,
  oracleBlst,
  oracleChainConfigOf,
  scenarioChainConfig,
} from "./env.ts";
import { buildGenesis, DepositTree } from "./genesis.ts";
import { hex } from "./ops.ts";
import type { ChainStep, GenContext, GeneratedChain, ScenarioSpec, SlotPlan } from "./types.ts";

const keysByOracle = new WeakMap<Oracle, InteropKeys>();

function interopKeys(o: Oracle): InteropKeys {
  let keys = keysByOracle.get(o);
  if (!keys) {
    keys = new InteropKeys(o, oracleBlst());
    keysByOracle.set(o, keys);
  }
  return keys;
}

/** The YAML text of a config as key → value text (one `KEY: value` per line; lists kept as their YAML). */
function yamlEntries(yaml: string): Record<string, string> {
  const out: Record<string, string> = {};
  let last = "";
  for (const line of yaml.split("\n")) {
    const m = /^([A-Z0-9_]+):\s*(.*)$/.exec(line);
    if (m) {
      last = m[1];
      out[last] = m[2];
    } else if (line.trim() !== "" && last) {
      out[last] = `${out[last]}\n${line}`;
    }
  }
  return out;
}

/** Generates the chain of `spec` with the oracle. Deterministic: the same spec gives the same bytes. */
export async function generateChain(spec: ScenarioSpec): Promise<GeneratedChain> {
  const o = await minimalOracle();
  const st = o.stateTransition;
  const keys = interopKeys(o);
  const ours = scenarioChainConfig(spec.genesisFork, spec.forkEpochs ?? {}, spec.config ?? {});
  const configYaml = configYamlOf(ours);
  const chain = oracleChainConfigOf(o, ours);
  const validatorCount = spec.validatorCount ?? 64;
  const genesis = await buildGenesis(o, keys, chain, {
    validatorCount,
    credentials: spec.genesisCredentials,
    balance: spec.genesisBalance,
  });
  if (genesis.fork !== spec.genesisFork) throw new Error(`genesis fork ${genesis.fork}, expected ${spec.genesisFork}`);
  const depositTree = new DepositTree();
  for (const r of genesis.depositDataRoots) depositTree.push(r);
  const keyByPubkey = new Map<string, number>();
  for (let i = 0; i < validatorCount; i++) keyByPubkey.set(hex(keys.pubkey(i)), i);
  const rng = new Rng(spec.seed);
  const ctx: GenContext = {
    o,
    keys,
    rng,
    spec,
    chain,
    head: genesis.state,
    votes: [],
    depositTree,
    depositDatas: genesis.depositDatas,
    eth1Target: null,
    nextDepositRequestIndex: depositTree.count,
    nextKey: validatorCount,
    keyByPubkey,
    reserved: new Set(),
    blsChanged: new Set(),
    executionBlockNumber: 0,
    leakEndEpoch: null,
  };
  const genesisState = genesis.state.serialize();
  const genesisStateRoot = genesis.state.hashTreeRoot();
  const spe = o.params.SLOTS_PER_EPOCH;
  const boundaries = new Set(spec.epochBoundarySteps ?? []);
  const steps: ChainStep[] = [];
  const forkAt = (slot: number): ForkName => ctx.head.config.getForkName(slot);
  const slotsStep = (toSlot: number) => {
    ctx.head = st.processSlots(ctx.head, toSlot);
    steps.push({ kind: "slots", toSlot, fork: forkAt(toSlot), postStateRoot: ctx.head.hashTreeRoot() });
  };
  const participation = (p: number | undefined) => p ?? spec.participation ?? 1;

  ctx.votes.push(recordVotes(o, ctx.head, rng, participation(undefined), 1));
  let carried: NonNullable<SlotPlan["ops"]> = [];
  for (let slot = 1; slot <= spec.slots; slot++) {
    const planned = spec.plan?.(slot, forkAt(slot)) ?? {};
    const plan: SlotPlan =
      carried.length > 0 && !planned.skip ? { ...planned, ops: [...carried, ...(planned.ops ?? [])] } : planned;
    if (plan !== planned) carried = [];
    const boundary = slot % spe === 0 && boundaries.has(slot / spe);
    try {
      if (plan.skip || boundary) {
        if (plan.ops && plan.ops.length > 0) throw new Error("a skipped slot cannot carry operations");
        if (boundary) slotsStep(slot);
        const at = boundary ? ctx.head : st.processSlots(ctx.head, slot);
        ctx.votes.push(recordVotes(o, at, rng, participation(plan.participation), plan.inclusionDelay ?? 1));
        continue;
      }
      const built = buildBlock(ctx, slot, plan);
      if (!built) {
        // The proposer is slashed: an empty slot; its operations move to the next block.
        carried = plan.ops ?? [];
        ctx.votes.push(
          recordVotes(
            o,
            st.processSlots(ctx.head, slot),
            rng,
            participation(plan.participation),
            plan.inclusionDelay ?? 1,
          ),
        );
        continue;
      }
      if (slot - 1 > ctx.head.slot) slotsStep(slot - 1);
      ctx.head = built.post;
      steps.push({
        kind: "block",
        slot,
        fork: built.fork,
        signedBlock: built.bytes,
        postStateRoot: Uint8Array.from(built.signedBlock.message.stateRoot),
        contents: built.contents,
      });
      ctx.votes.push(recordVotes(o, ctx.head, rng, participation(plan.participation), plan.inclusionDelay ?? 1));
    } catch (e) {
      throw new Error(`scenario ${spec.name}, slot ${slot}: ${(e as Error).message}`, { cause: e });
    }
  }
  if (ctx.head.slot < spec.slots) slotsStep(spec.slots);
  return {
    name: spec.name,
    configYaml,
    config: yamlEntries(configYaml),
    genesisFork: genesis.fork,
    genesisState,
    genesisStateRoot,
    steps,
  };
}
