// The text an import ends with: what was imported, skipped and why, what failed and how to fix it, and the
// warning every operator must read.
import type { ImportReport } from "./run.ts";

/** Printed after every import that got as far as reading keys. */
export const SAME_KEYS_WARNING =
  "WARNING: never run the same validator keys in two places at the same time — not on a second machine, not in " +
  "another client, not as a 'backup' validator. Two signers with one key is how validators get slashed. Stop and " +
  "remove these keys everywhere else before Sextant starts with them.";

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** The summary as lines of text (no trailing newline). */
export function formatImportSummary(report: ImportReport): string {
  const out: string[] = [];
  if (report.failed.length > 0) {
    out.push(`Failed: ${plural(report.failed.length, "problem")}:`);
    for (const f of report.failed) out.push(`  ${f.reason}`);
    out.push(
      `Nothing was imported and ${report.dataDir} was not changed: fix the problems above and run the command again.`,
    );
    return out.join("\n");
  }
  out.push(`Imported ${plural(report.imported.length, "key")} into ${report.dataDir} (network ${report.network}).`);
  for (const k of report.imported) out.push(`  ${k.pubkey}  ${k.file}`);
  if (report.skipped.length > 0) {
    out.push(`Skipped ${plural(report.skipped.length, "key")}:`);
    for (const k of report.skipped) out.push(`  ${k.pubkey}  ${k.file}: ${k.reason}`);
  }
  if (report.slashingProtection !== null) out.push(report.slashingProtection);
  out.push("", SAME_KEYS_WARNING);
  return out.join("\n");
}
