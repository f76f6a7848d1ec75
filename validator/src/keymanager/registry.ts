// The in-memory registry of the keys the validator client signs with: local keys (decrypted keystores) and remote
// keys (a remote signer's URL). The keymanager API changes it; the validator client's services read it and may
// subscribe to changes.
import type { SecretKey } from "@sextant/consensus/bls/index";
import type { PubkeyHex } from "../dataDir/layout.ts";

/** A key whose secret is held in this process. */
export interface LocalKey {
  pubkey: PubkeyHex;
  secretKey: SecretKey;
  /** EIP-2334 path from the keystore, when it has one. */
  derivationPath?: string;
}

/** A key signed for by a remote signer (Web3Signer API). */
export interface RemoteKey {
  pubkey: PubkeyHex;
  /** The remote signer's URL (undefined: the client's default signer). */
  url?: string;
}

/** What changed in the registry. */
export type RegistryChange =
  | { kind: "local-added" | "local-removed"; pubkey: PubkeyHex }
  | { kind: "remote-added" | "remote-removed"; pubkey: PubkeyHex };

/** The keys in use, by public key. A public key is either local or remote, never both. */
export class KeyRegistry {
  private readonly local = new Map<PubkeyHex, LocalKey>();
  private readonly remote = new Map<PubkeyHex, RemoteKey>();
  private readonly listeners = new Set<(change: RegistryChange) => void>();

  /** Calls `listener` after every change; returns the function that unsubscribes it. */
  onChange(listener: (change: RegistryChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(change: RegistryChange): void {
    for (const l of this.listeners) l(change);
  }

  /** True when `pubkey` is a local or a remote key. */
  has(pubkey: PubkeyHex): boolean {
    return this.local.has(pubkey) || this.remote.has(pubkey);
  }

  /** The local key of `pubkey`, if any. */
  getLocal(pubkey: PubkeyHex): LocalKey | undefined {
    return this.local.get(pubkey);
  }

  /** The public keys of the local keys, in the order they were added (unsorted: cheap at 100k keys, every slot). */
  localPubkeys(): PubkeyHex[] {
    return [...this.local.keys()];
  }

  /** Every local key, sorted by pubkey. */
  localKeys(): LocalKey[] {
    return [...this.local.values()].sort((a, b) => (a.pubkey < b.pubkey ? -1 : a.pubkey > b.pubkey ? 1 : 0));
  }

  /** Every remote key, sorted by pubkey. */
  remoteKeys(): RemoteKey[] {
    return [...this.remote.values()].sort((a, b) => (a.pubkey < b.pubkey ? -1 : a.pubkey > b.pubkey ? 1 : 0));
  }

  /** Adds a local key (replacing nothing: throws when the pubkey is already present). */
  addLocal(key: LocalKey): void {
    if (this.has(key.pubkey)) throw new Error(`key ${key.pubkey} is already in the registry`);
    this.local.set(key.pubkey, key);
    this.emit({ kind: "local-added", pubkey: key.pubkey });
  }

  /** Removes a local key; false when it was not there. */
  removeLocal(pubkey: PubkeyHex): boolean {
    if (!this.local.delete(pubkey)) return false;
    this.emit({ kind: "local-removed", pubkey });
    return true;
  }

  /** Adds a remote key (throws when the pubkey is already present). */
  addRemote(key: RemoteKey): void {
    if (this.has(key.pubkey)) throw new Error(`key ${key.pubkey} is already in the registry`);
    this.remote.set(key.pubkey, key);
    this.emit({ kind: "remote-added", pubkey: key.pubkey });
  }

  /** Removes a remote key; false when it was not there. */
  removeRemote(pubkey: PubkeyHex): boolean {
    if (!this.remote.delete(pubkey)) return false;
    this.emit({ kind: "remote-removed", pubkey });
    return true;
  }
}
