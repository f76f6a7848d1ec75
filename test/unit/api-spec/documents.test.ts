// The committed OpenAPI documents (api-spec/openapi/*.yaml) are valid, self-contained OpenAPI 3.1: they parse,
// every $ref resolves inside the document, every operation has an operationId, tags and responses, operationIds
// are unique, path templates and path parameters agree, and every schema compiles with ajv (JSON Schema 2020-12,
// the dialect of OpenAPI 3.1). Needs no reference material. Conformance with upstream: documents-conformance.test.ts.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import formats from "ajv-formats";
import { API_DOCUMENTS, PROJECT_ROOT, parseDocument } from "../../../api-spec/scripts/gen.ts";
import {
  asObject,
  collectRefs,
  deref,
  escapeSegment,
  isObject,
  type JsonObject,
  listOperations,
  resolvePointer,
} from "../../../api-spec/scripts/openapi-doc.ts";

/** Response keys OpenAPI allows: an HTTP status code or `default` (ranges such as 4XX are not used here). */
const STATUS_KEY = /^([1-5][0-9][0-9]|default)$/;

/** Pointers (`#/...`) to every Schema Object: component schemas and the schemas of parameters, headers, media types. */
function schemaLocations(doc: JsonObject): string[] {
  const out: string[] = [];
  const components = asObject(doc.components ?? {}, "components");
  const at = (base: string, key: string) => `${base}/${escapeSegment(key)}`;
  const media = (base: string, node: unknown) => {
    if (!isObject(node) || !isObject(node.content)) return;
    for (const type of Object.keys(node.content)) {
      if (isObject(node.content[type]) && node.content[type].schema !== undefined) {
        out.push(`${at(at(base, "content"), type)}/schema`);
      }
    }
  };
  const headers = (base: string, node: unknown) => {
    if (!isObject(node) || !isObject(node.headers)) return;
    for (const [name, header] of Object.entries(node.headers)) {
      if (isObject(header) && header.schema !== undefined) out.push(`${at(at(base, "headers"), name)}/schema`);
    }
  };
  for (const name of Object.keys(asObject(components.schemas ?? {}, "schemas"))) {
    out.push(at("#/components/schemas", name));
  }
  for (const kind of ["parameters", "headers"]) {
    for (const [name, value] of Object.entries(asObject(components[kind] ?? {}, kind))) {
      if (isObject(value) && value.schema !== undefined) out.push(`${at(`#/components/${kind}`, name)}/schema`);
    }
  }
  for (const [name, value] of Object.entries(asObject(components.responses ?? {}, "responses"))) {
    media(at("#/components/responses", name), value);
    headers(at("#/components/responses", name), value);
  }
  for (const { method, path, operation } of listOperations(doc)) {
    const base = `${at("#/paths", path)}/${method.toLowerCase()}`;
    (Array.isArray(operation.parameters) ? operation.parameters : []).forEach((p, i) => {
      if (isObject(p) && p.schema !== undefined) out.push(`${base}/parameters/${i}/schema`);
    });
    media(`${base}/requestBody`, operation.requestBody);
    for (const [status, response] of Object.entries(asObject(operation.responses, `${base}/responses`))) {
      media(at(`${base}/responses`, status), response);
      headers(at(`${base}/responses`, status), response);
    }
  }
  return out;
}

/** An ajv (2020-12) instance holding `doc` so that schemas compile with the document's `$ref`s resolvable. */
function ajvFor(doc: JsonObject, id: string): Ajv2020 {
  // strictSchema: unknown keywords are errors (OpenAPI's `example` annotation is declared); the type/required
  // strictness checks are style rules the upstream schemas do not follow
  const ajv = new Ajv2020({ strictSchema: true, strictTypes: false, strictRequired: false, strictTuples: false });
  formats.default(ajv);
  ajv.addFormat("hex", /^0x[0-9a-fA-F]*$/); // the keymanager API's hex strings
  ajv.addKeyword("example");
  for (const keyword of ["openapi", "info", "servers", "tags", "paths", "components", "x-sextant-upstream"]) {
    ajv.addKeyword(keyword);
  }
  ajv.addSchema({ ...doc, $id: id }, id);
  return ajv;
}

for (const api of API_DOCUMENTS) {
  describe(`${api.document}`, () => {
    const doc = parseDocument(readFileSync(join(PROJECT_ROOT, api.document), "utf8"), api.document);
    const operations = listOperations(doc);

    test("is an OpenAPI 3.1 document with info, servers and paths", () => {
      assert.equal(doc.openapi, "3.1.0");
      const info = asObject(doc.info, "info");
      assert.equal(typeof info.title, "string");
      assert.equal(typeof info.version, "string");
      assert.ok(Array.isArray(doc.servers) && doc.servers.length > 0, "servers");
      for (const path of Object.keys(asObject(doc.paths, "paths"))) assert.match(path, /^\/[^\s?#]*$/, path);
      assert.ok(operations.length > 0, "no operations");
    });

    test("every $ref is local and resolves", () => {
      const refs = new Set<string>();
      collectRefs(doc, refs);
      assert.ok(refs.size > 0);
      const bad = [...refs].filter((r) => !r.startsWith("#/") || resolvePointer(doc, r) === undefined);
      assert.deepEqual(bad, [], "unresolved or external references (the document must be self-contained)");
    });

    test("every operation has a unique operationId, declared tags and status-code responses", () => {
      const declared = new Set((Array.isArray(doc.tags) ? doc.tags : []).map((t) => asObject(t, "tag").name));
      const seen = new Map<string, string>();
      for (const { method, path, operation } of operations) {
        const where = `${method} ${path}`;
        const id = operation.operationId;
        assert.ok(typeof id === "string" && id.length > 0, `${where}: operationId`);
        assert.ok(!seen.has(id), `${where}: operationId ${id} also used by ${seen.get(id)}`);
        seen.set(id, where);
        assert.ok(Array.isArray(operation.tags) && operation.tags.length > 0, `${where}: tags`);
        for (const tag of operation.tags) assert.ok(declared.has(tag), `${where}: tag ${tag} not declared`);
        const responses = Object.keys(asObject(operation.responses, `${where}: responses`));
        assert.ok(responses.length > 0, `${where}: no responses`);
        for (const status of responses) assert.match(status, STATUS_KEY, `${where}: response ${status}`);
      }
      assert.equal(seen.size, operations.length);
    });

    test("path templates and path parameters agree; parameters are unique per operation", () => {
      for (const { method, path, operation, pathItem } of operations) {
        const where = `${method} ${path}`;
        const params = [
          ...(Array.isArray(pathItem.parameters) ? pathItem.parameters : []),
          ...(Array.isArray(operation.parameters) ? operation.parameters : []),
        ].map((p) => asObject(deref(doc, p), `${where}: parameter`));
        const keys = params.map((p) => `${p.in}:${p.name}`);
        assert.equal(new Set(keys).size, keys.length, `${where}: duplicate parameter in ${keys.join(", ")}`);
        for (const p of params) {
          assert.ok(["path", "query", "header", "cookie"].includes(String(p.in)), `${where}: ${p.name} in ${p.in}`);
          assert.ok(p.schema !== undefined || p.content !== undefined, `${where}: ${p.name} has no schema`);
        }
        const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
        const inPath = params.filter((p) => p.in === "path");
        assert.deepEqual(inPath.map((p) => String(p.name)).sort(), templated, `${where}: path parameters`);
        for (const p of inPath) assert.equal(p.required, true, `${where}: path parameter ${p.name} not required`);
      }
    });

    test("every schema compiles with ajv (JSON Schema 2020-12)", () => {
      const id = `https://sextant.invalid/${api.name}`;
      const ajv = ajvFor(doc, id);
      const locations = schemaLocations(doc);
      assert.ok(locations.length > 50, `only ${locations.length} schemas found`);
      const failures: string[] = [];
      for (const pointer of locations) {
        try {
          if (!ajv.getSchema(`${id}${pointer}`)) failures.push(`${pointer}: not found`);
        } catch (err) {
          failures.push(`${pointer}: ${(err as Error).message}`);
        }
      }
      assert.deepEqual(failures, []);
    });

    test("a compiled schema accepts a valid value and rejects an invalid one", () => {
      // guards the compile test above against vacuous success (e.g. every schema compiled as `true`)
      const id = `https://sextant.invalid/${api.name}`;
      const ajv = ajvFor(doc, id);
      const [schema, valid, invalid] =
        api.name === "keymanager"
          ? ["ErrorResponse", { message: "bad" }, { message: 7 }]
          : ["ErrorMessage", { code: 400, message: "bad" }, { message: "bad" }];
      const validate = ajv.getSchema(`${id}#/components/schemas/${schema}`);
      assert.ok(validate, schema);
      assert.equal(validate(valid), true, JSON.stringify(validate.errors));
      assert.equal(validate(invalid), false);
    });
  });
}
