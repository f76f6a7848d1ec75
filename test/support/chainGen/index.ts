// The test-chain generator (oracle-driven): valid minimal-preset chains from interop genesis at any fork, with
// fork upgrades, attestations, sync aggregates, skipped slots and every block operation, recorded as SSZ bytes
// with the oracle's post-state roots so our state transition can replay them and compare.
export { coverageOf, formatCoverage, missingKinds, REQUIRED_KINDS } from "./coverage.ts";
export { generateChain } from "./generator.ts";
export { DEFAULT_SCENARIOS, SCENARIOS, type ScenarioSize, scenario } from "./scenarios.ts";
export type { ChainStep, GeneratedChain, OpRequest, ScenarioSpec, SlotPlan } from "./types.ts";
export { replayWithOracle } from "./verify.ts";
export { writeChain } from "./write.ts";
