// Reads the consensus specification's markdown (v1.6.1) into what the type tests compare against, independently of
// our code: the containers (`class X(Container)` blocks), the "Custom types" tables and the numeric constants of
// every table, per fork; and evaluates SSZ type expressions such as List[ValidatorIndex, MAX_VALIDATORS_PER_COMMITTEE
// * MAX_COMMITTEES_PER_SLOT] to a canonical shape string.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FORK_NAMES, type ForkName } from "../../../../consensus/src/params/forkName.ts";
import { referencePath } from "../../../support/reference.ts";

/** A container as the spec writes it: field names (snake_case) and type expressions, in order. */
export type SpecContainer = { name: string; fields: [string, string][] };

/** What one fork's documents define (new or redefined in that fork). */
export interface SpecFork {
  containers: Map<string, SpecContainer>;
  customTypes: Map<string, string>;
  /** UPPER_CASE table entries: the value expression, or the spec's "(= N)" annotation when it gives one. */
  constants: Map<string, string>;
}

/** The markdown files of a fork that define types and constants (light-client/ included). */
function forkDocuments(fork: ForkName): string[] {
  const dir = referencePath("consensus-specs", "specs", fork);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".md"))
    .map((f) => join(dir, f));
  const lc = join(dir, "light-client");
  try {
    for (const f of readdirSync(lc)) if (f.endsWith(".md")) files.push(join(lc, f));
  } catch {
    // no light-client folder in this fork
  }
  return files;
}

const CLASS_LINE = /^class (\w+)\(Container\):$/;
const FIELD_LINE = /^ {4}(\w+): (.+?)\s*(#.*)?$/;
const TABLE_ROW = /^\|\s*`(\w+)`\s*\|\s*`([^`]+)`([^|]*)\|/;

/** Parses one fork's documents. */
export function readSpecFork(fork: ForkName): SpecFork {
  const out: SpecFork = { containers: new Map(), customTypes: new Map(), constants: new Map() };
  for (const file of forkDocuments(fork)) {
    const lines = readFileSync(file, "utf8").split("\n");
    let current: SpecContainer | undefined;
    for (const line of lines) {
      const cls = CLASS_LINE.exec(line);
      if (cls) {
        current = { name: cls[1], fields: [] };
        out.containers.set(current.name, current);
        continue;
      }
      if (current) {
        const field = FIELD_LINE.exec(line);
        if (field) current.fields.push([field[1], field[2]]);
        else if (!/^\s*#/.test(line)) current = undefined;
        continue;
      }
      const row = TABLE_ROW.exec(line);
      if (!row) continue;
      const [, name, expr, rest] = row;
      if (/^[A-Z][A-Za-z0-9]*$/.test(name) && !/^[A-Z0-9_]+$/.test(name)) {
        out.customTypes.set(name, expr);
        continue;
      }
      const annotated = /\(=\s*([0-9][0-9,]*)/.exec(rest);
      out.constants.set(name, annotated ? annotated[1].replace(/,/g, "") : expr);
    }
  }
  return out;
}

/** Everything defined up to and including each fork (later definitions replace earlier ones). */
export function readSpec(): Record<ForkName, SpecFork> {
  const acc: SpecFork = { containers: new Map(), customTypes: new Map(), constants: new Map() };
  const result = {} as Record<ForkName, SpecFork>;
  for (const fork of FORK_NAMES) {
    const own = readSpecFork(fork);
    for (const key of ["containers", "customTypes", "constants"] as const) {
      for (const [k, v] of own[key] as Map<string, never>) (acc[key] as Map<string, never>).set(k, v);
    }
    result[fork] = {
      containers: new Map(acc.containers),
      customTypes: new Map(acc.customTypes),
      constants: new Map(acc.constants),
    };
  }
  return result;
}

/**
 * The numeric constants of `spec` (those whose expression evaluates, in dependency order), with `overrides` (a
 * preset's values) taking precedence over the tables.
 */
export function numericEnv(spec: SpecFork, overrides: Readonly<Record<string, number>> = {}): Map<string, bigint> {
  const env = new Map<string, bigint>();
  for (const [k, v] of Object.entries(overrides)) env.set(k, BigInt(v));
  let progress = true;
  while (progress) {
    progress = false;
    for (const [name, expr] of spec.constants) {
      if (env.has(name)) continue;
      const value = tryEvaluate(expr, env);
      if (value === undefined) continue;
      env.set(name, value);
      progress = true;
    }
  }
  return env;
}

// ---------------------------------------------------------------- integer expressions

/** Evaluates `uint64(2**5)`, `MAX_A * MAX_B`, `(X + 1) * Y`, `A // B`, floorlog2(x); undefined if it cannot. */
export function tryEvaluate(expr: string, env: ReadonlyMap<string, bigint>): bigint | undefined {
  try {
    return evaluate(expr, env);
  } catch {
    return undefined;
  }
}

export function evaluate(expr: string, env: ReadonlyMap<string, bigint>): bigint {
  const tokens = expr.match(/\*\*|\/\/|[A-Za-z_][A-Za-z0-9_]*|[0-9][0-9_]*|[-+*/(),]/g) ?? [];
  if (tokens.join("") !== expr.replace(/\s+/g, "")) throw new Error(`cannot tokenize ${expr}`);
  let pos = 0;
  const peek = () => tokens[pos];
  const take = (t?: string) => {
    const tok = tokens[pos++];
    if (t !== undefined && tok !== t) throw new Error(`expected ${t} in ${expr}`);
    return tok;
  };
  const sum = (): bigint => {
    let v = product();
    while (peek() === "+" || peek() === "-") v = take() === "+" ? v + product() : v - product();
    return v;
  };
  const product = (): bigint => {
    let v = power();
    while (peek() === "*" || peek() === "//") v = take() === "*" ? v * power() : v / power();
    return v;
  };
  const power = (): bigint => {
    const base = atom();
    if (peek() !== "**") return base;
    take("**");
    return base ** power();
  };
  const atom = (): bigint => {
    const tok = take();
    if (tok === "(") {
      const v = sum();
      take(")");
      return v;
    }
    if (/^[0-9]/.test(tok)) return BigInt(tok.replace(/_/g, ""));
    if (peek() === "(") {
      take("(");
      const arg = sum();
      take(")");
      if (tok === "floorlog2") return BigInt(arg.toString(2).length - 1);
      if (/^(uint\d+|[A-Z]\w*)$/.test(tok)) return arg; // uint64(…), Gwei(…), Epoch(…): typed literals
      throw new Error(`unknown function ${tok}`);
    }
    const v = env.get(tok);
    if (v === undefined) throw new Error(`unknown name ${tok}`);
    return v;
  };
  const v = sum();
  if (pos !== tokens.length) throw new Error(`trailing tokens in ${expr}`);
  return v;
}

// ---------------------------------------------------------------- SSZ type expressions → shape

/** Splits `A, B[C, D], E` at top-level commas. */
function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "[" || s[i] === "(") depth++;
    else if (s[i] === "]" || s[i] === ")") depth--;
    else if (s[i] === "," && depth === 0) {
      out.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(s.slice(start).trim());
  return out;
}

/**
 * The canonical shape of spec type expression `expr` at a fork (same format as the tests' description of our
 * types with JSON keys): containers as {key:shape,...}, List[shape,limit], Vector[shape,length], ByteVector[n]...
 */
export function specShape(expr: string, spec: SpecFork, env: ReadonlyMap<string, bigint>): string {
  expr = expr.trim();
  const generic = /^(\w+)\[(.*)\]$/.exec(expr);
  if (generic) {
    const [, head, inner] = generic;
    const args = splitArgs(inner);
    const n = () => evaluate(args[args.length - 1], env).toString();
    switch (head) {
      case "List":
      case "Vector":
        return `${head}[${specShape(args[0], spec, env)},${n()}]`;
      case "ByteVector":
      case "ByteList":
      case "Bitlist":
      case "Bitvector":
        return `${head}[${n()}]`;
    }
    throw new Error(`unknown generic ${head}`);
  }
  const bytes = /^Bytes(\d+)$/.exec(expr);
  if (bytes) return `ByteVector[${bytes[1]}]`;
  if (/^uint\d+$/.test(expr)) return expr;
  if (expr === "boolean") return "boolean";
  const container = spec.containers.get(expr);
  if (container) {
    return `{${container.fields.map(([k, t]) => `${k}:${specShape(t, spec, env)}`).join(",")}}`;
  }
  const alias = spec.customTypes.get(expr);
  if (alias !== undefined) return specShape(alias, spec, env);
  throw new Error(`unknown spec type ${expr}`);
}
