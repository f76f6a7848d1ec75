// Imports the oracle's packages from this folder's own node_modules. Set LODESTAR_PRESET before calling.
export async function loadAll() {
  const [params, types, config, stateTransition, utils, ssz] = await Promise.all([
    import("@lodestar/params"),
    import("@lodestar/types"),
    import("@lodestar/config"),
    import("@lodestar/state-transition"),
    import("@lodestar/utils"),
    import("@chainsafe/ssz"),
  ]);
  return { params, types, config, stateTransition, utils, ssz };
}
