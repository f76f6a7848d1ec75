// Durable, private file writes (Teku's rule: where a file is the record, write a temporary file, fsync it, rename
// it over the target, fsync the directory). After a crash a reader sees the old file or the new one, never half.
import { randomBytes } from "node:crypto";
import { chmod, mkdir, open, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { DataDirError } from "./errors.ts";
import { DIR_MODE, FILE_MODE } from "./layout.ts";

/** Random bytes in a temporary file's name (collisions between concurrent writers are then negligible). */
const TMP_NAME_RANDOM_BYTES = 6;

/** The name of a temporary sibling of `path` (same directory, so the rename is atomic). */
export function tempSiblingPath(path: string): string {
  return join(
    dirname(path),
    `.${basename(path)}.tmp-${process.pid}-${randomBytes(TMP_NAME_RANDOM_BYTES).toString("hex")}`,
  );
}

/** fsync a directory, so the renames and creations inside it survive a power loss. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Creates `dir` (and missing parents) with mode 0700; an existing directory is left as it is. Modes are set
 * explicitly after mkdir because the process umask could otherwise change them. Returns the topmost directory it
 * created (to remove again if what follows fails), or null when `dir` existed.
 */
export async function ensurePrivateDir(dir: string): Promise<string | null> {
  try {
    const s = await stat(dir);
    if (!s.isDirectory())
      throw new DataDirError("BAD_LAYOUT", `${dir} exists but is not a directory; move it away`, { path: dir });
    return null;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  const parent = dirname(dir);
  const createdAbove = parent === dir ? null : await ensurePrivateDir(parent);
  try {
    await mkdir(dir, { mode: DIR_MODE });
  } catch (e) {
    // A concurrent creator won the race: fine, as long as it is a directory (checked by the caller's next write).
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return createdAbove;
    throw e;
  }
  await chmod(dir, DIR_MODE);
  await fsyncDir(parent);
  return createdAbove ?? dir;
}

/**
 * Writes `data` to `path` durably and privately: a temporary sibling opened with exclusive create and mode 0600,
 * written, fsynced, renamed over `path`, then the directory fsynced — unless `syncDir` is false, for a caller that
 * writes many files into one directory and fsyncs it once after the last. The directory must exist.
 */
export async function writeFileDurable(
  path: string,
  data: string | Uint8Array,
  mode: number = FILE_MODE,
  syncDir = true,
): Promise<void> {
  const tmp = tempSiblingPath(path);
  const handle = await open(tmp, "wx", mode);
  try {
    try {
      await handle.chmod(mode);
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  if (syncDir) await fsyncDir(dirname(path));
}

/** Removes a file or directory tree if present (no error when it is already gone). */
export async function removePath(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}
