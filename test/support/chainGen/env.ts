// The test-chain generator's environment: the oracle (Lodestar, minimal preset), the chain config of a scenario
// in both forms (our ChainConfig written as spec YAML, and the oracle's config built from the same values), and
// the interop keys used to sign everything. Signatures of many validators over one message are made with the
// sum of their secret keys, which gives exactly the aggregate of their individual signatures.
import { createRequire } from "node:module";
import { join } from "node:path";
import { chainConfigToYaml } from "../../../consensus/src/params/config/yaml.ts";
import {
  type ChainConfig,
  FORK_NAMES,
  type ForkName,
  minimalChainConfig,
  parseChainConfigYaml,
} from "../../../consensus/src/params/index.ts";
import { loadOracle, type Oracle } from "../oracle.ts";
import { PROJECT_ROOT } from "../reference.ts";

// biome-ignore lint/suspicious/noExplicitAny: the oracle's API is untyped in this project
export type Any = any;

/** The BLS12-381 scalar field order. */
const CURVE_ORDER = 52435875175126190479447740508185965837690552500527637822603658699938581184513n;

/** The compressed G2 point at infinity: the signature of an empty sync aggregate. */
export const G2_INFINITY: Uint8Array = (() => {
  const b = new Uint8Array(96);
  b[0] = 0xc0;
  return b;
})();

/** The blst binding the oracle uses (test/oracle's @chainsafe/blst). */
export function oracleBlst(): Any {
  const req = createRequire(
    join(PROJECT_ROOT, "test", "oracle", "node_modules", "@lodestar", "state-transition", "x.js"),
  );
  return req("@chainsafe/blst");
}

/** Config values a scenario may override (any ChainConfig key). */
export type ConfigOverrides = Partial<Record<keyof ChainConfig, number | string | Uint8Array>>;

/**
 * The chain config of a scenario: minimal, forks from `genesisFork` on scheduled at epoch 0, later ones at the
 * given epochs (others unscheduled), then `overrides`.
 */
export function scenarioChainConfig(
  genesisFork: ForkName,
  forkEpochs: Partial<Record<ForkName, number>>,
  overrides: ConfigOverrides,
): ChainConfig {
  const c: Record<string, unknown> = { ...minimalChainConfig, CONFIG_NAME: "sextant-chaingen" };
  const genesisSeq = FORK_NAMES.indexOf(genesisFork);
  let last = 0;
  for (const [i, fork] of FORK_NAMES.entries()) {
    if (fork === "phase0") continue;
    const key = `${fork.toUpperCase()}_FORK_EPOCH`;
    let epoch: number = i <= genesisSeq ? 0 : (forkEpochs[fork] ?? Infinity);
    if (epoch < last) throw new Error(`fork ${fork} at epoch ${epoch} is before the previous fork (epoch ${last})`);
    if (Number.isFinite(epoch)) last = epoch;
    else epoch = Infinity;
    c[key] = epoch;
  }
  for (const [k, v] of Object.entries(overrides)) {
    if (!(k in minimalChainConfig)) throw new Error(`config override ${k} is not a ChainConfig key`);
    c[k] = v;
  }
  return c as unknown as ChainConfig;
}

/** Our config as spec YAML, checked to parse back to the same values. */
export function configYamlOf(config: ChainConfig): string {
  const yaml = chainConfigToYaml(config);
  const back = parseChainConfigYaml(yaml).config as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(config)) {
    const w = back[k];
    const same =
      v instanceof Uint8Array
        ? w instanceof Uint8Array && Buffer.from(v).equals(Buffer.from(w))
        : JSON.stringify(v, bigintJson) === JSON.stringify(w, bigintJson);
    if (!same) throw new Error(`config key ${k} does not round-trip through YAML: ${String(v)} → ${String(w)}`);
  }
  return yaml;
}

function bigintJson(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? `${value}n` : value;
}

/** The oracle's chain config for ours (shared with the per-function differential tests). */
export { oracleChainConfig as oracleChainConfigOf } from "../dualState.ts";

/** Interop keys: blst secret keys, their scalars and public keys, made on first use. */
export class InteropKeys {
  private readonly sks: Any[] = [];
  private readonly scalars: bigint[] = [];
  private readonly pks: Uint8Array[] = [];
  private readonly o: Oracle;
  private readonly blst: Any;
  constructor(o: Oracle, blst: Any) {
    this.o = o;
    this.blst = blst;
  }
  secretKey(i: number): Any {
    let sk = this.sks[i];
    if (!sk) {
      sk = this.o.stateTransition.interopSecretKey(i);
      this.sks[i] = sk;
      this.scalars[i] = BigInt(`0x${Buffer.from(sk.toBytes()).toString("hex")}`);
    }
    return sk;
  }
  pubkey(i: number): Uint8Array {
    let pk = this.pks[i];
    if (!pk) {
      pk = this.secretKey(i).toPublicKey().toBytes();
      this.pks[i] = pk;
    }
    return pk;
  }
  /** The signature of key `i` over `root`. */
  sign(i: number, root: Uint8Array): Uint8Array {
    return this.secretKey(i).sign(root).toBytes();
  }
  /**
   * The aggregate signature of keys `indices` (repeats count again, as in a sync committee) over `root`: one
   * signature with the sum of their scalars, equal to the aggregate of their signatures.
   */
  signAggregate(indices: readonly number[], root: Uint8Array): Uint8Array {
    if (indices.length === 0) return G2_INFINITY;
    if (indices.length === 1) return this.sign(indices[0], root);
    let sum = 0n;
    for (const i of indices) {
      this.secretKey(i);
      sum = (sum + this.scalars[i]) % CURVE_ORDER;
    }
    if (sum === 0n) {
      const sigs = indices.map((i) => this.secretKey(i).sign(root));
      return this.blst.aggregateSignatures(sigs).toBytes();
    }
    const bytes = Buffer.from(sum.toString(16).padStart(64, "0"), "hex");
    return this.blst.SecretKey.fromBytes(bytes).sign(root).toBytes();
  }
}

/** The oracle loaded for the minimal preset (one preset per process). */
export async function minimalOracle(): Promise<Oracle> {
  return loadOracle("minimal");
}
