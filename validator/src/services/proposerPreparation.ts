// Proposer preparation (beacon-APIs validator flow; builder-specs validator registration). From one epoch before
// bellatrix on, tells the beacon node the fee recipient of each of our validators (POST
// /eth/v1/validator/prepare_beacon_proposer) at the first slot of every epoch, at start, and whenever the keys, their
// indices or their fee recipients change (a cheap fingerprint is compared every slot). When builder use is on, also
// registers the validators with the builder network through the node (POST /eth/v1/validator/register_validator),
// at most once per epoch. A registration is signed again only when its fee recipient or gas limit changed: relays
// keep the registration with the newest timestamp, so an unchanged one is re-sent as it was.
import type { Logger } from "@sextant/common";
import { isForkAtLeast } from "@sextant/consensus/params/forkName";
import { fromHex } from "@sextant/consensus/util/hex";
import type { ValidatorMetrics } from "../metrics.ts";
import type { BeaconNodes, ForkAtEpoch, IndexResolver, PubkeyHex, Signer, SlotClock } from "../ports.ts";
import { countMissed, countPerformed, failureLabel, submitInChunks } from "./util.ts";

/** The settings the service reads per key. */
export interface PreparationSettings {
  /** 0x-prefixed execution address (20 bytes). */
  feeRecipient: string;
  gasLimit: number;
}

/** What the proposer preparation service needs. */
export interface ProposerPreparationOptions {
  nodes: BeaconNodes;
  signer: Signer;
  clock: SlotClock;
  forkAtEpoch: ForkAtEpoch;
  indices: IndexResolver;
  proposerSettings: (pubkey: PubkeyHex) => PreparationSettings;
  /** Register validators with builders (MEV-boost) every epoch. */
  builder: boolean;
  logger: Logger;
  metrics?: ValidatorMetrics;
  /** Registrations per request (default 1,000). */
  registrationChunk?: number;
}

interface CachedRegistration {
  feeRecipient: string;
  gasLimit: number;
  signed: { message: Record<string, unknown>; signature: Uint8Array };
}

/** Keeps the beacon node (and the builders behind it) told of our validators' fee recipients. */
export class ProposerPreparationService {
  private readonly opts: ProposerPreparationOptions;
  private readonly log: Logger;
  private preparedEpoch: number | undefined;
  private preparedFingerprint: string | undefined;
  private registeredEpoch: number | undefined;
  private readonly registrations = new Map<PubkeyHex, CachedRegistration>();

  constructor(opts: ProposerPreparationOptions) {
    this.opts = opts;
    this.log = opts.logger;
  }

  /** Prepares and registers as due at `slot`. Never throws. */
  async onSlot(slot: number, signal: AbortSignal): Promise<void> {
    const { clock, forkAtEpoch } = this.opts;
    const epoch = clock.epochAtSlot(slot);
    if (!isForkAtLeast(forkAtEpoch(epoch + 1), "bellatrix")) return;
    try {
      const keys = this.knownKeys();
      if (keys.length === 0) return;
      await Promise.all([
        this.prepare(epoch, keys, signal),
        this.opts.builder && this.registeredEpoch !== epoch && isForkAtLeast(forkAtEpoch(epoch), "bellatrix")
          ? this.register(epoch, keys, signal)
          : undefined,
      ]);
    } catch (err) {
      if (!signal.aborted) this.log.error({ err, slot }, "proposer preparation failed unexpectedly");
    }
  }

  /** Our keys whose index the chain knows, with their settings; keys with an invalid fee recipient are left out. */
  private knownKeys(): { pubkey: PubkeyHex; index: number; settings: PreparationSettings; feeRecipient: Uint8Array }[] {
    const out = [];
    for (const pubkey of this.opts.signer.pubkeys()) {
      const index = this.opts.indices.indexOf(pubkey);
      if (index === undefined) continue;
      const settings = this.opts.proposerSettings(pubkey);
      let feeRecipient: Uint8Array;
      try {
        feeRecipient = fromHex(settings.feeRecipient);
        if (feeRecipient.length !== 20) throw new Error(`${feeRecipient.length} bytes`);
      } catch (err) {
        this.log.error(
          { pubkey, feeRecipient: settings.feeRecipient, err },
          "invalid fee recipient (expected a 0x-prefixed 20-byte address): set it with the keymanager API or " +
            "--suggested-fee-recipient; this key is not prepared",
        );
        continue;
      }
      out.push({ pubkey, index, settings, feeRecipient });
    }
    return out;
  }

  private async prepare(
    epoch: number,
    keys: { index: number; settings: PreparationSettings; feeRecipient: Uint8Array }[],
    signal: AbortSignal,
  ): Promise<void> {
    const fingerprint = keys.map((k) => `${k.index}:${k.settings.feeRecipient.toLowerCase()}`).join(",");
    if (this.preparedEpoch === epoch && this.preparedFingerprint === fingerprint) return;
    const body = keys.map((k) => ({ validatorIndex: k.index, feeRecipient: k.feeRecipient }));
    try {
      await this.opts.nodes.publish(
        "prepareBeaconProposer",
        async (api) => {
          await api.prepareBeaconProposer({ body }, { signal });
        },
        { signal },
      );
    } catch (err) {
      if (signal.aborted) return;
      countMissed(this.opts.metrics, "proposer_preparation", failureLabel(err), keys.length);
      this.log.warn({ err, epoch, count: keys.length }, "could not send fee recipients to the beacon node; retrying");
      return;
    }
    const changed = this.preparedFingerprint !== fingerprint;
    this.preparedEpoch = epoch;
    this.preparedFingerprint = fingerprint;
    countPerformed(this.opts.metrics, "proposer_preparation", keys.length);
    (changed ? this.log.info : this.log.debug).call(
      this.log,
      { epoch, count: keys.length },
      "fee recipients sent to the beacon node",
    );
  }

  private async register(
    epoch: number,
    keys: { pubkey: PubkeyHex; settings: PreparationSettings; feeRecipient: Uint8Array }[],
    signal: AbortSignal,
  ): Promise<void> {
    const { signer, clock } = this.opts;
    const stale = keys.filter((k) => {
      const c = this.registrations.get(k.pubkey);
      return (
        c === undefined ||
        c.feeRecipient.toLowerCase() !== k.settings.feeRecipient.toLowerCase() ||
        c.gasLimit !== k.settings.gasLimit
      );
    });
    if (stale.length > 0) {
      const timestamp = Math.floor(clock.time.now() / 1000);
      const messages = stale.map((k) => ({
        feeRecipient: k.feeRecipient,
        gasLimit: k.settings.gasLimit,
        timestamp,
        pubkey: fromHex(k.pubkey),
      }));
      let signatures: Uint8Array[];
      try {
        signatures = await signer.signValidatorRegistrations(
          stale.map((k, i) => ({ pubkey: k.pubkey, message: messages[i] })),
        );
      } catch (err) {
        this.log.warn({ err, epoch, count: stale.length }, "could not sign validator registrations");
        return;
      }
      stale.forEach((k, i) => {
        this.registrations.set(k.pubkey, {
          feeRecipient: k.settings.feeRecipient,
          gasLimit: k.settings.gasLimit,
          signed: { message: messages[i], signature: signatures[i] },
        });
      });
    }
    const body = keys.map((k) => (this.registrations.get(k.pubkey) as CachedRegistration).signed);
    const outcome = await submitInChunks(body, this.opts.registrationChunk ?? 1_000, async (chunk) => {
      await this.opts.nodes.publish(
        "registerValidator",
        async (api) => {
          await api.registerValidator({ body: chunk as never }, { signal });
        },
        { signal },
      );
    });
    if (outcome.rejected > 0) {
      if (signal.aborted) return;
      this.log.warn(
        { epoch, rejected: outcome.rejected, err: outcome.errors[0] },
        "validator registrations not accepted by the beacon node (is it connected to a builder / MEV-boost?)",
      );
      return;
    }
    this.registeredEpoch = epoch;
    this.log.debug({ epoch, count: body.length, signed: stale.length }, "validators registered with builders");
  }
}
