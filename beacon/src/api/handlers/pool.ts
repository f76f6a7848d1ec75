// Operation pool handlers (/eth/v{1,2}/beacon/pool/...): submissions are validated (chain/validation/) before they
// enter a pool, the fork choice or the event stream; batches answer per-item failures (IndexedApiError) while the
// valid items are still accepted. The getters list what the pools hold.
import type { BeaconRoutes } from "@sextant/api-spec/routes/index";
import type { Handlers } from "@sextant/api-spec/server/server";
import type { ForkName } from "@sextant/consensus/params/index";
import {
  type ElectraAttestation,
  type Phase0Attestation,
  prepareAttestation,
} from "../../chain/validation/attestation.ts";
import { attempt } from "../../chain/validation/common.ts";
import {
  type AttesterSlashing,
  submitAttesterSlashing,
  submitBlsToExecutionChange,
  submitProposerSlashing,
  submitVoluntaryExit,
} from "../../chain/validation/operations.ts";
import { prepareSyncCommitteeMessage } from "../../chain/validation/syncCommittee.ts";
import type { AttestationPool } from "../../opPools/attestationPool.ts";
import type { ApiContext } from "../context.ts";
import { answer } from "../errors.ts";
import { submitBatch } from "./validator.ts";

type H = Handlers<BeaconRoutes>;

/** Every pooled aggregate (the best one per data and committee), optionally of one slot and committee. */
export function listPoolAttestations(
  pool: AttestationPool,
  slot?: number,
  committeeIndex?: number,
): (Phase0Attestation | ElectraAttestation)[] {
  const out: (Phase0Attestation | ElectraAttestation)[] = [];
  for (const key of pool.keys()) {
    if (slot !== undefined && key.slot !== slot) continue;
    if (committeeIndex !== undefined && key.committeeIndex !== committeeIndex) continue;
    const a = pool.getAggregate(key.slot, key.dataRoot, pool.isElectraSlot(key.slot) ? key.committeeIndex : undefined);
    if (a) out.push(a);
  }
  return out;
}

/** Runs a single-item submission; its refusal answers 400 with the reason. */
function single(run: () => unknown): Promise<void> {
  return answer(() => {
    run();
  });
}

/** The pool handlers. */
export function poolHandlers(ctx: ApiContext): Partial<H> {
  const { chain } = ctx;
  const headFork = (): ForkName => chain.forkAtSlot(chain.clock.currentSlot);

  const submitAttestations = (items: readonly unknown[]) =>
    answer(() => submitBatch(items.map((item) => attempt(() => prepareAttestation(chain, item as never)))));

  return {
    submitPoolAttestations: ({ body }) => submitAttestations(body),
    submitPoolAttestationsV2: ({ body }) => submitAttestations(body),
    getPoolAttestationsV2: ({ slot, committeeIndex }) => {
      const data = listPoolAttestations(chain.attestationPool, slot, committeeIndex);
      const version = slot !== undefined ? chain.forkAtSlot(slot) : headFork();
      const electra = chain.attestationPool.isElectraSlot(slot ?? chain.clock.currentSlot);
      // One response has one version: keep the attestations of its format.
      const same = data.filter((a) => "committeeBits" in a === electra);
      return { data: same as never, meta: { version } };
    },
    getPoolAttesterSlashingsV2: () => {
      const data = chain.opPool.listAttesterSlashings();
      return { data: data as never, meta: { version: headFork() } };
    },
    submitPoolAttesterSlashingsV2: ({ body }) => single(() => submitAttesterSlashing(chain, body as AttesterSlashing)),
    getPoolProposerSlashings: () => ({ data: chain.opPool.listProposerSlashings() }),
    submitPoolProposerSlashings: ({ body }) => single(() => submitProposerSlashing(chain, body)),
    submitPoolSyncCommitteeSignatures: ({ body }) =>
      answer(() => submitBatch(body.map((m) => attempt(() => prepareSyncCommitteeMessage(chain, m))))),
    getPoolVoluntaryExits: () => ({ data: chain.opPool.listVoluntaryExits() }),
    submitPoolVoluntaryExit: ({ body }) => single(() => submitVoluntaryExit(chain, body)),
    getPoolBLSToExecutionChanges: () => ({ data: chain.opPool.listBlsToExecutionChanges() }),
    submitPoolBLSToExecutionChange: ({ body }) =>
      answer(() => {
        const errors = body.map((change) =>
          attempt(() => {
            submitBlsToExecutionChange(chain, change);
          }),
        );
        submitBatch(errors.map((e) => (e instanceof Error ? e : { sets: [], setNames: [], commit: () => {} })));
      }),
  };
}
