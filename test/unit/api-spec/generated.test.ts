// The committed outputs of `npm run gen` are current: regenerating the TypeScript types from the committed
// documents gives exactly the committed api-spec/src/generated/*.generated.ts, and re-deriving the documents
// from the upstream bundled documents (../shared/reference; skipped when absent) gives exactly the committed
// api-spec/openapi/*.yaml. Also checks that both comparisons can fail and that the output is erasable syntax.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { deriveKeymanager, KEYMANAGER_UPSTREAM, renderDocument } from "../../../api-spec/scripts/derive.ts";
import { API_DOCUMENTS, deriveText, PROJECT_ROOT, parseDocument, typesText } from "../../../api-spec/scripts/gen.ts";
import { generateTypes } from "../../../api-spec/scripts/gen-types.ts";
import { asObject } from "../../../api-spec/scripts/openapi-doc.ts";
import { REFERENCE_DIR, referencePath, referenceSkip } from "../../support/reference.ts";

const STALE = "is stale: run `npm run gen` and commit the result";

const committed = (path: string) => readFileSync(join(PROJECT_ROOT, path), "utf8");

for (const api of API_DOCUMENTS) {
  describe(api.name, () => {
    test(`${api.types} is generated from ${api.document}`, async () => {
      const expected = await typesText(api);
      assert.ok(committed(api.types) === expected, `${api.types} ${STALE}`);
    });

    test(`${api.types} is erasable TypeScript (interfaces and types only, no enums or namespaces)`, () => {
      const text = committed(api.types);
      assert.match(text, /^export interface paths \{$/m);
      assert.match(text, /^export interface components \{$/m);
      assert.match(text, /^export interface operations \{$/m);
      assert.doesNotMatch(text, /^\s*(export\s+)?(declare\s+)?(const\s+)?(enum|namespace|module)\s/m);
      assert.ok(api.types.endsWith(".generated.ts"), "biome ignores **/*.generated.ts");
    });

    const skip = referenceSkip(api.upstream.folder, api.upstream.file);
    test(`${api.document} is derived from ${api.upstream.repository} ${api.upstream.version}`, { skip }, () => {
      assert.ok(committed(api.document) === deriveText(api, REFERENCE_DIR), `${api.document} ${STALE}`);
    });
  });
}

describe("the staleness checks can fail", () => {
  const api = API_DOCUMENTS.find((a) => a.name === "keymanager")!;

  test("a changed document changes the generated types", async () => {
    const doc = parseDocument(committed(api.document), api.document);
    const before = await generateTypes(doc, api.document);
    const listKeys = asObject(asObject(asObject(doc.paths, "paths")["/eth/v1/keystores"], "path").get, "get");
    listKeys.summary = "A changed summary.";
    const after = await generateTypes(doc, api.document);
    assert.notEqual(after, before);
    assert.match(after, /A changed summary\./);
  });

  const skip = referenceSkip(KEYMANAGER_UPSTREAM.folder, KEYMANAGER_UPSTREAM.file);
  test("a changed upstream changes the derived document", { skip }, () => {
    const file = referencePath(KEYMANAGER_UPSTREAM.folder, KEYMANAGER_UPSTREAM.file);
    const upstream = parseDocument(readFileSync(file, "utf8"), file);
    const before = renderDocument(deriveKeymanager(upstream), KEYMANAGER_UPSTREAM);
    asObject(asObject(upstream.components, "components").schemas, "schemas").error_response = { type: "string" };
    const after = renderDocument(deriveKeymanager(upstream), KEYMANAGER_UPSTREAM);
    assert.notEqual(after, before);
    assert.equal(before, committed(api.document));
  });
});
