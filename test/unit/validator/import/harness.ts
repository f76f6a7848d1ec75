// Shared by the import tests: runs the `import` command in-process (commander with exitOverride, output captured)
// and builds launchpad folders once per test file.
import { cp, mkdir, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { getChainConfig } from "@sextant/consensus/params/index";
import { CommanderError } from "commander";
import { importCommand } from "../../../../validator/src/cli/import.ts";
import type { SlashingProtectionImporter } from "../../../../validator/src/keystores/import/slashingProtection.ts";
import type { PromptIo } from "../../../../validator/src/keystores/prompt.ts";
import { type FixtureKdf, type LaunchpadFolder, makeLaunchpadFolder } from "../../../fixtures/keystores/launchpad.ts";
import { captureStream } from "../../../fixtures/keystores/streams.ts";

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs `sextant validator import <args>` in this process. stdin defaults to a pipe (not a terminal). */
export async function runImportCli(
  args: string[],
  opts: {
    stdin?: PromptIo["input"];
    stderr?: NodeJS.WritableStream & { text: () => string; isTTY?: boolean };
    importSlashingProtection?: SlashingProtectionImporter;
  } = {},
): Promise<RunResult> {
  const stdout = captureStream(false);
  const stderr = opts.stderr ?? captureStream(false);
  const cmd = importCommand({
    io: { stdout, stderr, stdin: opts.stdin ?? new PassThrough() },
    importSlashingProtection: opts.importSlashingProtection,
  }).exitOverride();
  let exitCode = 0;
  try {
    await cmd.parseAsync(["--threads", "2", ...args], { from: "user" });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    exitCode = e.exitCode;
  }
  return { exitCode, stdout: stdout.text(), stderr: stderr.text() };
}

/** A fresh temporary folder. */
export function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `sextant-${prefix}-`));
}

/** A validator_keys folder of `count` keys for `network` under `root/name`. */
export async function launchpad(
  root: string,
  name: string,
  opts: {
    seed: number;
    count: number;
    network: "mainnet" | "sepolia" | "minimal" | "dev";
    password?: string;
    kdf?: FixtureKdf;
  },
): Promise<LaunchpadFolder> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  return makeLaunchpadFolder(dir, {
    seed: opts.seed,
    count: opts.count,
    password: opts.password ?? "launchpad password 🔑",
    config: getChainConfig(opts.network),
    kdf: opts.kdf,
  });
}

/** A copy of a launchpad folder to damage. */
export async function copyFolder(src: string, dest: string): Promise<string> {
  await cp(src, dest, { recursive: true });
  return dest;
}
