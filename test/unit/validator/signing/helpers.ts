// Shared helpers of the signer tests: a minimal-preset chain with one fork per epoch (phase0 at 0, altair at 1 …
// fulu at 6), interop keys in a KeyRegistry, a temporary slashing-protection database, and a LocalSigner over them.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { interopSecretKey } from "../../../../consensus/src/bls/index.ts";
import type { ChainConfig } from "../../../../consensus/src/params/config/chainConfig.ts";
import { minimalChainConfig } from "../../../../consensus/src/params/config/minimal.ts";
import type { ForkName } from "../../../../consensus/src/params/forkName.ts";
import { minimalPreset } from "../../../../consensus/src/params/presets/minimal.ts";
import { getSszTypes } from "../../../../consensus/src/types/index.ts";
import { toHex } from "../../../../consensus/src/util/hex.ts";
import { KeyRegistry, type LocalKey } from "../../../../validator/src/keymanager/registry.ts";
import type { PubkeyHex } from "../../../../validator/src/ports.ts";
import { LocalSigner, type LocalSignerOptions } from "../../../../validator/src/signing/signer.ts";
import { SlashingProtection } from "../../../../validator/src/slashing-protection/database.ts";

export const SLOTS_PER_EPOCH = minimalPreset.SLOTS_PER_EPOCH;
export const types = getSszTypes("minimal");
/** Any 32 bytes, as the chain's genesis validators root. */
export const GVR = new Uint8Array(32).fill(0xab);

/** The minimal config with altair at epoch 1, bellatrix 2, capella 3, deneb 4, electra 5, fulu 6. */
export const config: ChainConfig = {
  ...minimalChainConfig,
  ALTAIR_FORK_EPOCH: 1,
  BELLATRIX_FORK_EPOCH: 2,
  CAPELLA_FORK_EPOCH: 3,
  DENEB_FORK_EPOCH: 4,
  ELECTRA_FORK_EPOCH: 5,
  FULU_FORK_EPOCH: 6,
};

/** The fork active at each epoch of {@link config}, and its version. */
export const FORK_AT: readonly { fork: ForkName; epoch: number; version: Uint8Array }[] = [
  { fork: "phase0", epoch: 0, version: config.GENESIS_FORK_VERSION },
  { fork: "altair", epoch: 1, version: config.ALTAIR_FORK_VERSION },
  { fork: "bellatrix", epoch: 2, version: config.BELLATRIX_FORK_VERSION },
  { fork: "capella", epoch: 3, version: config.CAPELLA_FORK_VERSION },
  { fork: "deneb", epoch: 4, version: config.DENEB_FORK_VERSION },
  { fork: "electra", epoch: 5, version: config.ELECTRA_FORK_VERSION },
  { fork: "fulu", epoch: 6, version: config.FULU_FORK_VERSION },
];

/** A fresh directory, removed when the test file finishes. */
export function tempDir(prefix = "sextant-signer-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Interop key `i` as a registry entry. */
export function localKey(i: number): LocalKey {
  const secretKey = interopSecretKey(i);
  return { pubkey: toHex(secretKey.toPublicKey().toBytes()) as PubkeyHex, secretKey };
}

export interface Harness {
  signer: LocalSigner;
  registry: KeyRegistry;
  sp: SlashingProtection;
  keys: LocalKey[];
  close(): Promise<void>;
}

/** A LocalSigner over interop keys 0…count-1, a fresh database and {@link config}. */
export async function harness(
  count: number,
  opts: Partial<Pick<LocalSignerOptions, "threads" | "minWorkerBatch" | "metrics">> = {},
): Promise<Harness> {
  const registry = new KeyRegistry();
  const keys = Array.from({ length: count }, (_, i) => localKey(i));
  for (const k of keys) registry.addLocal(k);
  const sp = SlashingProtection.open(tempDir(), { genesisValidatorsRoot: GVR });
  const signer = await LocalSigner.create({
    registry,
    slashingProtection: sp,
    config,
    types,
    slotsPerEpoch: SLOTS_PER_EPOCH,
    genesisValidatorsRoot: GVR,
    threads: opts.threads ?? 0,
    minWorkerBatch: opts.minWorkerBatch,
    metrics: opts.metrics,
  });
  return {
    signer,
    registry,
    sp,
    keys,
    async close() {
      await signer.close();
      sp.close();
    },
  };
}

/** AttestationData of `slot` with the given source and target epochs (roots derived from `tag`). */
export function attestationData(slot: number, source: number, target: number, tag = 0) {
  return {
    slot,
    index: 0,
    beaconBlockRoot: new Uint8Array(32).fill(tag),
    source: { epoch: source, root: new Uint8Array(32).fill(1) },
    target: { epoch: target, root: new Uint8Array(32).fill(2 + tag) },
  };
}

/** How many blocks and attestations the database holds for `pubkey` (through an interchange export). */
export function recorded(h: Pick<Harness, "sp">, pubkey: PubkeyHex): { blocks: number; attestations: number } {
  const entry = h.sp.exportInterchange([pubkey]).data.find((d) => d.pubkey === pubkey);
  return { blocks: entry?.signed_blocks.length ?? 0, attestations: entry?.signed_attestations.length ?? 0 };
}
