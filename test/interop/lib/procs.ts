// Child processes of the interop harness (Lodestar beacon nodes, the mock execution layer, validator clients):
// started with their output in files of the run directory, tracked, and stopped by PID only (SIGINT, a second
// SIGINT, then SIGKILL), also when a scenario fails or the harness itself is interrupted, so no process outlives
// the run.
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** One started child process. */
export interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** File with the child's stdout and stderr. */
  readonly logFile: string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** Whether the process has exited. */
  hasExited(): boolean;
}

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  logFile: string;
  env?: NodeJS.ProcessEnv;
}

const running = new Set<Proc>();

/** Starts a process whose stdout and stderr go to `logFile`; it is stopped by `stopAll()` at the latest. */
export function startProcess(opts: StartOptions): Proc {
  const fd = openSync(opts.logFile, "a");
  let child: ChildProcess;
  try {
    child = spawn(opts.command, opts.args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ["ignore", fd, fd],
    });
  } finally {
    closeSync(fd);
  }
  if (child.pid === undefined) throw new Error(`could not start ${opts.name} (${opts.command}): no PID`);
  let done = false;
  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => {
      done = true;
      resolve(code ?? signal ?? "unknown");
    });
    child.once("error", (err) => {
      done = true;
      resolve(`spawn error: ${err.message}`);
    });
  });
  const proc: Proc = {
    name: opts.name,
    child,
    pid: child.pid,
    logFile: opts.logFile,
    exited,
    hasExited: () => done,
  };
  running.add(proc);
  void exited.then(() => running.delete(proc));
  return proc;
}

/** Runs a command to completion (output to `logFile`); rejects with the log's path when it fails. */
export async function runToCompletion(opts: StartOptions & { timeoutMs: number }): Promise<void> {
  const proc = startProcess(opts);
  const timer = setTimeout(() => proc.child.kill("SIGKILL"), opts.timeoutMs);
  const code = await proc.exited;
  clearTimeout(timer);
  if (code !== 0) throw new Error(`${opts.name} failed (exit ${code}); see ${opts.logFile}`);
}

async function waitExit(proc: Proc, ms: number): Promise<boolean> {
  if (proc.hasExited()) return true;
  const timeout = sleep(ms).then(() => false);
  return Promise.race([proc.exited.then(() => true), timeout]);
}

/**
 * Stops one process by its PID: SIGINT, after `graceMs` a second SIGINT (Lodestar 1.5.1 can hang in its graceful
 * shutdown on an open event stream), after as long again SIGKILL. Resolves once it has exited.
 */
export async function stopProcess(proc: Proc, graceMs = 8000): Promise<void> {
  if (proc.hasExited()) return;
  proc.child.kill("SIGINT");
  if (await waitExit(proc, graceMs)) return;
  proc.child.kill("SIGINT");
  if (await waitExit(proc, graceMs)) return;
  console.error(`[interop] ${proc.name} (pid ${proc.pid}) ignored two SIGINTs: SIGKILL`);
  proc.child.kill("SIGKILL");
  await waitExit(proc, 5000);
}

/** Kills one process at once (SIGKILL), as a crash would. */
export async function killProcess(proc: Proc): Promise<void> {
  if (proc.hasExited()) return;
  proc.child.kill("SIGKILL");
  await waitExit(proc, 5000);
}

/** Stops every process still running, validator clients first (they are the most recently started). */
export async function stopAll(): Promise<void> {
  const procs = [...running].reverse();
  for (const p of procs) await stopProcess(p);
}

/** Last resort when the harness exits abruptly: SIGKILL whatever is left (synchronous, by PID). */
export function killAllNow(): void {
  for (const p of running) {
    if (!p.hasExited()) p.child.kill("SIGKILL");
  }
}

/** A TCP port free on 127.0.0.1 right now (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const addr = server.address();
      const port = typeof addr === "object" && addr !== null ? addr.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error("no free port"))));
    });
  });
}

/** `n` distinct free ports. */
export async function freePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}
