// Block proposals (consensus-specs validator.md "Block proposal", beacon-APIs validator flow). At the start of a
// slot where one of our validators proposes: sign the RANDAO reveal of the epoch; ask the node for a block with the
// key's graffiti and builder boost factor through GET /eth/v3/validator/blocks/{slot} (which answers a full or a
// blinded block, as Eth-Execution-Payload-Blinded says), falling back to v2 (full blocks) and v1 (phase0 only) for
// nodes that do not serve v3; check the block is the one asked for; sign it (slashing protection first); publish it
// with broadcast_validation=gossip through POST /eth/v2/beacon/blocks or /eth/v2/beacon/blinded_blocks, falling back
// to POST /eth/v1/beacon/blocks. From deneb on, full blocks come as BlockContents (block, KZG proofs, blobs): the
// block is signed and SignedBlockContents published.
import type { Logger } from "@sextant/common";
import { type ForkName, isForkAtLeast } from "@sextant/consensus/params/forkName";
import { toHex } from "@sextant/consensus/util/hex";
import type { ValidatorMetrics } from "../metrics.ts";
import type {
  BeaconApi,
  BeaconNodes,
  Duties,
  ForkAtEpoch,
  NodeHealth,
  ProposerDuty,
  PubkeyHex,
  Signer,
  SlotClock,
} from "../ports.ts";
import { type EndpointMemory, FEATURES } from "./endpoints.ts";
import { countMissed, countPerformed, failureLabel, graffitiBytes, observeDelay } from "./util.ts";

/** Per-key proposal settings (the keymanager API's proposer config, or the flags' defaults). */
export interface ProposalSettings {
  /** 0x-prefixed execution address. */
  feeRecipient: string;
  gasLimit: number;
  /** UTF-8 text (or 0x-hex) of at most 32 bytes; empty: the node's default. */
  graffiti: string;
  /** builder_boost_factor of produceBlockV3 (percent; 0: local payloads only, 100: compare as is). */
  builderBoostFactor?: bigint;
}

/** What the block service needs. */
export interface BlockServiceOptions {
  nodes: BeaconNodes;
  signer: Signer;
  duties: Duties;
  clock: SlotClock;
  forkAtEpoch: ForkAtEpoch;
  logger: Logger;
  metrics?: ValidatorMetrics;
  endpoints: EndpointMemory;
  proposerSettings?: (pubkey: PubkeyHex) => ProposalSettings;
  /**
   * Builder use: false sends builder_boost_factor=0 (local payloads only) unless the key's settings give a factor;
   * true or absent leaves the choice to the node (its default factor, 100).
   */
  builder?: boolean;
}

/** A produced block, whatever endpoint produced it. */
export interface ProducedBlock {
  fork: ForkName;
  blinded: boolean;
  /** The (blinded) BeaconBlock to sign. */
  block: BlockValue;
  /** deneb+ full blocks: the blobs and their proofs. */
  contents?: { kzgProofs: Uint8Array[]; blobs: Uint8Array[] };
  /** Which endpoint answered (logs). */
  source: "v3" | "v2" | "v1";
  executionPayloadValue?: bigint;
  consensusBlockValue?: bigint;
}

/** The fields of any fork's (blinded) BeaconBlock the service reads. */
type BlockValue = {
  slot: number;
  proposerIndex: number;
  body: { executionPayload?: { feeRecipient?: Uint8Array }; executionPayloadHeader?: unknown };
} & Record<string, unknown>;

/** Proposes blocks for our validators. */
export class BlockService {
  private readonly opts: BlockServiceOptions;
  private readonly log: Logger;

  constructor(opts: BlockServiceOptions) {
    this.opts = opts;
    this.log = opts.logger;
  }

  /** Proposes at `slot` when one of our validators is its proposer (called at the slot's start). Never throws. */
  async onSlot(slot: number, signal: AbortSignal): Promise<void> {
    // Slot 0 holds the genesis block: nobody proposes there (nodes still list a "proposer" of it).
    if (slot === 0) return;
    const duties = this.opts.duties
      .proposerDutiesAt(slot)
      .filter((d) => d.slot === slot && this.opts.signer.has(d.pubkey));
    for (const duty of duties) {
      try {
        await this.propose(duty, signal);
      } catch (err) {
        if (signal.aborted) return;
        this.log.error({ err, slot, validatorIndex: duty.validatorIndex }, "block proposal failed unexpectedly");
      }
    }
  }

  private async propose(duty: ProposerDuty, signal: AbortSignal): Promise<void> {
    const { clock, signer, metrics } = this.opts;
    const slot = duty.slot;
    const epoch = clock.epochAtSlot(slot);
    const fork = this.opts.forkAtEpoch(epoch);
    const who = { slot, validatorIndex: duty.validatorIndex, pubkey: duty.pubkey };

    let randaoReveal: Uint8Array;
    try {
      randaoReveal = await signer.signRandaoReveal(duty.pubkey, epoch);
    } catch (err) {
      countMissed(metrics, "block", "refused");
      this.log.error({ ...who, err }, "could not sign the RANDAO reveal: block not proposed");
      return;
    }

    const settings = this.opts.proposerSettings?.(duty.pubkey);
    const graffiti = graffitiBytes(settings?.graffiti);
    const builderBoostFactor = settings?.builderBoostFactor ?? (this.opts.builder === false ? 0n : undefined);

    let produced: ProducedBlock;
    try {
      produced = await this.opts.nodes.request(
        "produceBlock",
        (api, node) => this.produce(api, node, fork, slot, randaoReveal, graffiti, builderBoostFactor, signal),
        { signal },
      );
      const { block } = produced;
      if (produced.fork !== fork)
        throw new Error(
          `the node produced a ${produced.fork} block for slot ${slot}, which is ${fork} by our fork schedule; ` +
            "check that the node and this client run the same network configuration",
        );
      if (block.slot !== slot || block.proposerIndex !== duty.validatorIndex)
        throw new Error(
          `the node produced a block of slot ${block.slot} proposer ${block.proposerIndex}, ` +
            `not slot ${slot} proposer ${duty.validatorIndex}`,
        );
    } catch (err) {
      if (signal.aborted) return;
      countMissed(metrics, "block", failureLabel(err));
      this.log.error({ ...who, err }, "could not get a block to propose from the beacon node: block not proposed");
      return;
    }
    this.checkFeeRecipient(produced, settings, who);

    let signature: Uint8Array;
    try {
      signature = await signer.signBlock(duty.pubkey, fork, produced.blinded, produced.block);
    } catch (err) {
      countMissed(metrics, "block", "refused");
      this.log.error({ ...who, err }, "block not signed (slashing protection or doppelganger protection refused it)");
      return;
    }

    try {
      observeDelay(metrics, "block", clock.timeAtSlot(slot), clock.time.now());
      await this.opts.nodes.publish(
        "publishBlock",
        (api, node) => this.publish(api, node, produced, signature, signal),
        {
          signal,
        },
      );
    } catch (err) {
      countMissed(metrics, "block", failureLabel(err));
      this.log.error({ ...who, err }, "the signed block was not published: proposal missed");
      return;
    }
    countPerformed(metrics, "block");
    this.log.info(
      {
        ...who,
        fork,
        blinded: produced.blinded,
        source: produced.source,
        blobs: produced.contents?.blobs.length,
        executionPayloadValue: produced.executionPayloadValue?.toString(),
        consensusBlockValue: produced.consensusBlockValue?.toString(),
      },
      "block published",
    );
  }

  /** Produces through v3, else v2, else v1 (phase0 only), remembering per node what it serves. */
  private produce(
    api: BeaconApi,
    node: NodeHealth,
    fork: ForkName,
    slot: number,
    randaoReveal: Uint8Array,
    graffiti: Uint8Array | undefined,
    builderBoostFactor: bigint | undefined,
    signal: AbortSignal,
  ): Promise<ProducedBlock> {
    const v3 = async (): Promise<ProducedBlock> => {
      const res = await api.produceBlockV3(
        {
          slot,
          randaoReveal,
          ...(graffiti ? { graffiti } : {}),
          ...(builderBoostFactor === undefined ? {} : { builderBoostFactor }),
        },
        { signal },
      );
      return {
        ...splitContents(res.data, res.meta.version, res.meta.executionPayloadBlinded),
        fork: res.meta.version,
        blinded: res.meta.executionPayloadBlinded,
        source: "v3",
        executionPayloadValue: res.meta.executionPayloadValue,
        consensusBlockValue: res.meta.consensusBlockValue,
      };
    };
    const v2 = async (): Promise<ProducedBlock> => {
      const res = await api.produceBlockV2({ slot, randaoReveal, ...(graffiti ? { graffiti } : {}) }, { signal });
      return {
        ...splitContents(res.data, res.meta.version, false),
        fork: res.meta.version,
        blinded: false,
        source: "v2",
      };
    };
    const v1 = async (): Promise<ProducedBlock> => {
      if (fork !== "phase0")
        throw new Error(
          `beacon node ${node.url} serves neither GET /eth/v3/validator/blocks nor /eth/v2/validator/blocks, and the ` +
            `v1 endpoint produces phase0 blocks only (slot ${slot} is ${fork}): upgrade the node`,
        );
      const res = await api.produceBlock({ slot, randaoReveal, ...(graffiti ? { graffiti } : {}) }, { signal });
      return { block: res.data as unknown as BlockValue, fork: "phase0", blinded: false, source: "v1" };
    };
    const { endpoints } = this.opts;
    return endpoints.call(node, FEATURES.produceBlockV3, v3, () =>
      endpoints.call(node, FEATURES.produceBlockV2, v2, v1),
    );
  }

  private async publish(
    api: BeaconApi,
    node: NodeHealth,
    produced: ProducedBlock,
    signature: Uint8Array,
    signal: AbortSignal,
  ): Promise<void> {
    const version = produced.fork;
    const signedBlock = { message: produced.block, signature };
    if (produced.blinded) {
      await api.publishBlindedBlockV2(
        { broadcastValidation: "gossip", body: signedBlock as never, version },
        { signal },
      );
      return;
    }
    const body = produced.contents ? { signedBlock, ...produced.contents } : signedBlock;
    await this.opts.endpoints.call(
      node,
      FEATURES.publishBlock,
      async () => {
        await api.publishBlockV2({ broadcastValidation: "gossip", body: body as never, version }, { signal });
      },
      async () => {
        await api.publishBlock({ body: body as never, version }, { signal });
      },
    );
  }

  /** Warns when a locally built payload pays another fee recipient than the key's (the node's own setting won). */
  private checkFeeRecipient(
    produced: ProducedBlock,
    settings: ProposalSettings | undefined,
    who: Record<string, unknown>,
  ): void {
    if (settings === undefined || produced.blinded) return;
    const actual = produced.block.body.executionPayload?.feeRecipient;
    if (actual === undefined) return;
    const got = toHex(actual).toLowerCase();
    if (got !== settings.feeRecipient.toLowerCase())
      this.log.warn(
        { ...who, expected: settings.feeRecipient, actual: got },
        "the block's execution payload pays a fee recipient other than this key's: check the beacon node's " +
          "--suggested-fee-recipient and that prepare_beacon_proposer reaches it",
      );
  }
}

/** The block and, for deneb+ full blocks (BlockContents), its blobs and proofs. */
function splitContents(
  data: unknown,
  fork: ForkName,
  blinded: boolean,
): { block: BlockValue; contents?: ProducedBlock["contents"] } {
  if (!blinded && isForkAtLeast(fork, "deneb")) {
    const c = data as { block: BlockValue; kzgProofs: Uint8Array[]; blobs: Uint8Array[] };
    return { block: c.block, contents: { kzgProofs: c.kzgProofs, blobs: c.blobs } };
  }
  return { block: data as BlockValue };
}
