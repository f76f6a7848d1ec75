// Presets, chain configs and fork helpers: everything a network's parameters are made of.

export type { BlobScheduleEntry, ChainConfig } from "./config/chainConfig.ts";
export { createDevChainConfig, type DevChainConfigOverrides, devChainConfig } from "./config/dev.ts";
export { mainnetChainConfig } from "./config/mainnet.ts";
export { minimalChainConfig } from "./config/minimal.ts";
export {
  CHAIN_CONFIG_NAMES,
  type ChainConfigName,
  getChainConfig,
  isChainConfigName,
  KNOWN_GENESIS_VALIDATORS_ROOTS,
  namedChainConfigs,
} from "./config/named.ts";
export { sepoliaChainConfig } from "./config/sepolia.ts";
export { checkBlobSchedule, validateChainConfig } from "./config/validate.ts";
export {
  chainConfigToYaml,
  type ParseChainConfigOptions,
  type ParsedChainConfig,
  parseChainConfigYaml,
  referenceChainConfig,
} from "./config/yaml.ts";
export { ConfigError, type ConfigErrorCode, type ConfigErrorContext, isConfigError } from "./errors.ts";
export { CONSENSUS_SPECS_VERSION, FORK_NAMES, type ForkName, ForkSeq, isForkAtLeast, isForkName } from "./forkName.ts";
export {
  assertForkOrder,
  type BlobParameters,
  blobParametersAtEpoch,
  FORK_CONFIG_KEYS,
  type ForkInfo,
  forkEpoch,
  forkInfo,
  forkNameAtEpoch,
  forkVersion,
  forkVersionAtEpoch,
  getForkSchedule,
} from "./forkSchedule.ts";
export { getPreset, isPresetName, presets } from "./presets/index.ts";
export { mainnetPreset, mainnetPresetByFork } from "./presets/mainnet.ts";
export { minimalPreset, minimalPresetByFork } from "./presets/minimal.ts";
export type { Preset, PresetName } from "./presets/preset.ts";
export {
  assertNoUnsupportedForkScheduled,
  collectUnknownForks,
  type UnknownFork,
  unknownForkOfKey,
  unknownForksOf,
  unsupportedForkMessage,
} from "./unknownForks.ts";
