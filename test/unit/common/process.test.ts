import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { PROJECT_ROOT } from "../../support/reference.ts";

test("an unhandled rejection is logged as fatal and the process exits non-zero", () => {
  const r = spawnSync(process.execPath, [join(PROJECT_ROOT, "test/fixtures/unhandled-rejection.ts")], {
    encoding: "utf8",
    timeout: 20_000,
  });
  assert.equal(r.status, 1, r.stderr);
  assert.ok(!r.stdout.includes("still alive"));
  const line = JSON.parse(r.stdout.trim().split("\n")[0]) as Record<string, unknown>;
  assert.equal(line.level, "fatal");
  assert.match(String((line.err as { message: string }).message), /boom from a forgotten promise/);
});
