// The bad-input harness: a beacon-node server whose handlers would succeed (every 4xx comes from reading the
// request), and a table runner checking each case's status, the spec's error body (valid against the document's
// ErrorMessage schema, `code` = status) and that its message names what is wrong.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { createApiServer, IndexedApiError } from "@sextant/api-spec";
import { Ajv2020 } from "ajv/dist/2020.js";
import { request } from "undici";
import { PROJECT_ROOT } from "../../../../api-spec/scripts/gen.ts";
import { BODY_LIMIT, type Case } from "./badInputCases.ts";
import { readDocument } from "./schemas.ts";
import { BEACON, TEST_CONTEXT } from "./suites.ts";

// The case type and builders live with the tables (badInputCases.ts); re-exported for the runner's users.
export { BODY_LIMIT, type Case, get, JSON_HEADERS, post, ROOT, SIG } from "./badInputCases.ts";

const doc = readDocument(join(PROJECT_ROOT, "api-spec/openapi/beacon-node.yaml"));
const schemas = (doc.components as { schemas: Record<string, object> }).schemas;
export const ajv = new Ajv2020({ strict: false });
const errorMessage = ajv.compile(schemas.ErrorMessage);
/** The IndexedErrorMessage schema of the document. */
export const indexedErrorMessage = ajv.compile(schemas.IndexedErrorMessage);

/** Starts the server before the file's tests (stopped after); `state.url` is its URL, `state.received` the batch. */
export function badInputServer(): { url: string; received: unknown[] } {
  const state = { url: "", received: [] as unknown[] };
  let close = async () => {};
  before(async () => {
    const server = createApiServer({
      routes: BEACON,
      bodyLimit: BODY_LIMIT,
      handlers: {
        getGenesis: () => ({
          data: { genesisTime: 1, genesisValidatorsRoot: new Uint8Array(32), genesisForkVersion: new Uint8Array(4) },
        }),
        getBlockV2: () => ({
          data: TEST_CONTEXT.types.fulu.SignedBeaconBlock.defaultValue(),
          meta: { version: "fulu", executionOptimistic: false, finalized: false },
        }),
        submitPoolVoluntaryExit: () => undefined,
        submitPoolSyncCommitteeSignatures: (args) => {
          state.received = args.body;
          // The handler rejects the second item it got (request index 2 when item 1 did not parse).
          if (args.body.length > 1) throw new IndexedApiError([{ index: 1, message: "invalid signature" }]);
        },
        postStateValidators: () => ({ data: [], meta: { executionOptimistic: false, finalized: false } }),
      },
    });
    state.url = await server.listen();
    close = () => server.close();
  });
  after(() => close());
  return state;
}

/** A test per case. */
export function runCases(state: { url: string }, cases: readonly Case[]): void {
  for (const c of cases) {
    test(`${c.name}: ${c.status}`, async () => {
      const res = await request(`${state.url}${c.path}`, { method: c.method, headers: c.headers, body: c.body });
      const text = await res.body.text();
      assert.equal(res.statusCode, c.status, text);
      assert.match(String(res.headers["content-type"]), /^application\/json/);
      const body = JSON.parse(text) as { code: number; message: string };
      assert.ok(errorMessage(body), `ErrorMessage schema: ${ajv.errorsText(errorMessage.errors)}`);
      assert.equal(body.code, c.status);
      assert.ok(body.message.includes(c.says), `message ${JSON.stringify(body.message)} should say ${c.says}`);
    });
  }
}
