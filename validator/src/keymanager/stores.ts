// The keymanager's two records in the data directory, each one JSON file written durably with mode 0600:
//   remote-keys.json      [{pubkey, url?}]              remote signer keys added through the API
//   proposer-config.json  {"0x<pubkey>": {feeRecipient?, gasLimit?, graffiti?}}   per-key overrides
// A record is rewritten whole on every change (write temporary file, fsync, rename, fsync directory).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ensurePrivateDir, writeFileDurable } from "../dataDir/fsDurable.ts";
import { type DataDirLayout, FILE_MODE, normalizePubkeyHex, type PubkeyHex } from "../dataDir/layout.ts";
import type { RemoteKey } from "./registry.ts";

/** File name of the remote keys record. */
export const REMOTE_KEYS_FILE = "remote-keys.json";
/** File name of the per-key proposer settings record. */
export const PROPOSER_CONFIG_FILE = "proposer-config.json";

/** Per-key proposer settings (each unset field falls back to the client's default). */
export interface ProposerSettings {
  /** "0x" + 40 lowercase hex digits. */
  feeRecipient?: string;
  gasLimit?: number;
  graffiti?: string;
}

/** Paths of the keymanager's records inside a data directory. */
export function keymanagerPaths(layout: DataDirLayout): { remoteKeys: string; proposerConfig: string } {
  return { remoteKeys: join(layout.root, REMOTE_KEYS_FILE), proposerConfig: join(layout.root, PROPOSER_CONFIG_FILE) };
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${path} is not valid JSON (${(e as Error).message}); fix or remove it`, { cause: e });
  }
}

async function writeJson(layout: DataDirLayout, path: string, value: unknown): Promise<void> {
  await ensurePrivateDir(layout.root);
  await writeFileDurable(path, `${JSON.stringify(value, null, 2)}\n`, FILE_MODE);
}

/** Reads the remote keys record (empty when absent); throws naming the file when it is malformed. */
export async function readRemoteKeys(layout: DataDirLayout): Promise<RemoteKey[]> {
  const path = keymanagerPaths(layout).remoteKeys;
  const value = await readJson(path);
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new Error(`${path}: expected a JSON list of {pubkey, url}`);
  return value.map((item, i) => {
    const pubkey = normalizePubkeyHex(String((item as { pubkey?: unknown })?.pubkey ?? ""));
    const url = (item as { url?: unknown }).url;
    if (pubkey === null || (url !== undefined && typeof url !== "string"))
      throw new Error(`${path}: entry ${i} is not {pubkey, url}`);
    return url === undefined ? { pubkey } : { pubkey, url };
  });
}

/** Rewrites the remote keys record durably. */
export async function writeRemoteKeys(layout: DataDirLayout, keys: readonly RemoteKey[]): Promise<void> {
  await writeJson(layout, keymanagerPaths(layout).remoteKeys, keys);
}

/** Reads the proposer settings record (empty when absent); throws naming the file when it is malformed. */
export async function readProposerConfig(layout: DataDirLayout): Promise<Map<PubkeyHex, ProposerSettings>> {
  const path = keymanagerPaths(layout).proposerConfig;
  const value = await readJson(path);
  const out = new Map<PubkeyHex, ProposerSettings>();
  if (value === undefined) return out;
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new Error(`${path}: expected a JSON object keyed by pubkey`);
  for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
    const pubkey = normalizePubkeyHex(key);
    const s = raw as ProposerSettings;
    const ok =
      pubkey !== null &&
      s !== null &&
      typeof s === "object" &&
      (s.feeRecipient === undefined || /^0x[0-9a-f]{40}$/.test(s.feeRecipient)) &&
      (s.gasLimit === undefined || Number.isSafeInteger(s.gasLimit)) &&
      (s.graffiti === undefined || typeof s.graffiti === "string");
    if (!ok || pubkey === null) throw new Error(`${path}: entry ${key} is not valid proposer settings`);
    out.set(pubkey, { ...s });
  }
  return out;
}

/** Rewrites the proposer settings record durably (keys without any setting are left out). */
export async function writeProposerConfig(
  layout: DataDirLayout,
  config: ReadonlyMap<PubkeyHex, ProposerSettings>,
): Promise<void> {
  const obj: Record<string, ProposerSettings> = {};
  for (const [pubkey, s] of [...config].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    if (s.feeRecipient !== undefined || s.gasLimit !== undefined || s.graffiti !== undefined) obj[pubkey] = s;
  await writeJson(layout, keymanagerPaths(layout).proposerConfig, obj);
}
