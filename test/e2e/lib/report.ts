// The end-to-end suites' report: a plain-text table of rows and the list of PASS/FAIL checks, printed at the end;
// `failed` tells the runner to exit 1.

/** The suite's checks and table. */
export class Report {
  readonly checks: { ok: boolean; text: string }[] = [];
  private readonly rows: string[][] = [];

  readonly title: string;
  private readonly columns: string[];

  constructor(title: string, columns: string[]) {
    this.title = title;
    this.columns = columns;
  }

  /** Adds a table row (one cell per column). */
  row(...cells: (string | number)[]): void {
    this.rows.push(cells.map(String));
  }

  /** Records a check. */
  check(ok: boolean, text: string): boolean {
    this.checks.push({ ok, text });
    return ok;
  }

  get failed(): boolean {
    return this.checks.length === 0 || this.checks.some((c) => !c.ok);
  }

  /** The table then the checks. */
  print(): void {
    console.log(`\n== ${this.title} ==`);
    const widths = this.columns.map((c, i) => Math.max(c.length, ...this.rows.map((r) => (r[i] ?? "").length)));
    const line = (cells: string[]) =>
      cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(Math.min(widths[i], 70)))).join("  ");
    console.log(line(this.columns));
    console.log(line(widths.map((w) => "-".repeat(Math.min(w, 70)))));
    for (const r of this.rows) console.log(line(r));
    console.log("");
    for (const c of this.checks) console.log(`${c.ok ? "PASS" : "FAIL"} ${c.text}`);
    console.log(`${this.failed ? "FAIL" : "PASS"} ${this.title}`);
  }
}

/** Bytes as MiB with one decimal. */
export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
