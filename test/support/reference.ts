// Where tests find the reference specifications and vectors (../shared/reference by default).
// One setting: SEXTANT_REFERENCE_DIR. A fresh user clone has no ../shared: suites that need it skip with a message.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

export const REFERENCE_DIR = resolve(PROJECT_ROOT, process.env.SEXTANT_REFERENCE_DIR ?? "../shared/reference");

/** Absolute path of a file or folder under the reference directory. */
export function referencePath(...parts: string[]): string {
  return join(REFERENCE_DIR, ...parts);
}

/**
 * `false` when the reference folder (or the given sub-path) exists; otherwise the skip message to hand to
 * node:test (`{ skip: referenceSkip("consensus-specs") }`).
 */
export function referenceSkip(...parts: string[]): false | string {
  const p = referencePath(...parts);
  if (existsSync(p)) return false;
  return `reference material not found at ${p} (set SEXTANT_REFERENCE_DIR to the shared/reference folder)`;
}
