// Per-key fee recipient, gas limit and graffiti set through the keymanager API, persisted in the data directory
// (proposer-config.json); unset values fall back to the client's defaults. The validator client reads the
// effective settings from here when it proposes or registers with builders.
import { toHex } from "@sextant/consensus/util/hex";
import type { DataDirLayout, PubkeyHex } from "../dataDir/layout.ts";
import { type ProposerSettings, readProposerConfig, writeProposerConfig } from "./stores.ts";

/** Default gas limit target (36M gas, the value execution clients and relays default to since 2025). */
export const DEFAULT_GAS_LIMIT = 36_000_000;
/** Bytes of a graffiti (a Bytes32 in BeaconBlockBody). */
export const GRAFFITI_MAX_BYTES = 32;
/** The zero address: the fee recipient when none is configured. */
export const ZERO_ADDRESS = `0x${"00".repeat(20)}`;

/** Client-wide defaults used where a key has no override. */
export interface ProposerDefaults {
  feeRecipient: string;
  gasLimit: number;
  graffiti: string;
}

/** The effective settings of each key, with overrides persisted durably. */
export class ProposerConfig {
  private readonly layout: DataDirLayout;
  private readonly overrides: Map<PubkeyHex, ProposerSettings>;
  readonly defaults: ProposerDefaults;

  private constructor(layout: DataDirLayout, overrides: Map<PubkeyHex, ProposerSettings>, defaults: ProposerDefaults) {
    this.layout = layout;
    this.overrides = overrides;
    this.defaults = defaults;
  }

  /** Loads the persisted overrides of `layout`. */
  static async load(layout: DataDirLayout, defaults: Partial<ProposerDefaults> = {}): Promise<ProposerConfig> {
    return new ProposerConfig(layout, await readProposerConfig(layout), {
      feeRecipient: defaults.feeRecipient ?? ZERO_ADDRESS,
      gasLimit: defaults.gasLimit ?? DEFAULT_GAS_LIMIT,
      graffiti: defaults.graffiti ?? "",
    });
  }

  /** The effective settings of `pubkey`. */
  get(pubkey: PubkeyHex): ProposerDefaults {
    const o = this.overrides.get(pubkey) ?? {};
    return {
      feeRecipient: o.feeRecipient ?? this.defaults.feeRecipient,
      gasLimit: o.gasLimit ?? this.defaults.gasLimit,
      graffiti: o.graffiti ?? this.defaults.graffiti,
    };
  }

  /** Sets (value) or clears (undefined) one override of `pubkey` and persists the record before returning. */
  async set<K extends keyof ProposerSettings>(
    pubkey: PubkeyHex,
    field: K,
    value: ProposerSettings[K] | undefined,
  ): Promise<void> {
    const next = { ...this.overrides.get(pubkey) };
    if (value === undefined) delete next[field];
    else next[field] = value;
    const updated = new Map(this.overrides);
    updated.set(pubkey, next);
    await writeProposerConfig(this.layout, updated);
    this.overrides.set(pubkey, next);
  }

  /** Sets the fee recipient of `pubkey` from address bytes. */
  setFeeRecipient(pubkey: PubkeyHex, address: Uint8Array | undefined): Promise<void> {
    return this.set(pubkey, "feeRecipient", address === undefined ? undefined : toHex(address));
  }
}
