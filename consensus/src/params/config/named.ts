// The chain configs this client ships, by name.
import type { ChainConfig } from "./chainConfig.ts";
import { devChainConfig } from "./dev.ts";
import { mainnetChainConfig } from "./mainnet.ts";
import { minimalChainConfig } from "./minimal.ts";
import { sepoliaChainConfig } from "./sepolia.ts";

/** Names of the built-in chain configs. */
export const CHAIN_CONFIG_NAMES = ["mainnet", "sepolia", "minimal", "dev"] as const;

export type ChainConfigName = (typeof CHAIN_CONFIG_NAMES)[number];

/** The built-in chain configs, by name (each one's CONFIG_NAME is its name). */
export const namedChainConfigs: Readonly<Record<ChainConfigName, ChainConfig>> = Object.freeze({
  mainnet: mainnetChainConfig,
  sepolia: sepoliaChainConfig,
  minimal: minimalChainConfig,
  dev: devChainConfig,
});

/** True when `name` is a built-in chain config. */
export function isChainConfigName(name: string): name is ChainConfigName {
  return (CHAIN_CONFIG_NAMES as readonly string[]).includes(name);
}

/** The built-in chain config called `name`. */
export function getChainConfig(name: ChainConfigName): ChainConfig {
  if (!isChainConfigName(name))
    throw new Error(`unknown chain config ${String(name)} (${CHAIN_CONFIG_NAMES.join(", ")})`);
  return namedChainConfigs[name];
}

/**
 * genesis_validators_root of the public networks (hex, no 0x), fixed at their genesis, as every client ships them.
 * The dev and minimal networks get a new root at each genesis, so they have none here.
 */
export const KNOWN_GENESIS_VALIDATORS_ROOTS: Readonly<Partial<Record<ChainConfigName, string>>> = Object.freeze({
  mainnet: "4b363db94e286120d76eb905340fdd4e54bfe9f06bf33ff6cf5ad27f511bfe95",
  sepolia: "d8ea171f3c94aea21ebc42a1ed61052acf3f9209c00e4efbaaddac09ed9b8078",
});
