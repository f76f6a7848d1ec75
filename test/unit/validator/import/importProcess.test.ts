// The import command as a real process: exit code 0 and the summary on stdout for a good folder; exit code 2 with
// the reason on stderr (and the data directory unchanged) for a wrong network and for a password needed with stdin
// not a terminal; --help documents the flags.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { LaunchpadFolder } from "../../../fixtures/keystores/launchpad.ts";
import { snapshotTree } from "../../../fixtures/keystores/snapshot.ts";
import { PROJECT_ROOT } from "../../../support/reference.ts";
import { launchpad, tempDir } from "./harness.ts";

const MAIN = join(PROJECT_ROOT, "test/fixtures/keystores/importMain.ts");
/** A bound on one run (a hung process fails the test instead of the suite). */
const RUN_TIMEOUT_MS = 30_000;

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], {
      stdio: ["pipe", "pipe", "pipe"],
      timeout: RUN_TIMEOUT_MS,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
  });
}

let root: string;
let folder: LaunchpadFolder;
let pwFile: string;

before(async () => {
  root = await tempDir("import-proc");
  folder = await launchpad(root, "validator_keys", { seed: 71, count: 2, network: "minimal" });
  pwFile = join(root, "pw");
  await writeFile(pwFile, folder.password);
});
after(() => rm(root, { recursive: true, force: true }));

describe("import as a process", () => {
  test("success: exit 0, summary and warning on stdout", async () => {
    const dataDir = join(root, "dd");
    const r = await run([
      "--directory",
      folder.dir,
      "--password-file",
      pwFile,
      "--network",
      "minimal",
      "--data-dir",
      dataDir,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Imported 2 keys .*network minimal/);
    assert.match(r.stdout, /never run the same validator keys in two places/);
  });

  test("wrong network and no terminal for a password: exit 2, the reason on stderr, data directory unchanged", async () => {
    const dataDir = join(root, "dd");
    const before = snapshotTree(dataDir);
    const wrongNet = await run([
      "--directory",
      folder.dir,
      "--password-file",
      pwFile,
      "--network",
      "dev",
      "--data-dir",
      dataDir,
    ]);
    assert.equal(wrongNet.code, 2);
    assert.match(wrongNet.stderr, /was made for network "minimal".*not for dev/);
    const noTty = await run([
      "--keystore",
      folder.keystoreFiles[0],
      "--network",
      "minimal",
      "--data-dir",
      join(root, "dd2"),
    ]);
    assert.equal(noTty.code, 2);
    assert.match(noTty.stderr, /stdin is not a terminal.*--password-file/);
    assert.deepEqual(snapshotTree(dataDir), before);
    assert.equal(snapshotTree(join(root, "dd2")), null);
  });

  test("--help lists the flags", async () => {
    const r = await run(["--help"]);
    assert.equal(r.code, 0);
    for (const flag of [
      "--directory",
      "--keystore",
      "--password-file",
      "--passwords-dir",
      "--data-dir",
      "--network",
      "--slashing-protection",
    ])
      assert.ok(r.stdout.includes(flag), flag);
  });
});
