// Local keystores through the keymanager API: list, import (with an optional EIP-3076 interchange) and delete
// (returning the interchange of the deleted keys). Requests are serialised: one import or delete at a time.
import { ApiError } from "@sextant/api-spec";
import { publicKeyFromSecret, secretKeyFromBytes } from "@sextant/consensus/bls/index";
import { toHex } from "@sextant/consensus/util/hex";
import { removePath } from "../dataDir/fsDurable.ts";
import { type DataDirLayout, keystoreDirOf, type PubkeyHex, secretPathOf } from "../dataDir/layout.ts";
import { installKeys, type KeyToInstall } from "../keystores/import/commit.ts";
import { type KeystoreFile, parseKeystoreText } from "../keystores/keystoreFile.ts";
import { listImportedPubkeys } from "../keystores/loader.ts";
import { decryptKeystores } from "../keystores/pool.ts";
import {
  exportInterchange,
  importInterchange,
  parseInterchange,
  type SlashingProtection,
} from "../slashing-protection/index.ts";
import type { KeyRegistry } from "./registry.ts";

/** Per-key outcome of an import. */
export interface ImportStatus {
  status: "imported" | "duplicate" | "error";
  message?: string;
}
/** Per-key outcome of a delete. */
export interface DeleteStatus {
  status: "deleted" | "not_active" | "not_found" | "error";
  message?: string;
}

/** Decryption threads for one API import (keystores come a few at a time; the client keeps working meanwhile). */
const API_DECRYPT_THREADS = 2;

/** What the local-key operations work on. */
export interface LocalKeysContext {
  layout: DataDirLayout;
  slashingProtection: SlashingProtection;
  registry: KeyRegistry;
  /** Serialises imports and deletes. */
  lock: <T>(fn: () => Promise<T>) => Promise<T>;
}

/** Runs the functions given to it one after another. */
export function serialiser(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>) => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
}

const pubkeyHex = (bytes: Uint8Array) => toHex(bytes) as PubkeyHex;

/**
 * Imports keystores: 400 (nothing written) when the lists differ in length or the interchange is invalid or for
 * another chain; otherwise one status per keystore. The interchange is imported before any key is installed.
 */
export async function importKeystores(
  ctx: LocalKeysContext,
  keystores: readonly string[],
  passwords: readonly string[],
  slashingProtection: string | undefined,
): Promise<ImportStatus[]> {
  if (keystores.length !== passwords.length)
    throw new ApiError(
      400,
      `${keystores.length} keystores but ${passwords.length} passwords: one password per keystore`,
    );
  let interchange: unknown;
  if (slashingProtection !== undefined) {
    try {
      interchange = JSON.parse(slashingProtection);
      parseInterchange(interchange);
    } catch (e) {
      throw new ApiError(400, `slashing_protection is not a valid EIP-3076 interchange: ${(e as Error).message}`);
    }
  }
  return ctx.lock(async () => {
    const statuses: ImportStatus[] = keystores.map(() => ({ status: "imported" }));
    const onDisk = new Set(await listImportedPubkeys(ctx.layout));
    const inRequest = new Set<PubkeyHex>();
    const parsed: (KeystoreFile | null)[] = keystores.map((text, i) => {
      try {
        const file = parseKeystoreText(text, `keystores[${i}]`);
        if (ctx.registry.has(file.pubkey) || onDisk.has(file.pubkey) || inRequest.has(file.pubkey)) {
          statuses[i] = { status: "duplicate" };
          return null;
        }
        inRequest.add(file.pubkey);
        return file;
      } catch (e) {
        statuses[i] = { status: "error", message: (e as Error).message };
        return null;
      }
    });
    const todo = parsed.flatMap((f, i) => (f === null ? [] : [{ file: f, i }]));
    const results = await decryptKeystores(
      todo.map(({ file, i }) => ({ keystore: file.keystore, password: passwords[i], path: file.path })),
      { threads: Math.max(1, Math.min(API_DECRYPT_THREADS, todo.length)) },
    );
    const install: (KeyToInstall & { secret: Uint8Array; derivationPath: string })[] = [];
    results.forEach((r, k) => {
      const { file, i } = todo[k];
      if (!r.ok) {
        statuses[i] = { status: "error", message: r.error.message };
        return;
      }
      const derived = pubkeyHex(publicKeyFromSecret(secretKeyFromBytes(r.secret)).toBytes());
      if (derived !== file.pubkey) {
        statuses[i] = { status: "error", message: `${file.path} declares pubkey ${file.pubkey} but holds ${derived}` };
        return;
      }
      install.push({
        pubkey: file.pubkey,
        keystoreText: file.text,
        password: passwords[i],
        secret: r.secret,
        derivationPath: file.keystore.path,
      });
    });
    if (interchange !== undefined) {
      try {
        importInterchange(ctx.slashingProtection, interchange);
      } catch (e) {
        throw new ApiError(400, `slashing_protection not imported: ${(e as Error).message}`);
      }
    }
    await installKeys(ctx.layout, install);
    for (const k of install) {
      ctx.registry.addLocal({
        pubkey: k.pubkey,
        secretKey: secretKeyFromBytes(k.secret),
        derivationPath: k.derivationPath || undefined,
      });
      k.secret.fill(0);
    }
    return statuses;
  });
}

/**
 * Deletes local keys: each is removed from the registry first (no more signing), then its keystore and password
 * files. Keys not loaded but known to slashing protection are "not_active"; the interchange covers both.
 */
export async function deleteKeystores(
  ctx: LocalKeysContext,
  pubkeys: readonly Uint8Array[],
): Promise<{ data: DeleteStatus[]; slashingProtection: string }> {
  return ctx.lock(async () => {
    const onDisk = new Set(await listImportedPubkeys(ctx.layout));
    const exported: PubkeyHex[] = [];
    const data: DeleteStatus[] = [];
    for (const bytes of pubkeys) {
      const pubkey = pubkeyHex(bytes);
      const loaded = ctx.registry.removeLocal(pubkey);
      if (loaded || onDisk.has(pubkey)) {
        try {
          await removePath(keystoreDirOf(ctx.layout, pubkey));
          await removePath(secretPathOf(ctx.layout, pubkey));
          onDisk.delete(pubkey);
          data.push({ status: "deleted" });
        } catch (e) {
          data.push({ status: "error", message: (e as Error).message });
        }
        exported.push(pubkey);
        continue;
      }
      const history = exportInterchange(ctx.slashingProtection, [pubkey]).data[0];
      const known =
        history !== undefined && (history.signed_blocks.length > 0 || history.signed_attestations.length > 0);
      data.push({ status: known ? "not_active" : "not_found" });
      if (known) exported.push(pubkey);
    }
    const interchange = exportInterchange(ctx.slashingProtection, exported);
    return { data, slashingProtection: JSON.stringify(interchange) };
  });
}
