// Differential test of genesis (consensus/src/transition/genesis) against the oracle's
// initializeBeaconStateFromEth1 at mainnet scale (mainnet preset, 16,384 validators; 64 are in the minimal file):
// the interop mocked start at every fork phase0 … fulu must give the same state root. The interop deposits are
// signed once and shared by every fork (ours caches them; the oracle checks every Merkle proof each time and every
// signature once, see memoizeOracleBlsVerify).
// The oracle's genesis and its deposit proofs are test/support/genesisOracle.ts's (shared with the minimal file).
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, it } from "node:test";
import { FORK_NAMES, mainnetChainConfig } from "@sextant/consensus/params/index";
import {
  createInteropGenesisState,
  interopDepositData,
  isValidGenesisState,
} from "@sextant/consensus/transition/genesis/index";
import { beaconConfigOf, hex } from "../support/dualState.ts";
import { oracleGenesis } from "../support/genesisOracle.ts";
import { loadOracle, oracleSkip } from "../support/oracle.ts";
import { PROJECT_ROOT } from "../support/reference.ts";
import { assertSameStateRoot, chainAtFork } from "../support/transitionFixtures.ts";

// biome-ignore lint/suspicious/noExplicitAny: the oracle's API is untyped here
type Any = any;

const GENESIS_TIME = 1_700_000_000;

const skip = oracleSkip();

/**
 * The oracle verifies every deposit signature of every genesis it builds (16,384 pairings per fork). BLS `verify`
 * is a pure function, so its verdicts are memoized across forks: the first genesis runs every real verification,
 * later ones reuse the verdict for the very same (message, key, signature). This wraps the oracle's own
 * @chainsafe/blst (CommonJS, loaded here before the oracle's ESM modules bind to it); nothing else changes.
 */
function memoizeOracleBlsVerify(): void {
  const blst = createRequire(join(PROJECT_ROOT, "test", "oracle", "package.json"))("@chainsafe/blst");
  if (blst.verify.memoized) return;
  const real = blst.verify;
  const verdicts = new Map<string, boolean>();
  const memo = (msg: Uint8Array, pk: Any, sig: Any, ...rest: unknown[]): boolean => {
    const key = `${hex(msg)}${hex(pk.toBytes(true))}${hex(sig.toBytes(true))}${rest.join()}`;
    let verdict = verdicts.get(key);
    if (verdict === undefined) {
      verdict = real(msg, pk, sig, ...rest) as boolean;
      verdicts.set(key, verdict);
    }
    return verdict;
  };
  memo.memoized = true;
  blst.verify = memo;
}
if (!skip) memoizeOracleBlsVerify();

describe("interop genesis matches the oracle (mainnet preset)", { skip }, () => {
  for (const count of [16_384]) {
    for (const fork of FORK_NAMES) {
      it(`genesis at ${fork}, ${count} validators`, async () => {
        const o = await loadOracle("mainnet");
        const chain = chainAtFork(mainnetChainConfig, fork);
        const config = beaconConfigOf(chain);
        const cs = createInteropGenesisState(config, { validatorCount: count, genesisTime: GENESIS_TIME });
        assert.equal(cs.fork, fork);
        const theirs = oracleGenesis(o, chain, fork, interopDepositData(config, count), { genesisTime: GENESIS_TIME });
        assert.equal(theirs.validators.length, count, "the oracle accepted every interop deposit (signature, proof)");
        assertSameStateRoot(config, fork, cs.state, theirs, `genesis at ${fork}`);
        assert.equal(isValidGenesisState(config, cs.state), count >= chain.MIN_GENESIS_ACTIVE_VALIDATOR_COUNT);
      });
    }
  }
});
