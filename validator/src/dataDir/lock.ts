// One process per data directory. Two validator clients signing with the same keys is how validators get
// slashed, so the client (and the import command, while it writes) holds `<dataDir>/validator.lock`:
// - acquire = exclusive create (O_CREAT|O_EXCL) of the lock file holding { pid, hostname, program, startedAt };
// - a lock whose pid is dead on this host is stale (the holder crashed) and is taken over; one process at a time
//   removes it, and only if it is still the stale file, so processes racing to take it over end with one holder;
// - a lock written on another host (a shared filesystem) is never considered stale: the operator must remove it.
// Limits: pid reuse can make a stale lock look alive (the error names the file to delete); advisory only — a
// program that ignores the file is not stopped.
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from "node:fs";
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
const MAX_ACQUIRE_ATTEMPTS = 200;
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

/** A takeover mutex older than this belongs to a process that died inside the few microseconds it is held. */
const TAKEOVER_STALE_MS = 10_000;

/**
 * Removes a stale lock, one process at a time: under a takeover mutex (`<lock>.takeover`, created exclusively),
 * the lock is re-read and deleted only if it is still the stale content we judged — a fresh lock another process
 * created in between is never touched. Then every contender competes for the empty path with an exclusive create,
 * so exactly one wins. Returns false without doing anything when another process holds the mutex (the caller
 * waits a millisecond and retries).
 */
function takeOverStale(lockPath: string, staleText: string): boolean {
  const mutex = `${lockPath}.takeover`;
  let fd: number;
  try {
    fd = openSync(mutex, "wx", FILE_MODE);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    try {
      if (Date.now() - statSync(mutex).mtimeMs > TAKEOVER_STALE_MS) unlinkSync(mutex);
    } catch {
      // Released or removed meanwhile.
    }
    return false;
  }
  try {
    if (readText(lockPath) === staleText) unlinkSync(lockPath);
  } finally {
    closeSync(fd);
    unlinkSync(mutex);
  }
  return true;
}

/** Blocks the thread for `ms` (acquisition is synchronous and happens once, at start-up). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
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
    if (!takeOverStale(lockPath, text)) sleepSync(1);
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
