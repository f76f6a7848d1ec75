// @sextant/consensus: the consensus specification (v1.6.1, phase0 → fulu) in TypeScript. Pure: no I/O, no timers.
// Subpath imports (`@sextant/consensus/bls/index`, …) load only one area; this entry re-exports them all.
export * from "./bls/index.ts";
export * from "./committees/index.ts";
export * from "./hasher.ts";
export * from "./params/constants.ts";
export * from "./params/index.ts";
export * from "./signing/index.ts";
export * from "./time/index.ts";
export * from "./types/index.ts";
export { fromHex, toHex } from "./util/hex.ts";
