// Validates response bodies against the response schemas of an OpenAPI 3.1 document (ours, or upstream's from
// ../shared/reference) with ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1).
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import formats from "ajv-formats";
import { parse } from "yaml";
import { asObject, escapeSegment, isObject, type JsonObject } from "../../../../api-spec/scripts/openapi-doc.ts";

/** Checks bodies against one document's response schemas. */
export interface ResponseValidator {
  /** Errors of `body` against the schema of (path, method, status, application/json); undefined when valid. */
  validate(path: string, method: string, status: number, body: unknown): string | undefined;
  /** Whether the document declares a JSON body for that response. */
  hasJson(path: string, method: string, status: number): boolean;
}

/** Reads a YAML or JSON document. */
export function readDocument(file: string): JsonObject {
  return asObject(parse(readFileSync(file, "utf8")), file);
}

/** The pointer to a JSON response schema, following a `$ref` to components.responses; undefined if none. */
function schemaPointer(doc: JsonObject, path: string, method: string, status: number): string | undefined {
  const op = asObject(asObject(doc.paths, "paths")[path] ?? {}, path)[method.toLowerCase()];
  if (!isObject(op)) return undefined;
  const responses = asObject(op.responses, "responses");
  let response = responses[String(status)];
  let base = `#/paths/${escapeSegment(path)}/${method.toLowerCase()}/responses/${status}`;
  if (isObject(response) && typeof response.$ref === "string") {
    base = response.$ref;
    const name = response.$ref.split("/").pop() as string;
    response = asObject(asObject(doc.components, "components").responses, "responses")[name];
  }
  if (!isObject(response) || !isObject(response.content) || !isObject(response.content["application/json"])) {
    return undefined;
  }
  return `${base}/content/application~1json/schema`;
}

/** A validator of `doc`'s responses; `strict` refuses unknown keywords (our documents), upstream's is lenient. */
export function responseValidator(doc: JsonObject, id: string, strict: boolean): ResponseValidator {
  const ajv = new Ajv2020({ strict, strictTypes: false, strictRequired: false, strictTuples: false, allErrors: false });
  formats.default(ajv);
  ajv.addFormat("hex", /^0x[0-9a-fA-F]*$/);
  ajv.addKeyword("example");
  for (const keyword of ["openapi", "info", "servers", "tags", "paths", "components", "x-sextant-upstream"]) {
    ajv.addKeyword(keyword);
  }
  ajv.addSchema({ ...doc, $id: id }, id);
  const compiled = new Map<string, ReturnType<Ajv2020["compile"]>>();
  return {
    hasJson: (path, method, status) => schemaPointer(doc, path, method, status) !== undefined,
    validate(path, method, status, body) {
      const pointer = schemaPointer(doc, path, method, status);
      if (pointer === undefined) return `no JSON schema for ${method} ${path} ${status}`;
      let validate = compiled.get(pointer);
      if (validate === undefined) {
        const ref = `${id}${pointer.split("/").map(encodeURIComponent).join("/").replace(/^%23/, "#")}`;
        validate = ajv.compile({ $ref: ref });
        compiled.set(pointer, validate);
      }
      if (validate(body)) return undefined;
      return ajv.errorsText(validate.errors, { dataVar: "body" });
    },
  };
}
