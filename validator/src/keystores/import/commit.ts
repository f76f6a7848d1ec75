// Writing imported keys into the data directory all at once: every file is first written (durably, mode 0600,
// folders 0700) into a staging folder inside the data directory, then renamed into place — passwords first (and
// made durable), keystores last, so a keystore in keystores/ always has its password, even after a crash. The caller holds the data-directory lock.
import { chmod, mkdir, mkdtemp, readdir, rename } from "node:fs/promises";
import { join } from "node:path";
import { ensurePrivateDir, fsyncDir, removePath, writeFileDurable } from "../../dataDir/fsDurable.ts";
import {
  type DataDirLayout,
  DIR_MODE,
  FILE_MODE,
  KEYSTORE_FILE_NAME,
  keystoreDirOf,
  type PubkeyHex,
  STAGING_PREFIX,
  secretPathOf,
} from "../../dataDir/layout.ts";

/** A key to put into the data directory: its keystore file's exact text and the password that opens it. */
export interface KeyToInstall {
  pubkey: PubkeyHex;
  keystoreText: string;
  password: string;
}

/** Removes staging folders left by an import that crashed (only call while holding the lock). */
export async function removeStaleStaging(layout: DataDirLayout): Promise<void> {
  let names: string[];
  try {
    names = await readdir(layout.root);
  } catch {
    return;
  }
  for (const n of names) if (n.startsWith(STAGING_PREFIX)) await removePath(join(layout.root, n));
}

/**
 * Installs `keys` (none of which may be in the data directory already). On an error part-way through, the keys
 * already renamed into place by this call are removed again before the error is rethrown.
 */
export async function installKeys(layout: DataDirLayout, keys: readonly KeyToInstall[]): Promise<void> {
  if (keys.length === 0) return;
  await ensurePrivateDir(layout.keystoresDir);
  await ensurePrivateDir(layout.secretsDir);
  await removeStaleStaging(layout);
  const staging = await mkdtemp(join(layout.root, STAGING_PREFIX));
  const placedSecrets: PubkeyHex[] = [];
  const placedKeystores: PubkeyHex[] = [];
  try {
    await chmod(staging, DIR_MODE);
    const stagedKeystores = join(staging, "keystores");
    const stagedSecrets = join(staging, "secrets");
    await ensurePrivateDir(stagedKeystores);
    await ensurePrivateDir(stagedSecrets);
    // Each file is fsynced; each folder once, after its last file (not after every file: 1,000 keys would
    // otherwise cost thousands of extra fsyncs). The staging folders themselves need no fsync: what matters is
    // the final folders, fsynced after the renames.
    for (const k of keys) {
      const dir = join(stagedKeystores, k.pubkey);
      await mkdir(dir, { mode: DIR_MODE });
      await chmod(dir, DIR_MODE);
      await writeFileDurable(join(dir, KEYSTORE_FILE_NAME), k.keystoreText, FILE_MODE, false);
      await fsyncDir(dir);
      await writeFileDurable(join(stagedSecrets, k.pubkey), k.password, FILE_MODE, false);
    }
    // Every password durable in secrets/ before any keystore appears in keystores/ (also after a crash).
    for (const k of keys) {
      await rename(join(stagedSecrets, k.pubkey), secretPathOf(layout, k.pubkey));
      placedSecrets.push(k.pubkey);
    }
    await fsyncDir(layout.secretsDir);
    for (const k of keys) {
      await rename(join(stagedKeystores, k.pubkey), keystoreDirOf(layout, k.pubkey));
      placedKeystores.push(k.pubkey);
    }
    await fsyncDir(layout.keystoresDir);
  } catch (e) {
    for (const pubkey of placedKeystores) await removePath(keystoreDirOf(layout, pubkey));
    for (const pubkey of placedSecrets) await removePath(secretPathOf(layout, pubkey));
    throw e;
  } finally {
    await removePath(staging);
  }
}
