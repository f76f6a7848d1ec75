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

test("validator --help lists the run flags and the subcommands", () => {
  const r = run("validator", "--help");
  assert.equal(r.status, 0, r.stderr);
  for (const flag of ["--beacon-nodes", "--doppelganger-protection", "--broadcast", "--metrics", "--keymanager"])
    assert.match(r.stdout, new RegExp(flag));
  assert.match(r.stdout, /import \[options\]/);
  assert.match(r.stdout, /slashing-protection/);
});

test("validator: bad flags and config files exit 2 with a message saying what to fix", () => {
  const url = run("validator", "--beacon-nodes", "localhost:5052");
  assert.equal(url.status, 2);
  assert.match(url.stderr, /"localhost:5052" is not a URL|only http:\/\/ and https:\/\//);
  const missing = run("validator", "--chain-config", join(PROJECT_ROOT, "no-such-config.yaml"));
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /--chain-config cannot read .*no-such-config\.yaml: ENOENT/);
  const doppel = run("validator", "--doppelganger-protection", "maybe");
  assert.equal(doppel.status, 2);
  assert.match(doppel.stderr, /expected true or false/);
});

test("options of `validator` and of its subcommands do not clash (--data-dir on both)", () => {
  const r = run(
    "validator",
    "slashing-protection",
    "export",
    "--data-dir",
    join(PROJECT_ROOT, "no-such-dir"),
    "--file",
    "/dev/null",
  );
  assert.equal(r.status, 2);
  assert.match(r.stderr, /no-such-dir/);
});
