// REST handlers of the config endpoints (/eth/v1/config/...): the fork schedule, the spec (every chain config key,
// every preset key, the specification's constants and signing domains, formatted as the Beacon API does: decimal
// strings, 0x hex for bytes, 2**64-1 for FAR_FUTURE_EPOCH, BLOB_SCHEDULE as a list of objects) and the deposit
// contract. Validator clients compare this spec with their own (Lodestar's refuses a node whose values differ).
import type { BeaconRoutes } from "@sextant/api-spec/routes/index";
import type { Handlers } from "@sextant/api-spec/server/server";
import * as constants from "@sextant/consensus/params/constants";
import { getForkSchedule } from "@sextant/consensus/params/index";
import { DOMAIN_TYPES } from "@sextant/consensus/signing/domainTypes";
import type { BeaconConfig } from "@sextant/consensus/state/types";
import { toHex } from "@sextant/consensus/util/hex";
import type { ApiContext } from "../context.ts";

/** 2**64-1: FAR_FUTURE_EPOCH and unscheduled fork epochs, as the API writes them. */
const FAR_FUTURE = (2n ** 64n - 1n).toString();

/** One spec value in the Beacon API's form, or undefined for values the API has no form for. */
export function specValue(value: unknown): unknown {
  if (typeof value === "number") {
    if (value === Infinity) return FAR_FUTURE;
    return Number.isSafeInteger(value) ? String(value) : undefined;
  }
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return String(value);
  if (value instanceof Uint8Array) return toHex(value);
  if (Array.isArray(value)) {
    const items = value.map((item) =>
      item !== null && typeof item === "object" && !(item instanceof Uint8Array)
        ? Object.fromEntries(Object.entries(item).map(([k, v]) => [k, specValue(v)]))
        : specValue(item),
    );
    return items.some((i) => i === undefined) ? undefined : items;
  }
  return undefined;
}

/** The spec of a chain: config keys, then preset keys, then constants and domain types (earlier keys win). */
export function specOf(config: BeaconConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const add = (key: string, value: unknown) => {
    if (Object.hasOwn(out, key) || !/^[A-Z][A-Z0-9_]*$/.test(key)) return;
    const v = specValue(value);
    if (v !== undefined) out[key] = v;
  };
  for (const [key, value] of Object.entries(config.chain)) add(key, value);
  for (const [key, value] of Object.entries(config.preset)) add(key, value);
  for (const [key, value] of Object.entries(constants)) {
    // Scalars only: lists such as PARTICIPATION_FLAG_WEIGHTS are not spec values.
    if (!Array.isArray(value)) add(key, value);
  }
  for (const [key, value] of Object.entries(DOMAIN_TYPES)) add(key, value);
  return out;
}

/** Handlers of the config endpoints. */
export function configHandlers(ctx: ApiContext): Partial<Handlers<BeaconRoutes>> {
  const { chain } = ctx;
  const spec = specOf(chain.config);
  const schedule = getForkSchedule(chain.config.chain).map((f) => ({
    previousVersion: f.previousVersion,
    currentVersion: f.version,
    epoch: f.epoch,
  }));
  return {
    getForkSchedule: () => ({ data: schedule }),
    getSpec: () => ({ data: spec }),
    getDepositContract: () => ({
      data: { chainId: ctx.depositContract.chainId, address: ctx.depositContract.address },
    }),
  };
}
