import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import type { ChainConfig } from "../../../../consensus/src/params/config/chainConfig.ts";
import { mainnetChainConfig } from "../../../../consensus/src/params/config/mainnet.ts";
import { minimalChainConfig } from "../../../../consensus/src/params/config/minimal.ts";
import { computeForkDigest, ForkDigestContext } from "../../../../consensus/src/signing/index.ts";
import { fromHex, toHex } from "../../../../consensus/src/util/hex.ts";
import { Rng } from "../../../support/random.ts";

const MAINNET_GVR = fromHex("0x4b363db94e286120d76eb905340fdd4e54bfe9f06bf33ff6cf5ad27f511bfe95");
const RANDOM_EPOCHS = 1000;

/** Independent compute_fork_digest (node:crypto sha256), with the fulu blob-parameters XOR when given. */
function expectedDigest(version: Uint8Array, gvr: Uint8Array, blob?: { epoch: number; max: number }): string {
  const chunk = new Uint8Array(32);
  chunk.set(version);
  const base = createHash("sha256").update(chunk).update(gvr).digest();
  if (blob === undefined) return toHex(base.subarray(0, 4));
  const params = Buffer.alloc(16);
  params.writeBigUInt64LE(BigInt(blob.epoch), 0);
  params.writeBigUInt64LE(BigInt(blob.max), 8);
  const mask = createHash("sha256").update(params).digest();
  return toHex(base.subarray(0, 4).map((b, i) => b ^ mask[i]));
}

describe("compute_fork_digest on mainnet", () => {
  const ctx = new ForkDigestContext(mainnetChainConfig, MAINNET_GVR);

  test("pre-fulu digests are the well-known mainnet values", () => {
    const known: [number, string][] = [
      [0, "b5303f2a"],
      [74_240, "afcaaba0"],
      [144_896, "4a26c58b"],
      [194_048, "bba4da96"],
      [269_568, "6a95a1a9"],
      [364_032, "ad532ceb"],
    ];
    for (const [epoch, hex] of known) {
      assert.equal(toHex(computeForkDigest(mainnetChainConfig, MAINNET_GVR, epoch)), `0x${hex}`);
      assert.equal(ctx.boundaryAtEpoch(epoch).digestHex, hex);
      assert.equal(ctx.boundaryAtEpoch(epoch + 1).digestHex, hex);
    }
  });

  test("fulu and the two BPO forks XOR the blob parameters in", () => {
    const v = mainnetChainConfig.FULU_FORK_VERSION;
    const cases: [number, { epoch: number; max: number }][] = [
      [411_392, { epoch: 364_032, max: 9 }], // no BPO entry yet: electra's limit since ELECTRA_FORK_EPOCH
      [412_672, { epoch: 412_672, max: 15 }],
      [419_072, { epoch: 419_072, max: 21 }],
      [5_000_000, { epoch: 419_072, max: 21 }],
    ];
    for (const [epoch, blob] of cases) {
      const expected = expectedDigest(v, MAINNET_GVR, blob);
      assert.equal(toHex(computeForkDigest(mainnetChainConfig, MAINNET_GVR, epoch)), expected, `epoch ${epoch}`);
      assert.equal(toHex(ctx.digestAtEpoch(epoch)), expected);
    }
  });

  test("boundaries, epoch ranges and next boundary", () => {
    const list = ctx.boundaries.map((b) => `${b.fork}@${b.epoch}-${b.endEpoch}`);
    assert.deepEqual(list, [
      "phase0@0-74240",
      "altair@74240-144896",
      "bellatrix@144896-194048",
      "capella@194048-269568",
      "deneb@269568-364032",
      "electra@364032-411392",
      "fulu@411392-412672",
      "fulu@412672-419072",
      "fulu@419072-Infinity",
    ]);
    assert.equal(ctx.nextBoundary(411_391)?.epoch, 411_392);
    assert.equal(ctx.nextBoundary(411_392)?.epoch, 412_672);
    assert.equal(ctx.nextBoundary(419_072), null);
  });

  test("digest → boundary lookups accept bytes and hex with or without 0x", () => {
    for (const b of ctx.boundaries) {
      assert.equal(ctx.boundaryOfDigest(b.digest), b);
      assert.equal(ctx.boundaryOfDigest(b.digestHex), b);
      assert.equal(ctx.boundaryOfDigest(`0x${b.digestHex.toUpperCase()}`), b);
    }
    assert.equal(ctx.boundaryOfDigestOrNull("00000000"), null);
    assert.throws(() => ctx.boundaryOfDigest("0xdeadbeef"), /unknown fork digest deadbeef/);
  });

  test("the table agrees with compute_fork_digest at random epochs", () => {
    const rng = new Rng(406);
    for (let i = 0; i < RANDOM_EPOCHS; i++) {
      const epoch = rng.int(500_000);
      assert.deepEqual(ctx.digestAtEpoch(epoch), computeForkDigest(mainnetChainConfig, MAINNET_GVR, epoch));
      const b = ctx.boundaryAtEpoch(epoch);
      assert.ok(b.epoch <= epoch && epoch < b.endEpoch);
    }
  });
});

describe("fork digest edge cases", () => {
  test("minimal config (no fork scheduled): a single phase0 boundary", () => {
    const ctx = new ForkDigestContext(minimalChainConfig, new Uint8Array(32));
    assert.equal(ctx.boundaries.length, 1);
    assert.equal(ctx.boundaries[0].endEpoch, Infinity);
    assert.equal(ctx.boundaryAtEpoch(123_456).fork, "phase0");
    assert.equal(
      toHex(ctx.digestAtEpoch(0)),
      expectedDigest(minimalChainConfig.GENESIS_FORK_VERSION, new Uint8Array(32)),
    );
  });

  test("all forks at genesis and a BPO entry at the fulu epoch collapse into one boundary per epoch", () => {
    const config: ChainConfig = {
      ...minimalChainConfig,
      ALTAIR_FORK_EPOCH: 0,
      BELLATRIX_FORK_EPOCH: 0,
      CAPELLA_FORK_EPOCH: 0,
      DENEB_FORK_EPOCH: 0,
      ELECTRA_FORK_EPOCH: 0,
      FULU_FORK_EPOCH: 0,
      BLOB_SCHEDULE: [
        { EPOCH: 0, MAX_BLOBS_PER_BLOCK: 10 },
        { EPOCH: 4, MAX_BLOBS_PER_BLOCK: 11 },
      ],
    };
    const gvr = new Rng(407).bytes(32);
    const ctx = new ForkDigestContext(config, gvr);
    assert.deepEqual(
      ctx.boundaries.map((b) => [b.fork, b.epoch, b.blobParameters?.maxBlobsPerBlock]),
      [
        ["fulu", 0, 10],
        ["fulu", 4, 11],
      ],
    );
    assert.equal(toHex(ctx.digestAtEpoch(0)), expectedDigest(config.FULU_FORK_VERSION, gvr, { epoch: 0, max: 10 }));
    assert.equal(toHex(ctx.digestAtEpoch(9)), expectedDigest(config.FULU_FORK_VERSION, gvr, { epoch: 4, max: 11 }));
  });

  test("a genesis validators root of the wrong length is rejected", () => {
    assert.throws(() => new ForkDigestContext(mainnetChainConfig, new Uint8Array(33)), RangeError);
    assert.throws(() => computeForkDigest(mainnetChainConfig, new Uint8Array(3), 0), RangeError);
  });
});
