// signVoluntaryExit end to end: the keymanager server with an exit signer over a real fastify beacon API server on
// loopback (getStateValidator only). The returned SignedVoluntaryExit must verify against a signing root computed
// independently here (sha256 of the SSZ chunks, EIP-7044's capella-version domain on a deneb-or-later chain), the
// response must validate against our document and upstream's, and the error paths (unknown to the beacon node,
// remote key, no beacon node) answer their statuses.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import { ApiError, type ApiServer, beaconRoutes, createApiClient, createApiServer } from "@sextant/api-spec";
import { publicKeyFromBytes, verify } from "@sextant/consensus/bls/index";
import { mainnetChainConfig } from "@sextant/consensus/params/config/mainnet";
import { getDomain } from "@sextant/consensus/signing/domain";
import { DOMAIN_VOLUNTARY_EXIT } from "@sextant/consensus/signing/domainTypes";
import { getSszTypes } from "@sextant/consensus/types/index";
import { createExitSigner, createKeymanagerServer, KeyRegistry } from "../../../../validator/src/keymanager/index.ts";
import { SlashingProtection } from "../../../../validator/src/slashing-protection/index.ts";
import { fixtureKeys } from "../../../fixtures/keystores/launchpad.ts";
import { validatorsFor } from "../../api-spec/support/suites.ts";
import { GVR, tempDataDir } from "./helpers.ts";

const types = getSszTypes("mainnet");
const BEACON = beaconRoutes({ types });
/** Mainnet's SLOTS_PER_EPOCH. */
const SLOTS_PER_EPOCH = 32;
/** A genesis time and a clock in electra (epoch 400000 > ELECTRA_FORK_EPOCH 364032 > DENEB_FORK_EPOCH). */
const GENESIS_TIME = 1_606_824_023;
const NOW_EPOCH = 400_000;
const NOW_MS = (GENESIS_TIME + NOW_EPOCH * SLOTS_PER_EPOCH * mainnetChainConfig.SECONDS_PER_SLOT + 7) * 1000;
const EXIT_PATH = "/eth/v1/validator/{pubkey}/voluntary_exit";

const sha256 = (...parts: Uint8Array[]) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
const chunk = (bytes: Uint8Array) => {
  const c = new Uint8Array(32);
  c.set(bytes);
  return c;
};
const le64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return chunk(b);
};
const fromHex = (h: string) => new Uint8Array(Buffer.from(h.replace(/^0x/, ""), "hex"));

/** Independent EIP-7044 exit domain: 0x04000000 ‖ hash_tree_root(ForkData(capella version, gvr))[:28]. */
function expectedDomain(): Uint8Array {
  const forkDataRoot = sha256(chunk(fromHex("0x03000000")), fromHex(GVR));
  return new Uint8Array([...fromHex("0x04000000"), ...forkDataRoot.subarray(0, 28)]);
}
/** Independent signing root of VoluntaryExit{epoch, validator_index} under `domain`. */
function expectedSigningRoot(epoch: number, index: number, domain: Uint8Array): Uint8Array {
  return sha256(sha256(le64(epoch), le64(index)), domain);
}

describe("keymanager signVoluntaryExit with a beacon node", () => {
  const keys = fixtureKeys(9090, 2);
  const INDEX = 123_456;
  let bn: ApiServer;
  let bnUrl: string;
  let url: string;
  let token: string;
  let stop: () => Promise<void>;
  const bnCalls: string[] = [];

  before(async () => {
    bn = createApiServer({
      routes: BEACON,
      handlers: {
        getStateValidator: ({ stateId, validatorId }) => {
          bnCalls.push(`${String(stateId)} ${Buffer.from(validatorId as Uint8Array).toString("hex")}`);
          if (Buffer.from(validatorId as Uint8Array).toString("hex") !== keys[0].pubkey.slice(2))
            throw new ApiError(404, "validator not found");
          const validator = types.phase0.Validator.defaultValue();
          validator.pubkey = fromHex(keys[0].pubkey);
          return {
            data: { index: INDEX, balance: 32_000_000_000, status: "active_ongoing" as const, validator },
            meta: { executionOptimistic: false, finalized: false },
          };
        },
      },
    });
    bnUrl = await bn.listen({ host: "127.0.0.1", port: 0 });
    const { layout, cleanup } = await tempDataDir();
    const sp = SlashingProtection.open(layout.root, { genesisValidatorsRoot: GVR });
    const registry = new KeyRegistry();
    for (const k of keys) registry.addLocal({ pubkey: k.pubkey, secretKey: k.secretKey });
    registry.addRemote({ pubkey: `0x${"a1".repeat(48)}`, url: "https://signer.example" });
    const beaconNode = createApiClient(BEACON, { baseUrl: bnUrl });
    const exitSigner = createExitSigner({
      beaconNode,
      config: mainnetChainConfig,
      slotsPerEpoch: SLOTS_PER_EPOCH,
      genesisValidatorsRoot: sp.genesisValidatorsRoot,
      genesisTime: GENESIS_TIME,
      now: () => NOW_MS,
    });
    const km = await createKeymanagerServer({
      layout,
      slashingProtection: sp,
      genesisValidatorsRoot: sp.genesisValidatorsRoot,
      port: 0,
      registry,
      exitSigner,
    });
    url = await km.listen();
    token = (await readFile(km.tokenPath, "utf8")).trim();
    stop = async () => {
      await km.close();
      await beaconNode.close();
      await bn.close();
      sp.close();
      await cleanup();
    };
  });
  after(() => stop?.());

  const exit = (pubkey: string, query = "") =>
    fetch(`${url}/eth/v1/validator/${pubkey}/voluntary_exit${query}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, accept: "application/json" },
    });

  const checkSigned = async (res: Response, epoch: number) => {
    assert.equal(res.status, 200);
    const json = (await res.json()) as {
      data: { message: { epoch: string; validator_index: string }; signature: string };
    };
    const { ours, upstream } = validatorsFor("keymanager")();
    assert.equal(ours.validate(EXIT_PATH, "POST", 200, json), undefined);
    if (upstream) assert.equal(upstream.validate(EXIT_PATH, "POST", 200, json), undefined);
    assert.deepEqual(json.data.message, { epoch: String(epoch), validator_index: String(INDEX) });
    const root = expectedSigningRoot(epoch, INDEX, expectedDomain());
    const pk = publicKeyFromBytes(fromHex(keys[0].pubkey));
    assert.ok(verify(pk, root, fromHex(json.data.signature)), "signature verifies under the EIP-7044 domain");
    const wrongDomain = new Uint8Array(expectedDomain());
    wrongDomain[31] ^= 1;
    assert.ok(!verify(pk, expectedSigningRoot(epoch, INDEX, wrongDomain), fromHex(json.data.signature)));
  };

  test("epoch given: signed with the capella version (EIP-7044) and the beacon node's index", async () => {
    await checkSigned(await exit(keys[0].pubkey, "?epoch=300000"), 300_000);
    assert.equal(bnCalls.at(-1), `head ${keys[0].pubkey.slice(2)}`);
  });

  test("epoch omitted: the current epoch of genesis time + clock", async () => {
    await checkSigned(await exit(keys[0].pubkey), NOW_EPOCH);
  });

  test("a key the beacon node does not know: 404", async () => {
    const res = await exit(keys[1].pubkey);
    assert.equal(res.status, 404, await res.text());
  });

  test("consensus getDomain agrees with the independent domain from deneb on, and differs before", () => {
    const gvr = fromHex(GVR);
    for (const epoch of [mainnetChainConfig.DENEB_FORK_EPOCH, NOW_EPOCH])
      assert.deepEqual(getDomain(mainnetChainConfig, DOMAIN_VOLUNTARY_EXIT, 0, gvr, epoch), expectedDomain());
    const bellatrix = mainnetChainConfig.BELLATRIX_FORK_EPOCH;
    assert.notDeepEqual(
      getDomain(mainnetChainConfig, DOMAIN_VOLUNTARY_EXIT, bellatrix, gvr, bellatrix),
      expectedDomain(),
    );
  });

  test("a remote key: 400", async () => {
    const res = await exit(`0x${"a1".repeat(48)}`);
    assert.equal(res.status, 400);
    await res.arrayBuffer();
  });
});
