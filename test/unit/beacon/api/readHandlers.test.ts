// The read-side REST handlers over real HTTP: state and block id resolution (named, slot, root; unknown → 404,
// malformed → 400, slots needing an epoch transition → 404 without running one), state queries (validators and
// their statuses, balances, identities, committees, sync committees, RANDAO, electra/fulu lists), blocks (headers,
// JSON and SSZ, blinded, attestations, blobs), node, config (the spec a validator client checks), debug, rewards and
// the light-client bootstrap (its Merkle branch verified). A fulu dev chain of 64 validators, minimal preset, with
// blocks at slots 1-4, 6, 7, 9, 10 (5 and 8 skipped).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { beaconRoutes } from "@sextant/api-spec/routes/index";
import { type ApiServer, createApiServer } from "@sextant/api-spec/server/server";
import type { ApiContext } from "@sextant/beacon/api/context";
import { blockHandlers } from "@sextant/beacon/api/handlers/blocks";
import { configHandlers } from "@sextant/beacon/api/handlers/config";
import { debugHandlers } from "@sextant/beacon/api/handlers/debug";
import { lightClientHandlers } from "@sextant/beacon/api/handlers/lightClient";
import { nodeHandlers } from "@sextant/beacon/api/handlers/node";
import { rewardHandlers } from "@sextant/beacon/api/handlers/rewards";
import { stateHandlers } from "@sextant/beacon/api/handlers/state";
import { silentLogger } from "@sextant/common";
import { CURRENT_SYNC_COMMITTEE_GINDEX_ELECTRA } from "@sextant/consensus/params/constants";
import { fromHex, toHex } from "@sextant/consensus/util/hex";
import { checkSpecCompatible } from "@sextant/validator/beaconNodes/spec";
import { attestAt, proposeAt, startTestChain, type TestChain } from "../../../support/devChain.ts";

const SLOTS = [1, 2, 3, 4, 6, 7, 9, 10];
const DEPOSIT_ADDRESS = "0x1234567890123456789012345678901234567890";

let t: TestChain;
let server: ApiServer;
let base: string;
const roots = new Map<number, string>();

interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies are checked field by field
  body: any;
  headers: Headers;
  bytes: Uint8Array;
}

async function call(path: string, init: { method?: string; body?: unknown; ssz?: boolean } = {}): Promise<Answer> {
  const res = await fetch(base + path, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: {
      accept: init.ssz ? "application/octet-stream" : "application/json",
      ...(init.body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const text = Buffer.from(bytes).toString("utf8");
  let body: unknown;
  if (!init.ssz || res.status !== 200) {
    try {
      body = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
  }
  return { status: res.status, body, headers: res.headers, bytes };
}

async function ok(path: string, init?: Parameters<typeof call>[1]): Promise<Answer> {
  const a = await call(path, init);
  assert.equal(a.status, 200, `${path}: ${JSON.stringify(a.body)}`);
  return a;
}

async function status(path: string, expected: number, init?: Parameters<typeof call>[1]): Promise<Answer> {
  const a = await call(path, init);
  assert.equal(a.status, expected, `${path}: ${JSON.stringify(a.body)}`);
  if (expected >= 400) assert.equal(typeof a.body?.message, "string");
  return a;
}

before(async () => {
  t = await startTestChain({ validators: 64, fork: "fulu" });
  for (const slot of SLOTS) {
    const signed = await proposeAt(t, slot);
    roots.set(slot, toHex(t.chain.blockRootOf(signed)));
  }
  const routeContext = { types: t.config.types };
  const ctx: ApiContext = {
    chain: t.chain,
    routeContext,
    logger: silentLogger(),
    version: "Sextant/v0.1.0-test",
    network: "dev",
    depositContract: { chainId: 1337, address: fromHex(DEPOSIT_ADDRESS) },
  };
  server = createApiServer({
    routes: beaconRoutes(routeContext),
    handlers: {
      ...stateHandlers(ctx),
      ...blockHandlers(ctx),
      ...nodeHandlers(ctx),
      ...configHandlers(ctx),
      ...debugHandlers(ctx),
      ...rewardHandlers(ctx),
      ...lightClientHandlers(ctx),
    },
  });
  base = await server.listen();
});

after(async () => {
  await server?.close();
  await t?.close();
});

describe("state ids", () => {
  it("head, genesis, finalized, justified, a slot and a state root resolve", async () => {
    const head = t.chain.head();
    assert.equal(head.slot, 10);
    const a = await ok("/eth/v1/beacon/states/head/root");
    assert.equal(a.body.data.root, head.stateRoot);
    assert.equal(a.body.execution_optimistic, false);
    assert.equal(a.body.finalized, false);
    const genesisRoot = toHex(t.chain.anchor.state.state.hashTreeRoot());
    assert.equal((await ok("/eth/v1/beacon/states/genesis/root")).body.data.root, genesisRoot);
    const fin = await ok("/eth/v1/beacon/states/finalized/root");
    assert.equal(fin.body.data.root, genesisRoot);
    assert.equal(fin.body.finalized, true);
    assert.equal((await ok("/eth/v1/beacon/states/justified/root")).body.data.root, genesisRoot);
    assert.equal((await ok("/eth/v1/beacon/states/10/root")).body.data.root, head.stateRoot);
    const node3 = t.chain.forkChoice.getBlock(roots.get(3) as string);
    assert.ok(node3);
    assert.equal((await ok("/eth/v1/beacon/states/3/root")).body.data.root, node3.stateRoot);
    assert.equal((await ok(`/eth/v1/beacon/states/${node3.stateRoot}/root`)).body.data.root, node3.stateRoot);
  });

  it("a skipped slot within its block's epoch is the block state advanced to it", async () => {
    const a = await ok("/eth/v2/debug/beacon/states/5");
    assert.equal(a.body.data.slot, "5");
    assert.equal(a.body.version, "fulu");
    assert.equal(a.headers.get("eth-consensus-version"), "fulu");
    assert.equal(a.body.data.latest_block_header.slot, "4");
    const root = (await ok("/eth/v1/beacon/states/5/root")).body.data.root;
    assert.notEqual(root, t.chain.forkChoice.getBlock(roots.get(4) as string)?.stateRoot);
  });

  it("unknown → 404, malformed → 400, future → 404", async () => {
    await status(`/eth/v1/beacon/states/0x${"ab".repeat(32)}/root`, 404);
    await status("/eth/v1/beacon/states/abc/root", 400);
    await status("/eth/v1/beacon/states/0x1234/root", 400);
    await status("/eth/v1/beacon/states/1000/root", 404);
  });

  it("a slot that needs an epoch transition is refused without running one", async () => {
    t.setTime(17);
    try {
      const before = { ...t.chain.counters.epochTransitions };
      const a = await status("/eth/v1/beacon/states/16/root", 404);
      assert.match(a.body.message, /epoch transition/);
      assert.deepEqual(t.chain.counters.epochTransitions, before);
    } finally {
      t.setTime(10, 100);
    }
  });
});

describe("state queries", () => {
  it("genesis, fork, finality checkpoints", async () => {
    const g = await ok("/eth/v1/beacon/genesis");
    assert.equal(g.body.data.genesis_time, String(t.chain.genesisTime));
    assert.equal(g.body.data.genesis_validators_root, toHex(t.chain.genesisValidatorsRoot));
    assert.equal(g.body.data.genesis_fork_version, toHex(t.config.chain.GENESIS_FORK_VERSION));
    const f = await ok("/eth/v1/beacon/states/head/fork");
    assert.equal(f.body.data.current_version, toHex(t.config.chain.FULU_FORK_VERSION));
    assert.equal(f.body.data.epoch, "0");
    const c = await ok("/eth/v1/beacon/states/head/finality_checkpoints");
    assert.deepEqual(Object.keys(c.body.data).sort(), ["current_justified", "finalized", "previous_justified"]);
    assert.equal(c.body.data.finalized.epoch, "0");
  });

  it("validators: all, by index and pubkey, status filters, POST, single, 404", async () => {
    const all = await ok("/eth/v1/beacon/states/head/validators");
    assert.equal(all.body.data.length, 64);
    assert.equal(all.body.data[0].status, "active_ongoing");
    assert.equal(all.body.data[0].balance, String(t.chain.headState().state.balances.get(0)));
    assert.equal(all.body.data[0].validator.effective_balance, "32000000000");
    const pubkey1 = all.body.data[1].validator.pubkey;
    const some = await ok(`/eth/v1/beacon/states/head/validators?id=0&id=${pubkey1}&id=9999`);
    assert.deepEqual(
      some.body.data.map((v: { index: string }) => v.index),
      ["0", "1"],
    );
    assert.equal((await ok("/eth/v1/beacon/states/head/validators?status=active")).body.data.length, 64);
    assert.equal((await ok("/eth/v1/beacon/states/head/validators?status=pending")).body.data.length, 0);
    assert.equal((await ok("/eth/v1/beacon/states/head/validators?status=active_ongoing")).body.data.length, 64);
    const posted = await ok("/eth/v1/beacon/states/head/validators", {
      body: { ids: ["3", pubkey1], statuses: ["active"] },
    });
    assert.deepEqual(
      posted.body.data.map((v: { index: string }) => v.index),
      ["3", "1"],
    );
    const one = await ok(`/eth/v1/beacon/states/head/validators/${pubkey1}`);
    assert.equal(one.body.data.index, "1");
    await status("/eth/v1/beacon/states/head/validators/64", 404);
    await status("/eth/v1/beacon/states/head/validators/xyz", 400);
    await status("/eth/v1/beacon/states/head/validators?status=sleeping", 400);
  });

  it("balances and identities", async () => {
    const b = await ok("/eth/v1/beacon/states/head/validator_balances?id=2&id=5");
    assert.deepEqual(
      b.body.data.map((x: { index: string }) => x.index),
      ["2", "5"],
    );
    assert.equal((await ok("/eth/v1/beacon/states/head/validator_balances")).body.data.length, 64);
    const p = await ok("/eth/v1/beacon/states/head/validator_balances", { body: ["7"] });
    assert.equal(p.body.data[0].index, "7");
    const ids = await ok("/eth/v1/beacon/states/head/validator_identities", { body: ["0", "63"] });
    assert.deepEqual(
      ids.body.data.map((x: { index: string; activation_epoch: string }) => [x.index, x.activation_epoch]),
      [
        ["0", "0"],
        ["63", "0"],
      ],
    );
    const ssz = await ok("/eth/v1/beacon/states/head/validator_identities", { body: ["0"], ssz: true });
    assert.equal(ssz.bytes.length, 8 + 48 + 8);
  });

  it("committees: epochs the state holds, slot and index filters, 400 outside", async () => {
    const spe = t.config.preset.SLOTS_PER_EPOCH;
    const all = await ok("/eth/v1/beacon/states/head/committees");
    assert.ok(all.body.data.length >= spe);
    const members = all.body.data.flatMap((c: { validators: string[] }) => c.validators).sort();
    assert.equal(members.length, 64);
    assert.equal(new Set(members).size, 64);
    const cs = t.chain.headState();
    const slot9 = await ok("/eth/v1/beacon/states/head/committees?slot=9&index=0");
    assert.equal(slot9.body.data.length, 1);
    assert.deepEqual(slot9.body.data[0].validators, Array.from(cs.ctx.getBeaconCommittee(9, 0), String));
    assert.equal((await ok("/eth/v1/beacon/states/head/committees?epoch=0")).body.data[0].slot, "0");
    assert.equal((await ok("/eth/v1/beacon/states/head/committees?epoch=2")).body.data[0].slot, "16");
    await status("/eth/v1/beacon/states/head/committees?epoch=3", 400);
    await status("/eth/v1/beacon/states/head/committees?epoch=1&slot=3", 400);
    await status("/eth/v1/beacon/states/head/committees?index=99", 400);
  });

  it("sync committees, RANDAO", async () => {
    const { SYNC_COMMITTEE_SIZE, EPOCHS_PER_SYNC_COMMITTEE_PERIOD } = t.config.preset;
    const s = await ok("/eth/v1/beacon/states/head/sync_committees");
    assert.equal(s.body.data.validators.length, SYNC_COMMITTEE_SIZE);
    assert.equal(s.body.data.validator_aggregates.length, 4);
    assert.deepEqual(s.body.data.validator_aggregates.flat(), s.body.data.validators);
    await ok(`/eth/v1/beacon/states/head/sync_committees?epoch=${EPOCHS_PER_SYNC_COMMITTEE_PERIOD}`);
    await status(`/eth/v1/beacon/states/head/sync_committees?epoch=${2 * EPOCHS_PER_SYNC_COMMITTEE_PERIOD}`, 400);
    const r = await ok("/eth/v1/beacon/states/head/randao");
    assert.equal(r.body.data.randao, toHex(t.chain.headState().state.randaoMixes.get(1)));
    await ok("/eth/v1/beacon/states/head/randao?epoch=0");
    await status("/eth/v1/beacon/states/head/randao?epoch=2", 400);
  });

  it("pending lists and the proposer lookahead (fulu)", async () => {
    for (const what of ["pending_consolidations", "pending_deposits", "pending_partial_withdrawals"]) {
      const a = await ok(`/eth/v1/beacon/states/head/${what}`);
      assert.deepEqual(a.body.data, []);
      assert.equal(a.body.version, "fulu");
    }
    const l = await ok("/eth/v1/beacon/states/head/proposer_lookahead");
    const { SLOTS_PER_EPOCH, MIN_SEED_LOOKAHEAD } = t.config.preset;
    assert.equal(l.body.data.length, (MIN_SEED_LOOKAHEAD + 1) * SLOTS_PER_EPOCH);
    assert.equal(l.body.data[10 % SLOTS_PER_EPOCH], String(t.chain.headState().ctx.getBeaconProposer(10)));
  });
});

describe("blocks", () => {
  it("headers: head, by slot, by parent, by id; skipped slot 404", async () => {
    const h = await ok("/eth/v1/beacon/headers");
    assert.equal(h.body.data.length, 1);
    assert.equal(h.body.data[0].root, roots.get(10));
    assert.equal(h.body.data[0].canonical, true);
    const s = await ok("/eth/v1/beacon/headers?slot=3");
    assert.equal(s.body.data[0].root, roots.get(3));
    assert.equal(s.body.data[0].header.message.slot, "3");
    const p = await ok(`/eth/v1/beacon/headers?parent_root=${roots.get(4)}`);
    assert.equal(p.body.data[0].root, roots.get(6));
    assert.equal((await ok("/eth/v1/beacon/headers?slot=5")).body.data.length, 0);
    const one = await ok(`/eth/v1/beacon/headers/${roots.get(7)}`);
    assert.equal(one.body.data.header.message.parent_root, roots.get(6));
    assert.equal(one.body.finalized, false);
    const g = await ok("/eth/v1/beacon/headers/genesis");
    assert.equal(g.body.data.root, t.chain.anchor.root);
    assert.equal(g.body.finalized, true);
    await status("/eth/v1/beacon/headers/5", 404);
    await status(`/eth/v1/beacon/headers/0x${"11".repeat(32)}`, 404);
    await status("/eth/v1/beacon/headers/-1", 400);
  });

  it("block v2 in JSON and SSZ, root, attestations, blinded", async () => {
    const j = await ok("/eth/v2/beacon/blocks/head");
    assert.equal(j.body.version, "fulu");
    assert.equal(j.body.data.message.slot, "10");
    const s = await ok("/eth/v2/beacon/blocks/9", { ssz: true });
    assert.equal(s.headers.get("eth-consensus-version"), "fulu");
    const decoded = t.config.types.fulu.SignedBeaconBlock.deserialize(s.bytes);
    assert.equal(toHex(t.config.types.fulu.BeaconBlock.hashTreeRoot(decoded.message)), roots.get(9));
    const r = await ok("/eth/v1/beacon/blocks/finalized/root");
    assert.equal(r.body.data.root, t.chain.anchor.root);
    const at = await ok("/eth/v2/beacon/blocks/head/attestations");
    assert.ok(Array.isArray(at.body.data));
    const blinded = await ok("/eth/v1/beacon/blinded_blocks/head");
    const payload = j.body.data.message.body.execution_payload;
    const header = blinded.body.data.message.body.execution_payload_header;
    assert.equal(header.block_hash, payload.block_hash);
    assert.equal(
      header.transactions_root,
      toHex(t.config.types.bellatrix.Transactions.hashTreeRoot(payload.transactions.map(fromHex))),
    );
    assert.equal(blinded.body.data.message.state_root, j.body.data.message.state_root);
    await status("/eth/v2/beacon/blocks/8", 404);
    await status("/eth/v2/beacon/blocks/head_", 400);
  });

  it("blobs: an empty list for a known block, 404 for an unknown one; blob sidecars refused in fulu", async () => {
    assert.deepEqual((await ok("/eth/v1/beacon/blobs/head")).body.data, []);
    await status(`/eth/v1/beacon/blobs/0x${"22".repeat(32)}`, 404);
    await status("/eth/v1/beacon/blob_sidecars/head", 400);
    assert.deepEqual((await ok("/eth/v1/debug/beacon/data_column_sidecars/head")).body.data, []);
  });
});

describe("node, config, debug", () => {
  it("node endpoints", async () => {
    const id = await ok("/eth/v1/node/identity");
    assert.match(id.body.data.peer_id, /^[1-9A-HJ-NP-Za-km-z]+$/);
    assert.equal((await ok("/eth/v1/node/identity")).body.data.peer_id, id.body.data.peer_id);
    assert.deepEqual(id.body.data.p2p_addresses, []);
    const peers = await ok("/eth/v1/node/peers");
    assert.deepEqual(peers.body, { data: [], meta: { count: 0 } });
    await status("/eth/v1/node/peers/somebody", 404);
    assert.equal((await ok("/eth/v1/node/peer_count")).body.data.connected, "0");
    assert.equal((await ok("/eth/v1/node/version")).body.data.version, "Sextant/v0.1.0-test");
    const sync = await ok("/eth/v1/node/syncing");
    assert.deepEqual(sync.body.data, {
      head_slot: "10",
      sync_distance: "0",
      is_syncing: false,
      is_optimistic: false,
      el_offline: false,
    });
    assert.equal((await call("/eth/v1/node/health")).status, 200);
  });

  it("config: fork schedule, deposit contract, a spec the validator client accepts", async () => {
    const fs = await ok("/eth/v1/config/fork_schedule");
    assert.equal(fs.body.data.at(-1).current_version, toHex(t.config.chain.FULU_FORK_VERSION));
    const dc = await ok("/eth/v1/config/deposit_contract");
    assert.equal(dc.body.data.chain_id, "1337");
    assert.equal(dc.body.data.address.toLowerCase(), DEPOSIT_ADDRESS);
    const spec = (await ok("/eth/v1/config/spec")).body.data;
    assert.equal(spec.SLOTS_PER_EPOCH, "8");
    assert.equal(spec.PRESET_BASE, "minimal");
    assert.equal(spec.FAR_FUTURE_EPOCH, "18446744073709551615");
    assert.equal(spec.DOMAIN_BEACON_PROPOSER, "0x00000000");
    assert.equal(spec.GENESIS_FORK_VERSION, toHex(t.config.chain.GENESIS_FORK_VERSION));
    assert.equal(spec.TARGET_AGGREGATORS_PER_COMMITTEE, "16");
    for (const key of Object.keys(t.config.chain)) assert.ok(key in spec, `config key ${key}`);
    for (const key of Object.keys(t.config.preset)) assert.ok(key in spec, `preset key ${key}`);
    for (const value of Object.values(spec)) assert.ok(typeof value === "string" || Array.isArray(value));
    assert.equal(checkSpecCompatible({ config: t.config.chain, preset: t.config.preset }, spec), undefined);
  });

  it("debug: state in JSON and SSZ, heads, fork choice", async () => {
    const ssz = await ok("/eth/v2/debug/beacon/states/head", { ssz: true });
    const state = t.config.types.fulu.BeaconState.deserialize(ssz.bytes);
    assert.equal(toHex(t.config.types.fulu.BeaconState.hashTreeRoot(state)), t.chain.head().stateRoot);
    const heads = await ok("/eth/v2/debug/beacon/heads");
    assert.deepEqual(heads.body.data, [{ root: roots.get(10), slot: "10", execution_optimistic: false }]);
    const fc = await ok("/eth/v1/debug/fork_choice");
    assert.equal(fc.body.fork_choice_nodes.length, SLOTS.length + 1);
    assert.equal(fc.body.finalized_checkpoint.epoch, "0");
    assert.ok(fc.body.fork_choice_nodes.every((n: { validity: string }) => n.validity === "valid"));
  });
});

describe("rewards and light client", () => {
  it("sync committee rewards: every member, penalties for missing participation", async () => {
    const a = await ok("/eth/v1/beacon/rewards/sync_committee/head", { body: [] });
    const committee = Array.from(t.chain.headState().ctx.currentSyncCommittee?.indices ?? []);
    assert.equal(a.body.data.length, new Set(committee).size);
    const block = (await ok("/eth/v2/beacon/blocks/head")).body.data;
    const bits = Buffer.from(block.message.body.sync_aggregate.sync_committee_bits.slice(2), "hex");
    const participants = committee.filter((_, p) => (bits[p >> 3] >> (p & 7)) & 1).length;
    const sum = a.body.data.reduce((n: number, r: { reward: string }) => n + Number(r.reward), 0);
    const unit =
      Math.abs(Number(a.body.data[0].reward)) /
      committee.filter((i) => String(i) === a.body.data[0].validator_index).length;
    assert.equal(sum, unit * (2 * participants - committee.length));
    const one = await ok("/eth/v1/beacon/rewards/sync_committee/head", { body: [String(committee[0])] });
    assert.equal(one.body.data.length, 1);
    const br = await ok("/eth/v1/beacon/rewards/blocks/head");
    assert.equal(br.body.data.proposer_index, block.message.proposer_index);
    assert.equal(br.body.data.attestations, "0");
    // Epoch 0's rewards are known once epoch 1 has ended: the clock is at slot 10.
    await status("/eth/v1/beacon/rewards/attestations/0", 404, { body: [] });
    await status(`/eth/v1/beacon/rewards/sync_committee/0x${"33".repeat(32)}`, 404, { body: [] });
  });

  it("bootstrap: header, current sync committee and a branch that verifies against the state root", async () => {
    const a = await ok(`/eth/v1/beacon/light_client/bootstrap/${roots.get(10)}`);
    assert.equal(a.body.version, "fulu");
    const boot = t.config.types.fulu.LightClientBootstrap.fromJson(a.body.data);
    assert.equal(toHex(t.config.types.phase0.BeaconBlockHeader.hashTreeRoot(boot.header.beacon)), roots.get(10));
    let node = t.config.types.altair.SyncCommittee.hashTreeRoot(boot.currentSyncCommittee);
    let index = CURRENT_SYNC_COMMITTEE_GINDEX_ELECTRA;
    for (const sibling of boot.currentSyncCommitteeBranch) {
      const pair = index % 2 === 1 ? [sibling, node] : [node, sibling];
      node = createHash("sha256").update(pair[0]).update(pair[1]).digest();
      index = Math.floor(index / 2);
    }
    assert.equal(toHex(node), toHex(boot.header.beacon.stateRoot));
    // The execution branch proves the payload header in the body.
    let exec = t.config.types.deneb.ExecutionPayloadHeader.hashTreeRoot(boot.header.execution);
    let gindex = 25;
    for (const sibling of boot.header.executionBranch) {
      const pair = gindex % 2 === 1 ? [sibling, exec] : [exec, sibling];
      exec = createHash("sha256").update(pair[0]).update(pair[1]).digest();
      gindex = Math.floor(gindex / 2);
    }
    assert.equal(toHex(exec), toHex(boot.header.beacon.bodyRoot));
    await status(`/eth/v1/beacon/light_client/bootstrap/0x${"44".repeat(32)}`, 404);
    await status("/eth/v1/beacon/light_client/finality_update", 404);
    await status("/eth/v1/beacon/light_client/optimistic_update", 404);
    assert.deepEqual((await ok("/eth/v1/beacon/light_client/updates?start_period=0&count=1")).body, []);
  });

  it("no request ran an epoch transition", () => {
    assert.equal(t.chain.counters.epochTransitions.request, 0);
  });
});

describe("a finalized capella chain", () => {
  let f: TestChain;
  let fServer: ApiServer;
  let fBase: string;
  const fRoots = new Map<number, string>();
  const SPE = 8;

  const get = async (path: string, expected = 200, init: Parameters<typeof call>[1] = {}) => {
    const saved = base;
    base = fBase;
    try {
      return await status(path, expected, init);
    } finally {
      base = saved;
    }
  };

  before(async () => {
    f = await startTestChain({ validators: 64, fork: "capella" });
    for (let slot = 1; slot <= 4 * SPE + 1; slot++) {
      if (slot === 3) continue;
      const signed = await proposeAt(f, slot);
      fRoots.set(slot, toHex(f.chain.blockRootOf(signed)));
      f.setTime(slot, 2100);
      attestAt(f, slot);
      f.chain.onSlot(slot + 1);
    }
    const routeContext = { types: f.config.types };
    const ctx: ApiContext = {
      chain: f.chain,
      routeContext,
      logger: silentLogger(),
      version: "Sextant/test",
      network: "dev",
      depositContract: { chainId: 1, address: new Uint8Array(20) },
    };
    fServer = createApiServer({
      routes: beaconRoutes(routeContext),
      handlers: {
        ...stateHandlers(ctx),
        ...blockHandlers(ctx),
        ...debugHandlers(ctx),
        ...lightClientHandlers(ctx),
        ...rewardHandlers(ctx),
      },
    });
    fBase = await fServer.listen();
  });

  after(async () => {
    await fServer?.close();
    await f?.close();
  });

  it("finalized ids resolve to the anchor; finalized blocks come from the finalized buckets", async () => {
    const store = f.chain.forkChoice.store;
    assert.ok(store.finalized.epoch >= 2, `finalized epoch ${store.finalized.epoch}`);
    const fin = await get("/eth/v1/beacon/states/finalized/finality_checkpoints");
    assert.equal(fin.body.finalized, true);
    assert.equal(fin.body.data.finalized.epoch, String(f.chain.anchor.state.state.finalizedCheckpoint.epoch));
    const root = await get("/eth/v1/beacon/states/finalized/root");
    assert.equal(root.body.data.root, toHex(f.chain.anchor.state.state.hashTreeRoot()));
    const b = await get("/eth/v1/beacon/headers/2");
    assert.equal(b.body.data.root, fRoots.get(2));
    assert.equal(b.body.finalized, true);
    assert.equal(b.body.data.canonical, true);
    assert.equal((await get("/eth/v2/beacon/blocks/1")).body.data.message.slot, "1");
    assert.equal((await get("/eth/v1/beacon/headers?slot=4")).body.data[0].root, fRoots.get(4));
    await get("/eth/v1/beacon/headers/3", 404);
    const genesis = await get("/eth/v1/beacon/headers/genesis");
    assert.equal(genesis.body.data.header.message.slot, "0");
    assert.equal(genesis.body.finalized, true);
    assert.equal((await get("/eth/v1/beacon/blocks/finalized/root")).body.data.root, store.finalized.root);
  });

  it("finalized states older than the anchor are refused with the reason; the anchor slot is served", async () => {
    const a = await get("/eth/v1/beacon/states/2/root", 404);
    assert.match(a.body.message, /older than the anchor/);
    const anchorSlot = f.chain.anchor.state.state.slot;
    const s = await get(`/eth/v1/beacon/states/${anchorSlot}/root`);
    assert.equal(s.body.data.root, toHex(f.chain.anchor.state.state.hashTreeRoot()));
    assert.equal(s.body.finalized, true);
    // The genesis state is pruned once the anchor moved past it (no historical state regeneration).
    const g = await get("/eth/v1/beacon/states/genesis/root", 404);
    assert.match(g.body.message, /slot 0 is not available/);
  });

  it("pre-electra lists and pre-fulu lookahead are 400; blinded blocks and the capella bootstrap work", async () => {
    await get("/eth/v1/beacon/states/head/pending_deposits", 400);
    await get("/eth/v1/beacon/states/head/proposer_lookahead", 400);
    await get("/eth/v1/beacon/blob_sidecars/head", 400);
    const blinded = await get("/eth/v1/beacon/blinded_blocks/head");
    assert.equal(blinded.body.version, "capella");
    assert.equal(typeof blinded.body.data.message.body.execution_payload_header.withdrawals_root, "string");
    const head = f.chain.head().root;
    const boot = await get(`/eth/v1/beacon/light_client/bootstrap/${head}`);
    assert.equal(boot.body.version, "capella");
    assert.equal(boot.body.data.current_sync_committee_branch.length, 5);
    assert.equal(f.chain.counters.epochTransitions.request, 0);
  });

  it("block rewards add up to the proposer's balance change (less its own sync committee reward)", async () => {
    for (const slot of [31, 33]) {
      const r = (await get(`/eth/v1/beacon/rewards/blocks/${slot}`)).body.data;
      assert.ok(Number(r.attestations) > 0, `slot ${slot} attestation rewards ${r.attestations}`);
      assert.ok(Number(r.sync_aggregate) >= 0);
      assert.equal(r.proposer_slashings, "0");
      assert.equal(
        Number(r.total),
        Number(r.attestations) + Number(r.sync_aggregate) + Number(r.proposer_slashings) + Number(r.attester_slashings),
      );
      const proposer = Number(r.proposer_index);
      const post = f.chain.getBlockState(fRoots.get(slot) as string);
      const parent = fRoots.get(slot - 1) as string;
      const pre =
        slot % SPE === 0 || slot % SPE === 1
          ? f.chain.peekCheckpointState(Math.floor(slot / SPE), parent)
          : f.chain.getBlockState(parent);
      assert.ok(pre);
      const own = await get(`/eth/v1/beacon/rewards/sync_committee/${slot}`, 200, { body: [String(proposer)] });
      const ownSync = own.body.data.length === 0 ? 0 : Number(own.body.data[0].reward);
      assert.equal(post.state.balances.get(proposer) - pre.state.balances.get(proposer) - ownSync, Number(r.total));
    }
    await get("/eth/v1/beacon/rewards/blocks/genesis", 404);
    assert.equal(f.chain.counters.epochTransitions.request, 0);
  });

  it("attestation rewards of an epoch are the balance changes of the transition after the next epoch", async () => {
    const root31 = fRoots.get(31) as string;
    const pre = f.chain.getBlockState(root31);
    const post = f.chain.peekCheckpointState(4, root31);
    assert.ok(post, "the chain pre-advanced block 31 to epoch 4");
    const a = await get("/eth/v1/beacon/rewards/attestations/2", 200, { body: [] });
    assert.equal(a.body.data.total_rewards.length, 64);
    let rewarded = 0;
    for (const r of a.body.data.total_rewards) {
      const i = Number(r.validator_index);
      const sum = Number(r.head) + Number(r.target) + Number(r.source) + Number(r.inactivity);
      assert.equal(post.state.balances.get(i) - pre.state.balances.get(i), sum, `validator ${i}`);
      if (sum > 0) rewarded++;
    }
    assert.ok(rewarded > 0);
    assert.equal(a.body.data.ideal_rewards.length, 1);
    assert.equal(a.body.data.ideal_rewards[0].effective_balance, "32000000000");
    const some = await get("/eth/v1/beacon/rewards/attestations/2", 200, { body: ["5"] });
    assert.equal(some.body.data.total_rewards.length, 1);
    await get("/eth/v1/beacon/rewards/attestations/9", 404, { body: [] });
    assert.equal(f.chain.counters.epochTransitions.request, 0);
  });
});
