// Every message kind the signer signs, phase0 → fulu: the signature verifies against a signing root computed here
// from the spec formulas (compute_domain with the fork version expected at the message's epoch, then
// compute_signing_root), so a wrong domain type, fork version, epoch or object type fails.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { publicKeyFromBytes, verify } from "../../../../consensus/src/bls/index.ts";
import type { ForkName } from "../../../../consensus/src/params/forkName.ts";
import {
  computeDomain,
  computeSigningRoot,
  computeSigningRootOf,
  DOMAIN_AGGREGATE_AND_PROOF,
  DOMAIN_APPLICATION_BUILDER,
  DOMAIN_BEACON_ATTESTER,
  DOMAIN_BEACON_PROPOSER,
  DOMAIN_CONTRIBUTION_AND_PROOF,
  DOMAIN_RANDAO,
  DOMAIN_SELECTION_PROOF,
  DOMAIN_SYNC_COMMITTEE,
  DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF,
  type DomainType,
} from "../../../../consensus/src/signing/index.ts";
import { fromHex } from "../../../../consensus/src/util/hex.ts";
import type { SignResult } from "../../../../validator/src/ports.ts";
import { SignerError } from "../../../../validator/src/signing/errors.ts";
import {
  attestationData,
  config,
  FORK_AT,
  GVR,
  type Harness,
  harness,
  recorded,
  SLOTS_PER_EPOCH,
  types,
} from "./helpers.ts";

// biome-ignore lint/suspicious/noExplicitAny: SSZ values of several forks, built generically
type Any = any;

let h: Harness;
before(async () => {
  h = await harness(4);
});
after(async () => {
  await h.close();
});

/** get_domain for a message at `epoch` on this chain, from the fork table (not from the code under test). */
function domainAt(type: DomainType, epoch: number): Uint8Array {
  const fork = [...FORK_AT].reverse().find((f) => f.epoch <= epoch);
  assert.ok(fork);
  return computeDomain(type, fork.version, GVR);
}

function assertVerifies(keyIndex: number, root: Uint8Array, signature: Uint8Array, what: string): void {
  const pk = publicKeyFromBytes(fromHex(h.keys[keyIndex].pubkey));
  assert.equal(signature.length, 96, what);
  assert.ok(verify(pk, root, signature), `${what}: signature does not verify with the expected domain`);
}

function okSignature(r: SignResult | undefined, what: string): Uint8Array {
  assert.ok(r, what);
  if (!r.ok) assert.fail(`${what} refused: ${r.reason}`);
  return r.signature;
}

describe("signatures of every message kind verify with the spec's domain", () => {
  it("attestation: DOMAIN_BEACON_ATTESTER at target.epoch", async () => {
    const data = attestationData(3 * SLOTS_PER_EPOCH + 2, 2, 3);
    const [r] = await h.signer.signAttestations([{ pubkey: h.keys[0].pubkey, data }]);
    const root = computeSigningRootOf(types.phase0.AttestationData, data, domainAt(DOMAIN_BEACON_ATTESTER, 3));
    assertVerifies(0, root, okSignature(r, "attestation"), "attestation");
  });

  it("blocks of every fork, full and (from bellatrix) blinded: DOMAIN_BEACON_PROPOSER at the block's epoch", async () => {
    let n = 0;
    for (const { fork, epoch } of FORK_AT) {
      for (const blinded of fork === "phase0" || fork === "altair" ? [false] : [false, true]) {
        const ns = types[fork] as Any;
        const type = blinded ? ns.BlindedBeaconBlock : ns.BeaconBlock;
        const block = type.defaultValue();
        block.slot = epoch * SLOTS_PER_EPOCH + (blinded ? 2 : 1);
        block.proposerIndex = 1;
        block.parentRoot = new Uint8Array(32).fill(7);
        const sig = await h.signer.signBlock(h.keys[1].pubkey, fork, blinded, block);
        const root = computeSigningRootOf(type, block, domainAt(DOMAIN_BEACON_PROPOSER, epoch));
        assertVerifies(1, root, sig, `${fork} ${blinded ? "blinded " : ""}block`);
        n++;
      }
    }
    assert.equal(n, 12);
  });

  it("a block given with the wrong fork, or a blinded pre-bellatrix block, is refused without being recorded", async () => {
    const capellaBlock = (types.capella.BeaconBlock as Any).defaultValue();
    capellaBlock.slot = 4 * SLOTS_PER_EPOCH + 5; // a deneb slot
    await assert.rejects(h.signer.signBlock(h.keys[2].pubkey, "capella", false, capellaBlock), {
      name: "SignerError",
      code: "INVALID_MESSAGE",
    });
    const altairBlock = (types.altair.BeaconBlock as Any).defaultValue();
    altairBlock.slot = SLOTS_PER_EPOCH + 1;
    await assert.rejects(h.signer.signBlock(h.keys[2].pubkey, "altair", true, altairBlock), {
      code: "INVALID_MESSAGE",
    });
    assert.deepEqual(recorded(h, h.keys[2].pubkey), { blocks: 0, attestations: 0 });
  });

  it("RANDAO reveal: DOMAIN_RANDAO at the epoch, over the epoch", async () => {
    const sig = await h.signer.signRandaoReveal(h.keys[0].pubkey, 4);
    const root = computeSigningRootOf(types.phase0.BeaconBlock.fields.slot, 4, domainAt(DOMAIN_RANDAO, 4));
    assertVerifies(0, root, sig, "randao");
  });

  it("selection proofs: DOMAIN_SELECTION_PROOF at the slot's epoch, over the slot", async () => {
    const slots = [5, 5 * SLOTS_PER_EPOCH + 3];
    const sigs = await h.signer.signSelectionProofs(slots.map((slot, i) => ({ pubkey: h.keys[i].pubkey, slot })));
    for (const [i, slot] of slots.entries()) {
      const epoch = Math.floor(slot / SLOTS_PER_EPOCH);
      const root = computeSigningRootOf(
        types.phase0.BeaconBlock.fields.slot,
        slot,
        domainAt(DOMAIN_SELECTION_PROOF, epoch),
      );
      assertVerifies(i, root, sigs[i], `selection proof at slot ${slot}`);
    }
  });

  it("aggregate and proof, phase0 and electra types: DOMAIN_AGGREGATE_AND_PROOF at the aggregate's epoch", async () => {
    const cases: [ForkName, number][] = [
      ["phase0", 2],
      ["electra", 5 * SLOTS_PER_EPOCH + 1],
    ];
    for (const [fork, slot] of cases) {
      const type = types[fork].AggregateAndProof as Any;
      const message = type.defaultValue();
      message.aggregatorIndex = 3;
      message.aggregate.data.slot = slot;
      message.aggregate.data.target.epoch = Math.floor(slot / SLOTS_PER_EPOCH);
      if (fork === "electra") message.aggregate.committeeBits.set(0, true);
      const [r] = await h.signer.signAggregateAndProofs(fork, [{ pubkey: h.keys[3].pubkey, message }]);
      const epoch = Math.floor(slot / SLOTS_PER_EPOCH);
      const root = computeSigningRootOf(type, message, domainAt(DOMAIN_AGGREGATE_AND_PROOF, epoch));
      assertVerifies(3, root, okSignature(r, `${fork} aggregate`), `${fork} aggregate and proof`);
      // The other fork's type gives another root: the fork argument matters.
      const other = (fork === "phase0" ? types.electra : types.phase0).AggregateAndProof as Any;
      assert.notDeepEqual(other.hashTreeRoot(other.defaultValue()), type.hashTreeRoot(type.defaultValue()));
    }
  });

  it("sync committee message: DOMAIN_SYNC_COMMITTEE at the slot's epoch, over the block root", async () => {
    const slot = SLOTS_PER_EPOCH + 2;
    const beaconBlockRoot = new Uint8Array(32).fill(0x5a);
    const [r] = await h.signer.signSyncCommitteeMessages([{ pubkey: h.keys[2].pubkey, slot, beaconBlockRoot }]);
    const root = computeSigningRoot(beaconBlockRoot, domainAt(DOMAIN_SYNC_COMMITTEE, 1));
    assertVerifies(2, root, okSignature(r, "sync message"), "sync committee message");
  });

  it("sync selection proof: DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF over SyncAggregatorSelectionData", async () => {
    const slot = 6 * SLOTS_PER_EPOCH;
    const [sig] = await h.signer.signSyncSelectionProofs([{ pubkey: h.keys[1].pubkey, slot, subcommitteeIndex: 3 }]);
    const root = computeSigningRootOf(
      types.altair.SyncAggregatorSelectionData,
      { slot, subcommitteeIndex: 3 },
      domainAt(DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF, 6),
    );
    assertVerifies(1, root, sig, "sync selection proof");
  });

  it("contribution and proof: DOMAIN_CONTRIBUTION_AND_PROOF at the contribution's epoch", async () => {
    const type = types.altair.ContributionAndProof as Any;
    const message = type.defaultValue();
    message.aggregatorIndex = 9;
    message.contribution.slot = 3 * SLOTS_PER_EPOCH + 1;
    message.contribution.subcommitteeIndex = 2;
    const [r] = await h.signer.signContributionAndProofs([{ pubkey: h.keys[0].pubkey, message }]);
    const root = computeSigningRootOf(type, message, domainAt(DOMAIN_CONTRIBUTION_AND_PROOF, 3));
    assertVerifies(0, root, okSignature(r, "contribution"), "contribution and proof");
  });

  it("validator registration: DOMAIN_APPLICATION_BUILDER with GENESIS_FORK_VERSION and a zero root", async () => {
    const message = {
      feeRecipient: new Uint8Array(20).fill(0x11),
      gasLimit: 30_000_000,
      timestamp: 1_700_000_000,
      pubkey: fromHex(h.keys[2].pubkey),
    };
    const [sig] = await h.signer.signValidatorRegistrations([{ pubkey: h.keys[2].pubkey, message }]);
    const domain = computeDomain(DOMAIN_APPLICATION_BUILDER, config.GENESIS_FORK_VERSION, new Uint8Array(32));
    const root = computeSigningRootOf(types.bellatrix.ValidatorRegistrationV1, message, domain);
    assertVerifies(2, root, sig, "validator registration");
  });

  it("a malformed message is refused per item, the others signed", async () => {
    const good = (types.altair.ContributionAndProof as Any).defaultValue();
    good.contribution.slot = SLOTS_PER_EPOCH;
    const results = await h.signer.signContributionAndProofs([
      { pubkey: h.keys[0].pubkey, message: { contribution: {} } },
      { pubkey: h.keys[1].pubkey, message: good },
    ]);
    assert.equal(results[0].ok, false);
    assert.equal(results[0].ok === false && results[0].code, "INVALID_MESSAGE");
    assert.equal(results[1].ok, true);
  });

  it("unknown keys throw UNKNOWN_KEY from the array-returning calls", async () => {
    const stranger = `0x${"a1".repeat(48)}` as const;
    await assert.rejects(h.signer.signSelectionProofs([{ pubkey: stranger, slot: 1 }]), (e: unknown) => {
      assert.ok(e instanceof SignerError);
      assert.equal(e.code, "UNKNOWN_KEY");
      return true;
    });
    await assert.rejects(h.signer.signRandaoReveal(stranger, 1), { code: "UNKNOWN_KEY" });
  });
});
