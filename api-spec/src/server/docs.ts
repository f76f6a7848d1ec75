// The OpenAPI document a server serves about itself: GET /openapi.json, GET /openapi.yaml, and the interactive
// docs (swagger-ui in static mode, assets from the npm package — no network needed) at /docs.
import { readFileSync } from "node:fs";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import { parse } from "yaml";

/** A document to serve: its YAML text and the parsed object. */
export interface ServedDocument {
  yaml: string;
  json: Record<string, unknown>;
}

/** Where the interactive docs are served unless told otherwise. */
export const DEFAULT_DOCS_PATH = "/docs";

/** The committed document of the workspace (`beacon-node` or `keymanager`). */
export function loadDocument(name: "beacon-node" | "keymanager"): ServedDocument {
  const yaml = readFileSync(new URL(`../../openapi/${name}.yaml`, import.meta.url), "utf8");
  return { yaml, json: parse(yaml) as Record<string, unknown> };
}

/** Registers /openapi.json, /openapi.yaml and the swagger-ui at `docsPath`. */
export async function registerDocs(fastify: FastifyInstance, doc: ServedDocument, docsPath: string): Promise<void> {
  const jsonText = JSON.stringify(doc.json);
  fastify.get("/openapi.json", (_req, reply) => {
    void reply.header("content-type", "application/json").send(jsonText);
  });
  fastify.get("/openapi.yaml", (_req, reply) => {
    void reply.header("content-type", "application/yaml").send(doc.yaml);
  });
  await fastify.register(swagger, { mode: "static", specification: { document: doc.json as never } });
  await fastify.register(swaggerUi, { routePrefix: docsPath, staticCSP: true });
}
