// One process per data directory. Two validator clients signing with the same keys is how validators get
// slashed, so the client (and the import command, while it writes) holds `<dataDir>/validator.lock`:
// - acquire = exclusive create (O_CREAT|O_EXCL) of the lock file holding { pid, hostname, program, startedAt };
// - a lock whose pid is dead on this host is stale (the holder crashed) and is taken over; taking over renames the
//   stale file aside first, so two processes that both found it stale cannot both end up holding the lock;
// - a lock written on another host (a shared filesystem) is never considered stale: the operator must remove it.
// Limits: pid reuse can make a stale lock look alive (the error names the file to delete); advisory only — a
// program that ignores the file is not stopped.
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { DataDirError } from "./errors.ts";
import { FILE_MODE } from "./layout.ts";

/** What a lock file says about its holder. */
export interface LockHolder {
  pid: number;
  hostname: string;
  /** Who holds it, e.g. "validator client" or "validator import". */
  program: string;
  startedAt: string;
  /** Random id of this acquisition (tells two holders with the same pid apart). */
  nonce: string;
}

/** A held lock; release() removes the file if it is still ours (idempotent). */
export interface DataDirLock {
  readonly path: string;
  readonly holder: LockHolder;
  release(): void;
}

/** Attempts before giving up when the lock keeps changing under us (concurrent stale-lock takeovers). */
const MAX_ACQUIRE_ATTEMPTS = 5;
/** Random bytes of a lock nonce. */
const NONCE_BYTES = 8;

/** True when a process with this pid exists on this host (EPERM: it exists but belongs to another user). */
export function isPidAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function parseHolder(text: string): LockHolder | null {
  try {
    const v = JSON.parse(text) as Partial<LockHolder>;
    if (typeof v.pid !== "number" || typeof v.hostname !== "string") return null;
    return {
      pid: v.pid,
      hostname: v.hostname,
      program: String(v.program ?? "unknown"),
      startedAt: String(v.startedAt ?? ""),
      nonce: String(v.nonce ?? ""),
    };
  } catch {
    return null;
  }
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

/**
 * The live holder of the lock at `lockPath`, or null when it is free or stale. A lock file that cannot be parsed
 * (e.g. the holder crashed while writing it) counts as stale.
 */
export function readLiveLockHolder(lockPath: string): LockHolder | null {
  const text = readText(lockPath);
  if (text === null) return null;
  const holder = parseHolder(text);
  if (holder === null) return null;
  if (holder.hostname !== hostname()) return holder;
  return isPidAlive(holder.pid) ? holder : null;
}

function lockedError(lockPath: string, holder: LockHolder): DataDirError {
  const where = holder.hostname === hostname() ? `pid ${holder.pid}` : `pid ${holder.pid} on host ${holder.hostname}`;
  return new DataDirError(
    "LOCKED",
    `the data directory is in use by a Sextant ${holder.program} (${where}, since ${holder.startedAt}); ` +
      `stop it first. If no such process is running, delete ${lockPath}`,
    { path: lockPath, pid: holder.pid, hostname: holder.hostname, program: holder.program },
  );
}

/** Throws LOCKED when a live process holds the lock (a check only: nothing is created). */
export function assertDataDirFree(lockPath: string): void {
  const holder = readLiveLockHolder(lockPath);
  if (holder !== null) throw lockedError(lockPath, holder);
}

function tryCreate(lockPath: string, holder: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(lockPath, "wx", FILE_MODE);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw new DataDirError("LOCK_FAILED", `cannot create the lock file ${lockPath}: ${(e as Error).message}`, {
      path: lockPath,
    });
  }
  try {
    writeSync(fd, `${JSON.stringify(holder)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Moves a stale lock out of the way. The file is renamed aside and re-read: if what was moved is no longer the
 * stale content we judged (another process took the stale lock over and created a fresh one in between), the fresh
 * one is linked back into place. Only if a third process created yet another lock in that instant does the link
 * fail; that one then stands and the second holder loses its file (it still believes it holds the lock) — a
 * three-way race during crash recovery that this advisory lock accepts.
 */
function takeOverStale(lockPath: string, staleText: string): void {
  const aside = `${lockPath}.stale-${process.pid}-${randomBytes(NONCE_BYTES).toString("hex")}`;
  try {
    renameSync(lockPath, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
    throw e;
  }
  const moved = readText(aside);
  if (moved !== staleText) {
    try {
      linkSync(aside, lockPath);
    } catch {
      // A newer lock is in place; it stands.
    }
  }
  unlinkSync(aside);
}

/**
 * Acquires the data-directory lock (the directory must exist). Throws LOCKED, naming the holder, when a live
 * process holds it; a stale lock (dead pid on this host, or unparsable) is taken over.
 */
export function acquireDataDirLock(lockPath: string, program: string): DataDirLock {
  const holder: LockHolder = {
    pid: process.pid,
    hostname: hostname(),
    program,
    startedAt: new Date().toISOString(),
    nonce: randomBytes(NONCE_BYTES).toString("hex"),
  };
  for (let attempt = 0; attempt < MAX_ACQUIRE_ATTEMPTS; attempt++) {
    if (tryCreate(lockPath, holder)) return heldLock(lockPath, holder);
    const text = readText(lockPath);
    if (text === null) continue; // released between our create and our read
    const existing = parseHolder(text);
    if (existing !== null && (existing.hostname !== hostname() || isPidAlive(existing.pid)))
      throw lockedError(lockPath, existing);
    takeOverStale(lockPath, text);
  }
  throw new DataDirError("LOCK_FAILED", `could not acquire ${lockPath}: it keeps changing; try again`, {
    path: lockPath,
  });
}

function heldLock(path: string, holder: LockHolder): DataDirLock {
  let released = false;
  return {
    path,
    holder,
    release() {
      if (released) return;
      released = true;
      const current = readText(path);
      if (current !== null && parseHolder(current)?.nonce === holder.nonce) unlinkSync(path);
    },
  };
}
