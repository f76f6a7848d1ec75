// Imports the oracle's packages from this folder's own node_modules. Set LODESTAR_PRESET before calling.
export async function loadAll() {
  const [params, types, config, stateTransition, utils, ssz, stBlock, stEpoch, stSlot] = await Promise.all([
    import("@lodestar/params"),
    import("@lodestar/types"),
    import("@lodestar/config"),
    import("@lodestar/state-transition"),
    import("@lodestar/utils"),
    import("@chainsafe/ssz"),
    import("@lodestar/state-transition/block"),
    import("@lodestar/state-transition/epoch"),
    import("@lodestar/state-transition/slot"),
  ]);
  return { params, types, config, stateTransition, utils, ssz, stBlock, stEpoch, stSlot };
}
