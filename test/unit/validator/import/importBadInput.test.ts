// `sextant validator import` on bad input: every case exits with code 2, names the file (or the flag) and the fix,
// and leaves the data directory byte-for-byte as it was (a populated one, or a missing one stays missing).
import assert from "node:assert/strict";
import { mkdir, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { acquireDataDirLock } from "../../../../validator/src/dataDir/lock.ts";
import { KeystoreError } from "../../../../validator/src/keystores/errors.ts";
import { MAX_PROMPT_ATTEMPTS } from "../../../../validator/src/keystores/import/passwords.ts";
import { keystoreFileName, type LaunchpadFolder } from "../../../fixtures/keystores/launchpad.ts";
import { snapshotTree } from "../../../fixtures/keystores/snapshot.ts";
import { scriptedTerminal } from "../../../fixtures/keystores/streams.ts";
import { copyFolder, launchpad, type RunResult, runImportCli, tempDir } from "./harness.ts";

let root: string;
let folder: LaunchpadFolder;
let pwFile: string;
/** A data directory that already holds two keys (from another folder), shared by the cases. */
let dataDir: string;

before(async () => {
  root = await tempDir("import-bad");
  folder = await launchpad(root, "validator_keys", { seed: 61, count: 3, network: "mainnet" });
  pwFile = join(root, "password.txt");
  await writeFile(pwFile, folder.password);
  const earlier = await launchpad(root, "earlier_keys", { seed: 62, count: 2, network: "mainnet" });
  dataDir = join(root, "datadir");
  const r = await runImportCli(["--directory", earlier.dir, "--password-file", pwFile, "--data-dir", dataDir]);
  assert.equal(r.exitCode, 0, r.stderr);
});
after(() => rm(root, { recursive: true, force: true }));

/**
 * Runs the import against the shared data directory (and a missing one) and asserts: exit 2, stderr matching
 * every pattern, nothing imported, both data directories unchanged.
 */
async function expectRefused(args: string[], patterns: RegExp[], opts: Parameters<typeof runImportCli>[1] = {}) {
  const missing = join(root, `missing-${Math.random().toString(16).slice(2)}`);
  for (const dd of [dataDir, missing]) {
    const before = snapshotTree(dd);
    const r: RunResult = await runImportCli([...args, "--data-dir", dd], opts);
    assert.equal(r.exitCode, 2, `exit code; stderr: ${r.stderr}`);
    for (const p of patterns) assert.match(r.stderr, p);
    assert.doesNotMatch(r.stdout, /Imported [1-9]/);
    assert.deepEqual(snapshotTree(dd), before, `${dd} changed`);
    if (opts.stdin !== undefined) break; // a scripted terminal answers one run only
  }
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("import: bad input changes nothing and exits 2", () => {
  test("unreadable file: a missing --keystore path, a directory named like a keystore", async () => {
    const missing = join(root, "no-such-keystore.json");
    await expectRefused(
      ["--keystore", missing, "--password-file", pwFile],
      [new RegExp(esc(missing)), /ENOENT/, /check the path/],
    );
    const bad = await copyFolder(folder.dir, join(root, "with-dir"));
    await mkdir(join(bad, "keystore-m_12381_3600_9_0_0-1.json"));
    await expectRefused(
      ["--directory", bad, "--password-file", pwFile],
      [/keystore-m_12381_3600_9_0_0-1\.json \(EISDIR\)/],
    );
    await expectRefused(
      ["--directory", join(root, "nowhere"), "--password-file", pwFile],
      [/cannot read the directory .*nowhere/],
    );
  });

  test("not a keystore: a JSON object without crypto, a deposit_data file passed as --keystore", async () => {
    const notKs = join(root, "hello.json");
    await writeFile(notKs, JSON.stringify({ hello: "world" }));
    await expectRefused(
      ["--keystore", notKs, "--password-file", pwFile],
      [new RegExp(`${esc(notKs)} is not an EIP-2335 keystore`)],
    );
    await expectRefused(["--keystore", folder.depositDataFile, "--password-file", pwFile], [/deposit_data file\?/]);
  });

  test("truncated JSON: a keystore cut short, a deposit_data file cut short", async () => {
    const cut = await copyFolder(folder.dir, join(root, "truncated-ks"));
    const victim = join(cut, keystoreFileName(1));
    const text = await readFile(victim, "utf8");
    await writeFile(victim, text.slice(0, text.length / 2));
    await expectRefused(
      ["--directory", cut, "--password-file", pwFile],
      [new RegExp(`${esc(victim)} is not valid JSON`), /truncated/, /copy it again/],
    );
    const cutDd = await copyFolder(folder.dir, join(root, "truncated-dd"));
    const dd = join(cutDd, "deposit_data-1700000000.json");
    await writeFile(dd, (await readFile(dd, "utf8")).slice(0, 300));
    await expectRefused(
      ["--directory", cutDd, "--password-file", pwFile],
      [new RegExp(`${esc(dd)} is not valid JSON`)],
    );
  });

  test("wrong password in the password file, or in a --passwords-dir file", async () => {
    const wrong = join(root, "wrong.txt");
    await writeFile(wrong, "not the password\n");
    await expectRefused(
      ["--directory", folder.dir, "--password-file", wrong],
      [
        new RegExp(`the password in ${esc(wrong)} does not decrypt .*${esc(keystoreFileName(0))}`),
        /Nothing was imported/,
      ],
    );
    const pwDir = join(root, "pwdir-wrong");
    await mkdir(pwDir);
    for (const [i, k] of folder.keys.entries())
      await writeFile(join(pwDir, k.pubkey), i === 2 ? "nope" : folder.password);
    await expectRefused(
      ["--directory", folder.dir, "--passwords-dir", pwDir],
      [new RegExp(`does not decrypt .*${esc(keystoreFileName(2))}`)],
    );
  });

  test("a missing password file in --passwords-dir names the file to create", async () => {
    const pwDir = join(root, "pwdir-missing");
    await mkdir(pwDir);
    await writeFile(join(pwDir, folder.keys[0].pubkey), folder.password);
    await expectRefused(
      ["--directory", folder.dir, "--passwords-dir", pwDir],
      [new RegExp(`create ${esc(join(pwDir, folder.keys[1].pubkey))}`)],
    );
  });

  test("wrong network: mainnet keys with --network sepolia (and sepolia keys with the default mainnet)", async () => {
    await expectRefused(
      ["--directory", folder.dir, "--password-file", pwFile, "--network", "sepolia"],
      [/was made for network "mainnet" \(fork version 0x00000000\), not for sepolia/, /--network/],
    );
    const sep = await launchpad(root, "sepolia_keys", {
      seed: 63,
      count: 1,
      network: "sepolia",
      password: folder.password,
    });
    await expectRefused(
      ["--directory", sep.dir, "--password-file", pwFile],
      [/made for network "sepolia".*not for mainnet/],
    );
  });

  test("deposit data that does not match the keystores, or whose signature does not verify", async () => {
    const missingKs = await copyFolder(folder.dir, join(root, "missing-ks"));
    await unlink(join(missingKs, keystoreFileName(2)));
    await expectRefused(
      ["--directory", missingKs, "--password-file", pwFile],
      [new RegExp(`deposit for ${folder.keys[2].pubkey} but the folder has no keystore`)],
    );
    const forged = await copyFolder(folder.dir, join(root, "forged"));
    const dd = join(forged, "deposit_data-1700000000.json");
    const entries = JSON.parse(await readFile(dd, "utf8")) as Record<string, unknown>[];
    entries[1] = { ...entries[1], signature: entries[0].signature, deposit_data_root: undefined };
    await writeFile(dd, JSON.stringify(entries));
    await expectRefused(
      ["--directory", forged, "--password-file", pwFile],
      [/signature that does not verify for mainnet/],
    );
  });

  test("a running validator client holds the data directory", async () => {
    const lock = acquireDataDirLock(join(dataDir, "validator.lock"), "validator client");
    try {
      const before = snapshotTree(dataDir);
      const r = await runImportCli(["--directory", folder.dir, "--password-file", pwFile, "--data-dir", dataDir]);
      assert.equal(r.exitCode, 2);
      assert.match(r.stderr, new RegExp(`in use by a Sextant validator client \\(pid ${process.pid}`));
      assert.match(r.stderr, /stop it first/);
      assert.deepEqual(snapshotTree(dataDir), before);
    } finally {
      lock.release();
    }
  });

  test("no password flag and stdin is not a terminal: says which flag to use", async () => {
    await expectRefused(
      ["--directory", folder.dir],
      [/stdin is not a terminal/, /--password-file FILE/, /--passwords-dir DIR/],
    );
  });

  test(`the prompt gives up after ${MAX_PROMPT_ATTEMPTS} wrong passwords`, async () => {
    const term = scriptedTerminal(Array.from({ length: MAX_PROMPT_ATTEMPTS }, (_, i) => `wrong ${i}`));
    await expectRefused(["--keystore", folder.keystoreFiles[0]], [/does not decrypt/], {
      stdin: term.input,
      stderr: term.output,
    });
    assert.equal(term.prompts(), MAX_PROMPT_ATTEMPTS);
  });

  test("nothing to import; --slashing-protection unreadable; the interchange import failing under the lock", async () => {
    await expectRefused(["--password-file", pwFile], [/nothing to import: pass --directory/]);
    const missing = join(root, "no-interchange.json");
    await expectRefused(
      ["--directory", folder.dir, "--password-file", pwFile, "--slashing-protection", missing],
      [new RegExp(`${esc(missing)} \\(ENOENT\\)`), /--slashing-protection path/],
    );
    const interchange = join(root, "interchange.json");
    await writeFile(interchange, "{}");
    // Fails after the lock was taken (and, for a new data directory, after the directory was created).
    await expectRefused(
      ["--directory", folder.dir, "--password-file", pwFile, "--slashing-protection", interchange],
      [/is not an interchange file/],
      {
        importSlashingProtection: async () => async () => {
          throw new KeystoreError("INVALID_INTERCHANGE", `${interchange} is not an interchange file`);
        },
      },
    );
  });
});
