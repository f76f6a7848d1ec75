// Shared setup of the keymanager API tests: a temporary data directory, a slashing-protection database, the
// server on a loopback ephemeral port, and cheap (pbkdf2, 2^10 rounds) keystores of seeded keys.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApiClient, keymanagerRouteTable } from "@sextant/api-spec";
import { getSszTypes } from "@sextant/consensus/types/index";
import { type DataDirLayout, dataDirLayout } from "../../../../validator/src/dataDir/layout.ts";
import { createKeymanagerServer, type KeymanagerServer } from "../../../../validator/src/keymanager/index.ts";
import { SlashingProtection } from "../../../../validator/src/slashing-protection/index.ts";
import { CHEAP_PBKDF2, type FixtureKey, fixtureKeys, makeKeystore } from "../../../fixtures/keystores/launchpad.ts";
import { Rng } from "../../../support/random.ts";

/** A fixed genesis_validators_root for the tests' chain. */
export const GVR = `0x${"ab".repeat(32)}`;
export const ROUTES = keymanagerRouteTable({ types: getSszTypes("mainnet") });

export async function tempDataDir(): Promise<{ layout: DataDirLayout; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), "sextant-km-"));
  return { layout: dataDirLayout(join(root, "vc")), cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** A running server over `layout` with a client holding `token` (undefined: no Authorization header). */
export interface Running {
  km: KeymanagerServer;
  sp: SlashingProtection;
  url: string;
  client: (token?: string) => ReturnType<typeof createApiClient<typeof ROUTES>>;
  stop: () => Promise<void>;
}

export async function start(layout: DataDirLayout): Promise<Running> {
  const sp = SlashingProtection.open(layout.root, { genesisValidatorsRoot: GVR });
  const km = await createKeymanagerServer({
    layout,
    slashingProtection: sp,
    genesisValidatorsRoot: sp.genesisValidatorsRoot,
    port: 0,
    loadKeys: { useCache: false, threads: 1 },
  });
  const url = await km.listen();
  const clients: { close(): Promise<void> }[] = [];
  return {
    km,
    sp,
    url,
    client: (token) => {
      const c = createApiClient(ROUTES, { baseUrl: url, bearerToken: token, preferSsz: false });
      clients.push(c);
      return c;
    },
    stop: async () => {
      for (const c of clients) await c.close();
      await km.close();
      sp.close();
    },
  };
}

/** `count` keys from `seed` with their keystore texts (password "pw-<index>"). */
export async function keystoresOf(
  seed: number,
  count: number,
): Promise<{ key: FixtureKey; text: string; password: string }[]> {
  const rng = new Rng(seed);
  return Promise.all(
    fixtureKeys(seed, count).map(async (key) => {
      const password = `pw-${key.index}`;
      return { key, password, text: JSON.stringify(await makeKeystore(key, password, CHEAP_PBKDF2, rng)) };
    }),
  );
}

/** An EIP-3076 interchange with one block and one attestation for `pubkey`. */
export function interchangeFor(pubkey: string): string {
  return JSON.stringify({
    metadata: { interchange_format_version: "5", genesis_validators_root: GVR },
    data: [
      {
        pubkey,
        signed_blocks: [{ slot: "81952", signing_root: `0x${"11".repeat(32)}` }],
        signed_attestations: [{ source_epoch: "2290", target_epoch: "3007", signing_root: `0x${"22".repeat(32)}` }],
      },
    ],
  });
}
