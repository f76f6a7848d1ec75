// Shuffling, committees, proposers, sync committees and aggregators vs Lodestar, minimal preset.
import { registerCommitteeDifferential } from "./committees.shared.ts";

registerCommitteeDifferential("minimal");
