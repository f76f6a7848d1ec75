// The data directory: its layout, private durable writes, and the one-process lock — contention within a process,
// across processes (a child holding the lock), stale locks of dead processes, unparsable locks, other hosts.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ensurePrivateDir, writeFileDurable } from "../../../../validator/src/dataDir/fsDurable.ts";
import {
  dataDirLayout,
  keystorePathOf,
  normalizePubkeyHex,
  type PubkeyHex,
  secretPathOf,
} from "../../../../validator/src/dataDir/layout.ts";
import {
  acquireDataDirLock,
  assertDataDirFree,
  isPidAlive,
  readLiveLockHolder,
} from "../../../../validator/src/dataDir/lock.ts";
import { installKeys } from "../../../../validator/src/keystores/import/commit.ts";

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "sextant-datadir-"));
});
after(() => rm(dir, { recursive: true, force: true }));

/** A pid that certainly belonged to a process that has exited (a child we ran to completion). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  const pid = Number(r.stdout);
  assert.ok(pid > 0 && !isPidAlive(pid));
  return pid;
}

const PK = `0x${"ab".repeat(48)}` as PubkeyHex;

describe("layout", () => {
  test("paths of the data directory", () => {
    const l = dataDirLayout("/d");
    assert.deepEqual(
      [l.lockFile, l.keystoresDir, l.secretsDir, l.keyCacheFile, l.slashingProtectionDb, l.keymanagerTokenFile],
      [
        "/d/validator.lock",
        "/d/keystores",
        "/d/secrets",
        "/d/cache/keys.cache",
        "/d/slashing-protection.sqlite",
        "/d/api-token.txt",
      ],
    );
    assert.equal(keystorePathOf(l, PK), `/d/keystores/${PK}/voting-keystore.json`);
    assert.equal(secretPathOf(l, PK), `/d/secrets/${PK}`);
  });

  test("public keys normalise to 0x + lowercase; anything else is rejected", () => {
    assert.equal(normalizePubkeyHex(`0x${"AB".repeat(48)}`), PK);
    assert.equal(normalizePubkeyHex("ab".repeat(48)), PK);
    for (const bad of ["", "0x", "ab".repeat(47), `0x${"ab".repeat(49)}`, `0x${"zz".repeat(48)}`])
      assert.equal(normalizePubkeyHex(bad), null, bad);
  });
});

describe("private durable writes", () => {
  test("files are 0600, folders 0700 (whatever the umask), no temporary file is left, rewrites replace", async () => {
    // 0o277 would leave folders 0500 and files 0400 if modes came from mkdir/open alone.
    const old = process.umask(0o277);
    try {
      const sub = join(dir, "w", "a", "b");
      assert.equal(await ensurePrivateDir(sub), join(dir, "w")); // the topmost folder it created
      assert.equal(await ensurePrivateDir(sub), null);
      for (const p of [join(dir, "w"), join(dir, "w", "a"), sub]) assert.equal(statSync(p).mode & 0o777, 0o700, p);
      const f = join(sub, "secret");
      await writeFileDurable(f, "one");
      await writeFileDurable(f, "two");
      assert.equal(readFileSync(f, "utf8"), "two");
      assert.equal(statSync(f).mode & 0o777, 0o600);
      assert.deepEqual(readdirSync(sub), ["secret"]);
    } finally {
      process.umask(old);
    }
  });

  test("a file where a folder belongs is reported", async () => {
    writeFileSync(join(dir, "notadir"), "x");
    await assert.rejects(ensurePrivateDir(join(dir, "notadir")), { code: "BAD_LAYOUT" });
  });
});

describe("installKeys (staging, then rename into place)", () => {
  test("a failure part-way removes what this call placed; staging is cleaned", async () => {
    const layout = dataDirLayout(join(dir, "inst"));
    const pks = ["01", "02", "03"].map((b) => `0x${b.repeat(48)}` as PubkeyHex);
    // Something already occupies key 3's folder (not empty): its rename fails after keys 1 and 2 moved.
    await ensurePrivateDir(join(layout.keystoresDir, pks[2]));
    writeFileSync(join(layout.keystoresDir, pks[2], "other"), "x");
    await assert.rejects(
      installKeys(
        layout,
        pks.map((pubkey) => ({ pubkey, keystoreText: `{"k":"${pubkey}"}`, password: "pw" })),
      ),
    );
    assert.deepEqual(readdirSync(layout.keystoresDir), [pks[2]]);
    assert.deepEqual(readdirSync(layout.secretsDir), []);
    assert.deepEqual(readdirSync(layout.root).sort(), ["keystores", "secrets"]);
    // Without the obstacle the same call succeeds, with 0600 files.
    await rm(join(layout.keystoresDir, pks[2]), { recursive: true });
    await installKeys(
      layout,
      pks.map((pubkey) => ({ pubkey, keystoreText: "{}", password: "pw" })),
    );
    assert.deepEqual(readdirSync(layout.secretsDir).sort(), [...pks].sort());
    assert.equal(statSync(keystorePathOf(layout, pks[0])).mode & 0o777, 0o600);
  });
});

describe("data-directory lock", () => {
  test("exclusive within a process; release frees it; release is idempotent and mode 0600", () => {
    const path = join(dir, "l1.lock");
    const lock = acquireDataDirLock(path, "validator client");
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(readLiveLockHolder(path)?.pid, process.pid);
    assert.throws(
      () => acquireDataDirLock(path, "validator import"),
      (e: Error & { code?: string }) => {
        assert.equal(e.code, "LOCKED");
        assert.match(e.message, new RegExp(`pid ${process.pid}`));
        assert.match(e.message, /validator client/);
        return true;
      },
    );
    assert.throws(() => assertDataDirFree(path), { code: "LOCKED" });
    lock.release();
    lock.release();
    assert.equal(existsSync(path), false);
    assertDataDirFree(path);
    acquireDataDirLock(path, "again").release();
  });

  test("a stale lock (dead pid) or an unparsable one is taken over", () => {
    const path = join(dir, "l2.lock");
    writeFileSync(path, JSON.stringify({ pid: deadPid(), hostname: hostname(), program: "validator client" }));
    assert.equal(readLiveLockHolder(path), null);
    const lock = acquireDataDirLock(path, "validator client");
    assert.equal(JSON.parse(readFileSync(path, "utf8")).pid, process.pid);
    lock.release();
    writeFileSync(path, "{ half-written");
    acquireDataDirLock(path, "validator client").release();
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.startsWith("l2.lock")),
      [],
    );
  });

  test("a lock from another host is never stale", () => {
    const path = join(dir, "l3.lock");
    writeFileSync(path, JSON.stringify({ pid: deadPid(), hostname: "some-other-host", program: "validator client" }));
    assert.throws(() => acquireDataDirLock(path, "x"), /some-other-host/);
  });

  test("six processes racing to take over one stale lock: exactly one wins", async () => {
    const path = join(dir, "l5.lock");
    writeFileSync(path, JSON.stringify({ pid: deadPid(), hostname: hostname(), program: "crashed client" }));
    const lockModule = new URL("../../../../validator/src/dataDir/lock.ts", import.meta.url).href;
    const children = Array.from({ length: 6 }, () =>
      spawn(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `const { acquireDataDirLock } = await import(${JSON.stringify(lockModule)});
           let r; try { acquireDataDirLock(${JSON.stringify(path)}, "racer"); r = "won"; } catch (e) { r = e.code; }
           process.stdout.write(r + "\\n");
           process.stdin.on("data", () => process.exit(0));`,
        ],
        { stdio: ["pipe", "pipe", "inherit"] },
      ),
    );
    const outcomes = await Promise.all(
      children.map(
        (c) =>
          new Promise<string>((resolve) => {
            c.stdout.once("data", (d) => resolve(String(d).trim()));
            c.once("exit", (code) => resolve(`exited ${code}`));
          }),
      ),
    );
    await Promise.all(
      children.map((c) => {
        const exited = new Promise((resolve) => c.once("exit", resolve));
        c.stdin.write("bye\n");
        return exited;
      }),
    );
    assert.deepEqual(outcomes.sort(), ["LOCKED", "LOCKED", "LOCKED", "LOCKED", "LOCKED", "won"]);
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.startsWith("l5.lock.")),
      [],
    );
  });

  test("across processes: a child holding the lock makes us fail; after it exits we get it", async () => {
    const path = join(dir, "l4.lock");
    const lockModule = new URL("../../../../validator/src/dataDir/lock.ts", import.meta.url).href;
    const child = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const { acquireDataDirLock } = await import(${JSON.stringify(lockModule)});
         acquireDataDirLock(${JSON.stringify(path)}, "validator client");
         process.stdout.write("locked\\n");
         process.stdin.on("data", () => process.exit(0));`,
      ],
      { stdio: ["pipe", "pipe", "inherit"] },
    );
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    assert.throws(
      () => acquireDataDirLock(path, "validator import"),
      (e: Error & { code?: string; context?: { pid?: number } }) => e.code === "LOCKED" && e.context?.pid === child.pid,
    );
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.stdin.write("bye\n");
    await exited;
    // The child exited without releasing: its lock is stale now and is taken over.
    const lock = acquireDataDirLock(path, "validator import");
    lock.release();
  });
});
