// The beacon node assembled: database, start state, execution engine, chain, REST API (with the request governor,
// CORS, body/header limits and timeouts), metrics and the per-slot status line. startBeaconNode opens everything
// in order and returns a BeaconNode whose close() stops it all in reverse (API, chain and clock, metrics, database).
// `sextant beacon` and `sextant dev` (cli/) are thin wrappers around it.
import { readFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { arch, platform } from "node:os";
import type { RouteContext } from "@sextant/api-spec/routes/define";
import type { BeaconRoutes } from "@sextant/api-spec/routes/index";
import { beaconRoutes } from "@sextant/api-spec/routes/index";
import { loadDocument } from "@sextant/api-spec/server/docs";
import { type ApiServer, createApiServer, type ResponseInfo } from "@sextant/api-spec/server/server";
import { type Logger, SextantError, silentLogger } from "@sextant/common";
import { errorFields } from "@sextant/common/errors";
import {
  type ChainConfig,
  FORK_NAMES,
  type ForkName,
  forkEpoch,
  getChainConfig,
  getPreset,
  isForkAtLeast,
  isPresetName,
  KNOWN_GENESIS_VALIDATORS_ROOTS,
} from "@sextant/consensus/params/index";
import { computeForkDigest } from "@sextant/consensus/signing/forkDigest";
import type { CachedState } from "@sextant/consensus/state/cachedState";
import type { BeaconConfig } from "@sextant/consensus/state/types";
import { genesisStateFromBytes } from "@sextant/consensus/transition/genesis/index";
import { getSszTypes } from "@sextant/consensus/types/sszTypes";
import { fromHex } from "@sextant/consensus/util/hex";
import type { ApiContext } from "../api/context.ts";
import { createRequestGovernor } from "../api/governor/governor.ts";
import { createBeaconHandlers } from "../api/handlers/index.ts";
import { BeaconChain, type ChainObserver } from "../chain/chain.ts";
import { SlotClock } from "../chain/clock.ts";
import { BeaconDb } from "../db/index.ts";
import { HttpExecutionEngine } from "../execution/http.ts";
import { readJwtSecretFile } from "../execution/jwt.ts";
import { MockExecutionEngine, type MockGenesis } from "../execution/mock.ts";
import type { ExecutionEngineClient } from "../execution/types.ts";
import {
  type BeaconMetrics,
  createBeaconMetrics,
  isLoopbackAddress,
  type MetricsServer,
  metricsForGovernor,
  observeApiResponse,
  rootToMetricValue,
  SYNC_STATE,
  startMetricsServer,
} from "../metrics/index.ts";
import { devBeaconConfig, devGenesisState, devGenesisTime } from "./dev.ts";
import type { BeaconNodeOptions, RestOptions } from "./options.ts";
import { formatStatusLine, previousEpochParticipation } from "./status.ts";

/** Error codes of node start-up. */
export type BeaconNodeErrorCode = "NODE_NO_START_STATE" | "NODE_NO_EXECUTION_ENGINE" | "NODE_BAD_GENESIS_STATE";

/** The node could not start; the message says what is missing. */
export class BeaconNodeError extends SextantError<BeaconNodeErrorCode> {
  constructor(code: BeaconNodeErrorCode, message: string, context: Record<string, unknown> = {}) {
    super(code, message, context);
    this.name = "BeaconNodeError";
  }
}

/** What startBeaconNode takes besides the resolved options. */
export interface StartBeaconNodeOptions extends BeaconNodeOptions {
  /** Root logger (the node takes children per module); silent by default. */
  readonly logger?: Logger;
  /** Version text (GET /eth/v1/node/version: `Sextant/v<version>/<os>-<arch>`). */
  readonly version?: string;
  /** Wall clock, ms (tests); Date.now by default. */
  readonly now?: () => number;
  /** Log the per-slot status line (default true). */
  readonly statusLine?: boolean;
}

/** A running beacon node. */
export interface BeaconNode {
  readonly chain: BeaconChain;
  readonly config: BeaconConfig;
  /** Base URL of the REST API (http://127.0.0.1:5052); undefined when --rest is off. */
  readonly apiUrl: string | undefined;
  /** The metrics URL when --metrics. */
  readonly metricsUrl: string | undefined;
  readonly metrics: BeaconMetrics | undefined;
  /** Stops the API, the chain and its clock, the metrics server and the database (idempotent). */
  close(): Promise<void>;
}

/** The BeaconConfig of a built-in network (dev: from the dev options). */
export function beaconConfigFor(opts: Pick<BeaconNodeOptions, "network" | "dev">): BeaconConfig {
  if (opts.network === "dev") return devBeaconConfig(opts.dev);
  const chain: ChainConfig = getChainConfig(opts.network);
  const presetName = chain.PRESET_BASE;
  if (!isPresetName(presetName)) {
    throw new BeaconNodeError("NODE_BAD_GENESIS_STATE", `network ${opts.network} has unknown preset ${presetName}`);
  }
  return { chain, preset: getPreset(presetName), types: getSszTypes(presetName) };
}

/** The first fields of a serialized BeaconState: genesis_time (uint64) and genesis_validators_root. */
function genesisFieldsOfStateBytes(bytes: Uint8Array): { genesisTime: number; genesisValidatorsRoot: Uint8Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { genesisTime: Number(view.getBigUint64(0, true)), genesisValidatorsRoot: bytes.slice(8, 40) };
}

interface StartState {
  genesisTime: number;
  genesisState: CachedState | undefined;
  /** The execution block the mock engine starts from (dev). */
  mockGenesis: MockGenesis | undefined;
}

/** Starts a beacon node. Throws BeaconNodeError / BeaconOptionsError / DbError / ExecutionError saying what failed. */
export async function startBeaconNode(opts: StartBeaconNodeOptions): Promise<BeaconNode> {
  const logger = opts.logger ?? silentLogger();
  const now = opts.now ?? Date.now;
  const version = `Sextant/v${opts.version ?? "0.0.0"}/${platform()}-${arch()}`;
  const config = beaconConfigFor(opts);
  const isDev = opts.network === "dev";

  // The genesis state file first: its genesis validators root guards the database against another network's.
  let fileState: CachedState | undefined;
  if (opts.genesisStatePath !== undefined) {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(opts.genesisStatePath);
    } catch (e) {
      throw new BeaconNodeError(
        "NODE_BAD_GENESIS_STATE",
        `cannot read --genesis-state ${opts.genesisStatePath}: ${(e as Error).message}`,
      );
    }
    fileState = genesisStateFromBytes(config, bytes);
  }
  const knownRoot = KNOWN_GENESIS_VALIDATORS_ROOTS[opts.network];
  const genesisValidatorsRoot =
    fileState?.state.genesisValidatorsRoot ?? (knownRoot === undefined ? undefined : fromHex(`0x${knownRoot}`));
  const db = BeaconDb.open(opts.dataDir, { network: opts.network, genesisValidatorsRoot });
  const cleanup: (() => Promise<void> | void)[] = [() => db.close()];
  const unwind = async (): Promise<void> => {
    for (const step of cleanup.reverse()) {
      try {
        await step();
      } catch (e) {
        logger.warn({ err: errorFields(e) }, "cleanup after a failed start: a step failed");
      }
    }
  };
  try {
    const start = startStateOf(db, config, opts, fileState, now);
    const engine = buildEngine(config, opts, start);
    const clock = new SlotClock({ genesisTime: start.genesisTime, config: config.chain, ...(opts.now ? { now } : {}) });
    const metrics = opts.metrics.enabled ? createBeaconMetrics() : undefined;
    const chain = await BeaconChain.create({
      config,
      db,
      clock,
      engine,
      logger: logger.child({ module: "chain" }),
      genesisState: start.genesisState,
      singleNode: isDev,
      ...(opts.suggestedFeeRecipient ? { defaultFeeRecipient: fromHex(opts.suggestedFeeRecipient) } : {}),
      observer: metrics ? chainObserver(metrics) : {},
    });
    cleanup.push(() => chain.close());
    chain.start();

    let metricsServer: MetricsServer | undefined;
    if (metrics) {
      metricsServer = await startMetricsServer({
        port: opts.metrics.port,
        address: opts.metrics.address,
        registry: metrics.registry,
        logger: logger.child({ module: "metrics" }),
      });
      cleanup.push(() => metricsServer?.close());
    }

    let api: ApiServer | undefined;
    let apiUrl: string | undefined;
    if (opts.rest.enabled) {
      api = buildApiServer(chain, config, opts, logger, version, metrics);
      cleanup.push(() => api?.close());
      apiUrl = await api.listen({ port: opts.rest.port, host: opts.rest.address });
      if (!isLoopbackAddress(opts.rest.address)) {
        logger.warn(
          { address: opts.rest.address, port: opts.rest.port },
          "REST API is reachable beyond loopback: put it behind a firewall or proxy; anyone who can connect can use it",
        );
      }
      logger.info({ url: apiUrl, cors: opts.rest.corsOrigins, rateLimit: opts.rest.rateLimit }, "REST API listening");
    }

    const stopStatus = watchSlots(chain, logger.child({ module: "node" }), metrics, opts.statusLine ?? true);
    logger.info(
      {
        network: opts.network,
        dataDir: opts.dataDir,
        genesisTime: start.genesisTime,
        head: chain.head().slot,
        fork: chain.forkAtSlot(clock.currentSlot),
        engine: engine === null ? "none" : engine instanceof MockExecutionEngine ? "mock" : opts.executionUrl,
      },
      "beacon node started",
    );

    let closing: Promise<void> | undefined;
    return {
      chain,
      config,
      apiUrl,
      metricsUrl: metricsServer?.url,
      metrics,
      close(): Promise<void> {
        closing ??= (async () => {
          stopStatus();
          await unwind();
          logger.info("beacon node stopped");
        })();
        return closing;
      },
    };
  } catch (e) {
    await unwind();
    throw e;
  }
}

/** The state the chain starts from when the database is empty, and the genesis time either way. */
function startStateOf(
  db: BeaconDb,
  config: BeaconConfig,
  opts: StartBeaconNodeOptions,
  fileState: CachedState | undefined,
  now: () => number,
): StartState {
  const anchor = db.getAnchor();
  if (anchor !== undefined) {
    const stored = db.states.get(anchor.stateRoot);
    if (stored === undefined) {
      throw new BeaconNodeError("NODE_NO_START_STATE", "the database's anchor state is missing", { dir: db.dir });
    }
    const { genesisTime } = genesisFieldsOfStateBytes(stored.bytes);
    let mockGenesis: MockGenesis | undefined;
    if (opts.network === "dev" && isForkAtLeast(stored.fork, "bellatrix")) {
      // The mock engine starts from the anchor's execution block (hot blocks after it are re-imported).
      const value = (config.types[stored.fork].BeaconState as { deserialize(b: Uint8Array): unknown }).deserialize(
        stored.bytes,
      ) as { latestExecutionPayloadHeader: MockGenesis };
      mockGenesis = value.latestExecutionPayloadHeader;
    }
    // With --genesis-state too: the database already holds this network's chain (its genesis validators root was
    // checked when opening), so the chain resumes from the database.
    return { genesisTime, genesisState: undefined, mockGenesis };
  }
  let genesisState = fileState;
  if (genesisState === undefined && opts.network === "dev") {
    const genesisTime = opts.dev.genesisTime ?? devGenesisTime(now(), opts.dev.genesisDelaySeconds);
    genesisState = devGenesisState(config, opts.dev, genesisTime);
  }
  if (genesisState === undefined) {
    throw new BeaconNodeError(
      "NODE_NO_START_STATE",
      `the database in ${db.dir} holds no chain: give --genesis-state <file> (the network's genesis state, SSZ)`,
      { dir: db.dir, network: opts.network },
    );
  }
  const header = (genesisState.state as { latestExecutionPayloadHeader?: MockGenesis }).latestExecutionPayloadHeader;
  return { genesisTime: genesisState.state.genesisTime, genesisState, mockGenesis: header };
}

/** The execution engine: the mock for dev, the Engine API client with --execution-url, none before bellatrix. */
function buildEngine(
  config: BeaconConfig,
  opts: StartBeaconNodeOptions,
  start: StartState,
): ExecutionEngineClient | null {
  if (opts.network === "dev") {
    if (start.mockGenesis === undefined) return null;
    return new MockExecutionEngine({ types: config.types, genesis: start.mockGenesis });
  }
  if (opts.executionUrl !== undefined && opts.jwtSecretPath !== undefined) {
    return new HttpExecutionEngine({
      url: opts.executionUrl,
      jwtSecret: readJwtSecretFile(opts.jwtSecretPath),
      types: config.types,
    });
  }
  if (Number.isFinite(config.chain.BELLATRIX_FORK_EPOCH)) {
    throw new BeaconNodeError(
      "NODE_NO_EXECUTION_ENGINE",
      `network ${opts.network} reaches bellatrix at epoch ${config.chain.BELLATRIX_FORK_EPOCH}: give --execution-url and --jwt-secret of an execution client`,
      { network: opts.network },
    );
  }
  return null;
}

/** Fork digests for the light-client SSZ encoding (scheduled forks only). */
function forkDigestsOf(config: BeaconConfig, genesisValidatorsRoot: Uint8Array): RouteContext["forkDigests"] {
  const digests = new Map<ForkName, Uint8Array>();
  for (const fork of FORK_NAMES) {
    const epoch = forkEpoch(config.chain, fork);
    if (Number.isFinite(epoch)) digests.set(fork, computeForkDigest(config.chain, genesisValidatorsRoot, epoch));
  }
  return {
    digestOf(fork: ForkName): Uint8Array {
      const digest = digests.get(fork);
      if (digest === undefined) throw new Error(`fork ${fork} is not scheduled on this network: it has no fork digest`);
      return digest;
    },
    forkOf(digest: Uint8Array): ForkName | undefined {
      for (const [fork, d] of digests) if (d.every((b, i) => b === digest[i])) return fork;
      return undefined;
    },
  };
}

/** The REST server: routes, handlers, governor, metrics, CORS, timeouts. */
function buildApiServer(
  chain: BeaconChain,
  config: BeaconConfig,
  opts: StartBeaconNodeOptions,
  logger: Logger,
  version: string,
  metrics: BeaconMetrics | undefined,
): ApiServer {
  const rest = opts.rest;
  const routeContext: RouteContext = {
    types: config.types,
    forkAtSlot: (slot) => chain.forkAtSlot(slot),
    forkDigests: forkDigestsOf(config, chain.genesisValidatorsRoot),
  };
  const apiLogger = logger.child({ module: "api" });
  const ctx: ApiContext = {
    chain,
    routeContext,
    logger: apiLogger,
    version,
    network: opts.network,
    depositContract: { chainId: config.chain.DEPOSIT_CHAIN_ID, address: config.chain.DEPOSIT_CONTRACT_ADDRESS },
    peers: () => ({ connected: 0, connecting: 0, disconnected: 0, disconnecting: 0 }),
  };
  // Without a rate limit every client is on the allowlist: the governor still sheds load.
  const governor = createRequestGovernor({
    ratePerSecond: rest.rateLimit?.ratePerSecond ?? 1,
    burst: rest.rateLimit?.burst ?? 1,
    allowlist: rest.rateLimit === null ? ["0.0.0.0/0", "::/0"] : [...rest.allowlist],
    ...(metrics ? { metrics: metricsForGovernor(metrics) } : {}),
  });
  const server = createApiServer<BeaconRoutes>({
    routes: beaconRoutes(routeContext),
    handlers: createBeaconHandlers(ctx),
    document: loadDocument("beacon-node"),
    bodyLimit: rest.bodyLimit,
    beforeHandler: (info) => governor.beforeHandler(info),
    // Without metrics no per-response hook at all (a hook costs every request).
    ...(metrics
      ? {
          onResponse: (info: ResponseInfo) => {
            observeApiResponse(metrics, {
              operationId: info.operationId,
              status: info.status,
              durationMs: info.durationMs,
              shed: false,
            });
          },
        }
      : {}),
    logger: apiLogger,
    http: {
      maxHeaderSize: MAX_HEADER_BYTES,
      headersTimeout: rest.headersTimeoutMs,
      requestTimeout: rest.requestTimeoutMs,
      keepAliveTimeout: rest.keepAliveTimeoutMs,
      // Check the timeouts every second (Node's default is 30 s, which lets a slow-loris client linger).
      connectionsCheckingInterval: 1000,
    },
  });
  applyHttpLimits(server, rest);
  if (rest.corsOrigins.length > 0) addCors(server, rest.corsOrigins);
  return server;
}

/** Largest request head (request line + headers): 16 KiB, Node's default; above it the answer is 431. */
const MAX_HEADER_BYTES = 16 * 1024;

/** Slow-client guards on the node's HTTP server (fastify creates it before listen). */
function applyHttpLimits(server: ApiServer, rest: RestOptions): void {
  const http = server.fastify.server;
  http.headersTimeout = rest.headersTimeoutMs;
  http.requestTimeout = rest.requestTimeoutMs;
  http.keepAliveTimeout = rest.keepAliveTimeoutMs;
}

const CORS_ALLOW_METHODS = "GET, POST, OPTIONS";
const CORS_ALLOW_HEADERS = "Content-Type, Accept, Authorization, Eth-Consensus-Version, Eth-Consensus-Block-Value";
const CORS_EXPOSE_HEADERS =
  "Eth-Consensus-Version, Eth-Execution-Payload-Blinded, Eth-Execution-Payload-Value, Eth-Consensus-Block-Value, Retry-After";

/** The Access-Control-Allow-Origin value for a request's Origin, or undefined (not allowed / no Origin). */
export function corsAllowOrigin(origins: readonly string[], origin: string | undefined): string | undefined {
  if (origin === undefined) return undefined;
  if (origins.includes("*")) return "*";
  return origins.includes(origin) ? origin : undefined;
}

/** CORS: the headers on every answer to an allowed Origin, and preflight (OPTIONS) answers. */
function addCors(server: ApiServer, origins: readonly string[]): void {
  const setHeaders = (raw: ServerResponse, allow: string): void => {
    raw.setHeader("Access-Control-Allow-Origin", allow);
    raw.setHeader("Access-Control-Expose-Headers", CORS_EXPOSE_HEADERS);
    if (allow !== "*") raw.setHeader("Vary", "Origin");
  };
  server.fastify.addHook("onRequest", async (req, reply) => {
    const allow = corsAllowOrigin(origins, req.headers.origin);
    // On the raw response so hijacked answers (event streams) carry them too.
    if (allow !== undefined) setHeaders(reply.raw, allow);
  });
  server.fastify.options("/*", (req, reply) => {
    const allow = corsAllowOrigin(origins, req.headers.origin);
    if (allow === undefined) {
      void reply
        .code(403)
        .header("content-type", "application/json")
        .send(
          JSON.stringify({ code: 403, message: `origin ${req.headers.origin ?? "(none)"} is not allowed by CORS` }),
        );
      return;
    }
    void reply
      .code(204)
      .header("Access-Control-Allow-Methods", CORS_ALLOW_METHODS)
      .header("Access-Control-Allow-Headers", CORS_ALLOW_HEADERS)
      .header("Access-Control-Max-Age", "600")
      .send();
  });
}

/** Chain events → metrics. */
function chainObserver(metrics: BeaconMetrics): ChainObserver {
  return {
    onEpochTransition: (cause) => metrics.epochTransitions.inc({ cause }),
    onBlockImport: (result, seconds) => {
      metrics.blockImports.inc({ result });
      if (result === "imported") metrics.blockImportSeconds.observe(seconds);
    },
    onBlockProduced: (seconds) => {
      metrics.blockProductionSeconds.observe(seconds);
      metrics.blocksProposed.inc();
    },
    onRegen: (seconds) => metrics.stateRegenSeconds.observe(seconds),
    onHead: (head) => {
      metrics.headSlot.set(head.slot);
      metrics.headStateRoot.set(rootToMetricValue(fromHex(head.stateRoot)));
    },
    onFinalized: (cp) => {
      metrics.finalizedEpoch.set(cp.epoch);
      metrics.headStateFinalizedRoot.set(rootToMetricValue(fromHex(cp.root)));
    },
    onReorg: () => metrics.reorgs.inc(),
  };
}

/**
 * Halfway into every slot (the slot's block has usually arrived): the status line and the gauges read from the head
 * (justified/finalized epochs, participation, cache and queue sizes). Returns the function that stops it.
 */
function watchSlots(
  chain: BeaconChain,
  logger: Logger,
  metrics: BeaconMetrics | undefined,
  statusLine: boolean,
): () => void {
  let stopped = false;
  let cached: { root: string; ratio: number | undefined } | undefined;
  // Read once per head: participation, and the head-state gauges when metrics are on.
  const participationOf = (root: string): number | undefined => {
    if (cached?.root === root) return cached.ratio;
    let ratio: number | undefined;
    try {
      const cs = chain.headState();
      ratio = previousEpochParticipation(cs)?.ratio;
      if (metrics) headStateGauges(metrics, cs);
    } catch (e) {
      logger.debug({ err: errorFields(e) }, "participation: head state unavailable");
    }
    cached = { root, ratio };
    return ratio;
  };
  chain.clock.onSlotOffset(Math.floor(chain.clock.slotMs / 2), (slot) => {
    if (stopped || chain.isClosed) return;
    try {
      const head = chain.head();
      const { justified, finalized } = chain.forkChoice.store;
      const participation = participationOf(head.root);
      if (metrics) {
        metrics.headSlot.set(head.slot);
        metrics.finalizedEpoch.set(finalized.epoch);
        metrics.currentJustifiedEpoch.set(justified.epoch);
        if (participation !== undefined) metrics.headParticipationRatio.set(participation);
        metrics.stateCacheSize.set(chain.states.size.blockStates + chain.states.size.checkpointStates);
        metrics.unknownParentQueueSize.set(chain.pendingSize);
        metrics.peers.set(0);
        metrics.syncState.set(chain.isSyncing() ? SYNC_STATE.syncing : SYNC_STATE.synced);
      }
      if (statusLine) {
        logger.info(
          {
            slot,
            headSlot: head.slot,
            finalizedEpoch: finalized.epoch,
            justifiedEpoch: justified.epoch,
            participation,
          },
          formatStatusLine({
            slot,
            headSlot: head.slot,
            headRoot: head.root,
            finalizedEpoch: finalized.epoch,
            justifiedEpoch: justified.epoch,
            participation,
            peers: 0,
            optimistic: head.executionOptimistic,
          }),
        );
      }
    } catch (e) {
      logger.warn({ err: errorFields(e), slot }, "status: could not read the head");
    }
  });
  return () => {
    stopped = true;
  };
}

/** Gauges read from the head state: active validators, previous justified checkpoint, deposits, electra queues. */
function headStateGauges(metrics: BeaconMetrics, cs: CachedState): void {
  const state = cs.state as unknown as {
    previousJustifiedCheckpoint: { epoch: number; root: Uint8Array };
    eth1DepositIndex: number;
    pendingDeposits?: { length: number };
    pendingPartialWithdrawals?: { length: number };
    pendingConsolidations?: { length: number };
  };
  metrics.currentActiveValidators.set(cs.ctx.currentShuffling.activeIndices.length);
  metrics.previousJustifiedEpoch.set(state.previousJustifiedCheckpoint.epoch);
  metrics.previousJustifiedRoot.set(rootToMetricValue(state.previousJustifiedCheckpoint.root));
  metrics.processedDeposits.set(state.eth1DepositIndex);
  if (state.pendingDeposits) metrics.pendingDeposits.set(state.pendingDeposits.length);
  if (state.pendingPartialWithdrawals) metrics.pendingPartialWithdrawals.set(state.pendingPartialWithdrawals.length);
  if (state.pendingConsolidations) metrics.pendingConsolidations.set(state.pendingConsolidations.length);
}
