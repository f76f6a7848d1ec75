// End to end for the pools: on an interop genesis of each fork, the committees' attestations and the sync
// committee's messages of slot 1 and a few operations go through the pools; the block at slot 2 assembled from
// their output passes the full state transition with every signature checked, and credits what it should.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BitArray } from "@chainsafe/ssz";
import { AttestationPool } from "@sextant/beacon/opPools/attestationPool";
import { OpPool } from "@sextant/beacon/opPools/opPool";
import { SyncCommitteeMessagePool, SyncContributionPool } from "@sextant/beacon/opPools/syncCommitteePools";
import type { ForkName } from "@sextant/consensus/params/index";
import { type AltairPlusState, atLeast, type StatePhase0 } from "@sextant/consensus/state/types";
import type { BlockContents } from "@sextant/consensus/transition/produce/index";
import { advanceToSlot, syncCommitteeAt } from "@sextant/consensus/transition/produce/index";
import {
  attestationData,
  attesterSlashing,
  blsChange,
  buildAndImport,
  genesisAt,
  headRoot,
  proposerSlashing,
  signAttestation,
  syncMessage,
  voluntaryExit,
} from "./support.ts";

const FORKS: readonly ForkName[] = ["phase0", "altair", "capella", "deneb", "electra", "fulu"];

describe("a block built from the pools passes process_block with signatures", () => {
  for (const fork of FORKS) {
    it(fork, () => {
      const { config, cs: g } = genesisAt(fork, { SHARD_COMMITTEE_PERIOD: 0 });
      const { post: b1 } = buildAndImport(g, 1);
      const electra = atLeast(fork, "electra");
      const altair = atLeast(fork, "altair");

      const attestations = new AttestationPool(config);
      const committees = b1.ctx.getCommitteeCountPerSlot(0);
      let attesters = 0;
      for (let c = 0; c < committees; c++) {
        const committee = b1.ctx.getBeaconCommittee(1, c);
        const data = attestationData(b1, electra ? 0 : c);
        committee.forEach((validator, position) => {
          attesters++;
          const signature = signAttestation(b1, data, validator);
          if (electra) {
            attestations.addSingle({ committeeIndex: c, attesterIndex: validator, data, signature }, committee);
          } else {
            const bits = BitArray.fromSingleBit(committee.length, position);
            attestations.add({ aggregationBits: bits, data, signature });
          }
        });
      }

      const contents: Omit<BlockContents, "slot" | "randaoReveal"> & Record<string, unknown> = {};
      let syncParticipants = 0;
      if (altair) {
        const messages = new SyncCommitteeMessagePool(config);
        const contributions = new SyncContributionPool(config);
        const subSize = config.preset.SYNC_COMMITTEE_SIZE / 4;
        const members = syncCommitteeAt(b1, 1).indices;
        // Three of the four subcommittees take part.
        for (let p = 0; p < 3 * subSize; p++) {
          messages.add(Math.floor(p / subSize), syncMessage(b1, members[p]), [p % subSize]);
          syncParticipants++;
        }
        for (let subnet = 0; subnet < 4; subnet++) {
          const c = messages.getContribution(1, headRoot(b1), subnet);
          if (c) contributions.add(c);
        }
        const syncAggregate = contributions.getSyncAggregate(1, headRoot(b1));
        assert.equal(syncAggregate.syncCommitteeBits.getTrueBitIndexes().length, syncParticipants);
        Object.assign(contents, { syncAggregate });
      }

      const ops = new OpPool(config);
      ops.addProposerSlashing(proposerSlashing(b1, 40, 0));
      ops.addAttesterSlashing(attesterSlashing(b1, [41, 42]));
      ops.addVoluntaryExit(voluntaryExit(b1, 43));
      if (atLeast(fork, "capella")) ops.addBlsToExecutionChange(blsChange(b1, 44));

      const pre = advanceToSlot(b1, 2);
      const chosen = attestations.getAttestationsForBlock(pre);
      assert.equal(chosen.length, electra ? 1 : committees);
      const opsForBlock = ops.getForBlock(pre);
      assert.equal(opsForBlock.proposerSlashings.length, 1);
      assert.equal(opsForBlock.attesterSlashings.length, 1);
      assert.equal(opsForBlock.voluntaryExits.length, 1);
      assert.equal(opsForBlock.blsToExecutionChanges.length, atLeast(fork, "capella") ? 1 : 0);
      const { blsToExecutionChanges, ...rest } = opsForBlock;
      Object.assign(contents, rest, atLeast(fork, "capella") ? { blsToExecutionChanges } : {});

      const { post } = buildAndImport(b1, 2, { ...contents, attestations: chosen });
      assert.equal(post.state.validators.getReadonly(40).slashed, true);
      assert.equal(post.state.validators.getReadonly(42).slashed, true);
      assert.notEqual(post.state.validators.getReadonly(43).exitEpoch, Number.POSITIVE_INFINITY);
      if (altair) {
        const participation = (post.state as AltairPlusState).currentEpochParticipation;
        let flagged = 0;
        for (let i = 0; i < participation.length; i++) if (participation.get(i) === 0b111) flagged++;
        assert.equal(flagged, attesters, "every attester gets source, target and head");
      } else {
        assert.equal((post.state as StatePhase0).currentEpochAttestations.length, committees);
      }
    });
  }
});
