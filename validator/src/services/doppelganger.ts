// Doppelganger protection: before a key signs, make sure no other validator client is signing with it (running the
// same keys twice is how validators get slashed). A registered key waits: at every epoch start the beacon node is
// asked whether our waiting validators were live in the previous epoch (POST /eth/v1/validator/liveness/{epoch},
// which reports attestations and blocks the node saw on the network or in blocks). A key is cleared once one full
// epoch after its registration epoch showed it not live — so a key registered during epoch R signs from the start of
// epoch R+2 (the partial epoch R is checked too, for detection). A key found live is a doppelganger: the error names
// it, `onDetected` is called (the client stops with a non-zero exit), and the gate refuses it for good.
//
// No wait for: keys registered before genesis or in epoch 0 (nothing could have signed), keys whose slashing
// protection shows an attestation in the last epoch or two (`recentlySigned`: this client was restarted — the
// liveness check would see our own attestations and call them a doppelganger), and every key when protection is off.
//
// A node that cannot tell liveness (it answers 404/405: the endpoint is not served, as with older releases) leaves
// the keys waiting: this guard fails closed. Clearing keys unchecked would silently remove the protection the
// operator relies on; an error line every epoch says what to do instead (use a node that serves the endpoint, or
// disable the protection with --doppelganger-protection false when sure no other client runs these keys).
import type { Logger } from "@sextant/common";
import type { ValidatorMetrics } from "../metrics.ts";
import type { BeaconNodes, DoppelgangerGuard, IndexResolver, PubkeyHex, SigningGate, SlotClock } from "../ports.ts";
import { isNotServed } from "./endpoints.ts";
import { errorReason } from "./util.ts";

/** Where a key stands. */
export type DoppelgangerStatus = "waiting" | "cleared" | "detected";

/** What the guard needs. */
export interface DoppelgangerOptions {
  nodes: BeaconNodes;
  indices: Pick<IndexResolver, "indexOf">;
  clock: Pick<SlotClock, "currentSlot" | "currentEpoch" | "epochAtSlot">;
  /** Protection on (default true). Off: every key signs at once. */
  enabled?: boolean;
  /** True when slashing protection holds an attestation of `pubkey` targeting `epoch` - 1 or later (a restart). */
  recentlySigned: (pubkey: PubkeyHex, epoch: number) => boolean;
  /** Called once per detection with the keys found live elsewhere (the composition stops the client). */
  onDetected: (pubkeys: PubkeyHex[]) => void;
  logger: Logger;
  metrics?: ValidatorMetrics;
}

interface KeyState {
  status: DoppelgangerStatus;
  /** Epoch during which the key was registered (waiting keys). */
  registeredEpoch: number;
  /** Last epoch whose liveness was checked for this key. */
  checkedEpoch?: number;
}

/** Doppelganger protection over liveness; its `gate` is installed on the Signer. */
export class Doppelganger implements DoppelgangerGuard {
  private readonly opts: DoppelgangerOptions;
  private readonly log: Logger;
  private readonly enabled: boolean;
  private readonly keys = new Map<PubkeyHex, KeyState>();
  /** Epoch of the last "liveness not served / failed" log line (one per epoch). */
  private warnedEpoch: number | undefined;

  /** The signing gate: undefined when the key may sign, else why not. */
  readonly gate: SigningGate = (pubkey) => {
    if (!this.enabled) return undefined;
    const state = this.keys.get(pubkey);
    if (state === undefined) return "the key is not registered with doppelganger protection";
    switch (state.status) {
      case "cleared":
        return undefined;
      case "detected":
        return "doppelganger detected: another validator client is signing with this key";
      default:
        return (
          `doppelganger protection: waiting until epoch ${state.registeredEpoch + 2} to make sure no other client ` +
          "signs with this key"
        );
    }
  };

  constructor(opts: DoppelgangerOptions) {
    this.opts = opts;
    this.log = opts.logger;
    this.enabled = opts.enabled ?? true;
    if (!this.enabled)
      this.log.warn("doppelganger protection is off: keys sign at once, even if another client runs them");
  }

  /** The status of `pubkey` (undefined: not registered). */
  status(pubkey: PubkeyHex): DoppelgangerStatus | undefined {
    if (!this.enabled) return "cleared";
    return this.keys.get(pubkey)?.status;
  }

  /** Registers a key: it waits (see the module comment) unless nothing could have signed with it elsewhere. */
  register(pubkey: PubkeyHex): void {
    const existing = this.keys.get(pubkey);
    if (existing?.status === "detected") return;
    const { clock } = this.opts;
    const epoch = clock.currentEpoch();
    if (!this.enabled || clock.currentSlot() < 0 || epoch <= 0) {
      this.keys.set(pubkey, { status: "cleared", registeredEpoch: Math.max(epoch, 0) });
    } else if (this.signedRecently(pubkey, epoch)) {
      this.keys.set(pubkey, { status: "cleared", registeredEpoch: epoch });
      this.log.info(
        { pubkey, epoch },
        "doppelganger protection: this client signed with the key in the last epochs (a restart): no wait",
      );
    } else {
      this.keys.set(pubkey, { status: "waiting", registeredEpoch: epoch });
      this.log.info(
        { pubkey, epoch, signsFromEpoch: epoch + 2 },
        "doppelganger protection: the key waits until no other client is seen signing with it",
      );
    }
    this.updateMetrics();
  }

  /** Checks liveness of the waiting keys when an epoch's check is due (called at every slot start). Never throws. */
  async onSlot(slot: number, signal: AbortSignal): Promise<void> {
    if (!this.enabled) return;
    const epoch = this.opts.clock.epochAtSlot(slot);
    const previous = epoch - 1;
    if (previous < 0) return;
    const due: { pubkey: PubkeyHex; index: number; state: KeyState }[] = [];
    for (const [pubkey, state] of this.keys) {
      if (state.status !== "waiting" || state.registeredEpoch > previous) continue;
      if (state.checkedEpoch !== undefined && state.checkedEpoch >= previous) continue;
      const index = this.opts.indices.indexOf(pubkey);
      if (index !== undefined) due.push({ pubkey, index, state });
    }
    if (due.length === 0) return;

    let live: Map<number, boolean>;
    try {
      const res = await this.opts.nodes.request(
        "getLiveness",
        (api) => api.getLiveness({ epoch: previous, body: due.map((d) => d.index) }, { signal }),
        { signal },
      );
      live = new Map(res.data.map((r) => [r.index, r.isLive]));
    } catch (err) {
      if (signal.aborted) return;
      this.warnOncePerEpoch(epoch, err, due.length);
      return;
    }

    const detected: { pubkey: PubkeyHex; index: number }[] = [];
    const cleared: PubkeyHex[] = [];
    for (const d of due) {
      const isLive = live.get(d.index);
      if (isLive === undefined) continue; // the node did not answer for it: asked again next slot
      d.state.checkedEpoch = previous;
      if (isLive) {
        d.state.status = "detected";
        detected.push({ pubkey: d.pubkey, index: d.index });
      } else if (previous >= d.state.registeredEpoch + 1) {
        d.state.status = "cleared";
        cleared.push(d.pubkey);
      }
    }
    this.updateMetrics();
    if (cleared.length > 0)
      this.log.info(
        { epoch: previous, count: cleared.length, pubkeys: cleared.slice(0, 10) },
        "doppelganger protection: no other client seen signing with these keys for a full epoch; they sign now",
      );
    if (detected.length > 0) {
      this.log.error(
        { epoch: previous, validators: detected },
        `doppelganger detected: ${detected.length} of our validators (${detected
          .map((d) => `index ${d.index} ${d.pubkey}`)
          .join(", ")}) were live in epoch ${previous} while this client was not signing with them. Another ` +
          "validator client is running these keys: stop it (or this one) for good before starting again, or the " +
          "validators will be slashed",
      );
      this.opts.onDetected(detected.map((d) => d.pubkey));
    }
  }

  private signedRecently(pubkey: PubkeyHex, epoch: number): boolean {
    try {
      return this.opts.recentlySigned(pubkey, epoch);
    } catch (err) {
      // Unknown history: wait (the safe side).
      this.log.warn({ err, pubkey }, "could not read slashing protection for doppelganger protection; the key waits");
      return false;
    }
  }

  private warnOncePerEpoch(epoch: number, err: unknown, waiting: number): void {
    if (this.warnedEpoch === epoch) return;
    this.warnedEpoch = epoch;
    if (isNotServed(err)) {
      this.log.error(
        { err: errorReason(err), waiting },
        "doppelganger protection cannot run: the beacon node does not serve POST /eth/v1/validator/liveness/{epoch}. " +
          "The keys stay blocked (nothing is signed with them). Use a beacon node that serves it, or, only if you " +
          "are sure no other client runs these keys, restart with --doppelganger-protection false",
      );
    } else {
      this.log.warn(
        { err, waiting },
        "doppelganger protection: could not ask the beacon node for liveness; retrying at the next slot",
      );
    }
  }

  private updateMetrics(): void {
    const m = this.opts.metrics;
    if (m === undefined) return;
    const counts: Record<DoppelgangerStatus, number> = { waiting: 0, cleared: 0, detected: 0 };
    for (const s of this.keys.values()) counts[s.status]++;
    for (const status of Object.keys(counts) as DoppelgangerStatus[])
      m.doppelgangerStatus.set({ status }, counts[status]);
  }
}
