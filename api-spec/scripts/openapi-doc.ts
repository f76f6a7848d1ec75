// Small helpers for walking OpenAPI documents held as plain JSON values (what `yaml.parse` returns).
// Used by the derive and generation scripts and by the document tests in test/unit/api-spec/.

/** A JSON object as parsed from YAML or JSON. */
export type JsonObject = { [key: string]: unknown };

/** The HTTP methods an OpenAPI Path Item may hold an operation under (OpenAPI 3.1 §4.8.9). */
export const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

/** One operation of a document with where it lives. */
export interface OperationEntry {
  /** Upper-case HTTP method (GET, POST, ...). */
  method: string;
  /** Path template as written in the document (`/eth/v1/beacon/states/{state_id}/root`). */
  path: string;
  /** The Operation Object. */
  operation: JsonObject;
  /** The Path Item Object holding it (for path-level parameters). */
  pathItem: JsonObject;
}

/** True for a non-null, non-array object. */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The value as an object, or a thrown error naming `what` when it is not one. */
export function asObject(value: unknown, what: string): JsonObject {
  if (!isObject(value)) throw new Error(`${what} is not an object`);
  return value;
}

/** Every operation of a document in document order (paths, then methods as written). */
export function listOperations(doc: JsonObject): OperationEntry[] {
  const out: OperationEntry[] = [];
  const paths = asObject(doc.paths ?? {}, "paths");
  for (const [path, item] of Object.entries(paths)) {
    const pathItem = asObject(item, `paths[${path}]`);
    for (const [key, operation] of Object.entries(pathItem)) {
      if (!(HTTP_METHODS as readonly string[]).includes(key)) continue;
      out.push({ method: key.toUpperCase(), path, operation: asObject(operation, `${key} ${path}`), pathItem });
    }
  }
  return out;
}

/** Adds every `$ref` string found anywhere under `node` to `out`. */
export function collectRefs(node: unknown, out: Set<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) collectRefs(item, out);
  } else if (isObject(node)) {
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string") out.add(value);
      else collectRefs(value, out);
    }
  }
}

/** Splits a local reference (`#/components/schemas/A~1B`) into unescaped JSON-pointer segments. */
export function pointerSegments(ref: string): string[] {
  if (!ref.startsWith("#/")) throw new Error(`not a local reference: ${ref}`);
  return ref
    .slice(2)
    .split("/")
    .map((s) => decodeURIComponent(s).replaceAll("~1", "/").replaceAll("~0", "~"));
}

/** Escapes one JSON-pointer segment (RFC 6901: `~` → `~0`, `/` → `~1`). */
export function escapeSegment(segment: string): string {
  return segment.replaceAll("~", "~0").replaceAll("/", "~1");
}

/** The value a local `$ref` points at, or undefined when it does not resolve. */
export function resolvePointer(doc: JsonObject, ref: string): unknown {
  let node: unknown = doc;
  for (const segment of pointerSegments(ref)) {
    if (Array.isArray(node)) node = node[Number(segment)];
    else if (isObject(node) && Object.hasOwn(node, segment)) node = node[segment];
    else return undefined;
  }
  return node;
}

/** Follows `$ref` chains from `node` until an object without `$ref` (siblings of a `$ref` are ignored). */
export function deref(doc: JsonObject, node: unknown): unknown {
  const seen = new Set<string>();
  while (isObject(node) && typeof node.$ref === "string") {
    if (seen.has(node.$ref)) throw new Error(`reference cycle at ${node.$ref}`);
    seen.add(node.$ref);
    const target = resolvePointer(doc, node.$ref);
    if (target === undefined) throw new Error(`unresolved reference ${node.$ref}`);
    node = target;
  }
  return node;
}

/**
 * A copy of `doc` whose `components` keep only the entries reachable (through `$ref`s) from the rest of the
 * document, plus the aliases of kept entries (a component that is only a `$ref` to another, such as upstream's
 * fork-named `Capella.SignedBeaconBlock`: they give the generated types readable names); order is preserved.
 * Security schemes are kept as they are named by `security`, not by `$ref`.
 */
export function pruneComponents(doc: JsonObject): JsonObject {
  const components = asObject(doc.components ?? {}, "components");
  const reachable = new Set<string>();
  const pending: unknown[] = [];
  for (const [key, value] of Object.entries(doc)) if (key !== "components") pending.push(value);
  while (pending.length > 0) {
    const refs = new Set<string>();
    collectRefs(pending.pop(), refs);
    for (const ref of refs) {
      const segments = pointerSegments(ref);
      if (segments[0] !== "components" || segments.length < 3) continue;
      const key = `${segments[1]}/${segments[2]}`;
      if (reachable.has(key)) continue;
      reachable.add(key);
      const target = resolvePointer(doc, `#/components/${escapeSegment(segments[1])}/${escapeSegment(segments[2])}`);
      if (target === undefined) throw new Error(`unresolved reference ${ref}`);
      pending.push(target);
    }
  }
  let added = true;
  while (added) {
    added = false;
    for (const [kind, entries] of Object.entries(components)) {
      for (const [name, value] of Object.entries(asObject(entries, `components.${kind}`))) {
        const key = `${kind}/${name}`;
        if (reachable.has(key) || !isObject(value) || typeof value.$ref !== "string") continue;
        const target = pointerSegments(value.$ref);
        if (target[0] === "components" && reachable.has(`${target[1]}/${target[2]}`)) {
          reachable.add(key);
          added = true;
        }
      }
    }
  }
  const pruned: JsonObject = {};
  for (const [kind, entries] of Object.entries(components)) {
    if (kind === "securitySchemes") {
      pruned[kind] = entries;
      continue;
    }
    const kept: JsonObject = {};
    for (const [name, value] of Object.entries(asObject(entries, `components.${kind}`))) {
      if (reachable.has(`${kind}/${name}`)) kept[name] = value;
    }
    if (Object.keys(kept).length > 0) pruned[kind] = kept;
  }
  return { ...doc, components: pruned };
}
