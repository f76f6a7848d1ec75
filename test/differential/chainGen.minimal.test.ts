// Self-check of the oracle-driven test-chain generator (test/support/chainGen), minimal preset: every default
// scenario generates, replays through the oracle's own state transition with every signature verified and
// reproduces each recorded root; between them they cover every required content kind; generation is
// deterministic; a tampered chain is caught. SEXTANT_DIFF_LONG=1 adds the long versions and 16,384 validators.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseChainConfigYaml } from "../../consensus/src/params/index.ts";
import { InteropKeys, oracleBlst, oracleChainConfigOf, scenarioChainConfig } from "../support/chainGen/env.ts";
import { buildGenesis, type CredentialKind, DepositTree, ETH } from "../support/chainGen/genesis.ts";
import {
  coverageOf,
  DEFAULT_SCENARIOS,
  formatCoverage,
  type GeneratedChain,
  generateChain,
  missingKinds,
  replayWithOracle,
  SCENARIOS,
  scenario,
} from "../support/chainGen/index.ts";
import { loadOracle, oracleSkip } from "../support/oracle.ts";
import { Rng } from "../support/random.ts";

const skip = oracleSkip();
const LONG = process.env.SEXTANT_DIFF_LONG === "1";

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Structural checks of the output contract, with the oracle's types. */
async function checkContract(chain: GeneratedChain): Promise<void> {
  const o = await loadOracle("minimal");
  const { config, warnings } = parseChainConfigYaml(chain.configYaml);
  assert.equal(config.PRESET_BASE, "minimal");
  assert.ok(!warnings.some((w) => w.startsWith("unknown key")), warnings.join("; "));
  for (const [k, v] of Object.entries(chain.config))
    assert.ok(chain.configYaml.includes(`${k}: ${v.split("\n")[0]}`), k);
  const genesis = o.types.ssz[chain.genesisFork].BeaconState.deserialize(chain.genesisState);
  assert.equal(genesis.genesisTime, 1_600_000_000);
  if (!["phase0", "altair"].includes(chain.genesisFork)) {
    assert.ok(
      genesis.latestExecutionPayloadHeader.blockHash.some((b: number) => b !== 0),
      "post-merge genesis",
    );
  }
  let slot = 0;
  for (const [i, step] of chain.steps.entries()) {
    if (step.kind === "slots") {
      assert.ok(step.toSlot > slot, `step ${i}: slots step goes forward`);
      slot = step.toSlot;
      continue;
    }
    assert.equal(step.slot, slot + 1, `step ${i}: a block follows its parent slot (a slots step covers skips)`);
    const block = o.types.ssz[step.fork].SignedBeaconBlock.deserialize(step.signedBlock);
    assert.equal(block.message.slot, step.slot);
    assert.ok(equal(block.message.stateRoot, step.postStateRoot), `step ${i}: postStateRoot is the block's state_root`);
    assert.ok(step.contents.length > 0);
    slot = step.slot;
  }
}

describe("chainGen (oracle self-check, minimal)", { skip }, () => {
  const chains: GeneratedChain[] = [];

  for (const name of DEFAULT_SCENARIOS) {
    it(`${name}: generates and replays in the oracle with signatures`, async (t) => {
      const chain = await generateChain(scenario(name, { long: LONG }));
      await checkContract(chain);
      const blocks = await replayWithOracle(chain, { verifySignatures: true });
      assert.ok(blocks > 0);
      chains.push(chain);
      const last = chain.steps[chain.steps.length - 1];
      const to = last.kind === "block" ? last.slot : last.toSlot;
      t.diagnostic(`${blocks} blocks, ${chain.steps.length - blocks} slots steps, to slot ${to}`);
    });
  }

  it("the default scenarios cover every required kind", (t) => {
    assert.equal(chains.length, DEFAULT_SCENARIOS.length, "every scenario generated");
    const coverage = coverageOf(chains);
    t.diagnostic(`\n${formatCoverage(coverage)}`);
    assert.deepEqual(missingKinds(coverage), []);
  });

  it("is deterministic: the same spec gives the same bytes", async () => {
    const [a, b] = [await generateChain(scenario("skips-and-late")), await generateChain(scenario("skips-and-late"))];
    assert.ok(equal(a.genesisState, b.genesisState));
    assert.equal(a.configYaml, b.configYaml);
    assert.equal(a.steps.length, b.steps.length);
    for (const [i, s] of a.steps.entries()) {
      const u = b.steps[i];
      assert.equal(s.kind, u.kind);
      assert.ok(equal(s.postStateRoot, u.postStateRoot), `step ${i}`);
      if (s.kind === "block" && u.kind === "block") assert.ok(equal(s.signedBlock, u.signedBlock), `step ${i}`);
    }
  });

  it("the oracle replay catches a tampered block signature and a wrong recorded root", async () => {
    const chain = await generateChain(scenario("genesis-electra"));
    const i = chain.steps.findIndex((s) => s.kind === "block");
    const step = chain.steps[i];
    assert.ok(step.kind === "block");
    const badSig = step.signedBlock.slice();
    badSig[4 + 95] ^= 1; // the proposer's signature (after the 4-byte message offset)
    const steps = chain.steps.map((s, j) => (j === i ? { ...step, signedBlock: badSig } : s));
    await assert.rejects(replayWithOracle({ ...chain, steps }, { verifySignatures: true }), /signature|point|BLST/i);
    const wrongRoot = {
      ...chain,
      steps: chain.steps.map((s, j) => (j === 3 ? { ...s, postStateRoot: new Uint8Array(32) } : s)),
    };
    await assert.rejects(replayWithOracle(wrongRoot, { verifySignatures: false }), /root/);
  });

  it("the direct genesis (used for large registries) equals the oracle's initializeBeaconStateFromEth1", async () => {
    const o = await loadOracle("minimal");
    const keys = new InteropKeys(o, oracleBlst());
    for (const fork of ["phase0", "altair", "bellatrix", "deneb", "electra", "fulu"] as const) {
      const chain = oracleChainConfigOf(o, scenarioChainConfig(fork, {}, {}));
      const electra = fork === "electra" || fork === "fulu";
      const spec = {
        validatorCount: 64,
        credentials: (i: number) =>
          (i % 3 === 0 ? "eth1" : i % 3 === 1 && electra ? "compounding" : "bls") as CredentialKind,
        balance: (i: number) => (i % 3 === 1 && electra ? 40 : i % 5 === 0 ? 33 : 32) * ETH,
      };
      const viaOracle = await buildGenesis(o, keys, chain, spec, "oracle");
      const direct = await buildGenesis(o, keys, chain, spec, "direct");
      assert.ok(equal(viaOracle.state.serialize(), direct.state.serialize()), `${fork} genesis`);
    }
  });

  it("the deposit tree's roots and proofs match the SSZ deposit list and the oracle's Merkle check", async () => {
    const o = await loadOracle("minimal");
    const rng = new Rng(7);
    const tree = new DepositTree();
    const leaves: Uint8Array[] = [];
    for (let n = 1; n <= 37; n++) {
      const leaf = rng.bytes(32);
      leaves.push(leaf);
      const proof = tree.pushWithProof(leaf);
      const root = tree.root();
      assert.ok(equal(root, o.types.ssz.phase0.DepositDataRootList.hashTreeRoot(leaves)), `root of ${n}`);
      assert.ok(o.utils.verifyMerkleBranch(leaf, proof, 33, n - 1, root), `proof of the newest leaf of ${n}`);
      const k = rng.int(n);
      assert.ok(o.utils.verifyMerkleBranch(leaves[k], tree.proof(k, n), 33, k, root), `proof of leaf ${k} of ${n}`);
      assert.ok(!o.utils.verifyMerkleBranch(leaves[k], tree.proof(k, n), 33, k ^ 1, root) || n === 1);
    }
  });

  if (LONG) {
    it("large-16384: 16,384 validators", async () => {
      const chain = await generateChain(SCENARIOS["large-16384"]({}));
      await replayWithOracle(chain, { verifySignatures: true });
    });
  }
});
