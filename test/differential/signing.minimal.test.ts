// Differential: fork digests, domains, signing roots, interop keys and slot arithmetic vs Lodestar (minimal preset).
import { minimalChainConfig } from "../../consensus/src/params/config/minimal.ts";
import { minimalPreset } from "../../consensus/src/params/presets/minimal.ts";
import { registerSigningDifferential } from "./signingOracle.ts";

registerSigningDifferential("minimal", minimalChainConfig, minimalPreset);
