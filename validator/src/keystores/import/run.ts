// `sextant validator import`, minus the command line: checks everything first (files, keystores, deposit data
// against the network, passwords, duplicates, the data-directory lock), and only when all of it passed writes
// the keys — staged inside the data directory and renamed into place. Bad input leaves the directory untouched.
import { isSextantError } from "@sextant/common";
import { type ChainConfigName, getChainConfig } from "@sextant/consensus/params/index";
import { ensurePrivateDir, removePath } from "../../dataDir/fsDurable.ts";
import { dataDirLayout, type PubkeyHex } from "../../dataDir/layout.ts";
import { acquireDataDirLock, assertDataDirFree, type DataDirLock } from "../../dataDir/lock.ts";
import { KeystoreError } from "../errors.ts";
import { type KeystoreFile, readKeystoreFile } from "../keystoreFile.ts";
import { listImportedPubkeys } from "../loader.ts";
import { DecryptPool, defaultDecryptThreads } from "../pool.ts";
import { Progress, type ProgressStream } from "../progress.ts";
import type { PromptIo } from "../prompt.ts";
import { installKeys } from "./commit.ts";
import {
  checkDepositsMatchKeystores,
  type DepositDataEntry,
  readDepositDataFile,
  verifyDepositData,
} from "./depositData.ts";
import { scanLaunchpadDirectory } from "./launchpad.ts";
import { type Decrypted, decryptWithPasswords, type PasswordSource } from "./passwords.ts";
import { type ApplyInterchange, importInterchangeFile, type SlashingProtectionImporter } from "./slashingProtection.ts";

/** What to import, from where, into where. */
export interface ImportOptions {
  dataDir: string;
  network: ChainConfigName;
  /** A launchpad / deposit CLI folder (keystores + deposit_data). */
  directory?: string;
  /** Individual keystore files. */
  keystores?: readonly string[];
  /** One password for every keystore. */
  passwordFile?: string;
  /** One password file per public key (see passwordFileCandidates). */
  passwordsDir?: string;
  /** An EIP-3076 interchange file to import with the keys. */
  slashingProtection?: string;
  /** Decryption threads (default: one per core, bounded by memory). */
  threads?: number;
}

/** Streams of the import: the summary goes to stdout; progress and prompts to stderr; passwords from stdin. */
export interface ImportIo {
  stdout: NodeJS.WritableStream;
  stderr: ProgressStream;
  stdin: PromptIo["input"];
}

/** The result, for the summary: every input key is in exactly one list. */
export interface ImportReport {
  dataDir: string;
  network: string;
  imported: { pubkey: PubkeyHex; file: string }[];
  skipped: { pubkey: PubkeyHex; file: string; reason: string }[];
  /** Anything here means nothing was written. */
  failed: { file: string; code: string; reason: string }[];
  /** What the slashing-protection import did (null when no interchange was given or nothing was written). */
  slashingProtection: string | null;
}

/** A bad-input error as a failure line; anything that is not a SextantError is a bug and propagates. */
function failureOf(e: unknown, file: string): ImportReport["failed"][number] {
  if (isSextantError(e)) return { file: String(e.context.file ?? file), code: e.code, reason: e.message };
  throw e;
}

/** Reads every keystore, collecting per-file failures instead of stopping at the first. */
async function readAll(paths: readonly string[], report: ImportReport): Promise<KeystoreFile[]> {
  const files: KeystoreFile[] = [];
  for (const path of paths) {
    try {
      files.push(await readKeystoreFile(path));
    } catch (e) {
      report.failed.push(failureOf(e, path));
    }
  }
  return files;
}

/** Checks the deposit data files of a launchpad folder against the network and the folder's keystores. */
async function checkDeposits(
  paths: readonly string[],
  folderKeystores: readonly KeystoreFile[],
  network: ChainConfigName,
  report: ImportReport,
): Promise<void> {
  const entries: DepositDataEntry[] = [];
  for (const path of paths) {
    try {
      entries.push(...(await readDepositDataFile(path)));
    } catch (e) {
      report.failed.push(failureOf(e, path));
    }
  }
  if (report.failed.length > 0) return;
  try {
    verifyDepositData(entries, getChainConfig(network));
    checkDepositsMatchKeystores(entries, new Map(folderKeystores.map((f) => [f.pubkey, f.path])));
  } catch (e) {
    report.failed.push(failureOf(e, paths[0]));
  }
}

/** Splits the readable keystores into new keys and skipped duplicates (twice in the input, or already imported). */
function dedupe(
  files: readonly KeystoreFile[],
  imported: ReadonlySet<PubkeyHex>,
  report: ImportReport,
): KeystoreFile[] {
  const seen = new Map<PubkeyHex, string>();
  const fresh: KeystoreFile[] = [];
  for (const f of files) {
    const first = seen.get(f.pubkey);
    if (first !== undefined)
      report.skipped.push({ pubkey: f.pubkey, file: f.path, reason: `the same key as ${first}, given twice` });
    else if (imported.has(f.pubkey))
      report.skipped.push({ pubkey: f.pubkey, file: f.path, reason: "already in the data directory" });
    else fresh.push(f);
    seen.set(f.pubkey, first ?? f.path);
  }
  return fresh;
}

function passwordSource(opts: ImportOptions, io: ImportIo): PasswordSource {
  if (opts.passwordFile !== undefined) return { kind: "file", path: opts.passwordFile };
  if (opts.passwordsDir !== undefined) return { kind: "dir", dir: opts.passwordsDir };
  return { kind: "prompt", io: { input: io.stdin, output: io.stderr } };
}

/** Decrypts the new keystores on every core, with progress on stderr. */
async function decryptAll(
  files: readonly KeystoreFile[],
  opts: ImportOptions,
  io: ImportIo,
  report: ImportReport,
): Promise<Decrypted[]> {
  const pool = new DecryptPool({ size: opts.threads ?? defaultDecryptThreads(files.map((f) => f.keystore)) });
  try {
    const source = passwordSource(opts, io);
    const outcome = await decryptWithPasswords(
      files,
      source,
      pool,
      (total) => new Progress({ total, label: "decrypting keystores", stream: io.stderr }),
    );
    for (const f of outcome.failed) report.failed.push(failureOf(f.error, f.file.path));
    const order = new Map(files.map((f, i) => [f.pubkey, i]));
    return outcome.decrypted.sort((a, b) => (order.get(a.file.pubkey) ?? 0) - (order.get(b.file.pubkey) ?? 0));
  } finally {
    await pool.close();
  }
}

/**
 * Runs an import. Input problems come back in `report.failed` (and then nothing was written); problems that stop
 * the whole import (the data directory is locked, no keystores given, no terminal for a password prompt) throw a
 * KeystoreError or DataDirError.
 */
export async function runImport(
  opts: ImportOptions,
  io: ImportIo,
  importSlashingProtection: SlashingProtectionImporter = importInterchangeFile,
): Promise<ImportReport> {
  const layout = dataDirLayout(opts.dataDir);
  const report: ImportReport = {
    dataDir: opts.dataDir,
    network: opts.network,
    imported: [],
    skipped: [],
    failed: [],
    slashingProtection: null,
  };
  getChainConfig(opts.network);
  assertDataDirFree(layout.lockFile);
  if (opts.directory === undefined && (opts.keystores ?? []).length === 0)
    throw new KeystoreError("NO_KEYSTORES", "nothing to import: pass --directory validator_keys or --keystore FILE");
  const launchpad = opts.directory === undefined ? null : await scanLaunchpadDirectory(opts.directory);
  const folderFiles = await readAll(launchpad?.keystores ?? [], report);
  const extraFiles = await readAll(opts.keystores ?? [], report);
  if (launchpad !== null && launchpad.depositData.length > 0 && report.failed.length === 0)
    await checkDeposits(launchpad.depositData, folderFiles, opts.network, report);
  let applyInterchange: ApplyInterchange | null = null;
  if (opts.slashingProtection !== undefined) {
    try {
      applyInterchange = await importSlashingProtection(opts.slashingProtection, opts.network);
    } catch (e) {
      report.failed.push(failureOf(e, opts.slashingProtection));
    }
  }
  if (report.failed.length > 0) return report;
  const fresh = dedupe([...folderFiles, ...extraFiles], new Set(await listImportedPubkeys(layout)), report);
  const decrypted = await decryptAll(fresh, opts, io, report);
  if (report.failed.length > 0) {
    for (const d of decrypted) d.secret.fill(0);
    return report;
  }
  for (const d of decrypted) d.secret.fill(0);
  if (decrypted.length === 0 && applyInterchange === null) return report;
  // If the import fails from here on, a data directory this run created is removed again (nothing else can be in
  // it: the lock is ours), so even then the disk is as it was.
  const created = await ensurePrivateDir(layout.root);
  let lock: DataDirLock | null = null;
  let done = false;
  try {
    lock = acquireDataDirLock(layout.lockFile, "validator import");
    // Re-check under the lock: another import may have added some of these keys since the first look.
    const nowImported = new Set(await listImportedPubkeys(layout));
    const toInstall = decrypted.filter((d) => {
      if (!nowImported.has(d.file.pubkey)) return true;
      report.skipped.push({ pubkey: d.file.pubkey, file: d.file.path, reason: "already in the data directory" });
      return false;
    });
    // Before the keys: a key must never be usable without the history that came with it.
    if (applyInterchange !== null) report.slashingProtection = await applyInterchange(layout);
    await installKeys(
      layout,
      toInstall.map((d) => ({ pubkey: d.file.pubkey, keystoreText: d.file.text, password: d.password })),
    );
    report.imported = toInstall.map((d) => ({ pubkey: d.file.pubkey, file: d.file.path }));
    done = true;
  } finally {
    lock?.release();
    if (!done && created !== null) await removePath(created);
  }
  return report;
}
