// Passwords for an import: one shared password file, a folder of per-key password files, or a hidden prompt.
// With a prompt a wrong password is asked again (each new password is also tried on the other keystores it
// has not opened yet, for folders made with more than one password); with files a wrong password is an error.
import type { PubkeyHex } from "../../dataDir/layout.ts";
import { KeystoreError } from "../errors.ts";
import type { KeystoreFile } from "../keystoreFile.ts";
import { mapLimit } from "../mapLimit.ts";
import { passwordFileCandidates, readPasswordFile } from "../password.ts";
import type { DecryptJob, DecryptPool, DecryptResult } from "../pool.ts";
import { canPrompt, type PromptIo, promptHidden } from "../prompt.ts";

/** Where passwords come from. */
export type PasswordSource =
  | { kind: "file"; path: string }
  | { kind: "dir"; dir: string }
  | { kind: "prompt"; io: PromptIo };

/** Wrong passwords accepted for one keystore at the prompt before the import gives up. */
export const MAX_PROMPT_ATTEMPTS = 5;

const NO_TTY_HINT =
  "pass --password-file FILE (one password for every keystore) or --passwords-dir DIR (one file per public key)";

/** Starts the progress display of a batch of `total` decryptions (Progress fits). */
export type ProgressFactory = (total: number) => { update(done: number): void; finish(): void };

/** A keystore that decrypted, with the password that opened it (stored in the data directory's secrets/). */
export interface Decrypted {
  file: KeystoreFile;
  password: string;
  secret: Uint8Array;
}

/** The outcome of decrypting a batch: what opened and what did not (with why). */
export interface DecryptOutcome {
  decrypted: Decrypted[];
  failed: { file: KeystoreFile; error: KeystoreError }[];
}

async function passwordFromDir(dir: string, pubkey: PubkeyHex, keystorePath: string): Promise<string> {
  const candidates = passwordFileCandidates(dir, pubkey);
  for (const path of candidates) {
    try {
      return await readPasswordFile(path);
    } catch (e) {
      if (
        e instanceof KeystoreError &&
        e.code === "FILE_UNREADABLE" &&
        (e.cause as NodeJS.ErrnoException)?.code === "ENOENT"
      )
        continue;
      throw e;
    }
  }
  throw new KeystoreError(
    "PASSWORD_MISSING",
    `no password file for ${keystorePath} in ${dir}: create ${candidates[0]} (or ${candidates[1]}) holding its password`,
    { file: keystorePath, expected: candidates },
  );
}

/** The first password of each keystore (files are read; the prompt asks once for all). */
async function initialPasswords(files: readonly KeystoreFile[], source: PasswordSource): Promise<string[]> {
  switch (source.kind) {
    case "file": {
      const password = await readPasswordFile(source.path);
      return files.map(() => password);
    }
    case "dir": {
      // Read concurrently, but report the first missing or unreadable file in keystore order, whichever read
      // happened to fail first.
      const reads = await mapLimit(files, (f) =>
        passwordFromDir(source.dir, f.pubkey, f.path).then(
          (password) => ({ password, error: undefined }),
          (error: unknown) => ({ password: "", error }),
        ),
      );
      const failed = reads.find((r) => r.error !== undefined);
      if (failed) throw failed.error;
      return reads.map((r) => r.password);
    }
    case "prompt": {
      const what = files.length === 1 ? files[0].path : `the ${files.length} keystores`;
      const password = await promptHidden(`Password for ${what}: `, source.io, NO_TTY_HINT);
      return files.map(() => password);
    }
  }
}

function wrongPasswordError(file: KeystoreFile, source: PasswordSource): KeystoreError {
  const where =
    source.kind === "file"
      ? `the password in ${source.path}`
      : source.kind === "dir"
        ? `its password file in ${source.dir}`
        : `the password typed (${MAX_PROMPT_ATTEMPTS} attempts)`;
  return new KeystoreError("WRONG_PASSWORD", `${where} does not decrypt ${file.path}; give the keystore's password`, {
    file: file.path,
  });
}

/** Whether a prompt can be used when no password flag was given (else the caller reports NO_TTY). */
export function promptAvailable(io: PromptIo): boolean {
  return canPrompt(io);
}

/**
 * Decrypts every keystore with its password from `source`, on the pool, asking again at the prompt for wrong
 * passwords. Failures (wrong password, corrupt keystore) are returned, not thrown; a missing password file or an
 * aborted prompt throws.
 */
export async function decryptWithPasswords(
  files: readonly KeystoreFile[],
  source: PasswordSource,
  pool: DecryptPool,
  progress?: ProgressFactory,
): Promise<DecryptOutcome> {
  if (files.length === 0) return { decrypted: [], failed: [] };
  if (source.kind === "prompt" && !canPrompt(source.io))
    throw new KeystoreError("NO_TTY", `a password is needed and stdin is not a terminal: ${NO_TTY_HINT}`);
  const passwords = await initialPasswords(files, source);
  const job = (i: number, password: string): DecryptJob => ({
    keystore: files[i].keystore,
    password,
    path: files[i].path,
  });
  const batch = async (jobs: DecryptJob[]): Promise<DecryptResult[]> => {
    const bar = progress?.(jobs.length);
    try {
      return await pool.decryptAll(jobs, (done) => bar?.update(done));
    } finally {
      bar?.finish(); // before any prompt: the prompt starts on a line of its own
    }
  };
  const results = await batch(files.map((_, i) => job(i, passwords[i])));
  const outcome: DecryptOutcome = { decrypted: [], failed: [] };
  const wrong: number[] = [];
  results.forEach((r, i) => {
    if (r.ok) outcome.decrypted.push({ file: files[i], password: passwords[i], secret: r.secret });
    else if (r.error.code === "WRONG_PASSWORD" && source.kind === "prompt") wrong.push(i);
    else
      outcome.failed.push({
        file: files[i],
        error: r.error.code === "WRONG_PASSWORD" ? wrongPasswordError(files[i], source) : r.error,
      });
  });
  if (source.kind !== "prompt") return outcome;
  try {
    await askAgain(wrong, files, source, batch, job, outcome);
  } catch (e) {
    for (const d of outcome.decrypted) d.secret.fill(0); // aborted: nothing of this batch survives
    throw e;
  }
  return outcome;
}

/** The prompt loop for the keystores the first password did not open (see decryptWithPasswords). */
async function askAgain(
  wrong: number[],
  files: readonly KeystoreFile[],
  source: PasswordSource & { kind: "prompt" },
  batch: (jobs: DecryptJob[]) => Promise<DecryptResult[]>,
  job: (i: number, password: string) => DecryptJob,
  outcome: DecryptOutcome,
): Promise<void> {
  const attempts = new Map<number, number>();
  while (wrong.length > 0) {
    const first = wrong[0];
    const others = wrong.length - 1;
    const also = others > 0 ? ` (it will also be tried on the ${others} other keystore(s) still locked)` : "";
    const password = await promptHidden(
      `Wrong password for ${files[first].path}. Its password${also}: `,
      source.io,
      NO_TTY_HINT,
    );
    const retry = await batch(wrong.map((i) => job(i, password)));
    const still: number[] = [];
    retry.forEach((r, k) => {
      const i = wrong[k];
      if (r.ok) outcome.decrypted.push({ file: files[i], password, secret: r.secret });
      else if (r.error.code === "WRONG_PASSWORD") still.push(i);
      else outcome.failed.push({ file: files[i], error: r.error });
    });
    if (still[0] === first) {
      const n = (attempts.get(first) ?? 1) + 1;
      attempts.set(first, n);
      if (n >= MAX_PROMPT_ATTEMPTS) {
        outcome.failed.push({ file: files[first], error: wrongPasswordError(files[first], source) });
        still.shift();
      }
    }
    wrong = still;
  }
}
