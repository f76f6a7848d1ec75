// `sextant validator import` end to end on launchpad folders generated here: a real import (files verbatim, modes,
// the keys load back), re-import and duplicates skipped and reported, per-key password folders, the password
// prompt that asks again, a stale lock taken over, scrypt keystores, and --slashing-protection ordering.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { dataDirLayout, keystorePathOf, secretPathOf } from "../../../../validator/src/dataDir/layout.ts";
import { SAME_KEYS_WARNING } from "../../../../validator/src/keystores/import/summary.ts";
import { loadKeysFromDataDir } from "../../../../validator/src/keystores/loader.ts";
import { CHEAP_SCRYPT, hex, type LaunchpadFolder } from "../../../fixtures/keystores/launchpad.ts";
import { snapshotTree } from "../../../fixtures/keystores/snapshot.ts";
import { scriptedTerminal } from "../../../fixtures/keystores/streams.ts";
import { launchpad, runImportCli, tempDir } from "./harness.ts";

let root: string;
let folder: LaunchpadFolder;
let pwFile: string;

before(async () => {
  root = await tempDir("import-ok");
  folder = await launchpad(root, "validator_keys", { seed: 51, count: 4, network: "mainnet" });
  pwFile = join(root, "password.txt");
  await writeFile(pwFile, `${folder.password}\n`);
});
after(() => rm(root, { recursive: true, force: true }));

/** Mode bits of a path. */
const mode = (p: string) => statSync(p).mode & 0o777;

describe("import: success paths", () => {
  test("a launchpad folder with a shared password file: every key imported verbatim, 0600/0700, loads back", async () => {
    const dataDir = join(root, "dd-ok");
    const r = await runImportCli(["--directory", folder.dir, "--password-file", pwFile, "--data-dir", dataDir]);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Imported 4 keys into ${dataDir} \\(network mainnet\\)`));
    assert.ok(r.stdout.includes(SAME_KEYS_WARNING));
    const layout = dataDirLayout(dataDir);
    for (const [i, k] of folder.keys.entries()) {
      assert.match(r.stdout, new RegExp(k.pubkey));
      const ks = keystorePathOf(layout, k.pubkey);
      assert.equal(readFileSync(ks, "utf8"), readFileSync(folder.keystoreFiles[i], "utf8"));
      assert.equal(readFileSync(secretPathOf(layout, k.pubkey), "utf8"), folder.password);
      assert.equal(mode(ks), 0o600);
      assert.equal(mode(secretPathOf(layout, k.pubkey)), 0o600);
      assert.equal(mode(join(layout.keystoresDir, k.pubkey)), 0o700);
    }
    for (const d of [dataDir, layout.keystoresDir, layout.secretsDir]) assert.equal(mode(d), 0o700, d);
    assert.deepEqual(readdirSync(dataDir).sort(), ["keystores", "secrets"]); // no lock, no staging left
    const loaded = await loadKeysFromDataDir(layout, {
      progress: null,
      cacheKdf: { n: 2 ** 10, r: 8, p: 1 },
      threads: 2,
    });
    assert.deepEqual(
      loaded.keys.map((k) => [k.pubkey, hex(k.secretKey.toBytes())]).sort(),
      folder.keys.map((k) => [k.pubkey, hex(k.secret)]).sort(),
    );
    // Progress went to stderr (plain lines when not a terminal: at least the final one).
    assert.match(r.stderr, /decrypting keystores 4\/4/);
  });

  test("importing the same folder again skips every key (reported) and changes nothing", async () => {
    const dataDir = join(root, "dd-again");
    await runImportCli(["--directory", folder.dir, "--password-file", pwFile, "--data-dir", dataDir]);
    const before = snapshotTree(dataDir);
    const r = await runImportCli(["--directory", folder.dir, "--password-file", pwFile, "--data-dir", dataDir]);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, /Imported 0 keys/);
    assert.match(r.stdout, /Skipped 4 keys:/);
    assert.equal(r.stdout.match(/already in the data directory/g)?.length, 4);
    assert.deepEqual(snapshotTree(dataDir), before);
  });

  test("the same keystore twice in the input: imported once, the second reported as a duplicate", async () => {
    const dataDir = join(root, "dd-dup");
    const [a, b] = folder.keystoreFiles;
    const r = await runImportCli([
      "--keystore",
      a,
      "--keystore",
      b,
      "--keystore",
      a,
      "--password-file",
      pwFile,
      "--data-dir",
      dataDir,
    ]);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, /Imported 2 keys/);
    assert.match(
      r.stdout,
      new RegExp(`Skipped 1 key:\\n  ${folder.keys[0].pubkey}  .*: the same key as .*given twice`),
    );
  });

  test("--passwords-dir: one file per key, named with or without 0x", async () => {
    const dataDir = join(root, "dd-pwdir");
    const pwDir = join(root, "pwdir");
    await mkdir(pwDir);
    for (const [i, k] of folder.keys.entries())
      await writeFile(join(pwDir, i % 2 === 0 ? k.pubkey : k.pubkey.slice(2)), `${folder.password}\n`);
    const r = await runImportCli(["--directory", folder.dir, "--passwords-dir", pwDir, "--data-dir", dataDir]);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, /Imported 4 keys/);
  });

  test("prompt on a terminal: a wrong password is asked again; the right one imports; nothing echoed", async () => {
    const dataDir = join(root, "dd-prompt");
    const term = scriptedTerminal(["not the password", folder.password]);
    const r = await runImportCli(["--directory", folder.dir, "--data-dir", dataDir], {
      stdin: term.input,
      stderr: term.output,
    });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(term.prompts(), 2);
    assert.match(term.output.text(), /Password for the 4 keystores: /);
    assert.match(term.output.text(), /Wrong password for .*keystore-m_12381_3600_0_0_0.*other keystore/);
    assert.ok(!term.output.text().includes(folder.password) && !term.output.text().includes("not the password"));
    assert.match(r.stdout, /Imported 4 keys/);
    assert.equal(readFileSync(secretPathOf(dataDirLayout(dataDir), folder.keys[0].pubkey), "utf8"), folder.password);
  });

  test("a stale lock (its process is gone) does not stop an import and is removed after", async () => {
    const dataDir = join(root, "dd-stale");
    await mkdir(dataDir, { mode: 0o700 });
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    await writeFile(
      join(dataDir, "validator.lock"),
      JSON.stringify({ pid: Number(dead.stdout), hostname: hostname(), program: "validator client" }),
    );
    const r = await runImportCli(["--directory", folder.dir, "--password-file", pwFile, "--data-dir", dataDir]);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(existsSync(join(dataDir, "validator.lock")), false);
  });

  test("scrypt keystores (sepolia folder, --network sepolia) import too", async () => {
    const sep = await launchpad(root, "sepolia_keys", {
      seed: 52,
      count: 2,
      network: "sepolia",
      kdf: CHEAP_SCRYPT,
      password: "s",
    });
    const p = join(root, "s.txt");
    await writeFile(p, "s");
    const r = await runImportCli([
      "--directory",
      sep.dir,
      "--password-file",
      p,
      "--network",
      "sepolia",
      "--data-dir",
      join(root, "dd-s"),
    ]);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, /Imported 2 keys .*network sepolia/);
  });

  test("--slashing-protection: checked before decryption, applied under the lock before the keys are placed", async () => {
    const dataDir = join(root, "dd-sp");
    const interchange = join(root, "interchange.json");
    await writeFile(interchange, "{}");
    const calls: string[] = [];
    const r = await runImportCli(
      [
        "--directory",
        folder.dir,
        "--password-file",
        pwFile,
        "--data-dir",
        dataDir,
        "--slashing-protection",
        interchange,
      ],
      {
        importSlashingProtection: async (file, network) => {
          calls.push(`prepare ${file} ${network}`);
          return async (layout) => {
            calls.push("apply");
            assert.ok(existsSync(layout.lockFile), "the data directory is locked");
            assert.equal(existsSync(layout.keystoresDir), false, "no key is in place yet");
            return "Imported slashing protection (test)";
          };
        },
      },
    );
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual(calls, [`prepare ${interchange} mainnet`, "apply"]);
    assert.match(r.stdout, /Imported slashing protection \(test\)/);
  });
});
