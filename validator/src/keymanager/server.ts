// The keymanager API server of the validator client (keymanager-APIs v1.1.0, every operation of api-spec's
// keymanager route table), bound to 127.0.0.1 by default. Every request must carry `Authorization: Bearer <token>`
// (the token file is created at first start, mode 0600); anything else is answered 401 before any handler runs.
import {
  ApiError,
  type ApiServer,
  createApiServer,
  type Handlers,
  type KeymanagerRoutes,
  keymanagerRouteTable,
} from "@sextant/api-spec";
import type { Logger } from "@sextant/common";
import { getSszTypes } from "@sextant/consensus/types/index";
import { toHex } from "@sextant/consensus/util/hex";
import type { DataDirLayout, PubkeyHex } from "../dataDir/layout.ts";
import { type LoadKeysOptions, loadKeysFromDataDir } from "../keystores/loader.ts";
import type { SlashingProtection } from "../slashing-protection/index.ts";
import { deleteKeystores, importKeystores, type LocalKeysContext, serialiser } from "./localKeys.ts";
import { GRAFFITI_MAX_BYTES, ProposerConfig, type ProposerDefaults } from "./proposerConfig.ts";
import { KeyRegistry } from "./registry.ts";
import { readRemoteKeys, writeRemoteKeys } from "./stores.ts";
import { bearerMatches, ensureApiToken } from "./token.ts";
import type { ExitSigner } from "./voluntaryExit.ts";

/** Default listen address: loopback only (the API hands out signing keys). */
export const DEFAULT_KEYMANAGER_HOST = "127.0.0.1";
/** Default port (the one Lighthouse, Teku and Lodestar use for their keymanager API). */
export const DEFAULT_KEYMANAGER_PORT = 5062;

export interface KeymanagerServerOptions {
  layout: DataDirLayout;
  slashingProtection: SlashingProtection;
  /** The chain's genesis_validators_root (must be the slashing-protection database's). */
  genesisValidatorsRoot: Uint8Array;
  host?: string;
  /** 0: an ephemeral port (tests). */
  port?: number;
  logger?: Logger;
  /** The registry the validator client signs with; default: a new one filled from the data directory. */
  registry?: KeyRegistry;
  /** Options of loading the data directory's keys when no registry is given. */
  loadKeys?: LoadKeysOptions;
  /** Client-wide fee recipient, gas limit and graffiti. */
  proposerDefaults?: Partial<ProposerDefaults>;
  /** Signs voluntary exits (createExitSigner over a beacon node); without one signVoluntaryExit answers 501. */
  exitSigner?: ExitSigner;
}

export interface KeymanagerServer {
  server: ApiServer;
  registry: KeyRegistry;
  proposerConfig: ProposerConfig;
  /** Where the bearer token is (log this path, never the token). */
  tokenPath: string;
  /** Starts listening; resolves with the base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

const hexOf = (b: Uint8Array) => toHex(b) as PubkeyHex;

/** Creates the server: reads or creates the token, loads keys (unless given), remote keys and proposer settings. */
export async function createKeymanagerServer(opts: KeymanagerServerOptions): Promise<KeymanagerServer> {
  const { layout, slashingProtection } = opts;
  if (toHex(slashingProtection.genesisValidatorsRoot) !== toHex(opts.genesisValidatorsRoot))
    throw new Error("the slashing-protection database belongs to another chain (genesis_validators_root differs)");
  const { token, path: tokenPath } = await ensureApiToken(layout.keymanagerTokenFile);
  let registry = opts.registry;
  if (registry === undefined) {
    registry = new KeyRegistry();
    const loaded = await loadKeysFromDataDir(layout, { progress: null, ...opts.loadKeys });
    for (const k of loaded.keys) registry.addLocal(k);
  }
  for (const k of await readRemoteKeys(layout)) if (!registry.has(k.pubkey)) registry.addRemote(k);
  const proposerConfig = await ProposerConfig.load(layout, opts.proposerDefaults);
  const reg = registry;
  const lock = serialiser();
  const local: LocalKeysContext = { layout, slashingProtection, registry: reg, lock };

  const known = (pubkey: Uint8Array): PubkeyHex => {
    const hex = hexOf(pubkey);
    if (!reg.has(hex)) throw new ApiError(404, `no validator with pubkey ${hex} is loaded`);
    return hex;
  };
  const persistRemote = () => writeRemoteKeys(layout, reg.remoteKeys());

  const handlers: Handlers<KeymanagerRoutes> = {
    listKeys: () => ({
      data: reg.localKeys().map((k) => ({
        validatingPubkey: Buffer.from(k.pubkey.slice(2), "hex"),
        derivationPath: k.derivationPath,
        readonly: false,
      })),
    }),
    importKeystores: async ({ body }) => ({
      data: await importKeystores(local, body.keystores, body.passwords, body.slashingProtection),
    }),
    deleteKeys: async ({ body }) => {
      const { data, slashingProtection: sp } = await deleteKeystores(local, body.pubkeys);
      return { data: { data, slashingProtection: sp } };
    },
    listRemoteKeys: () => ({
      data: reg
        .remoteKeys()
        .map((k) => ({ pubkey: Buffer.from(k.pubkey.slice(2), "hex"), url: k.url, readonly: false })),
    }),
    importRemoteKeys: ({ body }) =>
      lock(async () => {
        const added: PubkeyHex[] = [];
        const data = body.remoteKeys.map((k) => {
          const pubkey = hexOf(k.pubkey);
          if (reg.has(pubkey)) return { status: "duplicate" as const };
          reg.addRemote(k.url === undefined ? { pubkey } : { pubkey, url: k.url });
          added.push(pubkey);
          return { status: "imported" as const };
        });
        try {
          if (added.length > 0) await persistRemote();
        } catch (e) {
          for (const p of added) reg.removeRemote(p);
          throw e;
        }
        return { data };
      }),
    deleteRemoteKeys: ({ body }) =>
      lock(async () => {
        const removed = new Map(reg.remoteKeys().map((k) => [k.pubkey, k]));
        const data = body.pubkeys.map((b) =>
          reg.removeRemote(hexOf(b)) ? { status: "deleted" as const } : { status: "not_found" as const },
        );
        for (const k of reg.remoteKeys()) removed.delete(k.pubkey);
        try {
          if (removed.size > 0) await persistRemote();
        } catch (e) {
          for (const k of removed.values()) reg.addRemote(k);
          throw e;
        }
        return { data };
      }),
    listFeeRecipient: ({ pubkey }) => {
      const hex = known(pubkey);
      return { data: { pubkey, ethaddress: Buffer.from(proposerConfig.get(hex).feeRecipient.slice(2), "hex") } };
    },
    setFeeRecipient: async ({ pubkey, body }) => {
      await proposerConfig.setFeeRecipient(known(pubkey), body.ethaddress);
      return { status: 202 };
    },
    deleteFeeRecipient: async ({ pubkey }) => {
      await proposerConfig.set(known(pubkey), "feeRecipient", undefined);
      return { status: 204 };
    },
    getGasLimit: ({ pubkey }) => ({ data: { pubkey, gasLimit: proposerConfig.get(known(pubkey)).gasLimit } }),
    setGasLimit: async ({ pubkey, body }) => {
      const hex = known(pubkey);
      if (body === undefined) throw new ApiError(400, "body {gas_limit} is required");
      if (!Number.isSafeInteger(body.gasLimit) || body.gasLimit <= 0)
        throw new ApiError(400, `gas_limit must be a positive integer, got ${body.gasLimit}`);
      await proposerConfig.set(hex, "gasLimit", body.gasLimit);
      return { status: 202 };
    },
    deleteGasLimit: async ({ pubkey }) => {
      await proposerConfig.set(known(pubkey), "gasLimit", undefined);
      return { status: 204 };
    },
    getGraffiti: ({ pubkey }) => ({ data: { pubkey, graffiti: proposerConfig.get(known(pubkey)).graffiti } }),
    setGraffiti: async ({ pubkey, body }) => {
      const hex = known(pubkey);
      if (Buffer.byteLength(body.graffiti, "utf8") > GRAFFITI_MAX_BYTES)
        throw new ApiError(400, `graffiti is longer than ${GRAFFITI_MAX_BYTES} bytes (UTF-8)`);
      await proposerConfig.set(hex, "graffiti", body.graffiti);
      return { status: 202 };
    },
    deleteGraffiti: async ({ pubkey }) => {
      await proposerConfig.set(known(pubkey), "graffiti", undefined);
      return { status: 204 };
    },
    signVoluntaryExit: async ({ pubkey, epoch }) => {
      const hex = known(pubkey);
      // Signing needs the validator's index, which comes from the beacon node.
      if (opts.exitSigner === undefined) throw new ApiError(501, "voluntary exit signing needs --beacon-nodes");
      const key = reg.getLocal(hex);
      if (key === undefined) throw new ApiError(400, `${hex} is a remote key: its signer signs exits`);
      return { data: await opts.exitSigner(key, epoch) };
    },
  };

  const server = createApiServer({
    routes: keymanagerRouteTable({ types: getSszTypes("mainnet") }),
    handlers,
    logger: opts.logger,
    beforeHandler: (info) => {
      if (!bearerMatches(info.headers.authorization, token))
        throw new ApiError(401, "missing or wrong bearer token (Authorization: Bearer <token from the token file>)");
    },
  });
  opts.logger?.info({ tokenPath }, "keymanager API bearer token file");
  return {
    server,
    registry: reg,
    proposerConfig,
    tokenPath,
    listen: () =>
      server.listen({ host: opts.host ?? DEFAULT_KEYMANAGER_HOST, port: opts.port ?? DEFAULT_KEYMANAGER_PORT }),
    close: () => server.close(),
  };
}
