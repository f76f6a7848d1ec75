// ProposerPreparationService: what prepare_beacon_proposer carries, when it is sent (start, each epoch, on change,
// not before bellatrix), and builder registrations (at most once per epoch, re-signed only when they change).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ForkName } from "@sextant/consensus/params/forkName";
import { toHex } from "@sextant/consensus/util/hex";
import type { IndexResolver, PubkeyHex } from "../../../../validator/src/ports.ts";
import { ProposerPreparationService } from "../../../../validator/src/services/proposerPreparation.ts";
import { pk, SLOTS_PER_EPOCH, setup, types } from "./fakes.ts";

const FEE_A = `0x${"aa".repeat(20)}`;
const FEE_B = `0x${"bb".repeat(20)}`;

function indices(map: Map<PubkeyHex, number>): IndexResolver {
  return {
    indexOf: (p) => map.get(p),
    pubkeyOf: () => undefined,
    indices: () => [...map.values()],
    unknownPubkeys: () => [],
    refresh: async () => {},
  };
}

function make(opts: { fork?: (epoch: number) => ForkName; builder?: boolean } = {}) {
  const env = setup({ fork: "deneb", startSlot: 16 });
  env.signer.keys.add(pk(1));
  env.signer.keys.add(pk(2));
  env.signer.keys.add(pk(3)); // not yet known to the chain
  const index = new Map<PubkeyHex, number>([
    [pk(1), 11],
    [pk(2), 12],
  ]);
  const fees = new Map<PubkeyHex, string>([[pk(2), FEE_B]]);
  env.nodes
    .answer("prepareBeaconProposer", () => ({ status: 200 }))
    .answer("registerValidator", () => ({ status: 200 }));
  const svc = new ProposerPreparationService({
    nodes: env.nodes,
    signer: env.signer,
    clock: env.clock,
    forkAtEpoch: opts.fork ?? env.forkAtEpoch,
    indices: indices(index),
    proposerSettings: (p) => ({ feeRecipient: fees.get(p) ?? FEE_A, gasLimit: 36_000_000 }),
    builder: opts.builder ?? false,
    logger: env.logger,
    metrics: env.metrics,
  });
  return { env, svc, index, fees };
}

describe("ProposerPreparationService", () => {
  it("sends each known index with its fee recipient at start, then once per epoch and on change", async () => {
    const { env, svc, index, fees } = make();
    const signal = env.ac.signal;
    await svc.onSlot(17, signal);
    const first = env.nodes.of("prepareBeaconProposer");
    assert.equal(first.length, 1);
    const body = first[0].args.body as { validatorIndex: number; feeRecipient: Uint8Array }[];
    assert.deepEqual(
      body.map((e) => [e.validatorIndex, toHex(e.feeRecipient)]),
      [
        [11, FEE_A],
        [12, FEE_B],
      ],
    );
    await svc.onSlot(18, signal);
    assert.equal(env.nodes.of("prepareBeaconProposer").length, 1, "nothing changed within the epoch");
    fees.set(pk(1), FEE_B);
    await svc.onSlot(19, signal);
    assert.equal(env.nodes.of("prepareBeaconProposer").length, 2, "a fee recipient changed");
    index.set(pk(3), 13);
    await svc.onSlot(20, signal);
    assert.equal(env.nodes.of("prepareBeaconProposer").length, 3, "a new index");
    await svc.onSlot(3 * SLOTS_PER_EPOCH, signal);
    assert.equal(env.nodes.of("prepareBeaconProposer").length, 4, "the next epoch");
    assert.equal(env.nodes.of("registerValidator").length, 0, "no builder");
  });

  it("retries at the next slot when the node failed", async () => {
    const { env, svc } = make();
    let fail = true;
    env.nodes.answer("prepareBeaconProposer", () => {
      if (fail) throw new Error("connection refused");
      return { status: 200 };
    });
    await svc.onSlot(17, env.ac.signal);
    fail = false;
    await svc.onSlot(18, env.ac.signal);
    assert.equal(env.nodes.of("prepareBeaconProposer").length, 2);
  });

  it("skips before bellatrix, starting one epoch ahead of it", async () => {
    const { env, svc } = make({ fork: (e) => (e >= 4 ? "bellatrix" : "altair") });
    await svc.onSlot(2 * SLOTS_PER_EPOCH, env.ac.signal);
    assert.equal(env.nodes.calls.length, 0);
    await svc.onSlot(3 * SLOTS_PER_EPOCH, env.ac.signal);
    assert.equal(env.nodes.of("prepareBeaconProposer").length, 1);
  });

  it("registers with builders at most once per epoch, re-signing only changed registrations", async () => {
    const { env, svc, fees } = make({ builder: true });
    await svc.onSlot(17, env.ac.signal);
    await svc.onSlot(18, env.ac.signal);
    const regs = env.nodes.of("registerValidator");
    assert.equal(regs.length, 1);
    const body = regs[0].args.body as { message: { feeRecipient: Uint8Array; gasLimit: number; timestamp: number } }[];
    assert.equal(body.length, 2);
    assert.equal(body[0].message.gasLimit, 36_000_000);
    assert.equal(body[0].message.timestamp, Math.floor(env.time.now() / 1000));
    types.bellatrix.SignedValidatorRegistrationV1.serialize(body[0] as never);
    assert.equal(env.signer.of("signValidatorRegistrations").length, 1);

    fees.set(pk(1), FEE_B);
    await svc.onSlot(3 * SLOTS_PER_EPOCH, env.ac.signal);
    assert.equal(env.nodes.of("registerValidator").length, 2);
    const resigned = env.signer.of("signValidatorRegistrations") as { pubkey: string }[][];
    assert.deepEqual(
      resigned[1].map((i) => i.pubkey),
      [pk(1)],
      "only the changed key is signed again",
    );
  });
});
