// The presets by name. A chain config picks one with PRESET_BASE.
import { mainnetPreset } from "./mainnet.ts";
import { minimalPreset } from "./minimal.ts";
import type { Preset, PresetName } from "./preset.ts";

/** Every preset this client has, by name. */
export const presets: Readonly<Record<PresetName, Preset>> = Object.freeze({
  mainnet: mainnetPreset,
  minimal: minimalPreset,
});

/** True when `name` is a preset this client has ("mainnet" or "minimal"). */
export function isPresetName(name: string): name is PresetName {
  return name === "mainnet" || name === "minimal";
}

/** The preset called `name`. */
export function getPreset(name: PresetName): Preset {
  const preset = presets[name];
  if (!preset) throw new Error(`unknown preset ${String(name)}`);
  return preset;
}
