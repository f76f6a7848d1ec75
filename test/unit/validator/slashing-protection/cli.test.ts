// `slashing-protection import|export`: the happy paths, the durable export, and every kind of bad input — exit code
// 2, a message naming the problem, and the data directory left exactly as it was. Mostly in-process (commander with
// captured output); two runs spawn the command as a program to see the real exit code.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { type Command, CommanderError } from "commander";
import { slashingProtectionCommand } from "../../../../validator/src/cli/slashingProtection.ts";
import { SlashingProtection } from "../../../../validator/src/slashing-protection/index.ts";
import { PROJECT_ROOT } from "../../../support/reference.ts";
import { GVR, OTHER_GVR, pubkey, root, tempDir } from "./helpers.ts";

const ENTRY = join(PROJECT_ROOT, "test/fixtures/slashing-protection/cli-entry.ts");
const base = tempDir();
let n = 0;
const newDir = () => join(base, `d${n++}`);

interface Run {
  code: number;
  out: string;
  err: string;
}

async function run(...args: string[]): Promise<Run> {
  const cmd = slashingProtectionCommand();
  const r: Run = { code: 0, out: "", err: "" };
  const capture = (c: Command) => {
    c.configureOutput({
      writeOut: (s) => {
        r.out += s;
      },
      writeErr: (s) => {
        r.err += s;
      },
    });
    c.commands.forEach(capture);
  };
  capture(cmd);
  try {
    await cmd.parseAsync(args, { from: "user" });
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    r.code = err.exitCode;
  }
  return r;
}

/** An interchange with two validators, signing roots on some records. */
function interchange(gvr = GVR): Record<string, unknown> {
  return {
    metadata: { interchange_format_version: "5", genesis_validators_root: gvr },
    data: [
      {
        pubkey: pubkey(0),
        signed_blocks: [{ slot: "81951" }, { slot: "81952", signing_root: root(7) }],
        signed_attestations: [{ source_epoch: "2290", target_epoch: "3007", signing_root: root(8) }],
      },
      { pubkey: pubkey(1), signed_blocks: [], signed_attestations: [{ source_epoch: "2290", target_epoch: "3008" }] },
    ],
  };
}

function writeJson(dir: string, name: string, value: unknown): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, typeof value === "string" ? value : JSON.stringify(value));
  return file;
}

/** Everything observable about a data directory: its files and, when there is one, the database's history. */
function snapshot(dataDir: string): string {
  if (!existsSync(dataDir)) return "(absent)";
  const files = readdirSync(dataDir)
    .filter((f) => !f.endsWith("-shm") && !f.endsWith("-wal"))
    .sort();
  if (!files.includes("slashing-protection.sqlite")) return JSON.stringify(files);
  const sp = SlashingProtection.open(dataDir);
  try {
    return JSON.stringify([files, sp.exportInterchange()]);
  } finally {
    sp.close();
  }
}

describe("import and export", () => {
  test("import creates the database and reports what it added; export writes the same history back", async () => {
    const dir = newDir();
    const data = join(dir, "data");
    const file = writeJson(dir, "in.json", interchange());
    const imp = await run("import", "--file", file, "--data-dir", data, "--genesis-validators-root", GVR);
    assert.equal(imp.code, 0, imp.err);
    assert.match(imp.out, /2 validator\(s\).*2 block\(s\) and 2 attestation\(s\) added, 0 already recorded/);
    assert.equal(imp.err, "");
    const again = await run("import", "--file", file, "--data-dir", data, "--genesis-validators-root", GVR);
    assert.match(again.out, /0 block\(s\) and 0 attestation\(s\) added, 4 already recorded/);
    // The unknown-root records are reported as conflicts with themselves on a second import.
    assert.match(again.err, /warning: 2 imported record\(s\) conflict/);

    const outFile = join(dir, "out.json");
    const exp = await run("export", "--file", outFile, "--data-dir", data);
    assert.equal(exp.code, 0, exp.err);
    assert.match(exp.out, /2 validator\(s\) \(2 block\(s\), 2 attestation\(s\)\)/);
    assert.deepEqual(JSON.parse(readFileSync(outFile, "utf8")), interchange());
    assert.deepEqual(readdirSync(dir).sort(), ["data", "in.json", "out.json"], "a temporary file was left behind");
  });

  test("export of chosen pubkeys (comma- or space-separated) and with a matching genesis root", async () => {
    const dir = newDir();
    const data = join(dir, "data");
    await run(
      "import",
      "--file",
      writeJson(dir, "in.json", interchange()),
      "--data-dir",
      data,
      "--genesis-validators-root",
      GVR,
    );
    const outFile = join(dir, "one.json");
    const r = await run(
      "export",
      "--file",
      outFile,
      "--data-dir",
      data,
      "--genesis-validators-root",
      GVR,
      "--pubkeys",
      `${pubkey(1)},${pubkey(5)}`,
    );
    assert.equal(r.code, 0, r.err);
    const doc = JSON.parse(readFileSync(outFile, "utf8"));
    assert.deepEqual(
      doc.data.map((d: { pubkey: string }) => d.pubkey),
      [pubkey(1), pubkey(5)],
    );
    const both = await run("export", "--file", outFile, "--data-dir", data, "--pubkeys", pubkey(0), pubkey(1));
    assert.equal(both.code, 0, both.err);
    assert.equal(JSON.parse(readFileSync(outFile, "utf8")).data.length, 2);
  });

  test("--help explains the commands and exits 0", async () => {
    const top = await run("--help");
    assert.equal(top.code, 0);
    assert.match(top.out, /EIP-3076/);
    assert.match(top.out, /import/);
    assert.match(top.out, /Exit codes/);
    const imp = await run("import", "--help");
    assert.equal(imp.code, 0);
    assert.match(imp.out, /--genesis-validators-root <root>/);
    assert.match(imp.out, /All or nothing/);
  });
});

describe("bad input: exit 2, a message, nothing changed", () => {
  const importCases: [string, (dir: string) => string[], RegExp][] = [
    ["missing file", (dir) => [join(dir, "nope.json")], /cannot read .*nope\.json: no such file/],
    ["a directory", (dir) => [dir], /it is a directory/],
    ["not JSON", (dir) => [writeJson(dir, "x.json", "hello")], /x\.json is not JSON/],
    ["truncated JSON", (dir) => [writeJson(dir, "x.json", JSON.stringify(interchange()).slice(0, -20))], /is not JSON/],
    [
      "a bad last record",
      (dir) => {
        const doc = interchange();
        (doc.data as { signed_attestations: unknown[] }[])[1].signed_attestations.push({
          source_epoch: "1",
          target_epoch: "0x10",
        });
        return [writeJson(dir, "x.json", doc)];
      },
      /data\[1\]\.signed_attestations\[1\]\.target_epoch.*nothing was imported/,
    ],
    [
      "version 4",
      (dir) => [
        writeJson(dir, "x.json", {
          ...interchange(),
          metadata: { interchange_format_version: "4", genesis_validators_root: GVR },
        }),
      ],
      /version "4" is not supported/,
    ],
    ["another chain's file", (dir) => [writeJson(dir, "x.json", interchange(OTHER_GVR))], /is for another chain/],
  ];
  for (const [name, files, message] of importCases) {
    test(`import: ${name}`, async () => {
      const dir = newDir();
      mkdirSync(dir, { recursive: true });
      const data = join(dir, "data");
      const [file] = files(dir);
      const r = await run("import", "--file", file, "--data-dir", data, "--genesis-validators-root", GVR);
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, message);
      assert.ok(!existsSync(data), "the data directory was created");
    });
  }

  test("import into a database of another chain, or with a malformed root, changes nothing", async () => {
    const dir = newDir();
    const data = join(dir, "data");
    const sp = SlashingProtection.open(data, { genesisValidatorsRoot: OTHER_GVR });
    sp.checkAndInsertBlockProposal(pubkey(3), { slot: 9, signingRoot: root(1) });
    sp.close();
    const before = snapshot(data);
    const file = writeJson(dir, "in.json", interchange());
    const wrong = await run("import", "--file", file, "--data-dir", data, "--genesis-validators-root", GVR);
    assert.equal(wrong.code, 2);
    assert.match(wrong.err, /belongs to another chain/);
    const bad = await run("import", "--file", file, "--data-dir", data, "--genesis-validators-root", "0x1234");
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--genesis-validators-root must be 32 bytes.*64 hex digits/);
    const missing = await run("import", "--file", file, "--data-dir", data);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /required option '--genesis-validators-root <root>' not specified/);
    assert.equal(snapshot(data), before);
  });

  test("export: no database, another chain, a bad pubkey, an unwritable target", async () => {
    const dir = newDir();
    const data = join(dir, "data");
    const none = await run("export", "--file", join(dir, "o.json"), "--data-dir", data);
    assert.equal(none.code, 2);
    assert.match(none.err, /no slashing protection database at .*check --data-dir/);
    assert.ok(!existsSync(data));
    SlashingProtection.open(data, { genesisValidatorsRoot: GVR }).close();
    const before = snapshot(data);
    const chain = await run(
      "export",
      "--file",
      join(dir, "o.json"),
      "--data-dir",
      data,
      "--genesis-validators-root",
      OTHER_GVR,
    );
    assert.equal(chain.code, 2);
    assert.match(chain.err, /belongs to another chain/);
    const key = await run("export", "--file", join(dir, "o.json"), "--data-dir", data, "--pubkeys", "0xabcd");
    assert.equal(key.code, 2);
    assert.match(key.err, /pubkey must be 48 bytes/);
    const target = await run("export", "--file", join(dir, "missing-dir", "o.json"), "--data-dir", data);
    assert.equal(target.code, 2);
    assert.match(target.err, /cannot write .*missing-dir/);
    assert.ok(!existsSync(join(dir, "o.json")));
    assert.equal(snapshot(data), before);
  });
});

test("as a program: exit code 2 and the message on stderr for a missing file; 0 for a good import", () => {
  const dir = newDir();
  const data = join(dir, "data");
  const bad = spawnSync(
    process.execPath,
    [ENTRY, "import", "--file", join(dir, "none.json"), "--data-dir", data, "--genesis-validators-root", GVR],
    {
      encoding: "utf8",
    },
  );
  assert.equal(bad.status, 2, bad.stderr);
  assert.match(bad.stderr, /cannot read .*none\.json: no such file/);
  const good = spawnSync(
    process.execPath,
    [
      ENTRY,
      "import",
      "--file",
      writeJson(dir, "in.json", interchange()),
      "--data-dir",
      data,
      "--genesis-validators-root",
      GVR,
    ],
    { encoding: "utf8" },
  );
  assert.equal(good.status, 0, good.stderr);
  assert.match(good.stdout, /Imported slashing protection for 2 validator\(s\)/);
});
