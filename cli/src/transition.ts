// `sextant transition`: a developer tool that applies signed blocks (SSZ files) to a state (SSZ file) with our
// state transition and prints each post-state root — how chains recorded from other clients are replayed (like
// Lighthouse's `lcli transition-blocks`). An invalid block stops the run with exit code 5 and the spec rule it
// broke.
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { ExitCode } from "@sextant/common";
import { isSextantError } from "@sextant/common/errors";
import {
  CHAIN_CONFIG_NAMES,
  type ChainConfig,
  type ChainConfigName,
  type ForkName,
  getChainConfig,
  getPreset,
  isPresetName,
} from "@sextant/consensus/params/index";
import { type CachedState, forkAtSlot, loadCachedState } from "@sextant/consensus/state/cachedState";
import type { BeaconConfig } from "@sextant/consensus/state/types";
import type { AnySignedBeaconBlock } from "@sextant/consensus/transition/blockTypes";
import { processSlots, stateTransition } from "@sextant/consensus/transition/stateTransition";
import { getSszTypes } from "@sextant/consensus/types/sszTypes";
import { toHex } from "@sextant/consensus/util/hex";
import { loadChainConfigFile } from "@sextant/validator/cli/run";
import { Command, InvalidArgumentError, Option } from "commander";

/** Exit code of a run that found a block invalid. */
export const EXIT_INVALID_BLOCK = 5;

interface TransitionFlags {
  config?: string;
  network: ChainConfigName;
  preState: string;
  blocks: string[];
  slots?: number;
  verifySignatures: boolean;
  out?: string;
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError("expected a whole number ≥ 0");
  return n;
}

/** The slot of a serialized SignedBeaconBlock: message offset 4 + signature 96, then the block's slot. */
export function slotOfSignedBlockBytes(bytes: Uint8Array): number {
  if (bytes.length < 108) throw new Error(`too short for a SignedBeaconBlock (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return view.getUint32(100, true) + view.getUint32(104, true) * 2 ** 32;
}

function readFile(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new InvalidArgumentError(
      `cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}

/** The `transition` command. */
export function transitionCommand(): Command {
  return new Command("transition")
    .description(
      "Apply signed blocks (SSZ) to a state (SSZ) with Sextant's state transition and print every post-state root.\n" +
        "The fork of the state and of each block is read from its slot and the chain config.",
    )
    .option("--config <file>", "chain config: a config YAML, or the JSON body of GET /eth/v1/config/spec")
    .addOption(
      new Option("--network <name>", "a built-in network's chain config (when --config is not given)")
        .choices([...CHAIN_CONFIG_NAMES])
        .default("mainnet"),
    )
    .requiredOption("--pre-state <file>", "the state to start from (SSZ BeaconState)")
    .option("--blocks <files...>", "signed blocks to apply in order (SSZ SignedBeaconBlock)", [])
    .addOption(new Option("--slots <n>", "then advance this many empty slots").argParser(parseCount))
    .option("--no-verify-signatures", "skip signature checks (trusted input)")
    .option("--out <file>", "write the final state here (SSZ)")
    .addHelpText(
      "after",
      "\nPrints one line per block (slot, block root, post-state root) and the final state root.\n" +
        `Exit codes: 0 all blocks valid, 2 bad flags or unreadable input, ${EXIT_INVALID_BLOCK} a block is invalid ` +
        "(the message names the spec rule it breaks).",
    )
    .action((_flags: TransitionFlags, command: Command) => {
      const flags = command.opts<TransitionFlags>();
      const fail = (message: string, code: number = ExitCode.USAGE): never =>
        command.error(`error: ${message}`, { exitCode: code, code: "sextant.transition" });
      let chain: ChainConfig;
      if (flags.config !== undefined) {
        try {
          chain = loadChainConfigFile(flags.config).config;
        } catch (e) {
          return fail(`--config ${(e as Error).message}`);
        }
      } else chain = getChainConfig(flags.network);
      if (!isPresetName(chain.PRESET_BASE)) return fail(`unknown PRESET_BASE ${chain.PRESET_BASE} in the chain config`);
      const config: BeaconConfig = {
        chain,
        preset: getPreset(chain.PRESET_BASE),
        types: getSszTypes(chain.PRESET_BASE),
      };

      let cs: CachedState;
      try {
        cs = loadCachedState(config, readFile(flags.preState, "--pre-state"));
      } catch (e) {
        return fail(`--pre-state ${flags.preState} is not a BeaconState of this chain: ${(e as Error).message}`);
      }
      console.log(`pre-state  slot ${cs.state.slot} (${cs.fork}) root ${toHex(cs.state.hashTreeRoot())}`);
      const options = { verifySignatures: flags.verifySignatures };
      for (const file of flags.blocks) {
        const bytes = readFile(file, "block");
        let signed: AnySignedBeaconBlock;
        let fork: ForkName;
        try {
          fork = forkAtSlot(config, slotOfSignedBlockBytes(bytes));
          signed = config.types[fork].SignedBeaconBlock.deserialize(bytes) as AnySignedBeaconBlock;
        } catch (e) {
          return fail(`${file} is not a SignedBeaconBlock: ${(e as Error).message}`);
        }
        const blockRoot = config.types[fork].BeaconBlock.hashTreeRoot(signed.message as never);
        try {
          if (signed.message.slot <= cs.state.slot) {
            return fail(
              `${file}: block slot ${signed.message.slot} is not after the state's slot ${cs.state.slot}`,
              EXIT_INVALID_BLOCK,
            );
          }
          stateTransition(cs, signed, options);
        } catch (e) {
          if (isSextantError(e)) {
            const rule = (e.context as { rule?: string }).rule ?? e.code;
            return fail(
              `${file} (slot ${signed.message.slot}) is invalid: ${rule}\n  ${e.message}`,
              EXIT_INVALID_BLOCK,
            );
          }
          throw e;
        }
        console.log(
          `block      slot ${signed.message.slot} (${fork}) root ${toHex(blockRoot)} post-state ${toHex(cs.state.hashTreeRoot())}`,
        );
      }
      if (flags.slots !== undefined && flags.slots > 0) {
        processSlots(cs, cs.state.slot + flags.slots);
        console.log(`slots      to ${cs.state.slot} (${cs.fork}) post-state ${toHex(cs.state.hashTreeRoot())}`);
      }
      const finalRoot = toHex(cs.state.hashTreeRoot());
      if (flags.out !== undefined) {
        const tmp = `${flags.out}.tmp-${process.pid}`;
        writeFileSync(tmp, cs.state.serialize());
        renameSync(tmp, flags.out);
      }
      console.log(`final      slot ${cs.state.slot} (${cs.fork}) root ${finalRoot}`);
    });
}
