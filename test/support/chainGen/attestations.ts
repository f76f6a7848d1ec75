// Attestations and sync aggregates for the test-chain generator. Votes are recorded at each slot from the state at
// that slot (head root, justified source, target), with a chosen fraction of every committee taking part; they
// are signed when a block includes them, in that block's fork's format: one attestation per committee before
// electra, one multi-committee aggregate (committee_bits) per slot from electra on.
import type { Oracle } from "../oracle.ts";
import type { Rng } from "../random.ts";
import type { Any, InteropKeys } from "./env.ts";

/** The attestations of one slot, waiting for a block. */
export interface Vote {
  slot: number;
  targetEpoch: number;
  /** AttestationData without its index (set per format when included). */
  data: Any;
  committees: { index: number; members: Uint32Array; bits: boolean[] }[];
  /** The first slot whose block may include it. */
  includeAt: number;
}

/** The root of the state's latest block (its header with the state root filled in if still empty). */
export function headRoot(o: Oracle, state: Any): Uint8Array {
  const t = o.types.ssz.phase0.BeaconBlockHeader;
  const h = t.clone(state.latestBlockHeader.toValue());
  if (h.stateRoot.every((b: number) => b === 0)) h.stateRoot = state.hashTreeRoot();
  return t.hashTreeRoot(h);
}

/** Records the votes of slot `state.slot`: every committee member takes part with probability `participation`. */
export function recordVotes(o: Oracle, state: Any, rng: Rng, participation: number, inclusionDelay: number): Vote {
  const spe = o.params.SLOTS_PER_EPOCH;
  const slot: number = state.slot;
  const epoch = Math.floor(slot / spe);
  const head = headRoot(o, state);
  const startSlot = epoch * spe;
  const targetRoot = startSlot === slot ? head : o.stateTransition.getBlockRootAtSlot(state, startSlot);
  const source = state.currentJustifiedCheckpoint;
  const data = {
    slot,
    index: 0,
    beaconBlockRoot: head,
    source: { epoch: source.epoch, root: Uint8Array.from(source.root) },
    target: { epoch, root: targetRoot },
  };
  const committees = [];
  const count = state.epochCtx.getCommitteeCountPerSlot(epoch);
  for (let index = 0; index < count; index++) {
    const members: Uint32Array = state.epochCtx.getBeaconCommittee(slot, index);
    const bits = Array.from(members, () => participation >= 1 || rng.float() < participation);
    committees.push({ index, members, bits });
  }
  return { slot, targetEpoch: epoch, data, committees, includeAt: slot + Math.max(1, inclusionDelay) };
}

/** Whether a block at `slot` of `fork` may include `vote` (inclusion window and target epoch). */
export function includable(o: Oracle, vote: Vote, slot: number, postDeneb: boolean): boolean {
  const spe = o.params.SLOTS_PER_EPOCH;
  const epoch = Math.floor(slot / spe);
  if (slot < vote.slot + o.params.MIN_ATTESTATION_INCLUSION_DELAY) return false;
  if (vote.targetEpoch !== epoch && vote.targetEpoch !== epoch - 1) return false;
  return postDeneb || slot <= vote.slot + spe;
}

/** Whether `vote` can never be included from `slot` on. */
export function expired(o: Oracle, vote: Vote, slot: number, postDeneb: boolean): boolean {
  const epoch = Math.floor(slot / o.params.SLOTS_PER_EPOCH);
  if (vote.targetEpoch < epoch - 1) return true;
  return !postDeneb && slot > vote.slot + o.params.SLOTS_PER_EPOCH && vote.targetEpoch < epoch;
}

function signingRoot(o: Oracle, config: Any, stateSlot: number, data: Any): Uint8Array {
  return o.stateTransition.getAttestationDataSigningRoot(config, stateSlot, data);
}

/**
 * The attestations of `votes` for a block at `stateSlot`, in `electra` format or not; committees nobody in
 * took part are left out. Returns the attestations and the number of votes used (in order; the rest stay).
 */
export function signVotes(
  o: Oracle,
  keys: InteropKeys,
  config: Any,
  stateSlot: number,
  votes: Vote[],
  electra: boolean,
  max: number,
): { attestations: Any[]; used: number } {
  const { BitArray } = o.ssz;
  const out: Any[] = [];
  let used = 0;
  for (const vote of votes) {
    const live = vote.committees.filter((c) => c.bits.some(Boolean));
    if (electra) {
      if (out.length + (live.length > 0 ? 1 : 0) > max) break;
      used++;
      if (live.length === 0) continue;
      const data = { ...vote.data, index: 0 };
      const signers = live.flatMap((c) => Array.from(c.members).filter((_, i) => c.bits[i]));
      const committeeBits = BitArray.fromBoolArray(
        Array.from({ length: o.params.MAX_COMMITTEES_PER_SLOT }, (_, i) => live.some((c) => c.index === i)),
      );
      out.push({
        aggregationBits: BitArray.fromBoolArray(live.flatMap((c) => c.bits)),
        data,
        signature: keys.signAggregate(signers, signingRoot(o, config, stateSlot, data)),
        committeeBits,
      });
    } else {
      if (out.length + live.length > max) break;
      used++;
      for (const c of live) {
        const data = { ...vote.data, index: c.index };
        const signers = Array.from(c.members).filter((_, i) => c.bits[i]);
        out.push({
          aggregationBits: BitArray.fromBoolArray(c.bits),
          data,
          signature: keys.signAggregate(signers, signingRoot(o, config, stateSlot, data)),
        });
      }
    }
  }
  return { attestations: out, used };
}

/** The sync aggregate of a block at `state.slot` (state already advanced to it): each member signs with `p`. */
export function syncAggregate(
  o: Oracle,
  keys: InteropKeys,
  state: Any,
  rng: Rng,
  p: number,
): { value: Any; n: number } {
  const { BitArray } = o.ssz;
  const size = o.params.SYNC_COMMITTEE_SIZE;
  const members: ArrayLike<number> = state.epochCtx.currentSyncCommitteeIndexed.validatorIndices;
  const bits = Array.from({ length: size }, () => p >= 1 || (p > 0 && rng.float() < p));
  const signers = Array.from(members).filter((_, i) => bits[i]);
  const previousSlot = Math.max(state.slot, 1) - 1;
  const root = o.stateTransition.getBlockRootAtSlot(state, previousSlot);
  const domain = state.config.getDomain(state.slot, o.params.DOMAIN_SYNC_COMMITTEE, previousSlot);
  const signing = o.stateTransition.computeSigningRoot(o.types.ssz.Root, root, domain);
  return {
    value: {
      syncCommitteeBits: BitArray.fromBoolArray(bits),
      syncCommitteeSignature: keys.signAggregate(signers, signing),
    },
    n: signers.length,
  };
}
