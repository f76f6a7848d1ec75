// Brings up the reference chain of one scenario: an interop genesis (64 validators), the mock execution layer for
// merged forks, and one or two Lodestar 1.5.1 beacon nodes with no validators on free loopback ports; the second
// node dials the first (its ENR from GET /eth/v1/node/identity) and the harness waits until they are peers.
import { join } from "node:path";
import { ChainTime } from "./chain.ts";
import {
  type BeaconNode,
  type Fork,
  isMerged,
  makeGenesis,
  nodeIdentity,
  startBeaconNode,
  startMockEl,
  waitForPeering,
  waitForRest,
} from "./lodestar.ts";
import { freePorts } from "./procs.ts";
import { getJson } from "./rest.ts";

/** What every scenario gets. */
export interface ScenarioContext {
  runDir: string;
  vc: "sextant" | "lodestar";
  /** Seconds from making the genesis state to genesis (node start-up + validator client start-up fit in it). */
  genesisDelay: number;
  /** Health-check interval of the validator client under test (ms), for the syncing and fallback bounds. */
  healthIntervalMs: number;
  print: (line: string) => void;
}

/** A running reference chain. */
export interface Chain {
  fork: Fork;
  genesisTime: number;
  time: ChainTime;
  nodes: BeaconNode[];
  genesisFile: string;
  elUrl?: string;
  /** Seconds the second node took to connect to the first. */
  peeringSeconds?: number;
}

/** Starts the genesis, the mock EL (merged forks) and `nodeCount` beacon nodes; returns once they serve REST. */
export async function startChain(ctx: ScenarioContext, fork: Fork, nodeCount: 1 | 2): Promise<Chain> {
  const [elPort, ...ports] = await freePorts(1 + 2 * nodeCount);
  const genesisTime = Math.floor(Date.now() / 1000) + ctx.genesisDelay;
  ctx.print(`genesis: ${fork}, 64 validators, genesis time ${genesisTime} (in ${ctx.genesisDelay} s)`);
  const genesisFile = await makeGenesis(ctx.runDir, fork, genesisTime);
  let elUrl: string | undefined;
  if (isMerged(fork)) {
    startMockEl(ctx.runDir, elPort, fork, genesisTime);
    elUrl = `http://127.0.0.1:${elPort}`;
  }
  const nodes: BeaconNode[] = [];
  const node1 = startBeaconNode({
    name: "node1",
    runDir: ctx.runDir,
    fork,
    genesisFile,
    restPort: ports[0],
    p2pPort: ports[1],
    elUrl,
  });
  nodes.push(node1);
  await waitForRest(node1);
  ctx.print(`node1: REST ${node1.url}, libp2p 127.0.0.1:${node1.p2pPort}, pid ${node1.proc.pid}`);
  let peeringSeconds: number | undefined;
  if (nodeCount === 2) {
    const { enr } = await nodeIdentity(node1);
    const node2 = startBeaconNode({
      name: "node2",
      runDir: ctx.runDir,
      fork,
      genesisFile,
      restPort: ports[2],
      p2pPort: ports[3],
      elUrl,
      bootnodes: [enr],
    });
    nodes.push(node2);
    await waitForRest(node2);
    ctx.print(`node2: REST ${node2.url}, libp2p 127.0.0.1:${node2.p2pPort}, pid ${node2.proc.pid}, dialing node1`);
    peeringSeconds = (await waitForPeering(node2, node1)) / 1000;
    ctx.print(`node2 is a peer of node1 after ${peeringSeconds.toFixed(1)} s`);
  }
  const genesis = (await getJson(`${node1.url}/eth/v1/beacon/genesis`)) as { data: { genesis_time: string } };
  if (Number(genesis.data.genesis_time) !== genesisTime) {
    throw new Error(`node1 reports genesis time ${genesis.data.genesis_time}, the genesis file has ${genesisTime}`);
  }
  const left = genesisTime - Date.now() / 1000;
  ctx.print(`chain up; ${left.toFixed(1)} s to genesis`);
  return { fork, genesisTime, time: new ChainTime(genesisTime), nodes, genesisFile, elUrl, peeringSeconds };
}

/** The run directory's file for `name`. */
export function runFile(ctx: ScenarioContext, name: string): string {
  return join(ctx.runDir, name);
}
