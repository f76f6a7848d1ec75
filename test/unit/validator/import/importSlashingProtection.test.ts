// --slashing-protection with the real EIP-3076 module: the interchange lands in the data directory's database
// with the keys; an interchange for another chain (mainnet's fixed genesis_validators_root), a malformed one, or
// one that conflicts with the database's chain is refused with exit 2 and leaves the data directory unchanged.
import assert from "node:assert/strict";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { KNOWN_GENESIS_VALIDATORS_ROOTS } from "../../../../validator/src/keystores/import/slashingProtection.ts";
import { SlashingProtection } from "../../../../validator/src/slashing-protection/database.ts";
import type { LaunchpadFolder } from "../../../fixtures/keystores/launchpad.ts";
import { snapshotTree } from "../../../fixtures/keystores/snapshot.ts";
import { Rng } from "../../../support/random.ts";
import { launchpad, runImportCli, tempDir } from "./harness.ts";

let root: string;
let devFolder: LaunchpadFolder;
let mainnetFolder: LaunchpadFolder;
let pwFile: string;
const rng = new Rng(81);
const rootHex = () => `0x${Buffer.from(rng.bytes(32)).toString("hex")}`;

/** An interchange v5 document: one block and two attestations for each pubkey. */
function interchange(genesisValidatorsRoot: string, pubkeys: string[]): string {
  return JSON.stringify({
    metadata: { interchange_format_version: "5", genesis_validators_root: genesisValidatorsRoot },
    data: pubkeys.map((pubkey) => ({
      pubkey,
      signed_blocks: [{ slot: "81952", signing_root: rootHex() }],
      signed_attestations: [
        { source_epoch: "2290", target_epoch: "3007", signing_root: rootHex() },
        { source_epoch: "3007", target_epoch: "3008" },
      ],
    })),
  });
}

before(async () => {
  root = await tempDir("import-sp");
  devFolder = await launchpad(root, "dev_keys", { seed: 91, count: 2, network: "dev", password: "pw" });
  mainnetFolder = await launchpad(root, "mainnet_keys", { seed: 92, count: 2, network: "mainnet", password: "pw" });
  pwFile = join(root, "pw");
  await writeFile(pwFile, "pw");
});
after(() => rm(root, { recursive: true, force: true }));

describe("import --slashing-protection (EIP-3076 module)", () => {
  test("the interchange is in the database after the import, for the imported keys", async () => {
    const dataDir = join(root, "dd-dev");
    const gvr = rootHex();
    const file = join(root, "dev-interchange.json");
    await writeFile(
      file,
      interchange(
        gvr,
        devFolder.keys.map((k) => k.pubkey),
      ),
    );
    const r = await runImportCli([
      "--directory",
      devFolder.dir,
      "--password-file",
      pwFile,
      "--network",
      "dev",
      "--data-dir",
      dataDir,
      "--slashing-protection",
      file,
    ]);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, /Imported 2 keys/);
    assert.match(r.stdout, /Imported slashing protection for 2 validator\(s\): 2 blocks, 4 attestations/);
    const sp = SlashingProtection.open(dataDir);
    try {
      assert.equal(`0x${Buffer.from(sp.genesisValidatorsRoot).toString("hex")}`, gvr);
      const exported = sp.exportInterchange() as unknown as { data: { pubkey: string }[] };
      assert.deepEqual(exported.data.map((d) => d.pubkey).sort(), devFolder.keys.map((k) => k.pubkey).sort());
    } finally {
      sp.close();
    }

    // A second interchange for another chain than the one the database is bound to: refused under the lock.
    const other = await launchpad(root, "dev_keys_2", { seed: 93, count: 1, network: "dev", password: "pw" });
    const wrongChain = join(root, "dev-other-chain.json");
    await writeFile(
      wrongChain,
      interchange(
        rootHex(),
        other.keys.map((k) => k.pubkey),
      ),
    );
    const before = snapshotTree(dataDir);
    const r2 = await runImportCli([
      "--directory",
      other.dir,
      "--password-file",
      pwFile,
      "--network",
      "dev",
      "--data-dir",
      dataDir,
      "--slashing-protection",
      wrongChain,
    ]);
    assert.equal(r2.exitCode, 2, r2.stderr);
    assert.match(r2.stderr, /dev-other-chain\.json/);
    assert.match(r2.stderr, /genesis_validators_root/);
    assert.deepEqual(snapshotTree(dataDir), before);
  });

  test("mainnet: an interchange of another chain, or a malformed one, is refused before anything is written", async () => {
    const wrong = join(root, "holesky-interchange.json");
    await writeFile(
      wrong,
      interchange(
        rootHex(),
        mainnetFolder.keys.map((k) => k.pubkey),
      ),
    );
    const malformed = join(root, "malformed-interchange.json");
    await writeFile(
      malformed,
      interchange(
        `0x${KNOWN_GENESIS_VALIDATORS_ROOTS.mainnet}`,
        mainnetFolder.keys.map((k) => k.pubkey),
      ).slice(0, 120),
    );
    const cases: [string, RegExp][] = [
      [wrong, /holesky-interchange\.json is slashing protection for another chain .*not mainnet/],
      [malformed, /malformed-interchange\.json is not a valid EIP-3076 slashing-protection interchange/],
    ];
    for (const [file, message] of cases) {
      const dataDir = join(root, "dd-mainnet");
      const r = await runImportCli([
        "--directory",
        mainnetFolder.dir,
        "--password-file",
        pwFile,
        "--data-dir",
        dataDir,
        "--slashing-protection",
        file,
      ]);
      assert.equal(r.exitCode, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(snapshotTree(dataDir), null);
    }
  });
});
