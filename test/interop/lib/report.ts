// The interop report: aligned tables and one PASS/FAIL (or SKIP) line per acceptance point; a scenario fails when
// any point fails.

export type Verdict = "PASS" | "FAIL" | "SKIP";

/** One acceptance point. */
export interface Check {
  name: string;
  verdict: Verdict;
  detail: string;
}

/** Collects the checks and tables of one scenario and prints them. */
export class Report {
  readonly scenario: string;
  readonly checks: Check[] = [];
  private readonly lines: string[] = [];

  constructor(scenario: string) {
    this.scenario = scenario;
  }

  check(name: string, ok: boolean, detail: string): void {
    this.checks.push({ name, verdict: ok ? "PASS" : "FAIL", detail });
  }

  skip(name: string, detail: string): void {
    this.checks.push({ name, verdict: "SKIP", detail });
  }

  /** Adds an aligned table. */
  table(title: string, header: string[], rows: string[][]): void {
    this.lines.push(title, ...formatTable(header, rows), "");
  }

  note(line: string): void {
    this.lines.push(line);
  }

  failed(): boolean {
    return this.checks.some((c) => c.verdict === "FAIL");
  }

  render(): string {
    const out = [`==== scenario ${this.scenario} ====`, ...this.lines];
    for (const c of this.checks) out.push(`${c.verdict.padEnd(4)}  ${c.name}: ${c.detail}`);
    out.push(`==== ${this.scenario}: ${this.failed() ? "FAIL" : "PASS"} ====`);
    return out.join("\n");
  }
}

/** Formats rows under a header as `a | b | c` with aligned columns. */
export function formatTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]): string => r.map((c, i) => (c ?? "").padEnd(widths[i])).join(" | ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("-+-"), ...rows.map(line)];
}
