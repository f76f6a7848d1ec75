import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import type { ChainConfig } from "../../../../consensus/src/params/config/chainConfig.ts";
import { mainnetChainConfig } from "../../../../consensus/src/params/config/mainnet.ts";
import {
  computeDomain,
  computeForkDataRoot,
  DOMAIN_AGGREGATE_AND_PROOF,
  DOMAIN_APPLICATION_BUILDER,
  DOMAIN_BEACON_ATTESTER,
  DOMAIN_BEACON_PROPOSER,
  DOMAIN_BLS_TO_EXECUTION_CHANGE,
  DOMAIN_DEPOSIT,
  DOMAIN_RANDAO,
  DOMAIN_TYPES,
  DOMAIN_VOLUNTARY_EXIT,
  DomainCache,
  getDomain,
  ZERO_ROOT,
} from "../../../../consensus/src/signing/index.ts";
import { fromHex, toHex } from "../../../../consensus/src/util/hex.ts";
import { Rng } from "../../../support/random.ts";

const RANDOM_CASES = 500;

/** Forks one epoch apart so every rule is visible: altair 1, bellatrix 2, capella 3, deneb 4, electra 5, fulu 6. */
const SPACED: ChainConfig = {
  ...mainnetChainConfig,
  ALTAIR_FORK_EPOCH: 1,
  BELLATRIX_FORK_EPOCH: 2,
  CAPELLA_FORK_EPOCH: 3,
  DENEB_FORK_EPOCH: 4,
  ELECTRA_FORK_EPOCH: 5,
  FULU_FORK_EPOCH: 6,
  BLOB_SCHEDULE: [{ EPOCH: 8, MAX_BLOBS_PER_BLOCK: 12 }],
};
const VERSIONS = [
  SPACED.GENESIS_FORK_VERSION,
  SPACED.ALTAIR_FORK_VERSION,
  SPACED.BELLATRIX_FORK_VERSION,
  SPACED.CAPELLA_FORK_VERSION,
  SPACED.DENEB_FORK_VERSION,
  SPACED.ELECTRA_FORK_VERSION,
  SPACED.FULU_FORK_VERSION,
];

/** Independent compute_domain: sha256(version ‖ 28 zero bytes ‖ root), first 28 bytes after the domain type. */
function expectedDomain(domainType: Uint8Array, version: Uint8Array, root: Uint8Array): string {
  const chunk = new Uint8Array(32);
  chunk.set(version);
  const forkDataRoot = createHash("sha256").update(chunk).update(root).digest();
  return toHex(new Uint8Array([...domainType, ...forkDataRoot.subarray(0, 28)]));
}

describe("domain types", () => {
  test("spec values", () => {
    assert.equal(toHex(DOMAIN_BEACON_PROPOSER), "0x00000000");
    assert.equal(toHex(DOMAIN_DEPOSIT), "0x03000000");
    assert.equal(toHex(DOMAIN_BLS_TO_EXECUTION_CHANGE), "0x0a000000");
    assert.equal(toHex(DOMAIN_APPLICATION_BUILDER), "0x00000001");
    assert.equal(Object.keys(DOMAIN_TYPES).length, 12);
    assert.equal(new Set(Object.values(DOMAIN_TYPES).map(toHex)).size, 12);
  });
});

describe("compute_domain / compute_fork_data_root", () => {
  test("mainnet deposit and builder domains (well-known values)", () => {
    const suffix = "f5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a9";
    assert.equal(toHex(computeDomain(DOMAIN_DEPOSIT, mainnetChainConfig.GENESIS_FORK_VERSION)), `0x03000000${suffix}`);
    assert.equal(
      toHex(computeDomain(DOMAIN_APPLICATION_BUILDER, mainnetChainConfig.GENESIS_FORK_VERSION, ZERO_ROOT)),
      `0x00000001${suffix}`,
    );
  });

  test("random types, versions and roots match an independent sha256", () => {
    const rng = new Rng(404);
    for (let i = 0; i < RANDOM_CASES; i++) {
      const [type, version, root] = [rng.bytes(4), rng.bytes(4), rng.bytes(32)];
      assert.equal(toHex(computeDomain(type, version, root)), expectedDomain(type, version, root));
      const chunk = new Uint8Array(32);
      chunk.set(version);
      const root2 = createHash("sha256").update(chunk).update(root).digest();
      assert.equal(toHex(computeForkDataRoot(version, root)), toHex(root2));
    }
  });

  test("wrong lengths are rejected", () => {
    assert.throws(() => computeDomain(new Uint8Array(3), new Uint8Array(4)), RangeError);
    assert.throws(() => computeDomain(new Uint8Array(4), new Uint8Array(5)), RangeError);
    assert.throws(() => computeForkDataRoot(new Uint8Array(4), new Uint8Array(31)), RangeError);
  });
});

describe("getDomain rules", () => {
  const gvr = fromHex("0x4b363db94e286120d76eb905340fdd4e54bfe9f06bf33ff6cf5ad27f511bfe95");

  test("ordinary domains use the fork version at the message epoch", () => {
    for (let epoch = 0; epoch <= 9; epoch++) {
      const version = VERSIONS[Math.min(epoch, 6)];
      for (const type of [DOMAIN_BEACON_PROPOSER, DOMAIN_BEACON_ATTESTER, DOMAIN_RANDAO, DOMAIN_AGGREGATE_AND_PROOF])
        assert.equal(toHex(getDomain(SPACED, type, epoch, gvr)), expectedDomain(type, version, gvr), `epoch ${epoch}`);
    }
  });

  test("a message before the state's fork uses the state's previous version (get_domain)", () => {
    // State in capella (epoch 3): messages of epochs < 3 use bellatrix's version, even epoch 0.
    for (const messageEpoch of [0, 1, 2])
      assert.equal(
        toHex(getDomain(SPACED, DOMAIN_BEACON_ATTESTER, messageEpoch, gvr, 3)),
        expectedDomain(DOMAIN_BEACON_ATTESTER, SPACED.BELLATRIX_FORK_VERSION, gvr),
      );
    // A message from the state's own fork or later uses the current version.
    assert.equal(
      toHex(getDomain(SPACED, DOMAIN_BEACON_ATTESTER, 9, gvr, 3)),
      expectedDomain(DOMAIN_BEACON_ATTESTER, SPACED.CAPELLA_FORK_VERSION, gvr),
    );
  });

  test("deposits and builder registrations: genesis version, zero root, at any epoch", () => {
    for (const epoch of [0, 3, 6, 1_000_000])
      for (const type of [DOMAIN_DEPOSIT, DOMAIN_APPLICATION_BUILDER])
        assert.equal(
          toHex(getDomain(SPACED, type, epoch, gvr)),
          expectedDomain(type, SPACED.GENESIS_FORK_VERSION, ZERO_ROOT),
        );
  });

  test("BLS-to-execution changes: genesis version with the genesis validators root", () => {
    for (const epoch of [0, 3, 6, 1_000_000])
      assert.equal(
        toHex(getDomain(SPACED, DOMAIN_BLS_TO_EXECUTION_CHANGE, epoch, gvr)),
        expectedDomain(DOMAIN_BLS_TO_EXECUTION_CHANGE, SPACED.GENESIS_FORK_VERSION, gvr),
      );
  });

  test("voluntary exits: capella version from deneb on (EIP-7044), the fork's version before", () => {
    for (let epoch = 0; epoch <= 9; epoch++) {
      const version = epoch >= 4 ? SPACED.CAPELLA_FORK_VERSION : VERSIONS[epoch];
      assert.equal(
        toHex(getDomain(SPACED, DOMAIN_VOLUNTARY_EXIT, epoch, gvr)),
        expectedDomain(DOMAIN_VOLUNTARY_EXIT, version, gvr),
      );
    }
    // An exit signed in altair (epoch 1), verified against a deneb+ state: still capella's version.
    assert.equal(
      toHex(getDomain(SPACED, DOMAIN_VOLUNTARY_EXIT, 1, gvr, 7)),
      expectedDomain(DOMAIN_VOLUNTARY_EXIT, SPACED.CAPELLA_FORK_VERSION, gvr),
    );
    // Verified against a capella state (epoch 3): get_domain's previous-version rule.
    assert.equal(
      toHex(getDomain(SPACED, DOMAIN_VOLUNTARY_EXIT, 1, gvr, 3)),
      expectedDomain(DOMAIN_VOLUNTARY_EXIT, SPACED.BELLATRIX_FORK_VERSION, gvr),
    );
  });

  test("DomainCache gives the same domains as getDomain and reuses them", () => {
    const rng = new Rng(405);
    const cache = new DomainCache(SPACED, gvr);
    const types = Object.values(DOMAIN_TYPES);
    for (let i = 0; i < RANDOM_CASES; i++) {
      const type = types[rng.int(types.length)];
      const stateEpoch = rng.int(10);
      const messageEpoch = rng.int(stateEpoch + 2);
      const a = cache.getDomain(type, messageEpoch, stateEpoch);
      assert.equal(toHex(a), toHex(getDomain(SPACED, type, messageEpoch, gvr, stateEpoch)));
      assert.equal(cache.getDomain(type, messageEpoch, stateEpoch), a);
    }
    assert.throws(() => new DomainCache(SPACED, new Uint8Array(31)), RangeError);
  });
});
