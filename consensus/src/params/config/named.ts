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
