// The source of produced attestation data is the justified checkpoint of the state the attestation is checked
// against, not the fork choice's view of it. At genesis they differ: the state holds (0, 0x00…), the fork choice's
// anchor (0, genesis root). Attestations of slot 0 built from the fork choice's value are refused by
// process_attestation and never included (seen with Lodestar 1.5.1's validator client: epoch 0 at 56/64).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { randaoReveal, signAttestationData, startApiChain } from "./support-b/apiChain.ts";

describe("attestation data source", () => {
  for (const fork of ["phase0", "fulu"] as const) {
    it(`${fork}: slot-0 attestations carry the state's source and are included in block 1`, async () => {
      const api = await startApiChain({ fork });
      try {
        const { chain, config } = api.t;
        api.t.setTime(0, 2500);
        const { data } = await api.client.produceAttestationData({ slot: 0, committeeIndex: 0 });
        assert.deepEqual(data.source.root, new Uint8Array(32), "genesis state's current_justified_checkpoint.root");
        const head = chain.headState();
        const electra = fork === "fulu";
        const count = head.ctx.getCommitteeCountPerSlot(0);
        let attesters = 0;
        for (let index = 0; index < count; index++) {
          const itemData = { ...data, index: electra ? 0 : index };
          const root = config.types.phase0.AttestationData.hashTreeRoot(itemData);
          for (const [position, attesterIndex] of head.ctx.getBeaconCommittee(0, index).entries()) {
            const signature = signAttestationData(head, attesterIndex, 0, root);
            attesters++;
            if (electra) {
              const single = { committeeIndex: index, attesterIndex, data: itemData, signature };
              await api.client.submitPoolAttestationsV2({ body: [single] as never, version: fork });
            } else {
              const { BitArray } = await import("@chainsafe/ssz");
              const bits = BitArray.fromBitLen(head.ctx.getBeaconCommittee(0, index).length);
              bits.set(position, true);
              await api.client.submitPoolAttestations({
                body: [{ aggregationBits: bits, data: itemData, signature }] as never,
              });
            }
          }
        }
        api.t.setTime(1, 100);
        const proposer = chain.headState().ctx.proposers[1];
        const produced = await api.client.produceBlockV3({ slot: 1, randaoReveal: randaoReveal(head, proposer, 1) });
        const block = (electra ? (produced.data as { block: unknown }).block : produced.data) as {
          body: { attestations: { data: { slot: number }; aggregationBits: { getTrueBitIndexes(): number[] } }[] };
        };
        const included = block.body.attestations
          .filter((a) => a.data.slot === 0)
          .reduce((n, a) => n + a.aggregationBits.getTrueBitIndexes().length, 0);
        assert.equal(included, attesters, "every slot-0 attester is in block 1");
      } finally {
        await api.close();
      }
    });
  }
});
