// Differential: fork digests, domains, signing roots, interop keys and slot arithmetic vs Lodestar (mainnet preset).
import { mainnetChainConfig } from "../../consensus/src/params/config/mainnet.ts";
import { mainnetPreset } from "../../consensus/src/params/presets/mainnet.ts";
import { registerSigningDifferential } from "./signingOracle.ts";

registerSigningDifferential("mainnet", mainnetChainConfig, mainnetPreset);
