// Keymanager API end to end over loopback: import → list → delete with the slashing-protection interchange,
// duplicates and bad input (per-key errors, 400s, nothing written), the token file (0600, reused), remote keys,
// and per-key fee recipient / gas limit / graffiti persisted across a restart.
import assert from "node:assert/strict";
import { readdir, readFile, stat } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import type { DataDirLayout } from "../../../../validator/src/dataDir/layout.ts";
import { keymanagerPaths } from "../../../../validator/src/keymanager/index.ts";
import { interchangeFor, keystoresOf, type Running, start, tempDataDir } from "./helpers.ts";

const bytes = (hex: string) => new Uint8Array(Buffer.from(hex.slice(2), "hex"));
const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString("hex")}`;
const status = (e: unknown) => (e as { status?: number }).status;

describe("keymanager API", () => {
  let layout: DataDirLayout;
  let cleanup: () => Promise<void>;
  let run: Running;
  let token: string;
  let keys: Awaited<ReturnType<typeof keystoresOf>>;
  const api = () => run.client(token);

  before(async () => {
    ({ layout, cleanup } = await tempDataDir());
    keys = await keystoresOf(4242, 4);
    run = await start(layout);
    token = (await readFile(run.km.tokenPath, "utf8")).trim();
  });
  after(async () => {
    await run.stop();
    await cleanup();
  });

  test("token file: 64 hex digits, mode 0600, in the data directory", async () => {
    assert.equal(run.km.tokenPath, layout.keymanagerTokenFile);
    assert.match(token, /^[0-9a-f]{64}$/);
    assert.equal((await stat(run.km.tokenPath)).mode & 0o777, 0o600);
  });

  test("import → list → delete returns the interchange with the key's history", async () => {
    const [a, b] = keys;
    const res = await api().importKeystores({
      body: {
        keystores: [a.text, b.text],
        passwords: [a.password, b.password],
        slashingProtection: interchangeFor(a.key.pubkey),
      },
    });
    assert.deepEqual(res.data, [{ status: "imported" }, { status: "imported" }]);
    const listed = (await api().listKeys()).data.map((k) => [hex(k.validatingPubkey), k.derivationPath]);
    const expected = [a, b].map((k) => [k.key.pubkey, `m/12381/3600/${k.key.index}/0/0`]).sort();
    assert.deepEqual(listed, expected);
    assert.deepEqual(
      run.km.registry.localKeys().map((k) => k.pubkey),
      [a.key.pubkey, b.key.pubkey].sort(),
    );
    assert.equal((await stat(`${layout.secretsDir}/${a.key.pubkey}`)).mode & 0o777, 0o600);

    const again = await api().importKeystores({ body: { keystores: [a.text], passwords: [a.password] } });
    assert.deepEqual(again.data, [{ status: "duplicate" }]);

    const unknown = `0x${"c3".repeat(48)}`;
    const del = await api().deleteKeys({ body: { pubkeys: [bytes(a.key.pubkey), bytes(unknown)] } });
    assert.deepEqual(del.data.data, [{ status: "deleted" }, { status: "not_found" }]);
    const ic = JSON.parse(del.data.slashingProtection);
    assert.equal(ic.metadata.interchange_format_version, "5");
    assert.equal(ic.metadata.genesis_validators_root, `0x${"ab".repeat(32)}`);
    assert.deepEqual(ic.data, [
      {
        pubkey: a.key.pubkey,
        signed_blocks: [{ slot: "81952", signing_root: `0x${"11".repeat(32)}` }],
        signed_attestations: [{ source_epoch: "2290", target_epoch: "3007", signing_root: `0x${"22".repeat(32)}` }],
      },
    ]);
    assert.deepEqual(
      (await api().listKeys()).data.map((k) => hex(k.validatingPubkey)),
      [b.key.pubkey],
    );
    assert.deepEqual(await readdir(layout.keystoresDir), [b.key.pubkey]);
    // Deleted but with history: not_active, and its history is exported again.
    const second = await api().deleteKeys({ body: { pubkeys: [bytes(a.key.pubkey)] } });
    assert.deepEqual(second.data.data, [{ status: "not_active" }]);
    assert.equal(JSON.parse(second.data.slashingProtection).data[0].signed_blocks.length, 1);
  });

  test("bad keystores get per-key errors; good ones in the same request are imported; nothing else written", async () => {
    const c = keys[2];
    const res = await api().importKeystores({
      body: {
        keystores: ["{ truncated", JSON.stringify({ hello: 1 }), c.text, keys[3].text],
        passwords: ["x", "x", c.password, "wrong password"],
      },
    });
    assert.deepEqual(
      res.data.map((s) => s.status),
      ["error", "error", "imported", "error"],
    );
    for (const s of [res.data[0], res.data[1], res.data[3]]) assert.ok((s.message ?? "").length > 0);
    const dirs = (await readdir(layout.keystoresDir)).sort();
    assert.deepEqual(dirs, [keys[1].key.pubkey, c.key.pubkey].sort());
    assert.deepEqual(
      (await readdir(layout.root)).filter((n) => n.startsWith(".staging-")),
      [],
    );
  });

  test("400 and nothing written: password count mismatch, invalid or foreign interchange", async () => {
    const d = keys[3];
    const before = (await readdir(layout.keystoresDir)).sort();
    await assert.rejects(
      api().importKeystores({ body: { keystores: [d.text], passwords: [] } }),
      (e) => status(e) === 400,
    );
    await assert.rejects(
      api().importKeystores({
        body: { keystores: [d.text], passwords: [d.password], slashingProtection: "{not json" },
      }),
      (e) => status(e) === 400,
    );
    const foreign = interchangeFor(d.key.pubkey).replace(/"0x(ab)+"/, `"0x${"cd".repeat(32)}"`);
    await assert.rejects(
      api().importKeystores({ body: { keystores: [d.text], passwords: [d.password], slashingProtection: foreign } }),
      (e) => status(e) === 400,
    );
    assert.deepEqual((await readdir(layout.keystoresDir)).sort(), before);
    assert.equal(run.km.registry.getLocal(d.key.pubkey), undefined);
  });

  test("remote keys: import, duplicate, list, delete, persisted", async () => {
    const r1 = `0x${"d4".repeat(48)}`;
    const r2 = `0x${"e5".repeat(48)}`;
    const res = await api().importRemoteKeys({
      body: {
        remoteKeys: [
          { pubkey: bytes(r1), url: "http://signer:9000" },
          { pubkey: bytes(r2) },
          { pubkey: bytes(keys[1].key.pubkey) },
        ],
      },
    });
    assert.deepEqual(res.data, [{ status: "imported" }, { status: "imported" }, { status: "duplicate" }]);
    const listed = (await api().listRemoteKeys()).data.map((k) => [hex(k.pubkey), k.url ?? null]);
    assert.deepEqual(listed, [
      [r1, "http://signer:9000"],
      [r2, null],
    ]);
    const del = await api().deleteRemoteKeys({ body: { pubkeys: [bytes(r2), bytes(r2)] } });
    assert.deepEqual(del.data, [{ status: "deleted" }, { status: "not_found" }]);
    const file = keymanagerPaths(layout).remoteKeys;
    assert.deepEqual(JSON.parse(await readFile(file, "utf8")), [{ pubkey: r1, url: "http://signer:9000" }]);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
  });

  test("fee recipient, gas limit, graffiti: defaults, set, 404 for unknown keys, 400 for bad values", async () => {
    const pk = bytes(keys[1].key.pubkey);
    assert.deepEqual(hex((await api().listFeeRecipient({ pubkey: pk })).data.ethaddress), `0x${"00".repeat(20)}`);
    assert.equal((await api().getGasLimit({ pubkey: pk })).data.gasLimit, 36_000_000);
    assert.equal((await api().getGraffiti({ pubkey: pk })).data.graffiti, "");
    assert.equal(
      (await api().setFeeRecipient({ pubkey: pk, body: { ethaddress: bytes(`0x${"5a".repeat(20)}`) } })).status,
      202,
    );
    assert.equal((await api().setGasLimit({ pubkey: pk, body: { gasLimit: 30_000_000 } })).status, 202);
    assert.equal((await api().setGraffiti({ pubkey: pk, body: { graffiti: "sextant ⛵" } })).status, 202);
    const unknown = bytes(`0x${"99".repeat(48)}`);
    await assert.rejects(api().getGraffiti({ pubkey: unknown }), (e) => status(e) === 404);
    await assert.rejects(
      api().setGraffiti({ pubkey: pk, body: { graffiti: "x".repeat(33) } }),
      (e) => status(e) === 400,
    );
    await assert.rejects(api().setGasLimit({ pubkey: pk }), (e) => status(e) === 400);
    await assert.rejects(api().signVoluntaryExit({ pubkey: pk }), (e) => status(e) === 501);
    assert.equal((await stat(keymanagerPaths(layout).proposerConfig)).mode & 0o777, 0o600);
  });

  test("restart: same token, keys, remote keys and settings are back; deletes persist", async () => {
    await run.stop();
    run = await start(layout);
    assert.equal((await readFile(run.km.tokenPath, "utf8")).trim(), token);
    const pk = bytes(keys[1].key.pubkey);
    assert.deepEqual(
      (await api().listKeys()).data.map((k) => hex(k.validatingPubkey)),
      [keys[1].key.pubkey, keys[2].key.pubkey].sort(),
    );
    assert.deepEqual(
      (await api().listRemoteKeys()).data.map((k) => hex(k.pubkey)),
      [`0x${"d4".repeat(48)}`],
    );
    assert.equal(hex((await api().listFeeRecipient({ pubkey: pk })).data.ethaddress), `0x${"5a".repeat(20)}`);
    assert.equal((await api().getGasLimit({ pubkey: pk })).data.gasLimit, 30_000_000);
    assert.equal((await api().getGraffiti({ pubkey: pk })).data.graffiti, "sextant ⛵");
    assert.equal((await api().deleteGraffiti({ pubkey: pk })).status, 204);
    assert.equal((await api().deleteGasLimit({ pubkey: pk })).status, 204);
    assert.equal((await api().deleteFeeRecipient({ pubkey: pk })).status, 204);
    await run.stop();
    run = await start(layout);
    assert.equal((await api().getGraffiti({ pubkey: pk })).data.graffiti, "");
    assert.equal((await api().getGasLimit({ pubkey: pk })).data.gasLimit, 36_000_000);
    assert.equal(hex((await api().listFeeRecipient({ pubkey: pk })).data.ethaddress), `0x${"00".repeat(20)}`);
  });
});
