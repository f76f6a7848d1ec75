import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { PROJECT_ROOT } from "../../support/reference.ts";

const BIN = join(PROJECT_ROOT, "cli/bin/sextant.js");
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 20_000 });

test("--help explains the program and exits 0", () => {
  const r = run("--help");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Usage: sextant/);
  assert.match(r.stdout, /--log-level/);
});

test("no arguments prints the help", () => {
  const r = run();
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Usage: sextant/);
});

test("--version prints the version", () => {
  const r = run("--version");
  assert.equal(r.status, 0);
  assert.match(r.stdout.trim(), /^\d+\.\d+\.\d+$/);
});

test("a bad option value exits 2 with a message that names the allowed values", () => {
  const r = run("--log-level", "loud");
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--log-level/);
  assert.match(r.stderr, /Allowed choices are fatal, error/);
});

test("an unknown option exits 2", () => {
  const r = run("--no-such-flag");
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown option/);
});

test("every subcommand has --help", () => {
  for (const args of [
    ["validator"],
    ["validator", "import"],
    ["validator", "slashing-protection"],
    ["validator", "slashing-protection", "import"],
    ["validator", "slashing-protection", "export"],
  ]) {
    const r = run(...args, "--help");
    assert.equal(r.status, 0, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`Usage: sextant ${args.join(" ")}`));
  }
});

test("a bad value for a validator subcommand exits 2 with what to fix", () => {
  const r = run("validator", "slashing-protection", "import", "--file", "/nonexistent.json", "--data-dir", "/tmp");
  assert.equal(r.status, 2);
  assert.ok(r.stderr.length > 0);
});
