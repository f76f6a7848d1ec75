// Shuffling, committees, proposers, sync committees and aggregators vs Lodestar, mainnet preset (includes a
// 1,000,000-index whole-list shuffle with 90 rounds).
import { registerCommitteeDifferential } from "./committees.shared.ts";

registerCommitteeDifferential("mainnet");
