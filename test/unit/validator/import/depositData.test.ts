// deposit_data checks: a real file (roots and signatures computed with consensus's SSZ + BLS) verifies for its
// network; another network's file is refused naming both networks; edited fields, forged fork versions and bad
// signatures are caught; the file must list exactly the folder's keystores.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { publicKeyFromBytes, verify } from "@sextant/consensus/bls/index";
import { getChainConfig } from "@sextant/consensus/params/index";
import {
  checkDepositsMatchKeystores,
  type DepositDataEntry,
  readDepositDataFile,
  verifyDepositData,
} from "../../../../validator/src/keystores/import/depositData.ts";
import { depositDataEntry, fixtureKeys, hex } from "../../../fixtures/keystores/launchpad.ts";
import { loadOracle, oracleSkip } from "../../../support/oracle.ts";
import { Rng } from "../../../support/random.ts";

const mainnet = getChainConfig("mainnet");
const sepolia = getChainConfig("sepolia");
const keys = fixtureKeys(41, 3);
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "sextant-deposit-"));
});
after(() => rm(dir, { recursive: true, force: true }));

async function fileWith(name: string, entries: unknown): Promise<DepositDataEntry[]> {
  const p = join(dir, name);
  await writeFile(p, JSON.stringify(entries));
  return readDepositDataFile(p);
}

const code = (c: string, re?: RegExp) => (e: Error & { code?: string }) =>
  e.code === c && (re === undefined || re.test(e.message));

describe("deposit data", () => {
  test("a file made for the network verifies (mainnet and sepolia)", async () => {
    for (const config of [mainnet, sepolia]) {
      const rng = new Rng(1);
      const entries = await fileWith(
        `ok-${config.CONFIG_NAME}.json`,
        keys.map((k) => depositDataEntry(k, config, rng)),
      );
      assert.equal(entries.length, 3);
      verifyDepositData(entries, config);
    }
  });

  test("the fixtures' roots and signing roots agree with Lodestar's (the oracle), and the signatures verify", {
    skip: oracleSkip(),
  }, async () => {
    const o = await loadOracle("mainnet");
    const { DepositMessage, DepositData } = o.types.ssz.phase0;
    const rng = new Rng(7);
    for (const config of [mainnet, sepolia]) {
      for (const k of keys) {
        const e = depositDataEntry(k, config, rng) as Record<string, string> & { amount: number };
        const msg = {
          pubkey: Buffer.from(e.pubkey, "hex"),
          withdrawalCredentials: Buffer.from(e.withdrawal_credentials, "hex"),
          amount: e.amount,
        };
        const signature = Buffer.from(e.signature, "hex");
        assert.equal(hex(DepositMessage.hashTreeRoot(msg)), e.deposit_message_root);
        assert.equal(hex(DepositData.hashTreeRoot({ ...msg, signature })), e.deposit_data_root);
        const domain = o.stateTransition.computeDomain(
          o.params.DOMAIN_DEPOSIT,
          config.GENESIS_FORK_VERSION,
          new Uint8Array(32),
        );
        const signingRoot = o.stateTransition.computeSigningRoot(DepositMessage, msg, domain);
        assert.ok(verify(publicKeyFromBytes(msg.pubkey), signingRoot, signature));
      }
    }
  });

  test("another network's file is refused, naming where it was made and what was chosen", async () => {
    const rng = new Rng(2);
    const entries = await fileWith(
      "sepolia.json",
      keys.map((k) => depositDataEntry(k, sepolia, rng)),
    );
    assert.throws(
      () => verifyDepositData(entries, mainnet),
      code(
        "WRONG_NETWORK",
        /made for network "sepolia" \(fork version 0x90000069\), not for mainnet \(fork version 0x00000000\)/,
      ),
    );
  });

  test("edited amount (roots no longer match), forged fork version, bad signature are refused", async () => {
    const rng = new Rng(3);
    const good = depositDataEntry(keys[0], mainnet, rng);
    const edited = await fileWith("edited.json", [{ ...good, amount: 1_000_000_000 }]);
    assert.throws(() => verifyDepositData(edited, mainnet), code("INVALID_DEPOSIT_DATA", /deposit_message_root/));
    // Signed for sepolia, then relabelled as mainnet (roots removed, so only the signature can tell).
    const forged = depositDataEntry(keys[1], sepolia, rng);
    const relabelled = await fileWith("forged.json", [
      {
        ...forged,
        fork_version: "00000000",
        network_name: "mainnet",
        deposit_message_root: undefined,
        deposit_data_root: undefined,
      },
    ]);
    assert.throws(() => verifyDepositData(relabelled, mainnet), code("INVALID_DEPOSIT_DATA", /signature/));
    // Someone else's signature: both roots recomputed by the attacker would still fail the signature check.
    const other = depositDataEntry(keys[2], mainnet, rng);
    const swapped = await fileWith("swapped.json", [
      { ...good, signature: other.signature, deposit_data_root: undefined },
    ]);
    assert.throws(() => verifyDepositData(swapped, mainnet), code("INVALID_DEPOSIT_DATA", /signature/));
  });

  test("malformed files name the file and what is wrong", async () => {
    const p = join(dir, "truncated.json");
    await writeFile(p, JSON.stringify(keys.map((k) => depositDataEntry(k, mainnet, new Rng(4)))).slice(0, 200));
    await assert.rejects(readDepositDataFile(p), code("INVALID_JSON", /truncated\.json.*truncated/));
    await assert.rejects(fileWith("object.json", { pubkey: "x" }), code("INVALID_DEPOSIT_DATA", /JSON list/));
    const good = depositDataEntry(keys[0], mainnet, new Rng(5));
    for (const field of ["pubkey", "withdrawal_credentials", "signature", "fork_version", "amount"])
      await assert.rejects(
        fileWith(`no-${field}.json`, [{ ...good, [field]: undefined }]),
        code("INVALID_DEPOSIT_DATA", new RegExp(field)),
      );
    await assert.rejects(readDepositDataFile(join(dir, "absent.json")), code("FILE_UNREADABLE", /absent\.json/));
  });

  test("the file must list exactly the folder's keystores", async () => {
    const entries = await fileWith(
      "three.json",
      keys.map((k) => depositDataEntry(k, mainnet, new Rng(6))),
    );
    const all = new Map(keys.map((k, i) => [k.pubkey, `ks${i}.json`]));
    checkDepositsMatchKeystores(entries, all);
    const [extra] = fixtureKeys(42, 1);
    assert.throws(
      () => checkDepositsMatchKeystores(entries, new Map([...all, [extra.pubkey, "extra.json"]])),
      code("DEPOSIT_DATA_MISMATCH", /extra\.json.*not in the deposit data/),
    );
    assert.throws(
      () => checkDepositsMatchKeystores(entries, new Map([...all].slice(1))),
      code("DEPOSIT_DATA_MISMATCH", new RegExp(`deposit for ${keys[0].pubkey}.*no keystore`)),
    );
  });
});
