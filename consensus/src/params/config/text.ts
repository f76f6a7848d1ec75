// A chain config from text, in either form operators have at hand: a config YAML (the spec's format, as networks
// publish it) or the JSON a beacon node answers to GET /eth/v1/config/spec (with or without its `data` envelope).
// Unknown keys (preset values, …) are ignored; omitted keys come from the reference config of its PRESET_BASE.
import type { ChainConfig } from "./chainConfig.ts";
import { parseChainConfigYaml } from "./yaml.ts";

/** Parses a config YAML or spec JSON. Throws with a message naming the bad key or the syntax error. */
export function parseChainConfigText(text: string): { config: ChainConfig; warnings: string[] } {
  let source = text;
  if (text.trimStart().startsWith("{")) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new Error(`not valid JSON: ${(e as Error).message}`);
    }
    const body = (json as { data?: unknown }).data ?? json;
    source = JSON.stringify(body);
  }
  const parsed = parseChainConfigYaml(source);
  return { config: parsed.config, warnings: parsed.warnings.filter((w) => !w.startsWith("unknown key")) };
}
