// Progress of a long batch (keystore decryption): on a terminal one line redrawn in place (count, bar, rate,
// ETA); otherwise — a log file, a pipe, systemd — a plain line every few seconds and one at the end.

/** Where progress goes: stderr normally; `isTTY` selects the in-place mode. */
export type ProgressStream = NodeJS.WritableStream & { isTTY?: boolean };

export interface ProgressOptions {
  total: number;
  /** What is being counted, e.g. "decrypting keystores". */
  label: string;
  stream: ProgressStream;
  /** Force the terminal (true) or plain-line (false) mode; default: stream.isTTY. */
  tty?: boolean;
  /** Clock in ms (tests pass a fake one). */
  now?: () => number;
}

/** Least time between two redraws on a terminal: 10 per second is smooth and cheap. */
const TTY_REDRAW_MS = 100;
/** Time between two plain progress lines (logs stay readable for a batch of minutes). */
const LOG_INTERVAL_MS = 5_000;
/** Width of the bar drawn on a terminal, in characters. */
const BAR_WIDTH = 24;
/** Carriage return + "erase line" (ANSI EL2): redraw the current line. */
const REDRAW = "\r\u001b[2K";

const SECONDS_PER_MINUTE = 60;
const SECONDS_PER_HOUR = 3600;

/** "42s", "3m07s", "1h05m". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.max(0, Math.round(seconds));
  if (s < SECONDS_PER_MINUTE) return `${s}s`;
  if (s < SECONDS_PER_HOUR)
    return `${Math.floor(s / SECONDS_PER_MINUTE)}m${String(s % SECONDS_PER_MINUTE).padStart(2, "0")}s`;
  const m = Math.floor((s % SECONDS_PER_HOUR) / SECONDS_PER_MINUTE);
  return `${Math.floor(s / SECONDS_PER_HOUR)}h${String(m).padStart(2, "0")}m`;
}

/** The text of one progress report: "label 12/100 (3.4/s, ETA 26s)". */
export function formatProgress(label: string, done: number, total: number, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const eta = rate > 0 ? (total - done) / rate : Number.POSITIVE_INFINITY;
  const tail = done === total ? `in ${formatDuration(elapsedMs / 1000)}` : `ETA ${formatDuration(eta)}`;
  return `${label} ${done}/${total} (${rate.toFixed(1)}/s, ${tail})`;
}

function bar(done: number, total: number): string {
  const filled = total === 0 ? BAR_WIDTH : Math.round((done / total) * BAR_WIDTH);
  return `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}]`;
}

/** Reports a batch's progress; call update(done) as items finish and finish() once at the end. */
export class Progress {
  private readonly opts: ProgressOptions;
  private readonly tty: boolean;
  private readonly now: () => number;
  private readonly start: number;
  private lastWrite = Number.NEGATIVE_INFINITY;
  private done = 0;
  /** `done` at the last plain line (the final line is not repeated when the last update already wrote it). */
  private loggedDone = -1;
  private finished = false;

  constructor(opts: ProgressOptions) {
    this.opts = opts;
    this.tty = opts.tty ?? opts.stream.isTTY === true;
    this.now = opts.now ?? (() => performance.now());
    this.start = this.now();
    // On a terminal the line appears at once; in a log the first line comes after LOG_INTERVAL_MS (a short batch
    // then logs only its final line).
    if (this.tty) this.draw();
    else this.lastWrite = this.start;
  }

  private line(): string {
    return formatProgress(this.opts.label, this.done, this.opts.total, this.now() - this.start);
  }

  private draw(): void {
    this.opts.stream.write(`${REDRAW}${bar(this.done, this.opts.total)} ${this.line()}`);
  }

  /** `done` items of `total` are finished. */
  update(done: number): void {
    if (this.finished) return;
    this.done = done;
    const t = this.now();
    if (t - this.lastWrite < (this.tty ? TTY_REDRAW_MS : LOG_INTERVAL_MS)) return;
    this.lastWrite = t;
    if (this.tty) this.draw();
    else this.log();
  }

  private log(): void {
    this.loggedDone = this.done;
    this.opts.stream.write(`${this.line()}\n`);
  }

  /** The final report (a newline ends the redrawn line on a terminal). */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.tty) {
      this.draw();
      this.opts.stream.write("\n");
    } else if (this.loggedDone !== this.done) this.log();
  }
}
