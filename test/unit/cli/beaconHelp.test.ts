// `sextant beacon --help` and `sextant dev --help` explain every flag; bad flags exit 2 with a message saying what
// to fix, before anything is opened or bound.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, it } from "node:test";
import { PROJECT_ROOT } from "../../support/reference.ts";

const BIN = join(PROJECT_ROOT, "cli/bin/sextant.js");
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 20_000 });

const NODE_FLAGS = [
  "--rest <bool>",
  "--rest.address",
  "--rest.port",
  "--rest.cors-origins",
  "--rest.rate-limit",
  "--rest.allowlist",
  "--rest.body-limit",
  "--metrics",
  "--metrics.address",
  "--metrics.port",
  "--dev.fork",
  "--dev.validators",
  "--dev.slot-seconds",
  "--log-level",
];

describe("sextant beacon --help", () => {
  it("lists and explains every flag", () => {
    const r = run("beacon", "--help");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Usage: sextant beacon/);
    for (const flag of [
      "--network",
      "--data-dir",
      "--genesis-state",
      "--execution-url",
      "--jwt-secret",
      ...NODE_FLAGS,
    ]) {
      assert.ok(r.stdout.includes(flag), `beacon --help lacks ${flag}`);
    }
    assert.match(r.stdout, /<tokens>\/s\[:<burst>\]/);
    assert.match(r.stdout, /default: 5052/);
    assert.match(r.stdout, /"127\.0\.0\.1"/);
    assert.match(r.stdout, /Exit codes/);
  });
  it("is listed by the program's help", () => {
    const r = run("--help");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\bbeacon\b/);
    assert.match(r.stdout, /\bdev\b/);
  });
});

describe("sextant dev --help", () => {
  it("lists and explains every flag", () => {
    const r = run("dev", "--help");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Usage: sextant dev/);
    for (const flag of ["--data-dir", "--vc-stop-timeout", ...NODE_FLAGS]) {
      assert.ok(r.stdout.includes(flag), `dev --help lacks ${flag}`);
    }
    assert.match(r.stdout, /validator client as a separate process/);
    assert.match(r.stdout, /default: "fulu"/);
    assert.match(r.stdout, /default: 64/);
  });
});

describe("bad flags exit 2 with what to fix", () => {
  const cases: { args: string[]; message: RegExp }[] = [
    { args: ["beacon", "--rest.rate-limit", "lots"], message: /--rest\.rate-limit.*<tokens per second>\/s/ },
    { args: ["beacon", "--rest.rate-limit", "0/s"], message: /rate > 0/ },
    { args: ["beacon", "--rest.port", "99999"], message: /--rest\.port.*0\.\.65535/ },
    { args: ["beacon", "--metrics.port", "x"], message: /--metrics\.port.*0\.\.65535/ },
    { args: ["beacon", "--network", "nowhere"], message: /--network.*Allowed choices are mainnet/ },
    { args: ["beacon", "--rest.allowlist", "10.0.0.0/99"], message: /--rest\.allowlist.*10\.0\.0\.0\/99/ },
    { args: ["beacon", "--rest.cors-origins", "example.org"], message: /not an origin/ },
    { args: ["beacon", "--rest.body-limit", "huge"], message: /--rest\.body-limit/ },
    { args: ["beacon", "--dev.validators", "8"], message: /--dev\.validators applies to --network dev only/ },
    {
      args: ["beacon", "--network", "sepolia", "--execution-url", "http://127.0.0.1:8551"],
      message: /--execution-url and --jwt-secret go together/,
    },
    { args: ["beacon", "--no-such-flag"], message: /unknown option/ },
    { args: ["dev", "--dev.fork", "gloas"], message: /--dev\.fork.*Allowed choices are phase0/ },
    { args: ["dev", "--dev.validators", "0"], message: /--dev\.validators.*1\.\./ },
    { args: ["dev", "--rest.port", "-5"], message: /--rest\.port/ },
  ];
  for (const { args, message } of cases) {
    it(args.join(" "), () => {
      const r = run(...args);
      assert.equal(r.status, 2, `exit ${r.status}: ${r.stderr}`);
      assert.match(r.stderr, message);
    });
  }
});
