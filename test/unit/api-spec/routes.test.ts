// The route tables against our OpenAPI documents (api-spec/openapi/*.yaml): exactly the same operations
// (operationId, method, path); every path/query parameter of the document handled by the entry (name, location,
// required, list or single) and Eth-Consensus-Version by a versioned body; request bodies (presence, required, JSON
// and SSZ media types); success statuses, response media types (JSON, SSZ, SSE, none) and the metadata in the
// envelope and headers; and the JSON codecs' objects field for field against the document's schemas.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { type AnyRoute, META_FIELDS, type ParamSpec, type RouteTable, type Shape } from "@sextant/api-spec";
import { API_DOCUMENTS, PROJECT_ROOT, parseDocument } from "../../../api-spec/scripts/gen.ts";
import { asObject, deref, isObject, type JsonObject, listOperations } from "../../../api-spec/scripts/openapi-doc.ts";
import { routeForks } from "./support/randomApi.ts";
import { responseValidator } from "./support/schemas.ts";
import { BEACON, KEYMANAGER } from "./support/suites.ts";

const TABLES: Record<string, RouteTable> = { "beacon-node": BEACON, keymanager: KEYMANAGER };
/** Expected sizes: Beacon API v4.0.0's 76 operations plus 6 deprecated predecessors; Keymanager API v1.1.0's 16. */
const EXPECTED_COUNTS: Record<string, number> = { "beacon-node": 82, keymanager: 16 };
const METADATA_JSON_KEYS = new Set(Object.values(META_FIELDS).map((f) => f.jsonKey));

/** The document's parameters of an operation (path-level and operation-level, $refs followed). */
function documentParams(doc: JsonObject, pathItem: JsonObject, op: JsonObject): JsonObject[] {
  const all = [
    ...(Array.isArray(pathItem.parameters) ? pathItem.parameters : []),
    ...(Array.isArray(op.parameters) ? op.parameters : []),
  ];
  return all.map((p) => asObject(deref(doc, p), "parameter"));
}

function schemaOf(doc: JsonObject, node: unknown): JsonObject {
  return asObject(deref(doc, node) ?? {}, "schema");
}

/** Differences between a codec shape and a document schema (objects field for field, arrays, scalar types). */
function compareShape(doc: JsonObject, shape: Shape, schemaNode: unknown, where: string, out: string[]): void {
  const schema = schemaOf(doc, schemaNode);
  if (Array.isArray(schema.allOf) && schema.allOf.length === 1) {
    compareShape(doc, shape, schema.allOf[0], where, out);
    return;
  }
  switch (shape.kind) {
    case "object": {
      if (!isObject(schema.properties)) {
        out.push(`${where}: document has no properties`);
        return;
      }
      const docKeys = Object.keys(schema.properties).sort();
      const ourKeys = shape.fields.map((f) => f.jsonKey).sort();
      if (docKeys.join() !== ourKeys.join()) out.push(`${where}: fields ${ourKeys} vs document ${docKeys}`);
      const required = new Set(Array.isArray(schema.required) ? schema.required : []);
      for (const f of shape.fields) {
        if (f.optional === required.has(f.jsonKey))
          out.push(`${where}.${f.jsonKey}: optional ${f.optional} vs document`);
        if (isObject(schema.properties) && schema.properties[f.jsonKey] !== undefined) {
          compareShape(doc, f.shape, schema.properties[f.jsonKey], `${where}.${f.jsonKey}`, out);
        }
      }
      return;
    }
    case "array":
      if (schema.type !== "array") out.push(`${where}: array vs document type ${schema.type}`);
      else compareShape(doc, shape.item, schema.items, `${where}[]`, out);
      return;
    case "nullable": {
      const options = Array.isArray(schema.oneOf) ? schema.oneOf.map((o) => schemaOf(doc, o)) : [];
      const inner = options.find((o) => o.type !== "null");
      if (options.length !== 2 || inner === undefined) out.push(`${where}: nullable vs document`);
      else compareShape(doc, shape.inner, inner, where, out);
      return;
    }
    case "enum":
      if (Array.isArray(schema.enum) && [...schema.enum].sort().join() !== [...shape.values].sort().join()) {
        out.push(`${where}: enum ${shape.values} vs document ${schema.enum}`);
      }
      return;
    case "bool":
      if (schema.type !== "boolean") out.push(`${where}: boolean vs document type ${schema.type}`);
      return;
    case "count":
      if (schema.type !== "number" && schema.type !== "integer") out.push(`${where}: JSON number vs ${schema.type}`);
      return;
    case "uint":
    case "int64":
    case "string":
    case "bytes":
    case "validatorId":
      if (schema.type !== "string") out.push(`${where}: string vs document type ${schema.type}`);
      return;
    default:
    // SSZ types (checked by the consensus suites and the round-trip schema validation), free-form objects
  }
}

for (const api of API_DOCUMENTS) {
  const doc = parseDocument(readFileSync(join(PROJECT_ROOT, api.document), "utf8"), api.document);
  const table = TABLES[api.name];
  const routes = Object.values(table) as AnyRoute[];
  const operations = listOperations(doc);

  describe(`${api.name} route table ⇔ ${api.document}`, () => {
    test("the same operations (operationId, method, path)", () => {
      const ours = routes.map((r) => `${r.operationId} ${r.method} ${r.path}`).sort();
      const theirs = operations.map((o) => `${o.operation.operationId} ${o.method} ${o.path}`).sort();
      assert.deepEqual(ours, theirs);
      assert.equal(routes.length, EXPECTED_COUNTS[api.name]);
      for (const [key, route] of Object.entries(table)) assert.equal(key, route.operationId, "keyed by operationId");
      console.log(`${api.name}: ${routes.length} operations in the table, ${operations.length} in the document`);
    });

    for (const { method, path, operation, pathItem } of operations) {
      const id = String(operation.operationId);
      test(`${id}: parameters, body, statuses, media types, metadata, fields`, () => {
        const route = table[id] as AnyRoute;
        assert.ok(route, `no route for ${id}`);
        const problems: string[] = [];
        // Parameters
        const params = route.params as Record<string, ParamSpec>;
        const docParams = documentParams(doc, pathItem, operation);
        for (const p of docParams) {
          const name = String(p.name);
          if (p.in === "header") {
            assert.equal(name, "Eth-Consensus-Version", `${id}: header ${name}`);
            assert.equal(route.body?.versioned, true, `${id}: Eth-Consensus-Version needs a versioned body`);
            assert.equal(route.body?.versionOptional !== true, p.required === true, `${id}: header required`);
            continue;
          }
          const spec = params[name];
          if (spec === undefined) {
            problems.push(`parameter ${p.in} ${name} not handled`);
            continue;
          }
          if (spec.in !== p.in) problems.push(`${name}: in ${spec.in} vs ${p.in}`);
          if (spec.required !== (p.required === true)) problems.push(`${name}: required ${spec.required}`);
          const isArray = schemaOf(doc, p.schema).type === "array";
          if (isArray !== (spec.items !== undefined)) problems.push(`${name}: list ${!isArray}`);
          if (spec.items === undefined && !spec.flag) compareShape(doc, spec.codec!.shape, p.schema, name, []);
        }
        const docNames = new Set(docParams.filter((p) => p.in !== "header").map((p) => String(p.name)));
        for (const name of Object.keys(params)) if (!docNames.has(name)) problems.push(`extra parameter ${name}`);
        if (!docParams.some((p) => p.in === "header") && route.body?.versioned)
          problems.push("versioned without header");
        // Request body
        const requestBody = operation.requestBody === undefined ? undefined : schemaOf(doc, operation.requestBody);
        if ((requestBody === undefined) !== (route.body === undefined)) problems.push("request body presence");
        if (requestBody && route.body) {
          const content = asObject(requestBody.content, "content");
          if ((requestBody.required === true) !== route.body.required) problems.push("request body required");
          if ("application/octet-stream" in content !== (route.body.ssz !== undefined)) problems.push("SSZ body");
          if (!route.body.versioned) {
            compareShape(
              doc,
              route.body.json(undefined)!.shape,
              asObject(content["application/json"], "json").schema,
              "body",
              problems,
            );
          }
        }
        // Responses
        const responses = asObject(operation.responses, "responses");
        const success = Object.keys(responses)
          .filter((s) => s.startsWith("2"))
          .map(Number)
          .sort();
        const ours = route.response.statuses as readonly number[];
        assert.deepEqual(ours.filter((s) => s < 300).sort(), success, `${id}: success statuses`);
        // A handler may also answer a documented non-2xx without a body (health: 503).
        for (const s of ours) assert.ok(String(s) in responses, `${id}: status ${s} is documented`);
        const ok = schemaOf(doc, responses[String(success[0])]);
        const content = isObject(ok.content) ? ok.content : {};
        const kind = route.response.kind;
        if (kind === "events") assert.ok("text/event-stream" in content, `${id}: SSE`);
        else if (kind === "empty") assert.deepEqual(Object.keys(content), [], `${id}: no body`);
        else {
          assert.ok("application/json" in content, `${id}: JSON response`);
          assert.equal("application/octet-stream" in content, route.response.ssz !== undefined, `${id}: SSZ response`);
          const schema = schemaOf(doc, asObject(content["application/json"], "json").schema);
          const props = isObject(schema.properties) ? Object.keys(schema.properties) : [];
          const metaKeys = (route.response.meta as readonly string[]).map(
            (k) => META_FIELDS[k as keyof typeof META_FIELDS].jsonKey,
          );
          if (kind === "data") {
            assert.ok(props.includes("data"), `${id}: envelope with data`);
            const docMeta = props.filter((p) => METADATA_JSON_KEYS.has(p));
            assert.deepEqual([...metaKeys].sort(), docMeta.sort(), `${id}: metadata fields`);
            const fork = routeForks(route).at(-1) ?? "fulu";
            const shape = route.response.json!({ version: fork, executionPayloadBlinded: false } as never).shape;
            compareShape(doc, shape, asObject(schema.properties, "p").data, "data", problems);
          } else {
            assert.deepEqual(metaKeys, [], `${id}: bare bodies carry no envelope metadata`);
            compareShape(doc, route.response.json!({} as never).shape, schema, "body", problems);
          }
          const headers = isObject(ok.headers) ? Object.keys(ok.headers).map((h) => h.toLowerCase()) : [];
          const ourHeaders = (route.response.meta as readonly string[]).map(
            (k) => META_FIELDS[k as keyof typeof META_FIELDS].header,
          );
          for (const h of headers) assert.ok(ourHeaders.includes(h), `${id}: response header ${h} not written`);
        }
        assert.deepEqual(problems, [], `${id} (${method} ${path})`);
      });
    }
  });
}

describe("the comparisons can fail", () => {
  test("schema validation rejects a corrupted body", () => {
    const doc = parseDocument(readFileSync(join(PROJECT_ROOT, "api-spec/openapi/beacon-node.yaml"), "utf8"), "doc");
    const validator = responseValidator(doc, "ours", true);
    const good = {
      data: { genesis_time: "1", genesis_validators_root: `0x${"00".repeat(32)}`, genesis_fork_version: "0x00000000" },
    };
    assert.equal(validator.validate("/eth/v1/beacon/genesis", "GET", 200, good), undefined);
    const bad = { data: { ...good.data, genesis_time: 1 } };
    assert.match(String(validator.validate("/eth/v1/beacon/genesis", "GET", 200, bad)), /genesis_time must be string/);
  });

  test("a renamed field and a wrong optionality are reported", () => {
    const doc: JsonObject = {
      components: {
        schemas: {
          A: { type: "object", required: ["a_b"], properties: { a_b: { type: "string" }, c: { type: "boolean" } } },
        },
      },
    };
    const shape: Shape = {
      kind: "object",
      fields: [
        { jsonKey: "a_c", key: "aC", shape: { kind: "string" }, optional: false },
        { jsonKey: "c", key: "c", shape: { kind: "bool" }, optional: false },
      ],
    };
    const out: string[] = [];
    compareShape(doc, shape, { $ref: "#/components/schemas/A" }, "x", out);
    assert.deepEqual(out, [
      "x: fields a_c,c vs document a_b,c",
      "x.a_c: optional false vs document",
      "x.c: optional false vs document",
    ]);
  });
});
