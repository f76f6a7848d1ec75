// Keystore import and restart: `runImport` end to end (read, decrypt on the worker pool, write the data directory)
// for 100 and 1,000 EIP-2335 keystores with the real default parameters (pbkdf2 c = 2^18, scrypt n = 2^18, r = 8),
// the speed-up over one thread, and the restart time of a client with 1,000 keys through the encrypted key cache.
//
// Fixtures: every keystore of a set shares one salt and password, so the set is generated with ONE KDF run
// (generating 1,000 scrypt keystores the usual way takes longer than importing them). Decryption cost is not
// affected: each import derives every keystore's key anew, as for keystores with distinct salts. Sets are kept in
// $KEYSTORE_BENCH_DIR (default: <os.tmpdir()>/sextant-keystore-bench) and reused by later runs.
//
// Environment (to shrink a run):
//   KEYSTORE_BENCH_SIZES=100,1000        keystore counts
//   KEYSTORE_BENCH_KDFS=pbkdf2,scrypt    KDFs
//   KEYSTORE_BENCH_THREADS=<cores>       pool size (default os.availableParallelism())
//   KEYSTORE_BENCH_BASELINE=100          keystores the one-thread baseline decrypts ("all": the whole set); the
//                                        baseline time of a set is extrapolated linearly from it (1,000 scrypt
//                                        keystores on one thread take ~18 minutes)
//   KEYSTORE_BENCH_RESTART_KEYS=1000     keys of the restart measurement (0: skip)
// A quick run: KEYSTORE_BENCH_SIZES=20 KEYSTORE_BENCH_BASELINE=10 KEYSTORE_BENCH_RESTART_KEYS=100 npm run bench keystore
import { createCipheriv, createHash, pbkdf2Sync, randomUUID, scryptSync } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { PassThrough, Writable } from "node:stream";
import { decrypt } from "@chainsafe/bls-keystore";
import { dataDirLayout, type PubkeyHex } from "../../validator/src/dataDir/layout.ts";
import { cacheKdfFor, writeKeyCache } from "../../validator/src/keystores/cache.ts";
import { installKeys } from "../../validator/src/keystores/import/commit.ts";
import { runImport } from "../../validator/src/keystores/import/run.ts";
import { loadKeysFromDataDir } from "../../validator/src/keystores/loader.ts";
import { mapLimit } from "../../validator/src/keystores/mapLimit.ts";
import { type FixtureKey, fixtureKeys, keystoreFileName } from "../fixtures/keystores/launchpad.ts";
import { Rng } from "../support/random.ts";
import { fmtMs, printTable } from "./harness.ts";

type Kdf = "pbkdf2" | "scrypt";
const SIZES = (process.env.KEYSTORE_BENCH_SIZES ?? "100,1000").split(",").map(Number);
const KDFS = (process.env.KEYSTORE_BENCH_KDFS ?? "pbkdf2,scrypt").split(",") as Kdf[];
const THREADS = Number(process.env.KEYSTORE_BENCH_THREADS ?? availableParallelism());
const BASELINE = process.env.KEYSTORE_BENCH_BASELINE ?? "100";
const RESTART_KEYS = Number(process.env.KEYSTORE_BENCH_RESTART_KEYS ?? "1000");
const BENCH_DIR = process.env.KEYSTORE_BENCH_DIR ?? join(tmpdir(), "sextant-keystore-bench");

/** EIP-2335's default KDF cost: 2^18 for both pbkdf2 (c) and scrypt (n, with r = 8, p = 1). */
const EIP2335_COST = 2 ** 18;
const SCRYPT_R = 8;
/** Bytes of scrypt's working set allowed (128·n·r = 256 MiB, doubled for headroom). */
const SCRYPT_MAXMEM = 2 * 128 * EIP2335_COST * SCRYPT_R;
const PASSWORD = "bench keystore password";
const SEED = 2335;
/** Fixture format version: bump to regenerate cached sets. */
const FIXTURE_VERSION = 1;
/** Runs of the restart measurement (median reported). */
const RESTART_RUNS = 3;

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** Keystores of `keys` under one salt: one KDF run for the whole set (see the header). */
function makeKeystores(kdf: Kdf, keys: FixtureKey[]): string[] {
  const rng = new Rng(SEED + 1);
  const salt = Buffer.from(rng.bytes(32));
  const pw = Buffer.from(PASSWORD);
  const dk =
    kdf === "pbkdf2"
      ? pbkdf2Sync(pw, salt, EIP2335_COST, 32, "sha256")
      : scryptSync(pw, salt, 32, { N: EIP2335_COST, r: SCRYPT_R, p: 1, maxmem: SCRYPT_MAXMEM });
  const params =
    kdf === "pbkdf2"
      ? { dklen: 32, c: EIP2335_COST, prf: "hmac-sha256", salt: hex(salt) }
      : { dklen: 32, n: EIP2335_COST, r: SCRYPT_R, p: 1, salt: hex(salt) };
  return keys.map((k) => {
    const iv = Buffer.from(rng.bytes(16));
    const cipher = createCipheriv("aes-128-ctr", dk.subarray(0, 16), iv);
    const message = Buffer.concat([cipher.update(k.secret), cipher.final()]);
    const checksum = createHash("sha256").update(dk.subarray(16, 32)).update(message).digest();
    return JSON.stringify({
      crypto: {
        kdf: { function: kdf, params, message: "" },
        checksum: { function: "sha256", params: {}, message: hex(checksum) },
        cipher: { function: "aes-128-ctr", params: { iv: hex(iv) }, message: hex(message) },
      },
      description: "",
      pubkey: k.pubkey.slice(2),
      path: `m/12381/3600/${k.index}/0/0`,
      uuid: randomUUID(),
      version: 4,
    });
  });
}

interface FixtureSet {
  dir: string;
  passwordFile: string;
  keys: FixtureKey[];
  texts: string[];
}

/** The set of `n` keystores for `kdf`, from the cache folder or generated (and checked once with the library). */
async function fixtureSet(kdf: Kdf, n: number): Promise<FixtureSet> {
  const dir = join(BENCH_DIR, `v${FIXTURE_VERSION}-${kdf}-${n}`);
  const passwordFile = join(BENCH_DIR, "password.txt");
  const keys = fixtureKeys(SEED, n);
  const manifest = join(dir, "manifest.json");
  if (existsSync(manifest)) {
    const texts = await mapLimit(keys, (k) => readFile(join(dir, keystoreFileName(k.index)), "utf8"));
    return { dir, passwordFile, keys, texts };
  }
  const t0 = performance.now();
  await mkdir(dir, { recursive: true });
  await writeFile(passwordFile, PASSWORD);
  const texts = makeKeystores(kdf, keys);
  const check = await decrypt(JSON.parse(texts[0]), PASSWORD);
  if (hex(check) !== hex(keys[0].secret)) throw new Error("fixture keystore does not decrypt to its key");
  await mapLimit(keys, (k, i) => writeFile(join(dir, keystoreFileName(k.index)), texts[i]));
  await writeFile(manifest, JSON.stringify({ kdf, n, version: FIXTURE_VERSION }));
  console.error(`generated ${n} ${kdf} keystores in ${((performance.now() - t0) / 1000).toFixed(1)} s → ${dir}`);
  return { dir, passwordFile, keys, texts };
}

const sink = () =>
  new Writable({
    write(_c, _e, cb) {
      cb();
    },
  });

/** Seconds of one `runImport` of `files` into a fresh data directory on `threads` threads. */
async function timeImport(
  set: FixtureSet,
  files: string[],
  threads: number,
): Promise<{ seconds: number; dataDir: string }> {
  const dataDir = await mkdtemp(join(BENCH_DIR, "datadir-"));
  await rm(dataDir, { recursive: true });
  const t0 = performance.now();
  const report = await runImport(
    { dataDir, network: "mainnet", keystores: files, passwordFile: set.passwordFile, threads },
    { stdout: sink(), stderr: sink(), stdin: new PassThrough() },
  );
  const seconds = (performance.now() - t0) / 1000;
  if (report.failed.length > 0 || report.imported.length !== files.length)
    throw new Error(`import failed: ${JSON.stringify(report.failed[0])}`);
  return { seconds, dataDir };
}

const importRows: Record<string, string | number>[] = [];
for (const kdf of KDFS) {
  const largest = Math.max(...SIZES);
  const set = await fixtureSet(kdf, largest);
  const allFiles = set.keys.map((k) => join(set.dir, keystoreFileName(k.index)));
  const sample = BASELINE === "all" ? largest : Math.min(largest, Number(BASELINE));
  const base = await timeImport(set, allFiles.slice(0, sample), 1);
  await rm(base.dataDir, { recursive: true, force: true });
  const perKey1 = base.seconds / sample;
  for (const n of SIZES) {
    const run = await timeImport(set, allFiles.slice(0, n), THREADS);
    await rm(run.dataDir, { recursive: true, force: true });
    const oneThread = perKey1 * n;
    importRows.push({
      keystores: n,
      kdf: `${kdf} 2^18`,
      threads: THREADS,
      seconds: run.seconds.toFixed(1),
      "keys/s": (n / run.seconds).toFixed(1),
      "1 thread, s": `${oneThread.toFixed(1)}${sample < n ? ` (from ${sample})` : ""}`,
      "speed-up": `${(oneThread / run.seconds).toFixed(2)}x`,
    });
    console.error(`${kdf} ${n}: ${run.seconds.toFixed(1)} s`);
  }
}
printTable(`Keystore import, runImport end to end (${availableParallelism()} cores)`, importRows);
console.log("\nspeed-up = one-thread time / pool time; the goal is close to the core count.");

if (RESTART_KEYS > 0) {
  // A data directory with RESTART_KEYS imported scrypt keystores and a valid cache (written from the known keys
  // here, as the first start would), then the restart: loadKeysFromDataDir hitting the cache.
  const set = await fixtureSet("scrypt", RESTART_KEYS);
  const dataDir = await mkdtemp(join(BENCH_DIR, "restart-"));
  const layout = dataDirLayout(dataDir);
  await installKeys(
    layout,
    set.keys.map((k, i) => ({ pubkey: k.pubkey, keystoreText: set.texts[i], password: PASSWORD })),
  );
  const inputs = set.keys.map((k, i) => ({ pubkey: k.pubkey, keystoreText: set.texts[i], password: PASSWORD }));
  const secrets = new Map(set.keys.map((k) => [k.pubkey as PubkeyHex, new Uint8Array(k.secret)]));
  const kdf = cacheKdfFor([JSON.parse(set.texts[0]).crypto.kdf]);
  await writeKeyCache(layout.keyCacheFile, inputs, secrets, kdf);
  const times: number[] = [];
  for (let i = 0; i < RESTART_RUNS; i++) {
    const t0 = performance.now();
    const r = await loadKeysFromDataDir(layout, { progress: null });
    times.push(performance.now() - t0);
    if (r.source !== "cache" || r.keys.length !== RESTART_KEYS)
      throw new Error(`expected a cache hit, got ${r.source}`);
  }
  times.sort((a, b) => a - b);
  const scryptRow = importRows.find((r) => r.kdf === "scrypt 2^18" && r.keystores === RESTART_KEYS);
  printTable(`Restart with ${RESTART_KEYS} keys (scrypt keystores)`, [
    {
      start: `from the key cache (scrypt n=2^${Math.log2(kdf.n)} once + AES-256-GCM + pubkey checks)`,
      "median ms": fmtMs(times[Math.floor(times.length / 2)]),
      runs: RESTART_RUNS,
    },
    ...(scryptRow === undefined
      ? []
      : [
          {
            start: "without cache (every keystore decrypted; = the import above)",
            "median ms": fmtMs(Number(scryptRow.seconds) * 1000),
            runs: 1,
          },
        ]),
  ]);
  await rm(dataDir, { recursive: true, force: true });
}
