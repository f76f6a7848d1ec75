// Writes a generated chain to a folder so `sextant transition` can be tried on it by hand: config.yaml,
// pre-state.ssz (the genesis state), block_<slot>.ssz per block, and roots.json (every step with its
// post-state root and contents, in order).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { GeneratedChain } from "./types.ts";

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString("hex")}`;

/** Writes `chain` under `outDir` (created if missing); returns the files written. */
export function writeChain(chain: GeneratedChain, outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  const files: string[] = [];
  const write = (name: string, data: string | Uint8Array) => {
    writeFileSync(join(outDir, name), data);
    files.push(name);
  };
  write("config.yaml", chain.configYaml);
  write("pre-state.ssz", chain.genesisState);
  const steps = chain.steps.map((s) => {
    if (s.kind === "slots")
      return { kind: s.kind, toSlot: s.toSlot, fork: s.fork, postStateRoot: hex(s.postStateRoot) };
    const file = `block_${s.slot}.ssz`;
    write(file, s.signedBlock);
    return {
      kind: s.kind,
      slot: s.slot,
      fork: s.fork,
      file,
      postStateRoot: hex(s.postStateRoot),
      contents: s.contents,
    };
  });
  const roots = {
    name: chain.name,
    genesisFork: chain.genesisFork,
    genesisStateRoot: hex(chain.genesisStateRoot),
    steps,
  };
  write("roots.json", `${JSON.stringify(roots, null, 2)}\n`);
  return files;
}
