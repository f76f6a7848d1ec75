// REST handlers of genesis and state queries (/eth/v1/beacon/genesis, /eth/v1/beacon/states/{state_id}/...): read
// from states the chain holds (stateId.ts resolves them without running an epoch transition). Validator statuses
// follow the Beacon API's validator status specification; committees come from the state's epoch context
// (previous, current and next epoch only).
import { ApiError } from "@sextant/api-spec/codec/errors";
import type { ValidatorId } from "@sextant/api-spec/codec/params";
import type { BeaconRoutes } from "@sextant/api-spec/routes/index";
import type { ValidatorStatus, ValidatorStatusFilter } from "@sextant/api-spec/routes/values";
import type { Handlers } from "@sextant/api-spec/server/server";
import { isForkAtLeast } from "@sextant/consensus/params/index";
import type { CachedState } from "@sextant/consensus/state/cachedState";
import { statePubkeyReader } from "@sextant/consensus/state/epochContext";
import type { ElectraPlusState, StateFulu } from "@sextant/consensus/state/types";
import type { ApiContext } from "../context.ts";
import { answer } from "../errors.ts";
import { type ResolvedState, resolveStateId } from "../stateId.ts";

/** The fields of a validator the status rules read. */
interface StatusFields {
  activationEligibilityEpoch: number;
  activationEpoch: number;
  exitEpoch: number;
  withdrawableEpoch: number;
  slashed: boolean;
}

/** The validator's status at `epoch` (Beacon API validator status specification). */
export function validatorStatus(v: StatusFields, balance: number, epoch: number): ValidatorStatus {
  if (v.activationEpoch > epoch) {
    return v.activationEligibilityEpoch === Infinity ? "pending_initialized" : "pending_queued";
  }
  if (v.activationEpoch <= epoch && epoch < v.exitEpoch) {
    if (v.exitEpoch === Infinity) return "active_ongoing";
    return v.slashed ? "active_slashed" : "active_exiting";
  }
  if (v.exitEpoch <= epoch && epoch < v.withdrawableEpoch) return v.slashed ? "exited_slashed" : "exited_unslashed";
  return balance !== 0 ? "withdrawal_possible" : "withdrawal_done";
}

/** True when `status` passes the filter list (a status, or a group: active, pending, exited, withdrawal). */
function statusMatches(status: ValidatorStatus, filters: ReadonlySet<ValidatorStatusFilter> | undefined): boolean {
  if (filters === undefined || filters.size === 0) return true;
  if (filters.has(status)) return true;
  const group = status.slice(0, status.indexOf("_")) as ValidatorStatusFilter;
  return filters.has(group);
}

/** Validator indices of `ids` in the state (unknown ids left out, duplicates once), or every index. */
export function resolveValidatorIds(cs: CachedState, ids: readonly ValidatorId[] | undefined): number[] {
  const count = cs.state.validators.length;
  if (ids === undefined || ids.length === 0) return Array.from({ length: count }, (_, i) => i);
  const out: number[] = [];
  const seen = new Set<number>();
  const read = statePubkeyReader(cs.state);
  for (const id of ids) {
    const index = typeof id === "number" ? (id < count ? id : undefined) : cs.ctx.pubkeys.indexOf(id, count, read);
    if (index === undefined || seen.has(index)) continue;
    seen.add(index);
    out.push(index);
  }
  return out;
}

function epochOfState(cs: CachedState): number {
  return Math.floor(cs.state.slot / cs.config.preset.SLOTS_PER_EPOCH);
}

function meta(r: ResolvedState): { executionOptimistic: boolean; finalized: boolean } {
  return { executionOptimistic: r.executionOptimistic, finalized: r.finalized };
}

function versionMeta(r: ResolvedState): {
  version: ResolvedState["state"]["fork"];
  executionOptimistic: boolean;
  finalized: boolean;
} {
  return { version: r.state.fork, ...meta(r) };
}

/** Handlers of genesis and state queries. */
export function stateHandlers(ctx: ApiContext): Partial<Handlers<BeaconRoutes>> {
  const { chain } = ctx;
  const resolve = (id: Parameters<typeof resolveStateId>[1]) => resolveStateId(chain, id);

  const validators = (
    stateId: Parameters<typeof resolveStateId>[1],
    ids: readonly ValidatorId[] | undefined,
    statuses: readonly ValidatorStatusFilter[] | undefined,
  ) =>
    answer(() => {
      const r = resolve(stateId);
      const cs = r.state;
      const epoch = epochOfState(cs);
      const filters = statuses && new Set(statuses);
      const out = [];
      for (const index of resolveValidatorIds(cs, ids)) {
        const validator = cs.state.validators.getReadonly(index);
        const balance = cs.state.balances.get(index);
        const status = validatorStatus(validator, balance, epoch);
        if (!statusMatches(status, filters)) continue;
        out.push({ index, balance, status, validator });
      }
      return { data: out, meta: meta(r) };
    });

  const balances = (stateId: Parameters<typeof resolveStateId>[1], ids: readonly ValidatorId[] | undefined) =>
    answer(() => {
      const r = resolve(stateId);
      const data = resolveValidatorIds(r.state, ids).map((index) => ({
        index,
        balance: r.state.state.balances.get(index),
      }));
      return { data, meta: meta(r) };
    });

  const electraState = (r: ResolvedState, what: string): ElectraPlusState => {
    if (!isForkAtLeast(r.state.fork, "electra")) {
      throw new ApiError(400, `${what} exist from electra on; the state is of fork ${r.state.fork}`);
    }
    return r.state.state as ElectraPlusState;
  };

  return {
    getGenesis: () => ({
      data: {
        genesisTime: chain.genesisTime,
        genesisValidatorsRoot: chain.genesisValidatorsRoot,
        genesisForkVersion: chain.config.chain.GENESIS_FORK_VERSION,
      },
    }),

    getStateRoot: ({ stateId }) =>
      answer(() => {
        const r = resolve(stateId);
        return { data: { root: r.state.state.hashTreeRoot() }, meta: meta(r) };
      }),

    getStateFork: ({ stateId }) =>
      answer(() => {
        const r = resolve(stateId);
        return { data: r.state.state.fork.toValue(), meta: meta(r) };
      }),

    getStateFinalityCheckpoints: ({ stateId }) =>
      answer(() => {
        const r = resolve(stateId);
        const s = r.state.state;
        return {
          data: {
            previousJustified: s.previousJustifiedCheckpoint.toValue(),
            currentJustified: s.currentJustifiedCheckpoint.toValue(),
            finalized: s.finalizedCheckpoint.toValue(),
          },
          meta: meta(r),
        };
      }),

    getStateValidators: ({ stateId, id, status }) => validators(stateId, id, status),
    postStateValidators: ({ stateId, body }) => validators(stateId, body.ids, body.statuses),

    getStateValidator: ({ stateId, validatorId }) =>
      answer(() => {
        const r = resolve(stateId);
        const [index] = resolveValidatorIds(r.state, [validatorId]);
        if (index === undefined) {
          const shown =
            typeof validatorId === "number" ? String(validatorId) : `0x${Buffer.from(validatorId).toString("hex")}`;
          throw new ApiError(404, `validator ${shown} not found in the state`);
        }
        const validator = r.state.state.validators.getReadonly(index);
        const balance = r.state.state.balances.get(index);
        return {
          data: { index, balance, status: validatorStatus(validator, balance, epochOfState(r.state)), validator },
          meta: meta(r),
        };
      }),

    getStateValidatorBalances: ({ stateId, id }) => balances(stateId, id),
    postStateValidatorBalances: ({ stateId, body }) => balances(stateId, body),

    postStateValidatorIdentities: ({ stateId, body }) =>
      answer(() => {
        const r = resolve(stateId);
        const data = resolveValidatorIds(r.state, body).map((index) => {
          const v = r.state.state.validators.getReadonly(index);
          return { index, pubkey: v.pubkey, activationEpoch: v.activationEpoch };
        });
        return { data, meta: meta(r) };
      }),

    getEpochCommittees: ({ stateId, epoch, index, slot }) =>
      answer(() => {
        const r = resolve(stateId);
        const cs = r.state;
        const spe = cs.config.preset.SLOTS_PER_EPOCH;
        const stateEpoch = epochOfState(cs);
        const e = epoch ?? (slot === undefined ? stateEpoch : Math.floor(slot / spe));
        if (e < stateEpoch - 1 || e > stateEpoch + 1) {
          throw new ApiError(
            400,
            `epoch ${e} is not the previous, current or next epoch of the state (epoch ${stateEpoch}): ` +
              "ask a state of that epoch",
          );
        }
        if (slot !== undefined && Math.floor(slot / spe) !== e) {
          throw new ApiError(400, `slot ${slot} is not in epoch ${e}`);
        }
        const shuffling = cs.ctx.getShuffling(e);
        if (index !== undefined && index >= shuffling.committeesPerSlot) {
          throw new ApiError(400, `committee index ${index} out of range (${shuffling.committeesPerSlot} per slot)`);
        }
        const data = [];
        for (let s = 0; s < spe; s++) {
          const committeeSlot = e * spe + s;
          if (slot !== undefined && committeeSlot !== slot) continue;
          for (let i = 0; i < shuffling.committeesPerSlot; i++) {
            if (index !== undefined && i !== index) continue;
            data.push({ index: i, slot: committeeSlot, validators: Array.from(shuffling.committees[s][i]) });
          }
        }
        return { data, meta: meta(r) };
      }),

    getEpochSyncCommittees: ({ stateId, epoch }) =>
      answer(() => {
        const r = resolve(stateId);
        const cs = r.state;
        if (!isForkAtLeast(cs.fork, "altair")) {
          throw new ApiError(400, `sync committees exist from altair on; the state is of fork ${cs.fork}`);
        }
        const { EPOCHS_PER_SYNC_COMMITTEE_PERIOD, SYNC_COMMITTEE_SIZE } = cs.config.preset;
        const stateEpoch = epochOfState(cs);
        const e = epoch ?? stateEpoch;
        const statePeriod = Math.floor(stateEpoch / EPOCHS_PER_SYNC_COMMITTEE_PERIOD);
        const period = Math.floor(e / EPOCHS_PER_SYNC_COMMITTEE_PERIOD);
        const committee =
          period === statePeriod
            ? cs.ctx.currentSyncCommittee
            : period === statePeriod + 1
              ? cs.ctx.nextSyncCommittee
              : undefined;
        if (committee === undefined) {
          throw new ApiError(
            400,
            `epoch ${e} (sync period ${period}) is not in the state's current or next sync committee period ` +
              `(${statePeriod}, ${statePeriod + 1})`,
          );
        }
        const validators = Array.from(committee.indices);
        const subnets = 4; // SYNC_COMMITTEE_SUBNET_COUNT
        const size = SYNC_COMMITTEE_SIZE / subnets;
        const validatorAggregates = Array.from({ length: subnets }, (_, i) =>
          validators.slice(i * size, (i + 1) * size),
        );
        return { data: { validators, validatorAggregates }, meta: meta(r) };
      }),

    getStateRandao: ({ stateId, epoch }) =>
      answer(() => {
        const r = resolve(stateId);
        const cs = r.state;
        const vector = cs.config.preset.EPOCHS_PER_HISTORICAL_VECTOR;
        const stateEpoch = epochOfState(cs);
        const e = epoch ?? stateEpoch;
        if (e > stateEpoch || e + vector <= stateEpoch) {
          throw new ApiError(
            400,
            `epoch ${e} is outside the state's RANDAO history (epochs ${Math.max(0, stateEpoch - vector + 1)} to ${stateEpoch})`,
          );
        }
        return { data: { randao: cs.state.randaoMixes.get(e % vector) }, meta: meta(r) };
      }),

    getPendingConsolidations: ({ stateId }) =>
      answer(() => {
        const r = resolve(stateId);
        const s = electraState(r, "pending consolidations");
        return { data: s.pendingConsolidations.toValue(), meta: versionMeta(r) };
      }),

    getPendingDeposits: ({ stateId }) =>
      answer(() => {
        const r = resolve(stateId);
        const s = electraState(r, "pending deposits");
        return { data: s.pendingDeposits.toValue(), meta: versionMeta(r) };
      }),

    getPendingPartialWithdrawals: ({ stateId }) =>
      answer(() => {
        const r = resolve(stateId);
        const s = electraState(r, "pending partial withdrawals");
        return { data: s.pendingPartialWithdrawals.toValue(), meta: versionMeta(r) };
      }),

    getProposerLookahead: ({ stateId }) =>
      answer(() => {
        const r = resolve(stateId);
        if (!isForkAtLeast(r.state.fork, "fulu")) {
          throw new ApiError(400, `the proposer lookahead exists from fulu on; the state is of fork ${r.state.fork}`);
        }
        return { data: (r.state.state as StateFulu).proposerLookahead.toValue(), meta: versionMeta(r) };
      }),
  };
}
