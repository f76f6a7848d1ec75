// The EIP-3076 interchange test suite (eth-clients/slashing-protection-interchange-tests, tests/generated): every
// file through a fresh database. Each step imports its interchange, then attempts its blocks and attestations.
//
// Counting as the suite's README does: one check per block and attestation attempt (150 in the suite). The database
// keeps every message (the complete strategy), so a check uses `should_succeed_complete` (falling back to
// `should_succeed` where a file omits it). Import outcomes (should_succeed) and our report of slashable data in an
// import (contains_slashable_data) are checked too and counted apart.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { isSlashableError, SlashingProtection } from "../../../../validator/src/slashing-protection/index.ts";
import { referencePath, referenceSkip } from "../../../support/reference.ts";
import { tempDir } from "./helpers.ts";

const SUITE = ["slashing-protection-interchange-tests", "tests", "generated"];

/** Checks we knowingly fail, with the reason ("file#step#block|attestation#index" → why). Kept empty. */
const ALLOWLIST: ReadonlyMap<string, string> = new Map();

interface Check {
  pubkey: string;
  signing_root?: string;
  should_succeed: boolean;
  should_succeed_complete?: boolean;
}
interface BlockCheck extends Check {
  slot: string;
}
interface AttestationCheck extends Check {
  source_epoch: string;
  target_epoch: string;
}
interface Step {
  should_succeed: boolean;
  contains_slashable_data: boolean;
  interchange: unknown;
  blocks: BlockCheck[];
  attestations: AttestationCheck[];
}
interface TestFile {
  name: string;
  genesis_validators_root: string;
  steps: Step[];
}

/** The signing root a check signs with: the suite always gives one; a missing one would be the zero root. */
const rootOf = (c: Check) => c.signing_root ?? `0x${"00".repeat(32)}`;

test("EIP-3076 interchange tests (complete strategy)", { skip: referenceSkip(...SUITE) }, () => {
  const dir = referencePath(...SUITE);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort();
  const root = tempDir();
  const mismatches: string[] = [];
  const allowed: string[] = [];
  let checks = 0;
  let passed = 0;
  let differing = 0;
  let steps = 0;
  let stepsPassed = 0;
  let slashableReports = 0;
  let slashableAgree = 0;

  const outcome = (id: string, expected: boolean, actual: boolean, detail: string) => {
    checks++;
    if (expected === actual) passed++;
    else if (ALLOWLIST.has(id)) allowed.push(`${id}: ${ALLOWLIST.get(id)}`);
    else mismatches.push(`${id}: expected ${expected ? "success" : "refusal"}, got ${detail}`);
  };
  const attempt = (fn: () => unknown): [boolean, string] => {
    try {
      return [true, `success (${String(fn())})`];
    } catch (err) {
      if (!isSlashableError(err)) throw err;
      return [false, `refusal ${err.code}`];
    }
  };

  for (const [n, file] of files.entries()) {
    const t = JSON.parse(readFileSync(join(dir, file), "utf8")) as TestFile;
    const sp = SlashingProtection.open(join(root, String(n)), { genesisValidatorsRoot: t.genesis_validators_root });
    try {
      for (const [s, step] of t.steps.entries()) {
        steps++;
        let imported: ReturnType<SlashingProtection["importInterchange"]> | undefined;
        try {
          imported = sp.importInterchange(step.interchange);
        } catch (err) {
          if (step.should_succeed) mismatches.push(`${file}#${s}: import failed: ${(err as Error).message}`);
          else stepsPassed++;
        }
        if (imported !== undefined) {
          if (!step.should_succeed) mismatches.push(`${file}#${s}: import succeeded but should have failed`);
          else {
            stepsPassed++;
            slashableReports++;
            const reported = imported.conflictCount > 0;
            if (reported === step.contains_slashable_data) slashableAgree++;
            else
              mismatches.push(
                `${file}#${s}: contains_slashable_data ${step.contains_slashable_data}, we found ${imported.conflictCount} conflicts`,
              );
          }
        }
        for (const [i, b] of step.blocks.entries()) {
          const expected = b.should_succeed_complete ?? b.should_succeed;
          if (expected !== b.should_succeed) differing++;
          const [ok, detail] = attempt(() =>
            sp.checkAndInsertBlockProposal(b.pubkey, { slot: Number(b.slot), signingRoot: rootOf(b) }),
          );
          outcome(`${file}#${s}#block#${i}`, expected, ok, detail);
        }
        for (const [i, a] of step.attestations.entries()) {
          const expected = a.should_succeed_complete ?? a.should_succeed;
          if (expected !== a.should_succeed) differing++;
          const [ok, detail] = attempt(() =>
            sp.checkAndInsertAttestation(a.pubkey, {
              sourceEpoch: Number(a.source_epoch),
              targetEpoch: Number(a.target_epoch),
              signingRoot: rootOf(a),
            }),
          );
          outcome(`${file}#${s}#attestation#${i}`, expected, ok, detail);
        }
      }
    } finally {
      sp.close();
    }
  }

  console.log(
    `EIP-3076: passed ${passed}/${checks} checks (complete strategy; ${differing} of them expect a different outcome ` +
      `from a minimal database) in ${files.length} files; imports as expected in ${stepsPassed}/${steps} steps; ` +
      `contains_slashable_data matches our conflict report in ${slashableAgree}/${slashableReports} imports`,
  );
  for (const a of allowed) console.log(`allowed mismatch: ${a}`);
  assert.deepEqual(mismatches, []);
  assert.equal(passed + allowed.length, checks);
  assert.ok(checks > 0 && files.length > 0, "the suite is empty");
});
