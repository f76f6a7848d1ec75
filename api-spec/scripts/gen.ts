// `npm run gen`: (1) re-derives api-spec/openapi/*.yaml from the upstream bundled documents when the reference
// folder (../shared/reference, or SEXTANT_REFERENCE_DIR) is present — a user's clone has none and keeps the
// committed documents; (2) regenerates api-spec/src/generated/*.generated.ts from the committed documents.
// Options: --types-only skips (1). test/unit/api-spec/generated.test.ts fails when either output is stale.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import {
  BEACON_UPSTREAM,
  deriveBeaconNode,
  deriveKeymanager,
  KEYMANAGER_UPSTREAM,
  renderDocument,
  type UpstreamSource,
} from "./derive.ts";
import { generateTypes } from "./gen-types.ts";
import { asObject, type JsonObject } from "./openapi-doc.ts";

/** The project root (this file is api-spec/scripts/gen.ts). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** One document of the workspace: where it is derived from, where it and its types live. */
export interface ApiDocument {
  name: string;
  upstream: UpstreamSource;
  derive: (upstream: JsonObject) => JsonObject;
  /** Path of the YAML document, relative to the project root. */
  document: string;
  /** Path of the generated types, relative to the project root. */
  types: string;
}

export const API_DOCUMENTS: readonly ApiDocument[] = [
  {
    name: "beacon-node",
    upstream: BEACON_UPSTREAM,
    derive: deriveBeaconNode,
    document: "api-spec/openapi/beacon-node.yaml",
    types: "api-spec/src/generated/beacon-node.generated.ts",
  },
  {
    name: "keymanager",
    upstream: KEYMANAGER_UPSTREAM,
    derive: deriveKeymanager,
    document: "api-spec/openapi/keymanager.yaml",
    types: "api-spec/src/generated/keymanager.generated.ts",
  },
];

/** Parses a YAML (or JSON) OpenAPI document. */
export function parseDocument(text: string, what: string): JsonObject {
  return asObject(parse(text), what);
}

/** The derived document text for `api` from the upstream file under `referenceDir`. */
export function deriveText(api: ApiDocument, referenceDir: string): string {
  const upstreamPath = join(referenceDir, api.upstream.folder, api.upstream.file);
  const upstream = parseDocument(readFileSync(upstreamPath, "utf8"), upstreamPath);
  return renderDocument(api.derive(upstream), api.upstream);
}

/** The generated types text for the committed document of `api`. */
export async function typesText(api: ApiDocument): Promise<string> {
  const text = readFileSync(join(PROJECT_ROOT, api.document), "utf8");
  return generateTypes(parseDocument(text, api.document), api.document);
}

async function main(): Promise<void> {
  const typesOnly = process.argv.includes("--types-only");
  const referenceDir = resolve(PROJECT_ROOT, process.env.SEXTANT_REFERENCE_DIR ?? "../shared/reference");
  for (const api of API_DOCUMENTS) {
    if (typesOnly) {
      // keep the committed document
    } else if (existsSync(join(referenceDir, api.upstream.folder, api.upstream.file))) {
      writeFileSync(join(PROJECT_ROOT, api.document), deriveText(api, referenceDir));
      console.log(`derived ${api.document} from ${api.upstream.repository} ${api.upstream.version}`);
    } else {
      const missing = join(referenceDir, api.upstream.folder, api.upstream.file);
      console.log(`kept the committed ${api.document}: ${missing} not found (set SEXTANT_REFERENCE_DIR)`);
    }
    writeFileSync(join(PROJECT_ROOT, api.types), await typesText(api));
    console.log(`generated ${api.types}`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
