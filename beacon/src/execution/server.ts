// A loopback HTTP server exposing any ExecutionEngineClient (normally the mock engine) as a real Engine API
// endpoint: JSON-RPC 2.0 over POST, every request JWT-checked (HS256, iat within ±60 s) as an execution client
// does. Used to test the HTTP client end to end, and usable by external tools in dev mode.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ForkName } from "@sextant/consensus/params/forkName";
import type { SszTypes } from "@sextant/consensus/types/sszTypes";
import { ENGINE_ERROR, ExecutionError } from "./errors.ts";
import {
  attributesFromJson,
  executionRequestsFromList,
  forkchoiceStateFromJson,
  getPayloadResultToJson,
  parseData,
  payloadFromJson,
  payloadStatusToJson,
} from "./json.ts";
import { verifyJwt } from "./jwt.ts";
import type { ExecutionEngineClient } from "./types.ts";

/** Options of EngineApiServer. */
export interface EngineApiServerOptions {
  readonly engine: ExecutionEngineClient;
  readonly jwtSecret: Uint8Array;
  readonly types: SszTypes;
  /** Address to bind (127.0.0.1 by default). */
  readonly host?: string;
  /** Port (0 = any free port, the default). */
  readonly port?: number;
  /** Largest request body accepted (32 MiB by default). */
  readonly maxBodyBytes?: number;
}

const GET_PAYLOAD_FORKS: Record<number, ForkName> = {
  1: "bellatrix",
  2: "capella",
  3: "deneb",
  4: "electra",
  5: "fulu",
};

class RpcFailure extends Error {
  readonly rpcCode: number;
  constructor(rpcCode: number, message: string) {
    super(message);
    this.rpcCode = rpcCode;
  }
}

/** The Engine API over HTTP in front of an in-process engine. */
export class EngineApiServer {
  private readonly server: Server;
  private readonly opts: EngineApiServerOptions;

  private constructor(opts: EngineApiServerOptions) {
    this.opts = opts;
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end(`internal error: ${(err as Error).message}`);
      });
    });
  }

  /** Starts listening; resolves once bound. */
  static async start(opts: EngineApiServerOptions): Promise<EngineApiServer> {
    const s = new EngineApiServer(opts);
    await new Promise<void>((resolve, reject) => {
      s.server.once("error", reject);
      s.server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => {
        s.server.off("error", reject);
        resolve();
      });
    });
    return s;
  }

  /** The endpoint URL (http://host:port). */
  get url(): string {
    const addr = this.server.address() as AddressInfo;
    const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
    return `http://${host}:${addr.port}`;
  }

  /** Stops listening and drops open connections. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "POST") {
      res.writeHead(405, { "content-type": "text/plain", allow: "POST" }).end("only POST is served");
      return;
    }
    const auth = req.headers.authorization;
    const token = auth?.startsWith("Bearer ") ? auth.slice(7) : undefined;
    const rejection = token === undefined ? "missing token" : verifyJwt(token, this.opts.jwtSecret);
    if (rejection !== null) {
      req.resume();
      res.writeHead(401, { "content-type": "text/plain" }).end(`JWT refused: ${rejection}`);
      return;
    }
    const limit = this.opts.maxBodyBytes ?? 32 * 1024 * 1024;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > limit) {
        res.writeHead(413, { "content-type": "text/plain", connection: "close" }).end("request body too large");
        req.destroy();
        return;
      }
      chunks.push(chunk as Buffer);
    }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      this.reply(res, null, undefined, { code: ENGINE_ERROR.PARSE_ERROR, message: "Parse error" });
      return;
    }
    const r = body as { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };
    const id = r !== null && typeof r === "object" && !Array.isArray(r) ? (r.id ?? null) : null;
    if (id === null || r.jsonrpc !== "2.0" || typeof r.method !== "string" || !Array.isArray(r.params)) {
      this.reply(res, id, undefined, { code: ENGINE_ERROR.INVALID_REQUEST, message: "Invalid Request" });
      return;
    }
    try {
      const result = await this.dispatch(r.method, r.params);
      this.reply(res, id, result);
    } catch (err) {
      this.reply(res, id, undefined, toRpcError(err));
    }
  }

  private reply(res: ServerResponse, id: unknown, result: unknown, error?: { code: number; message: string }): void {
    const payload = error === undefined ? { jsonrpc: "2.0", id, result } : { jsonrpc: "2.0", id, error };
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(payload));
  }

  private async dispatch(method: string, params: unknown[]): Promise<unknown> {
    const engine = this.opts.engine;
    const types = this.opts.types;
    const m = /^engine_(newPayload|forkchoiceUpdated|getPayload)V(\d)$/.exec(method);
    if (method === "engine_exchangeCapabilities") {
      arity(params, 1);
      if (!Array.isArray(params[0]) || !params[0].every((x) => typeof x === "string")) {
        throw new RpcFailure(ENGINE_ERROR.INVALID_PARAMS, "Invalid params: expected a list of method names");
      }
      return engine.exchangeCapabilities(params[0] as string[]);
    }
    if (m === null) throw new RpcFailure(ENGINE_ERROR.METHOD_NOT_FOUND, `Method not found: ${method}`);
    const version = Number(m[2]);
    switch (m[1]) {
      case "newPayload": {
        if (version < 1 || version > 4) break;
        arity(params, version === 1 || version === 2 ? 1 : version === 3 ? 3 : 4);
        const payloadVersion = Math.min(version, 3);
        const executionPayload = payloadFromJson(params[0], payloadVersion);
        const fork: ForkName =
          version === 1
            ? "bellatrix"
            : version === 2
              ? executionPayload.withdrawals === undefined
                ? "bellatrix"
                : "capella"
              : version === 3
                ? "deneb"
                : "electra";
        const status = await engine.notifyNewPayload({
          fork,
          executionPayload,
          ...(version >= 3
            ? {
                versionedHashes: list(params[1], "expectedBlobVersionedHashes").map((h, i) =>
                  parseData(h, `expectedBlobVersionedHashes[${i}]`, 32),
                ),
                parentBeaconBlockRoot: parseData(params[2], "parentBeaconBlockRoot", 32),
              }
            : {}),
          ...(version >= 4
            ? {
                executionRequests: executionRequestsFromList(
                  types,
                  list(params[3], "executionRequests").map((d, i) => parseData(d, `executionRequests[${i}]`)),
                ),
              }
            : {}),
        });
        return payloadStatusToJson(status);
      }
      case "forkchoiceUpdated": {
        if (version < 1 || version > 3) break;
        if (params.length < 1 || params.length > 2) arity(params, 2);
        const state = forkchoiceStateFromJson(params[0]);
        const attrsJson = params[1];
        const attributes =
          attrsJson === undefined || attrsJson === null ? undefined : attributesFromJson(attrsJson, version);
        const fork: ForkName =
          version === 1
            ? "bellatrix"
            : version === 2
              ? attributes !== undefined && attributes.withdrawals === undefined
                ? "bellatrix"
                : "capella"
              : "deneb";
        const r = await engine.forkchoiceUpdated(fork, state, attributes);
        return { payloadStatus: payloadStatusToJson(r.payloadStatus), payloadId: r.payloadId };
      }
      case "getPayload": {
        const fork = GET_PAYLOAD_FORKS[version];
        if (fork === undefined) break;
        arity(params, 1);
        const id = parseData(params[0], "payloadId", 8);
        const r = await engine.getPayload(fork, `0x${Buffer.from(id).toString("hex")}`);
        return getPayloadResultToJson(types, r, version);
      }
    }
    throw new RpcFailure(ENGINE_ERROR.METHOD_NOT_FOUND, `Method not found: ${method}`);
  }
}

function arity(params: unknown[], n: number): void {
  if (params.length !== n) {
    throw new RpcFailure(ENGINE_ERROR.INVALID_PARAMS, `Invalid params: expected ${n} parameters, got ${params.length}`);
  }
}

function list(json: unknown, field: string): unknown[] {
  if (!Array.isArray(json)) throw new RpcFailure(ENGINE_ERROR.INVALID_PARAMS, `Invalid params: ${field} is not a list`);
  return json;
}

function toRpcError(err: unknown): { code: number; message: string } {
  if (err instanceof RpcFailure) return { code: err.rpcCode, message: err.message };
  if (err instanceof ExecutionError) {
    if (err.code === "EXECUTION_RPC_ERROR" && typeof err.context.rpcCode === "number") {
      return { code: err.context.rpcCode, message: err.message };
    }
    if (err.code === "EXECUTION_BAD_RESPONSE" || err.code === "EXECUTION_INVALID_REQUEST") {
      return { code: ENGINE_ERROR.INVALID_PARAMS, message: `Invalid params: ${err.message}` };
    }
  }
  return { code: ENGINE_ERROR.INTERNAL_ERROR, message: `Internal error: ${(err as Error)?.message ?? String(err)}` };
}
