import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  blobParametersAtEpoch,
  type ChainConfig,
  createDevChainConfig,
  devChainConfig,
  FORK_NAMES,
  type ForkName,
  forkInfo,
  forkNameAtEpoch,
  forkVersionAtEpoch,
  getForkSchedule,
  mainnetChainConfig,
  minimalChainConfig,
  sepoliaChainConfig,
} from "../../../../consensus/src/params/index.ts";
import { toHex } from "../../../../consensus/src/util/hex.ts";
import { Rng } from "../../../support/random.ts";

/** Seeded random (config, epoch) pairs checked against the spec functions transcribed below. */
const RANDOM_CASES = 2000;

/** Mainnet's published fork epochs (configs/mainnet.yaml), written out independently of our config. */
const MAINNET_EPOCHS: [ForkName, number][] = [
  ["phase0", 0],
  ["altair", 74240],
  ["bellatrix", 144896],
  ["capella", 194048],
  ["deneb", 269568],
  ["electra", 364032],
  ["fulu", 411392],
];

/** The spec's get_blob_parameters (fulu/beacon-chain.md), line for line. */
function specGetBlobParameters(config: ChainConfig, epoch: number): { epoch: number; maxBlobsPerBlock: number } {
  const sorted = [...config.BLOB_SCHEDULE].sort((a, b) => b.EPOCH - a.EPOCH);
  for (const entry of sorted) {
    if (epoch >= entry.EPOCH) return { epoch: entry.EPOCH, maxBlobsPerBlock: entry.MAX_BLOBS_PER_BLOCK };
  }
  return { epoch: config.ELECTRA_FORK_EPOCH, maxBlobsPerBlock: config.MAX_BLOBS_PER_BLOCK_ELECTRA };
}

/** The spec's compute_fork_version (deneb/p2p-interface.md, extended by electra and fulu), as a chain of ifs. */
function specForkVersion(c: ChainConfig, epoch: number): Uint8Array {
  if (epoch >= c.FULU_FORK_EPOCH) return c.FULU_FORK_VERSION;
  if (epoch >= c.ELECTRA_FORK_EPOCH) return c.ELECTRA_FORK_VERSION;
  if (epoch >= c.DENEB_FORK_EPOCH) return c.DENEB_FORK_VERSION;
  if (epoch >= c.CAPELLA_FORK_EPOCH) return c.CAPELLA_FORK_VERSION;
  if (epoch >= c.BELLATRIX_FORK_EPOCH) return c.BELLATRIX_FORK_VERSION;
  if (epoch >= c.ALTAIR_FORK_EPOCH) return c.ALTAIR_FORK_VERSION;
  return c.GENESIS_FORK_VERSION;
}

describe("fork schedule", () => {
  test("mainnet: every fork with version and previous fork", () => {
    const schedule = getForkSchedule(mainnetChainConfig);
    assert.deepEqual(
      schedule.map((f) => [f.name, f.epoch]),
      MAINNET_EPOCHS,
    );
    schedule.forEach((f, i) => {
      assert.equal(toHex(f.version), `0x0${i}000000`, f.name);
      assert.equal(f.previousName, FORK_NAMES[Math.max(0, i - 1)]);
      assert.equal(toHex(f.previousVersion), `0x0${Math.max(0, i - 1)}000000`, `${f.name} previous`);
    });
  });
  test("minimal schedules only phase0; sepolia every fork up to fulu (gloas is not ours)", () => {
    assert.deepEqual(
      getForkSchedule(minimalChainConfig).map((f) => f.name),
      ["phase0"],
    );
    const sepolia = getForkSchedule(sepoliaChainConfig);
    assert.deepEqual(
      sepolia.map((f) => [f.name, f.epoch, toHex(f.version)]),
      [
        ["phase0", 0, "0x90000069"],
        ["altair", 50, "0x90000070"],
        ["bellatrix", 100, "0x90000071"],
        ["capella", 56832, "0x90000072"],
        ["deneb", 132608, "0x90000073"],
        ["electra", 222464, "0x90000074"],
        ["fulu", 272640, "0x90000075"],
      ],
    );
  });
  test("forkInfo of an unscheduled fork", () => {
    const fulu = forkInfo(minimalChainConfig, "fulu");
    assert.equal(fulu.epoch, Infinity);
    assert.equal(fulu.previousName, "electra");
    assert.equal(toHex(fulu.version), "0x06000001");
    assert.equal(toHex(fulu.previousVersion), "0x05000001");
    const phase0 = forkInfo(minimalChainConfig, "phase0");
    assert.equal(phase0.previousName, "phase0");
    assert.equal(toHex(phase0.previousVersion), "0x00000001");
  });
  test("mainnet fork names and versions at and around each boundary", () => {
    for (const [i, [name, epoch]] of MAINNET_EPOCHS.entries()) {
      assert.equal(forkNameAtEpoch(mainnetChainConfig, epoch), name);
      assert.equal(toHex(forkVersionAtEpoch(mainnetChainConfig, epoch)), `0x0${i}000000`);
      assert.equal(forkNameAtEpoch(mainnetChainConfig, epoch + 1), name);
      if (i > 0) assert.equal(forkNameAtEpoch(mainnetChainConfig, epoch - 1), MAINNET_EPOCHS[i - 1][0]);
    }
    assert.equal(forkNameAtEpoch(mainnetChainConfig, 10 ** 12), "fulu");
    assert.equal(forkNameAtEpoch(minimalChainConfig, 10 ** 12), "phase0");
    assert.equal(forkNameAtEpoch(devChainConfig, 0), "fulu");
  });
});

describe("blob parameters", () => {
  const mainnetCases: [number, number, number][] = [
    // [epoch, expected epoch, expected max blobs]
    [0, 0, 0],
    [269567, 0, 0],
    [269568, 269568, 6],
    [364031, 269568, 6],
    [364032, 364032, 9],
    [411391, 364032, 9],
    [411392, 364032, 9], // fulu, before the first BPO fork: electra's limit
    [412671, 364032, 9],
    [412672, 412672, 15],
    [419071, 412672, 15],
    [419072, 419072, 21],
    [10 ** 9, 419072, 21],
  ];
  for (const [epoch, expectedEpoch, maxBlobsPerBlock] of mainnetCases) {
    test(`mainnet epoch ${epoch} → ${maxBlobsPerBlock} blobs since ${expectedEpoch}`, () => {
      assert.deepEqual(blobParametersAtEpoch(mainnetChainConfig, epoch), { epoch: expectedEpoch, maxBlobsPerBlock });
    });
  }
  test("sepolia's BPO forks", () => {
    assert.deepEqual(blobParametersAtEpoch(sepoliaChainConfig, 272640), { epoch: 222464, maxBlobsPerBlock: 9 });
    assert.deepEqual(blobParametersAtEpoch(sepoliaChainConfig, 274176), { epoch: 274176, maxBlobsPerBlock: 15 });
    assert.deepEqual(blobParametersAtEpoch(sepoliaChainConfig, 275712), { epoch: 275712, maxBlobsPerBlock: 21 });
  });
  test("dev (everything at genesis, no schedule): electra's limit since epoch 0", () => {
    assert.deepEqual(blobParametersAtEpoch(devChainConfig, 0), { epoch: 0, maxBlobsPerBlock: 9 });
  });
  test("the schedule's order does not matter", () => {
    const base = createDevChainConfig({ forkEpochs: { fulu: 10 } });
    const entries = [
      { EPOCH: 30, MAX_BLOBS_PER_BLOCK: 30 },
      { EPOCH: 10, MAX_BLOBS_PER_BLOCK: 10 },
      { EPOCH: 20, MAX_BLOBS_PER_BLOCK: 20 },
    ];
    const shuffled = { ...base, BLOB_SCHEDULE: entries };
    const sorted = { ...base, BLOB_SCHEDULE: [...entries].sort((a, b) => a.EPOCH - b.EPOCH) };
    for (let epoch = 0; epoch < 40; epoch++) {
      assert.deepEqual(blobParametersAtEpoch(shuffled, epoch), blobParametersAtEpoch(sorted, epoch), `epoch ${epoch}`);
    }
    assert.deepEqual(blobParametersAtEpoch(shuffled, 25), { epoch: 20, maxBlobsPerBlock: 20 });
    assert.deepEqual(blobParametersAtEpoch(shuffled, 9), { epoch: 0, maxBlobsPerBlock: 9 });
  });
});

describe(`${RANDOM_CASES} seeded random schedules against the spec functions`, () => {
  test("fork version, fork name and blob parameters", () => {
    const rng = new Rng(42);
    for (let i = 0; i < RANDOM_CASES; i++) {
      const forkEpochs: Partial<Record<ForkName, number>> = {};
      let epoch = 0;
      for (const fork of FORK_NAMES.slice(1)) {
        epoch = rng.int(10) === 0 ? Infinity : epoch + rng.int(4);
        forkEpochs[fork] = epoch;
      }
      const fulu = forkEpochs.fulu!;
      const blobSchedule =
        fulu === Infinity
          ? []
          : Array.from({ length: rng.int(4) }, (_, j) => ({
              EPOCH: fulu + j * 3 + rng.int(3),
              MAX_BLOBS_PER_BLOCK: j + 10,
            }));
      const config = createDevChainConfig({ forkEpochs, blobSchedule });
      const at = rng.int(30);
      const name = forkNameAtEpoch(config, at);
      assert.deepEqual(forkVersionAtEpoch(config, at), specForkVersion(config, at), `case ${i}`);
      assert.deepEqual(forkInfo(config, name).version, specForkVersion(config, at), `case ${i}`);
      const blobs = blobParametersAtEpoch(config, at);
      if (at >= config.FULU_FORK_EPOCH) assert.deepEqual(blobs, specGetBlobParameters(config, at), `case ${i}`);
      else if (at >= config.ELECTRA_FORK_EPOCH)
        assert.deepEqual(blobs, { epoch: config.ELECTRA_FORK_EPOCH, maxBlobsPerBlock: 9 });
      else if (at >= config.DENEB_FORK_EPOCH)
        assert.deepEqual(blobs, { epoch: config.DENEB_FORK_EPOCH, maxBlobsPerBlock: 6 });
      else assert.deepEqual(blobs, { epoch: 0, maxBlobsPerBlock: 0 });
    }
  });
});
