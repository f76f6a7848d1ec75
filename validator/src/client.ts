// The validator client, composed: data-directory lock → keys → beacon-node pool (health, fallback, backoff) →
// genesis from the nodes → slashing protection bound to the chain → signer (worker threads) → clock → indices,
// head events, duties → services (attest, aggregate, propose, sync committee, proposer preparation) behind
// doppelganger protection → keymanager API and metrics. Every part meets the others through ports.ts.
import { mkdirSync } from "node:fs";
import type { Server } from "node:http";
import { type ApiError, beaconRoutes } from "@sextant/api-spec";
import { type Logger, SextantError } from "@sextant/common";
import type { ChainConfig } from "@sextant/consensus/params/config/chainConfig";
import { forkNameAtEpoch, forkVersionAtEpoch } from "@sextant/consensus/params/forkSchedule";
import { getPreset, type Preset } from "@sextant/consensus/params/index";
import { getSszTypes } from "@sextant/consensus/types/index";
import { toHex } from "@sextant/consensus/util/hex";
import { BeaconNodePool } from "./beaconNodes/pool.ts";
import { checkSpecCompatible } from "./beaconNodes/spec.ts";
import { SystemSlotClock } from "./clock/slotClock.ts";
import { systemTime } from "./clock/time.ts";
import { dataDirLayout, type PubkeyHex } from "./dataDir/layout.ts";
import { acquireDataDirLock, type DataDirLock } from "./dataDir/lock.ts";
import { HeadTracker } from "./duties/head.ts";
import { ValidatorIndices } from "./duties/indices.ts";
import { DutiesService } from "./duties/service.ts";
import { DEFAULT_GAS_LIMIT, ZERO_ADDRESS } from "./keymanager/proposerConfig.ts";
import { KeyRegistry } from "./keymanager/registry.ts";
import { createKeymanagerServer, type KeymanagerServer } from "./keymanager/server.ts";
import { createExitSigner } from "./keymanager/voluntaryExit.ts";
import { interopValidatorKeys } from "./keystores/interop.ts";
import { loadKeysFromDataDir } from "./keystores/loader.ts";
import { createValidatorMetrics, serveMetrics, type ValidatorMetrics } from "./metrics.ts";
import type { BeaconApi, ForkAtEpoch } from "./ports.ts";
import { AttestationService } from "./services/attestation.ts";
import { BlockService } from "./services/block.ts";
import { Doppelganger } from "./services/doppelganger.ts";
import { EndpointMemory } from "./services/endpoints.ts";
import { ProposerPreparationService } from "./services/proposerPreparation.ts";
import { SyncCommitteeService } from "./services/syncCommittee.ts";
import { LocalSigner } from "./signing/signer.ts";
import { SlashingProtection } from "./slashing-protection/database.ts";
import { toPubkey } from "./slashing-protection/types.ts";

/** How the client runs (the CLI fills it from flags). */
export interface ValidatorClientOptions {
  /** Beacon node URLs, in order of preference. */
  beaconNodes: string[];
  config: ChainConfig;
  dataDir: string;
  /** Interop keys (devnets): these indices' deterministic keys, in addition to the data directory's. */
  interopIndexes?: number[];
  /** Load the keystores of the data directory (default true). */
  loadDataDirKeys?: boolean;
  /** Publish to every usable node. */
  broadcast?: boolean;
  /** Doppelganger protection (default true). */
  doppelganger?: boolean;
  metrics?: { host: string; port: number };
  keymanager?: { host: string; port: number };
  proposer?: { feeRecipient?: string; gasLimit?: number; graffiti?: string; builder?: boolean };
  logger: Logger;
  /** Decryption / signing threads (default: one per core). */
  threads?: number;
  /** Aborting it stops the client (also while it starts: waiting for a node or for genesis). */
  signal?: AbortSignal;
}

/** A running client. */
export interface RunningValidatorClient {
  metrics: ValidatorMetrics;
  /** Resolves when the client stopped (stop() or a fatal condition such as a doppelganger). */
  readonly stopped: Promise<void>;
  /** Why it stopped, when it stopped on its own (doppelganger, ...). */
  readonly fatal: SextantError | undefined;
  stop(reason?: string): Promise<void>;
}

/** Errors that stop the client on purpose (not bugs). */
export class ValidatorClientError extends SextantError<"DOPPELGANGER_DETECTED" | "NO_KEYS" | "GENESIS_MISMATCH"> {}

/** Health checks twice a slot: a node that comes back is noticed within half a slot. */
const HEALTH_CHECKS_PER_SLOT = 2;

/** Starts the validator client; resolves once it is running (genesis known, keys loaded, slot loop started). */
export async function startValidatorClient(opts: ValidatorClientOptions): Promise<RunningValidatorClient> {
  const { config, logger } = opts;
  const preset: Preset = getPreset(config.PRESET_BASE as "mainnet" | "minimal");
  const types = getSszTypes(config.PRESET_BASE as "mainnet" | "minimal");
  const routes = beaconRoutes({ types });
  const metrics = createValidatorMetrics();
  const controller = new AbortController();
  const signal = controller.signal;
  const closers: (() => Promise<void> | void)[] = [];
  let fatal: SextantError | undefined;
  let resolveStopped: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    resolveStopped = resolve;
  });
  let stopping: Promise<void> | undefined;
  const stop = (reason = "stopped"): Promise<void> => {
    if (stopping !== undefined) return stopping;
    stopping = (async () => {
      logger.info({ reason }, "validator client stopping");
      controller.abort(new Error(reason));
      for (const close of closers.reverse()) {
        try {
          await close();
        } catch (err) {
          logger.warn({ err }, "error while stopping a part of the validator client");
        }
      }
      resolveStopped();
    })();
    return stopping;
  };

  if (opts.signal?.aborted) throw new Error("aborted before start");
  opts.signal?.addEventListener("abort", () => void stop("shutdown"), { once: true });
  try {
    // 1. The data directory: one validator client per directory.
    const layout = dataDirLayout(opts.dataDir);
    mkdirSync(layout.root, { recursive: true, mode: 0o700 });
    const lock: DataDirLock = acquireDataDirLock(layout.lockFile, "sextant validator");
    closers.push(() => lock.release());

    // 2. Keys.
    const registry = new KeyRegistry();
    if (opts.interopIndexes && opts.interopIndexes.length > 0) {
      const started = performance.now();
      for (const key of interopValidatorKeys(opts.interopIndexes)) registry.addLocal(key);
      logger.info(
        { count: opts.interopIndexes.length, ms: Math.round(performance.now() - started) },
        "interop keys derived (devnets only: these secret keys are public)",
      );
    }
    if (opts.loadDataDirKeys !== false) {
      const loaded = await loadKeysFromDataDir(layout, { threads: opts.threads });
      for (const key of loaded.keys) if (!registry.has(key.pubkey)) registry.addLocal(key);
      if (loaded.source !== "none")
        logger.info({ count: loaded.keys.length, source: loaded.source }, "keys loaded from the data directory");
    }
    const keyCount = registry.localKeys().length;
    metrics.localValidatorCount.set(keyCount);
    if (keyCount === 0)
      logger.warn(
        "no validator keys: import some with `sextant validator import`, or through the keymanager API; " +
          "the client runs and signs nothing until then",
      );

    // 3. Beacon nodes.
    const slotMs = config.SLOT_DURATION_MS ?? config.SECONDS_PER_SLOT * 1000;
    const pool = new BeaconNodePool({
      urls: opts.beaconNodes,
      routes,
      time: systemTime,
      logger: logger.child({ module: "beacon-nodes" }),
      metrics,
      broadcast: opts.broadcast ?? false,
      healthIntervalMs: Math.max(1000, Math.floor(slotMs / HEALTH_CHECKS_PER_SLOT)),
      checkSpec: (spec) => checkSpecCompatible({ config, preset }, spec),
    });
    pool.start(signal);
    closers.push(() => pool.close());

    // 4. Genesis from the nodes (waits, with the pool's backoff, until one answers).
    const genesis = await waitForGenesis(pool, logger, signal);
    // The spec answers GENESIS_FORK_VERSION; some nodes (Lodestar 1.5) answer the version of the genesis state's
    // fork (capella's on a chain that starts at capella): both identify the same chain.
    const accepted = new Set([toHex(config.GENESIS_FORK_VERSION), toHex(forkVersionAtEpoch(config, 0))]);
    if (!accepted.has(toHex(genesis.genesisForkVersion)))
      throw new ValidatorClientError(
        "GENESIS_MISMATCH",
        `the beacon node's chain has genesis fork version ${toHex(genesis.genesisForkVersion)}, ours is ` +
          `${toHex(config.GENESIS_FORK_VERSION)}: the node is on another network; check --network / --chain-config`,
      );
    logger.info(
      {
        genesisTime: new Date(genesis.genesisTime * 1000).toISOString(),
        genesisValidatorsRoot: toHex(genesis.genesisValidatorsRoot),
      },
      "chain genesis",
    );

    // 5. Slashing protection, bound to this chain.
    const slashingProtection = SlashingProtection.open(layout.root, {
      genesisValidatorsRoot: genesis.genesisValidatorsRoot,
    });
    closers.push(() => slashingProtection.close());

    // 6. Signer.
    const signer = await LocalSigner.create({
      registry,
      slashingProtection,
      config,
      types,
      slotsPerEpoch: preset.SLOTS_PER_EPOCH,
      genesisValidatorsRoot: genesis.genesisValidatorsRoot,
      threads: opts.threads,
      metrics,
      logger: logger.child({ module: "signer" }),
    });
    closers.push(() => signer.close());

    // 7. Clock, indices, heads, duties.
    const clock = new SystemSlotClock({
      genesisTimeSec: genesis.genesisTime,
      config,
      slotsPerEpoch: preset.SLOTS_PER_EPOCH,
      time: systemTime,
    });
    const forkAtEpoch: ForkAtEpoch = (epoch) => forkNameAtEpoch(config, epoch);
    const indices = new ValidatorIndices({
      nodes: pool,
      pubkeys: () => signer.pubkeys(),
      logger: logger.child({ module: "indices" }),
    });
    const rawUrls = opts.beaconNodes;
    const head = new HeadTracker({
      nodes: pool,
      streamUrlOf: (node) => rawUrls[node.index],
      ctx: { types },
      logger: logger.child({ module: "head" }),
    });
    head.start(signal);
    const duties = new DutiesService({
      nodes: pool,
      signer,
      indices,
      clock,
      head,
      preset,
      forkAtEpoch,
      logger: logger.child({ module: "duties" }),
      metrics,
    });

    // 8. Doppelganger protection and services.
    const doppelganger = new Doppelganger({
      nodes: pool,
      indices,
      clock,
      enabled: opts.doppelganger ?? true,
      recentlySigned: (pubkey: PubkeyHex, epoch: number) => signedRecently(slashingProtection, pubkey, epoch),
      onDetected: (pubkeys: PubkeyHex[]) => {
        fatal = new ValidatorClientError(
          "DOPPELGANGER_DETECTED",
          `doppelganger detected: ${pubkeys.join(", ")} attested while this client was waiting. Another validator ` +
            "client is running these keys: stop one of them before restarting this one, or you risk slashing",
        );
        logger.fatal({ pubkeys }, fatal.message);
        void stop("doppelganger detected");
      },
      logger: logger.child({ module: "doppelganger" }),
      metrics,
    });
    for (const pubkey of signer.pubkeys()) doppelganger.register(pubkey);
    registry.onChange((change) => {
      if (change.kind === "local-added") doppelganger.register(change.pubkey);
      metrics.localValidatorCount.set(registry.localKeys().length);
    });
    signer.setGate(doppelganger.gate);

    const endpoints = new EndpointMemory({ logger: logger.child({ module: "endpoints" }) });
    const common = { nodes: pool, signer, duties, clock, head, forkAtEpoch, types, preset, metrics, endpoints };
    const attestations = new AttestationService({ ...common, logger: logger.child({ module: "attestation" }) });
    const blocks = new BlockService({
      ...common,
      builder: opts.proposer?.builder ?? false,
      logger: logger.child({ module: "block" }),
      proposerSettings: (pubkey: PubkeyHex) => proposerSettings(keymanager, opts, pubkey),
    });
    const syncCommittee = new SyncCommitteeService({ ...common, logger: logger.child({ module: "sync-committee" }) });
    let keymanager: KeymanagerServer | undefined;
    const preparation = new ProposerPreparationService({
      ...common,
      indices,
      builder: opts.proposer?.builder ?? false,
      proposerSettings: (pubkey: PubkeyHex) => proposerSettings(keymanager, opts, pubkey),
      logger: logger.child({ module: "proposer-preparation" }),
    });

    // 9. Keymanager API (bearer token in the data directory) with exit signing through the nodes.
    if (opts.keymanager) {
      const indexSource: Pick<BeaconApi, "getStateValidator"> = {
        getStateValidator: (args, callOpts) =>
          pool.request("getStateValidator", (api) => api.getStateValidator(args, callOpts)),
      };
      keymanager = await createKeymanagerServer({
        layout,
        slashingProtection,
        genesisValidatorsRoot: genesis.genesisValidatorsRoot,
        host: opts.keymanager.host,
        port: opts.keymanager.port,
        logger: logger.child({ module: "keymanager" }),
        registry,
        proposerDefaults: {
          ...(opts.proposer?.feeRecipient ? { feeRecipient: opts.proposer.feeRecipient } : {}),
          ...(opts.proposer?.gasLimit ? { gasLimit: opts.proposer.gasLimit } : {}),
          ...(opts.proposer?.graffiti ? { graffiti: opts.proposer.graffiti } : {}),
        },
        exitSigner: createExitSigner({
          beaconNode: indexSource,
          config,
          slotsPerEpoch: preset.SLOTS_PER_EPOCH,
          genesisValidatorsRoot: genesis.genesisValidatorsRoot,
          genesisTime: genesis.genesisTime,
        }),
      });
      const url = await keymanager.listen();
      const km = keymanager;
      closers.push(() => km.close());
      logger.info({ url, tokenFile: keymanager.tokenPath }, "keymanager API listening");
      if (
        opts.keymanager.host !== "127.0.0.1" &&
        opts.keymanager.host !== "::1" &&
        opts.keymanager.host !== "localhost"
      )
        logger.warn(
          { host: opts.keymanager.host },
          "the keymanager API is reachable beyond this machine: anyone with the token can import and delete keys",
        );
    }

    // 10. Metrics.
    if (opts.metrics) {
      const server: Server = await serveMetrics(metrics.registry, opts.metrics.host, opts.metrics.port);
      closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
      logger.info({ url: `http://${opts.metrics.host}:${opts.metrics.port}/metrics` }, "metrics served");
    }

    // 11. The slot loop. Index refresh failures are logged once until a refresh works again.
    let refreshFailing = false;
    const refreshIndices = async (refreshSignal: AbortSignal): Promise<void> => {
      try {
        await indices.refresh(refreshSignal);
        if (refreshFailing) logger.info("validator indices: the beacon node answers again");
        refreshFailing = false;
      } catch (err) {
        if (refreshSignal.aborted) return;
        if (!refreshFailing)
          logger.warn({ err }, "could not read our validators' indices from the beacon node; retrying every slot");
        refreshFailing = true;
      }
    };
    const onError = (err: unknown, slot: number) =>
      logger.error({ err, slot }, "a slot task failed (the client carries on with the next slot)");
    const slotLoop = clock.onEverySlot(
      async (slot, slotSignal, skipped) => {
        if (skipped > 0)
          logger.warn({ slot, skipped }, "the clock jumped (machine asleep or overloaded): stale slots skipped");
        const epochStart = slot % preset.SLOTS_PER_EPOCH === 0;
        // Index refresh each epoch (new deposits, activations), and every slot while keys are unknown.
        if (epochStart || indices.unknownPubkeys().length > 0) await refreshIndices(slotSignal);
        const dutiesPass = duties.onSlot(slot, slotSignal);
        // At an epoch start (before fulu) the epoch's proposers are only fetched now: the block waits for them.
        const proposal = duties.hasProposerDuties(clock.epochAtSlot(slot))
          ? blocks.onSlot(slot, slotSignal)
          : dutiesPass.then(() => blocks.onSlot(slot, slotSignal));
        await Promise.all([
          dutiesPass,
          doppelganger.onSlot(slot, slotSignal),
          proposal,
          attestations.onSlot(slot, slotSignal),
          syncCommittee.onSlot(slot, slotSignal),
          preparation.onSlot(slot, slotSignal),
        ]);
      },
      signal,
      onError,
    );
    await refreshIndices(signal);
    await duties.start(signal);
    logger.info(
      { keys: keyCount, beaconNodes: pool.nodes().map((n) => n.url), slot: clock.currentSlot() },
      "validator client running",
    );
    slotLoop.then(
      () => undefined,
      (err: unknown) => logger.error({ err }, "slot loop ended with an error"),
    );
  } catch (err) {
    await stop("start-up failed");
    throw err;
  }

  return {
    metrics,
    stopped,
    get fatal() {
      return fatal;
    },
    stop,
  };
}

/** The node's genesis, asked of the pool until one node answers (the pool backs off; nothing is flooded). */
async function waitForGenesis(
  pool: BeaconNodePool,
  logger: Logger,
  signal: AbortSignal,
): Promise<{ genesisTime: number; genesisValidatorsRoot: Uint8Array; genesisForkVersion: Uint8Array }> {
  let logged = false;
  for (;;) {
    signal.throwIfAborted();
    await pool.waitUntilUsable(signal);
    try {
      const res = await pool.request("getGenesis", (api) => api.getGenesis({}, { signal }));
      return res.data;
    } catch (err) {
      if ((err as ApiError).status === 404 || (err as { context?: { status?: number } }).context?.status === 404) {
        if (!logged) logger.info("the beacon node has no genesis yet (the chain has not started); waiting");
        logged = true;
      } else logger.warn({ err }, "could not read the chain's genesis from the beacon node; retrying");
      await systemTime.sleep(2000, signal);
    }
  }
}

/** True when slashing protection holds an attestation of `pubkey` with target ≥ epoch - 1 (a restart). */
function signedRecently(db: SlashingProtection, pubkey: PubkeyHex, epoch: number): boolean {
  return db.read((tx) => {
    const id = tx.validatorId(toPubkey(pubkey), false);
    if (id === undefined) return false;
    const { maxTarget } = tx.q.attestationMaxima(id);
    return maxTarget !== null && maxTarget >= epoch - 1;
  });
}

/** Fee recipient, gas limit and graffiti of a key: the keymanager API's settings, else the flags' defaults. */
function proposerSettings(
  keymanager: KeymanagerServer | undefined,
  opts: ValidatorClientOptions,
  pubkey: PubkeyHex,
): { feeRecipient: string; gasLimit: number; graffiti: string } {
  if (keymanager) return keymanager.proposerConfig.get(pubkey);
  return {
    feeRecipient: opts.proposer?.feeRecipient ?? ZERO_ADDRESS,
    gasLimit: opts.proposer?.gasLimit ?? DEFAULT_GAS_LIMIT,
    graffiti: opts.proposer?.graffiti ?? "",
  };
}
