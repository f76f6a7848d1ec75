// The validator client's Signer for local keys: every block and attestation passes slashing protection first (one
// committed transaction per batch), then the signatures are computed on the SigningPool's threads. Domains come from
// the chain config and the genesis validators root (roots.ts). Keys follow the KeyRegistry; the doppelganger gate
// refuses keys before anything is written to slashing protection.
import { availableParallelism } from "node:os";
import type { Logger } from "@sextant/common";
import type { ChainConfig } from "@sextant/consensus/params/config/chainConfig";
import type { ForkName } from "@sextant/consensus/params/forkName";
import type { SszTypes } from "@sextant/consensus/types/index";
import type { KeyRegistry, RegistryChange } from "../keymanager/registry.ts";
import type { ValidatorMetrics } from "../metrics.ts";
import type { AttestationDataValue, PubkeyHex, Signer, SigningGate, SignResult } from "../ports.ts";
import type { SlashingProtection } from "../slashing-protection/database.ts";
import { isSlashableError, SlashingProtectionError } from "../slashing-protection/errors.ts";
import { SignerError } from "./errors.ts";
import { SigningPool } from "./pool.ts";
import {
  aggregateAndProofSigningRoot,
  attestationSigningRoot,
  blockSigningRoot,
  contributionAndProofSigningRoot,
  createSigningRootContext,
  randaoSigningRoot,
  type SigningRootContext,
  selectionProofSigningRoot,
  syncCommitteeMessageSigningRoot,
  syncSelectionSigningRoot,
  validatorRegistrationSigningRoot,
} from "./roots.ts";

/** The `kind` label of the signing metrics. */
export type SigningKind =
  | "attestation"
  | "block"
  | "randao"
  | "selection_proof"
  | "aggregate_and_proof"
  | "sync_committee_message"
  | "sync_selection_proof"
  | "contribution_and_proof"
  | "validator_registration";

/** The reason given for a remote key (this signer signs for local keys only). */
export const REMOTE_SIGNING_UNSUPPORTED = "remote signing is not supported yet";

export interface LocalSignerOptions {
  registry: KeyRegistry;
  slashingProtection: SlashingProtection;
  config: ChainConfig;
  types: SszTypes;
  slotsPerEpoch: number;
  genesisValidatorsRoot: Uint8Array;
  /** Signing threads (default: os.availableParallelism()); 0 signs on the main thread. */
  threads?: number;
  /** Batches smaller than this sign on the main thread (default 16). */
  minWorkerBatch?: number;
  metrics?: ValidatorMetrics;
  logger?: Logger;
}

/** A refusal of one item, before or instead of signing. */
type Refusal = { ok: false; reason: string; code?: string };

function refusalOf(err: unknown): Refusal {
  if (err instanceof SignerError || err instanceof SlashingProtectionError)
    return { ok: false, reason: err.message, code: err.code };
  return { ok: false, reason: err instanceof Error ? err.message : String(err) };
}

/**
 * Signs for the local keys of a KeyRegistry (see the Signer contract in ports.ts). Remote keys are refused with
 * {@link REMOTE_SIGNING_UNSUPPORTED}. The gate is applied to every slashable or duty message (attestations, blocks,
 * RANDAO reveals, aggregates, sync messages, contributions) but not to aggregation/sync selection proofs and builder
 * registrations: those are not slashable, the duties need them to subscribe to subnets, and the contract returns
 * no per-item refusal for them.
 */
export class LocalSigner implements Signer {
  private readonly registry: KeyRegistry;
  private readonly sp: SlashingProtection;
  private readonly ctx: SigningRootContext;
  private readonly pool: SigningPool;
  private readonly metrics: ValidatorMetrics | undefined;
  private readonly logger: Logger | undefined;
  private readonly unsubscribe: () => void;
  private gate: SigningGate | undefined;
  private closed = false;

  private constructor(opts: LocalSignerOptions, ctx: SigningRootContext, pool: SigningPool) {
    this.registry = opts.registry;
    this.sp = opts.slashingProtection;
    this.ctx = ctx;
    this.pool = pool;
    this.metrics = opts.metrics;
    this.logger = opts.logger;
    for (const key of this.registry.localKeys()) pool.addKey(key.pubkey, key.secretKey);
    this.unsubscribe = this.registry.onChange((change) => this.onRegistryChange(change));
  }

  /** Starts the signing threads with the registry's local keys and follows the registry from then on. */
  static async create(opts: LocalSignerOptions): Promise<LocalSigner> {
    const ctx = createSigningRootContext(opts);
    const pool = await SigningPool.create({
      threads: opts.threads ?? availableParallelism(),
      minWorkerBatch: opts.minWorkerBatch,
      logger: opts.logger,
    });
    const signer = new LocalSigner(opts, ctx, pool);
    opts.logger?.debug({ threads: pool.threads, keys: signer.pubkeys().length }, "signer started");
    return signer;
  }

  /** Stops following the registry and stops the signing threads; later calls throw CLOSED. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    await this.pool.close();
  }

  pubkeys(): PubkeyHex[] {
    return this.registry.localPubkeys();
  }

  has(pubkey: PubkeyHex): boolean {
    return this.registry.getLocal(pubkey) !== undefined;
  }

  setGate(gate: SigningGate | undefined): void {
    this.gate = gate;
  }

  async signAttestations(items: readonly { pubkey: PubkeyHex; data: AttestationDataValue }[]): Promise<SignResult[]> {
    const started = performance.now();
    const results: SignResult[] = new Array(items.length);
    const candidates: { i: number; root: Uint8Array }[] = [];
    // A slot's attestations share a few data objects (one per committee; one in all from electra): hash each once.
    const rootOf = new Map<AttestationDataValue, Uint8Array>();
    for (const [i, item] of items.entries()) {
      try {
        this.assertMaySign(item.pubkey, true);
        let root = rootOf.get(item.data);
        if (root === undefined) {
          root = attestationSigningRoot(this.ctx, item.data);
          rootOf.set(item.data, root);
        }
        candidates.push({ i, root });
      } catch (err) {
        results[i] = refusalOf(err);
      }
    }
    const accepted: { i: number; root: Uint8Array }[] = [];
    if (candidates.length > 0) {
      let verdicts: ReturnType<SlashingProtection["checkAndInsertAttestations"]>;
      try {
        verdicts = this.sp.checkAndInsertAttestations(
          candidates.map(({ i, root }) => ({
            pubkey: items[i].pubkey,
            sourceEpoch: items[i].data.source.epoch,
            targetEpoch: items[i].data.target.epoch,
            signingRoot: root,
          })),
        );
      } catch (err) {
        // The database failed: nothing was recorded, so nothing may be signed.
        this.logger?.error({ err, count: candidates.length }, "slashing protection failed; no attestation signed");
        for (const { i } of candidates) results[i] = refusalOf(err);
        verdicts = [];
      }
      for (const [k, v] of verdicts.entries()) {
        const { i } = candidates[k];
        if (v.ok) accepted.push(candidates[k]);
        else {
          if (isSlashableError(v.error)) this.metrics?.slashingProtectionRefusals.inc({ kind: "attestation" });
          this.logger?.warn(
            { pubkey: items[i].pubkey, code: v.error.code },
            "attestation refused by slashing protection",
          );
          results[i] = refusalOf(v.error);
        }
      }
    }
    await this.signInto(
      "attestation",
      accepted.map(({ i }) => items[i].pubkey),
      accepted.map((a) => a.root),
      (k, r) => {
        results[accepted[k].i] = r;
      },
      started,
    );
    return results;
  }

  async signBlock(pubkey: PubkeyHex, fork: ForkName, blinded: boolean, block: unknown): Promise<Uint8Array> {
    const started = performance.now();
    this.assertMaySign(pubkey, true);
    const { slot, signingRoot } = blockSigningRoot(this.ctx, fork, blinded, block);
    try {
      this.sp.checkAndInsertBlockProposal(pubkey, { slot, signingRoot });
    } catch (err) {
      if (isSlashableError(err)) {
        this.metrics?.slashingProtectionRefusals.inc({ kind: "block" });
        this.logger?.warn({ pubkey, slot, code: err.code }, "block refused by slashing protection");
      }
      throw err;
    }
    return (await this.signAll("block", [pubkey], [signingRoot], started))[0];
  }

  async signRandaoReveal(pubkey: PubkeyHex, epoch: number): Promise<Uint8Array> {
    const started = performance.now();
    this.assertMaySign(pubkey, true);
    return (await this.signAll("randao", [pubkey], [randaoSigningRoot(this.ctx, epoch)], started))[0];
  }

  async signSelectionProofs(items: readonly { pubkey: PubkeyHex; slot: number }[]): Promise<Uint8Array[]> {
    const started = performance.now();
    for (const item of items) this.assertMaySign(item.pubkey, false);
    const roots = items.map((item) => selectionProofSigningRoot(this.ctx, item.slot));
    return this.signAll(
      "selection_proof",
      items.map((item) => item.pubkey),
      roots,
      started,
    );
  }

  async signAggregateAndProofs(
    fork: ForkName,
    items: readonly { pubkey: PubkeyHex; message: unknown }[],
  ): Promise<SignResult[]> {
    return this.signEach("aggregate_and_proof", items, (item) =>
      aggregateAndProofSigningRoot(this.ctx, fork, item.message),
    );
  }

  async signSyncCommitteeMessages(
    items: readonly { pubkey: PubkeyHex; slot: number; beaconBlockRoot: Uint8Array }[],
  ): Promise<SignResult[]> {
    return this.signEach("sync_committee_message", items, (item) =>
      syncCommitteeMessageSigningRoot(this.ctx, item.slot, item.beaconBlockRoot),
    );
  }

  async signSyncSelectionProofs(
    items: readonly { pubkey: PubkeyHex; slot: number; subcommitteeIndex: number }[],
  ): Promise<Uint8Array[]> {
    const started = performance.now();
    for (const item of items) this.assertMaySign(item.pubkey, false);
    const roots = items.map((item) => syncSelectionSigningRoot(this.ctx, item.slot, item.subcommitteeIndex));
    return this.signAll(
      "sync_selection_proof",
      items.map((item) => item.pubkey),
      roots,
      started,
    );
  }

  async signContributionAndProofs(items: readonly { pubkey: PubkeyHex; message: unknown }[]): Promise<SignResult[]> {
    return this.signEach("contribution_and_proof", items, (item) =>
      contributionAndProofSigningRoot(this.ctx, item.message),
    );
  }

  async signValidatorRegistrations(items: readonly { pubkey: PubkeyHex; message: unknown }[]): Promise<Uint8Array[]> {
    const started = performance.now();
    for (const item of items) this.assertMaySign(item.pubkey, false);
    const roots = items.map((item) => validatorRegistrationSigningRoot(this.ctx, item.message));
    return this.signAll(
      "validator_registration",
      items.map((item) => item.pubkey),
      roots,
      started,
    );
  }

  // -------------------------------------------------------------------------------------------------------------

  private onRegistryChange(change: RegistryChange): void {
    if (change.kind === "local-added") {
      const key = this.registry.getLocal(change.pubkey);
      if (key !== undefined) this.pool.addKey(key.pubkey, key.secretKey);
    } else if (change.kind === "local-removed") {
      this.pool.removeKey(change.pubkey);
    }
  }

  /** Throws unless `pubkey` is a local key the signer holds and (when `gated`) the gate lets it sign now. */
  private assertMaySign(pubkey: PubkeyHex, gated: boolean): void {
    if (this.closed) throw new SignerError("CLOSED", "the signer is closed; nothing was signed");
    if (this.registry.getLocal(pubkey) === undefined || !this.pool.hasKey(pubkey)) {
      if (this.registry.has(pubkey)) throw new SignerError("REMOTE_KEY", REMOTE_SIGNING_UNSUPPORTED, { pubkey });
      throw new SignerError("UNKNOWN_KEY", `no local key ${pubkey}; import its keystore first`, { pubkey });
    }
    if (!gated || this.gate === undefined) return;
    const reason = this.gate(pubkey);
    if (reason !== undefined) throw new SignerError("GATED", `key ${pubkey} may not sign now: ${reason}`, { pubkey });
  }

  /** Per-item batch without slashing protection: gate and root per item, the signable ones signed together. */
  private async signEach<T extends { pubkey: PubkeyHex }>(
    kind: SigningKind,
    items: readonly T[],
    rootOf: (item: T) => Uint8Array,
  ): Promise<SignResult[]> {
    const started = performance.now();
    const results: SignResult[] = new Array(items.length);
    const todo: { i: number; root: Uint8Array }[] = [];
    for (const [i, item] of items.entries()) {
      try {
        this.assertMaySign(item.pubkey, true);
        todo.push({ i, root: rootOf(item) });
      } catch (err) {
        results[i] = refusalOf(err);
      }
    }
    await this.signInto(
      kind,
      todo.map(({ i }) => items[i].pubkey),
      todo.map((t) => t.root),
      (k, r) => {
        results[todo[k].i] = r;
      },
      started,
    );
    return results;
  }

  /** Signs and hands each result to `put`; a failure of the pool becomes a refusal of every item. */
  private async signInto(
    kind: SigningKind,
    pubkeys: PubkeyHex[],
    roots: Uint8Array[],
    put: (k: number, result: SignResult) => void,
    started: number,
  ): Promise<void> {
    if (pubkeys.length === 0) return;
    try {
      const sigs = await this.signAll(kind, pubkeys, roots, started);
      for (const [k, signature] of sigs.entries()) put(k, { ok: true, signature });
    } catch (err) {
      this.logger?.error({ err, kind, count: pubkeys.length }, "signing failed");
      for (let k = 0; k < pubkeys.length; k++) put(k, refusalOf(err));
    }
  }

  private async signAll(
    kind: SigningKind,
    pubkeys: PubkeyHex[],
    roots: Uint8Array[],
    started: number,
  ): Promise<Uint8Array[]> {
    const sigs = await this.pool.sign(pubkeys, roots);
    this.metrics?.signingSeconds.observe({ kind }, (performance.now() - started) / 1000);
    this.metrics?.signatures.inc({ kind }, sigs.length);
    return sigs;
  }
}
