// Invalid blocks are rejected by both implementations, ours naming the spec rule: blocks of generated oracle chains
// (at several forks) altered one way each — a bad proposer signature, the wrong proposer, the wrong parent, a slot
// not after its parent's, an operation repeated, a validator index out of range — and re-signed by the proposer
// named in the block, so that only the altered rule is broken. The oracle runs with the state-root check off, so
// its rejection also comes from the rule, not from the changed body.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { isSextantError } from "@sextant/common/errors";
import { interopSecretKey } from "@sextant/consensus/bls/interop";
import { parseChainConfigYaml } from "@sextant/consensus/params/index";
import { computeSigningRoot } from "@sextant/consensus/signing/domain";
import { DOMAIN_BEACON_PROPOSER } from "@sextant/consensus/signing/domainTypes";
import { stateDomain } from "@sextant/consensus/state/accessors";
import { type CachedState, cloneCachedState, forkAtSlot, loadCachedState } from "@sextant/consensus/state/cachedState";
import type { AnySignedBeaconBlock } from "@sextant/consensus/transition/blockTypes";
import { processSlots, stateTransition } from "@sextant/consensus/transition/stateTransition";
import { type GeneratedChain, generateChain, scenario } from "../support/chainGen/index.ts";
import { beaconConfigOf, loadDualState } from "../support/dualState.ts";
import { oracleSkip } from "../support/oracle.ts";

// biome-ignore lint/suspicious/noExplicitAny: block values are altered field by field across forks
type Any = any;

interface Target {
  chain: GeneratedChain;
  /** Index of the block step in chain.steps. */
  step: number;
}

/** Our state just before step `index` of `chain`. */
function stateBefore(chain: GeneratedChain, index: number): CachedState {
  const config = beaconConfigOf(parseChainConfigYaml(chain.configYaml).config);
  const cs = loadCachedState(config, chain.genesisState, chain.genesisFork);
  for (const step of chain.steps.slice(0, index)) {
    if (step.kind === "slots") processSlots(cs, step.toSlot);
    else {
      const signed = config.types[step.fork].SignedBeaconBlock.deserialize(step.signedBlock) as AnySignedBeaconBlock;
      stateTransition(cs, signed, { verifySignatures: false });
    }
  }
  return cs;
}

/** The block of a step as a mutable value. */
function blockOf(cs: CachedState, t: Target): Any {
  const step = t.chain.steps[t.step];
  if (step.kind !== "block") throw new Error("not a block step");
  return cs.config.types[step.fork].SignedBeaconBlock.deserialize(step.signedBlock);
}

/** Signs `signed.message` with the interop key of its proposer index, as of `cs` advanced to its slot. */
function resign(cs: CachedState, signed: Any): Any {
  const at = cloneCachedState(cs);
  if (signed.message.slot > at.state.slot) processSlots(at, signed.message.slot);
  const type = at.config.types[at.fork].BeaconBlock as Any;
  const domain = stateDomain(
    at,
    DOMAIN_BEACON_PROPOSER,
    Math.floor(signed.message.slot / at.config.preset.SLOTS_PER_EPOCH),
  );
  const root = computeSigningRoot(type.hashTreeRoot(signed.message), domain);
  signed.signature = interopSecretKey(signed.message.proposerIndex).sign(root).toBytes();
  return signed;
}

/** Runs the altered block through both; returns our rule. Both must reject. */
async function rejectBoth(chain: GeneratedChain, cs: CachedState, signed: Any): Promise<string> {
  const dual = await loadDualState(parseChainConfigYaml(chain.configYaml).config, cs.fork, cs.state.serialize());
  const o = dual.oracleModule;
  let oracleError: unknown;
  try {
    const fork = forkAtSlot(cs.config, signed.message.slot);
    const bytes = (cs.config.types as Any)[fork].SignedBeaconBlock.serialize(signed);
    const oracleSigned = o.types.ssz[fork].SignedBeaconBlock.deserialize(bytes);
    o.stateTransition.stateTransition(dual.oracle, oracleSigned, {
      verifyStateRoot: false,
      verifyProposer: true,
      verifySignatures: true,
      executionPayloadStatus: o.stateTransition.ExecutionPayloadStatus.valid,
      dataAvailabilityStatus: o.stateTransition.DataAvailabilityStatus.Available,
    });
  } catch (e) {
    oracleError = e;
  }
  assert.ok(oracleError, "the oracle accepted the altered block");
  let ours: unknown;
  try {
    stateTransition(cloneCachedState(cs), signed, { verifySignatures: true, verifyStateRoot: false });
  } catch (e) {
    ours = e;
  }
  assert.ok(ours, "our transition accepted the altered block");
  assert.ok(isSextantError(ours), `ours threw a non-transition error: ${String(ours)}`);
  return String((ours.context as { rule?: string }).rule);
}

const skip = oracleSkip();

describe("invalid blocks are rejected by both, ours naming the rule", { skip, timeout: 300_000 }, () => {
  let forks: GeneratedChain;
  let ops: GeneratedChain;
  const firstBlockOfEachFork: Target[] = [];
  before(async () => {
    forks = await generateChain(scenario("forks-every-epoch"));
    ops = await generateChain(scenario("phase0-ops"));
    const seen = new Set<string>();
    forks.steps.forEach((s, i) => {
      if (s.kind === "block" && !seen.has(s.fork) && i > 0) {
        seen.add(s.fork);
        firstBlockOfEachFork.push({ chain: forks, step: i });
      }
    });
    assert.equal(seen.size, 7, "a block at every fork");
  });

  const withContent = (chain: GeneratedChain, content: string): Target => {
    const step = chain.steps.findIndex((s) => s.kind === "block" && s.contents.includes(content));
    assert.ok(step > 0, `a block with ${content}`);
    return { chain, step };
  };

  const cases: { name: string; rule: RegExp; alter: (cs: CachedState, b: Any) => Any; target?: () => Target }[] = [
    {
      name: "bad proposer signature",
      rule: /verify_block_signature/,
      alter: (_cs, b) => {
        b.signature = interopSecretKey(1).sign(new Uint8Array(32)).toBytes();
        return b;
      },
    },
    {
      name: "wrong proposer",
      rule: /process_block_header: block.proposer_index == get_beacon_proposer_index/,
      alter: (cs, b) => {
        b.message.proposerIndex = (b.message.proposerIndex + 1) % 64;
        return resign(cs, b);
      },
    },
    {
      name: "wrong parent",
      rule: /process_block_header: block.parent_root == hash_tree_root\(state.latest_block_header\)/,
      alter: (cs, b) => {
        b.message.parentRoot = new Uint8Array(32).fill(7);
        return resign(cs, b);
      },
    },
    {
      name: "slot not after the parent's",
      // After skipped slots the state is past the parent's slot, so the slot rule that breaks first differs.
      rule: /process_block_header: block.slot (> state.latest_block_header.slot|== state.slot)/,
      alter: (cs, b) => {
        b.message.slot = cs.state.latestBlockHeader.slot;
        return b;
      },
    },
  ];

  for (const c of cases) {
    it(`${c.name}, at every fork`, async () => {
      for (const t of firstBlockOfEachFork) {
        const cs = stateBefore(t.chain, t.step);
        let signed = c.alter(cs, blockOf(cs, t));
        if (c.name === "slot not after the parent's") {
          // Advance to the parent's slot is a no-op: the block must carry a proposer valid at that slot.
          signed.message.proposerIndex = cs.state.latestBlockHeader.proposerIndex;
          signed = resign(cs, signed);
        }
        const rule = await rejectBoth(t.chain, cs, signed);
        assert.match(rule, c.rule, `${t.chain.steps[t.step].fork}: ${rule}`);
      }
    });
  }

  it("a bad signature inside the block (an attestation's), at every fork", async () => {
    for (const t of firstBlockOfEachFork) {
      const cs = stateBefore(t.chain, t.step);
      const b = blockOf(cs, t);
      if (b.message.body.attestations.length === 0) continue;
      b.message.body.attestations[0].signature = interopSecretKey(3).sign(new Uint8Array(32)).toBytes();
      const rule = await rejectBoth(t.chain, cs, resign(cs, b));
      assert.match(rule, /block signature batch/);
    }
  });

  it("a voluntary exit included twice", async () => {
    const t = withContent(ops, "voluntary_exit");
    const cs = stateBefore(ops, t.step);
    const b = blockOf(cs, t);
    b.message.body.voluntaryExits.push(b.message.body.voluntaryExits[0]);
    const rule = await rejectBoth(ops, cs, resign(cs, b));
    assert.match(rule, /process_voluntary_exit: validator.exit_epoch == FAR_FUTURE_EPOCH/);
  });

  it("a proposer slashing included twice", async () => {
    const t = withContent(ops, "proposer_slashing");
    const cs = stateBefore(ops, t.step);
    const b = blockOf(cs, t);
    b.message.body.proposerSlashings.push(b.message.body.proposerSlashings[0]);
    const rule = await rejectBoth(ops, cs, resign(cs, b));
    assert.match(rule, /process_proposer_slashing: is_slashable_validator/);
  });

  it("a voluntary exit of a validator index out of range", async () => {
    const t = withContent(ops, "voluntary_exit");
    const cs = stateBefore(ops, t.step);
    const b = blockOf(cs, t);
    b.message.body.voluntaryExits[0].message.validatorIndex = 1_000_000;
    const rule = await rejectBoth(ops, cs, resign(cs, b));
    assert.match(rule, /process_voluntary_exit: voluntary_exit.validator_index < len\(state.validators\)/);
  });

  it("an attestation whose committee index is out of range", async () => {
    const step = ops.steps.findIndex(
      (s, i) =>
        i > 0 &&
        s.kind === "block" &&
        blockOf(stateBefore(ops, 0), { chain: ops, step: i }).message.body.attestations.length > 0,
    );
    const t = { chain: ops, step };
    const cs = stateBefore(ops, t.step);
    const b = blockOf(cs, t);
    b.message.body.attestations[0].data.index = 64;
    const rule = await rejectBoth(ops, cs, resign(cs, b));
    assert.match(rule, /process_attestation: data.index < get_committee_count_per_slot/);
  });
});
