// All SSZ types of phase0 → fulu for one preset. Each fork's namespace is complete: it holds every type valid at
// that fork, the unchanged ones inherited (the very same type objects) from earlier forks, so
// `types.deneb.Checkpoint === types.phase0.Checkpoint` and `types.deneb.BeaconBlock` is the deneb block.
import type { ForkName } from "../params/forkName.ts";
import { mainnetPreset } from "../params/presets/mainnet.ts";
import { minimalPreset } from "../params/presets/minimal.ts";
import type { Preset, PresetName } from "../params/presets/preset.ts";
import { createAltairTypes } from "./altair.ts";
import { createBellatrixTypes } from "./bellatrix.ts";
import { createCapellaTypes } from "./capella.ts";
import { createDenebTypes } from "./deneb.ts";
import { createElectraTypes } from "./electra.ts";
import { createFuluTypes } from "./fulu.ts";
import { createPhase0Types } from "./phase0.ts";

function build(preset: Preset) {
  const phase0Only = createPhase0Types(preset);
  const altairOnly = createAltairTypes(preset, phase0Only);
  const bellatrixOnly = createBellatrixTypes(preset, altairOnly);
  const capellaOnly = createCapellaTypes(preset, phase0Only, altairOnly, bellatrixOnly);
  const denebOnly = createDenebTypes(preset, phase0Only, altairOnly, capellaOnly);
  const electraOnly = createElectraTypes(preset, phase0Only, altairOnly, denebOnly);
  const fuluOnly = createFuluTypes(preset, phase0Only, altairOnly, denebOnly, electraOnly);

  const phase0 = Object.freeze({ ...phase0Only });
  const altair = Object.freeze({ ...phase0, ...altairOnly });
  const bellatrix = Object.freeze({ ...altair, ...bellatrixOnly });
  const capella = Object.freeze({ ...bellatrix, ...capellaOnly });
  const deneb = Object.freeze({ ...capella, ...denebOnly });
  const electra = Object.freeze({ ...deneb, ...electraOnly });
  const fulu = Object.freeze({ ...electra, ...fuluOnly });
  return Object.freeze({ phase0, altair, bellatrix, capella, deneb, electra, fulu });
}

/** Every fork's complete namespace of SSZ types for one preset. */
export type SszTypes = ReturnType<typeof build>;

/** The complete namespace of fork F. */
export type ForkTypes<F extends ForkName> = SszTypes[F];

const cache = new WeakMap<Preset, SszTypes>();

/**
 * The SSZ types of every fork for `preset`, built once per preset object (later calls return the same objects,
 * so types can be compared by identity).
 */
export function createSszTypes(preset: Preset): SszTypes {
  let types = cache.get(preset);
  if (types === undefined) {
    types = build(preset);
    cache.set(preset, types);
  }
  return types;
}

/** The SSZ types of the named preset (mainnet or minimal). */
export function getSszTypes(presetName: PresetName): SszTypes {
  switch (presetName) {
    case "mainnet":
      return createSszTypes(mainnetPreset);
    case "minimal":
      return createSszTypes(minimalPreset);
    default:
      throw new Error(`unknown preset ${String(presetName)}`);
  }
}

/** The complete namespace of `fork`: every container valid at that fork, inherited ones included. */
export function sszTypesFor<F extends ForkName>(types: SszTypes, fork: F): ForkTypes<F> {
  const namespace = types[fork];
  if (namespace === undefined) throw new Error(`unknown fork ${String(fork)}`);
  return namespace;
}
