// Helpers the duty services share: chunked batch submissions that understand the Beacon API's indexed failures
// body, the duty metrics, graffiti bytes, and short reasons for logs and the dutiesMissed label.
import { isApiClientError } from "@sextant/api-spec";
import { isForkAtLeast } from "@sextant/consensus/params/forkName";
import { chunks } from "../collections.ts";
import type { DutyKind, ValidatorMetrics } from "../metrics.ts";
import type { ForkAtEpoch, SlotClock } from "../ports.ts";

/** Items per submission request: a large validator set's attestations go out as several parallel requests. */
export const DEFAULT_SUBMIT_CHUNK = 2_000;

/** The outcome of a chunked submission: per item, accepted or the node's reason. */
export interface SubmitOutcome {
  /** Per item (same order as the input): undefined when accepted, else why not. */
  failures: (string | undefined)[];
  accepted: number;
  rejected: number;
  /** The errors of the failed chunks (for logs). */
  errors: unknown[];
}

/**
 * The indices the node reported failed in a batch submission's 400 body (`failures: [{index, message}]`), or
 * undefined when the error is not such an answer (then the whole batch failed).
 */
export function indexedFailures(err: unknown): Map<number, string> | undefined {
  if (!isApiClientError(err, "API_CLIENT_HTTP") || err.status !== 400) return undefined;
  const failures = err.context.body?.failures;
  if (!Array.isArray(failures) || failures.length === 0) return undefined;
  const out = new Map<number, string>();
  for (const f of failures) if (typeof f?.index === "number") out.set(f.index, String(f.message ?? "rejected"));
  return out.size > 0 ? out : undefined;
}

/**
 * Submits `items` in chunks of `size`, all chunks in parallel, through `submit`. A chunk answered with the indexed
 * failures body fails only the items it names; any other error fails the whole chunk. Never throws.
 */
export async function submitInChunks<T>(
  items: readonly T[],
  size: number,
  submit: (chunk: T[]) => Promise<void>,
): Promise<SubmitOutcome> {
  const failures: (string | undefined)[] = new Array(items.length).fill(undefined);
  const errors: unknown[] = [];
  const parts = chunks(items, size);
  await Promise.all(
    parts.map(async (part, p) => {
      const offset = p * size;
      try {
        await submit(part);
      } catch (err) {
        errors.push(err);
        const indexed = indexedFailures(err);
        for (let i = 0; i < part.length; i++) {
          if (indexed === undefined) failures[offset + i] = errorReason(err);
          else {
            const why = indexed.get(i);
            if (why !== undefined) failures[offset + i] = why;
          }
        }
      }
    }),
  );
  const rejected = failures.filter((f) => f !== undefined).length;
  return { failures, accepted: items.length - rejected, rejected, errors };
}

/** A one-line reason of an error (its message). */
export function errorReason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The bounded `reason` label of a failed request: what kind of failure, not its message. */
export function failureLabel(err: unknown): string {
  if (isApiClientError(err)) {
    switch (err.code) {
      case "API_CLIENT_HTTP":
        return (err.status ?? 0) >= 500 ? "node_error" : "node_rejected";
      case "API_CLIENT_TIMEOUT":
        return "timeout";
      case "API_CLIENT_ABORTED":
        return "aborted";
      case "API_CLIENT_BAD_RESPONSE":
        return "bad_response";
      default:
        return "network";
    }
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (code === "NO_USABLE_NODE" || (err as Error | null)?.name === "NoUsableNodeError") return "no_usable_node";
  if ((err as Error | null)?.name === "AbortError") return "aborted";
  return "failed";
}

/** Counts performed duties. */
export function countPerformed(metrics: ValidatorMetrics | undefined, duty: DutyKind, n = 1): void {
  if (n > 0) metrics?.dutiesPerformed.inc({ duty }, n);
}

/** Counts missed duties with a short, bounded reason. */
export function countMissed(metrics: ValidatorMetrics | undefined, duty: DutyKind, reason: string, n = 1): void {
  if (n > 0) metrics?.dutiesMissed.inc({ duty, reason }, n);
}

/** Observes the delay from a due point (unix ms) to now (negative: early, clamped to 0). */
export function observeDelay(metrics: ValidatorMetrics | undefined, duty: DutyKind, dueMs: number, nowMs: number) {
  metrics?.submissionDelaySeconds.observe({ duty }, Math.max(0, nowMs - dueMs) / 1000);
}

/** The fork of `slot`. */
export function forkAtSlot(clock: Pick<SlotClock, "epochAtSlot">, forkAtEpoch: ForkAtEpoch, slot: number) {
  return forkAtEpoch(clock.epochAtSlot(slot));
}

/** True when the fork of `slot` is `since` or later. */
export function slotIsAtLeast(
  clock: Pick<SlotClock, "epochAtSlot">,
  forkAtEpoch: ForkAtEpoch,
  slot: number,
  since: Parameters<typeof isForkAtLeast>[1],
): boolean {
  return isForkAtLeast(forkAtSlot(clock, forkAtEpoch, slot), since);
}

/** Bytes of the graffiti field (Bytes32). */
export const GRAFFITI_BYTES = 32;

/**
 * The graffiti bytes of a configured graffiti: 0x-prefixed hex of at most 32 bytes as is, anything else as UTF-8
 * (cut at 32 bytes on a character boundary), zero-padded. Empty: undefined (the node's default graffiti).
 */
export function graffitiBytes(graffiti: string | undefined): Uint8Array | undefined {
  if (graffiti === undefined || graffiti === "") return undefined;
  const out = new Uint8Array(GRAFFITI_BYTES);
  if (/^0x([0-9a-fA-F]{2}){1,32}$/.test(graffiti)) {
    out.set(Buffer.from(graffiti.slice(2), "hex"));
    return out;
  }
  const encoder = new TextEncoder();
  let used = 0;
  for (const ch of graffiti) {
    const bytes = encoder.encode(ch);
    if (used + bytes.length > GRAFFITI_BYTES) break;
    out.set(bytes, used);
    used += bytes.length;
  }
  return out;
}

/** Groups `items` by `key`, keeping first-seen order. */
export function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
