// Our OpenAPI documents against the upstream ones (../shared/reference: beacon-APIs v4.0.0, keymanager-APIs
// v1.1.0): every operation of ours exists upstream with the same method, path, parameters (name, in, required,
// schema type), status codes and response headers — or is one of the listed deprecated predecessors, checked
// against the expectations below; operations and components are upstream's field for field; the required
// coverage is present. Prints "coverage: N of M upstream operations". Skips when the reference is absent.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { API_DOCUMENTS, PROJECT_ROOT, parseDocument } from "../../../api-spec/scripts/gen.ts";
import { asObject, deref, isObject, type JsonObject, listOperations } from "../../../api-spec/scripts/openapi-doc.ts";
import { referencePath, referenceSkip } from "../../support/reference.ts";

/** What a deprecated predecessor must look like (restated from the last upstream definitions, beacon-APIs v3). */
interface Expected {
  method: string;
  path: string;
  replacedBy: string;
  params: string[];
  statuses: string[];
  /** The component named by the JSON request body's items (arrays) or the 200 response's `data`. */
  carries: string;
}

const PREDECESSOR_EXPECTATIONS: Record<string, Expected> = {
  publishBlock: {
    method: "POST",
    path: "/eth/v1/beacon/blocks",
    replacedBy: "publishBlockV2",
    params: ["header Eth-Consensus-Version optional string"],
    statuses: ["200", "202", "400", "415", "500", "503"],
    carries: "Phase0.SignedBeaconBlock",
  },
  submitPoolAttestations: {
    method: "POST",
    path: "/eth/v1/beacon/pool/attestations",
    replacedBy: "submitPoolAttestationsV2",
    params: [],
    statuses: ["200", "400", "500"],
    carries: "Phase0.Attestation",
  },
  getAggregatedAttestation: {
    method: "GET",
    path: "/eth/v1/validator/aggregate_attestation",
    replacedBy: "getAggregatedAttestationV2",
    params: ["query attestation_data_root required string", "query slot required string"],
    statuses: ["200", "400", "404", "500"],
    carries: "Phase0.Attestation",
  },
  publishAggregateAndProofs: {
    method: "POST",
    path: "/eth/v1/validator/aggregate_and_proofs",
    replacedBy: "publishAggregateAndProofsV2",
    params: [],
    statuses: ["200", "400", "500"],
    carries: "Phase0.SignedAggregateAndProof",
  },
  produceBlockV2: {
    method: "GET",
    path: "/eth/v2/validator/blocks/{slot}",
    replacedBy: "produceBlockV3",
    params: [
      "path slot required string",
      "query graffiti optional string",
      "query randao_reveal required string",
      "query skip_randao_verification optional string",
    ],
    statuses: ["200", "400", "406", "500", "503"],
    carries: "Phase0.BeaconBlock",
  },
  produceBlock: {
    method: "GET",
    path: "/eth/v1/validator/blocks/{slot}",
    replacedBy: "produceBlockV3",
    params: ["path slot required string", "query graffiti optional string", "query randao_reveal required string"],
    statuses: ["200", "400", "500", "503"],
    carries: "Phase0.BeaconBlock",
  },
};

/** The Beacon API coverage issue 3 requires (besides every ValidatorRequiredApi operation upstream). */
const REQUIRED_BEACON: readonly string[] = [
  // node
  ...["getSyncingStatus", "getNodeVersion", "getHealth", "getNetworkIdentity", "getPeers", "getPeerCount"],
  // beacon
  ...["getGenesis", "getStateRoot", "getStateFork", "getStateFinalityCheckpoints", "getStateValidators"],
  ...["postStateValidators", "getStateValidatorBalances", "postStateValidatorBalances", "getEpochCommittees"],
  ...["getEpochSyncCommittees", "getStateRandao", "getBlockHeaders", "getBlockHeader", "getBlockV2"],
  ...["publishBlockV2", "publishBlindedBlockV2", "getBlindedBlock", "getBlockRoot", "getBlockAttestationsV2"],
  ...["getPoolAttestationsV2", "submitPoolAttestationsV2", "getPoolAttesterSlashingsV2"],
  ...["submitPoolAttesterSlashingsV2", "getPoolProposerSlashings", "submitPoolProposerSlashings"],
  ...["getPoolVoluntaryExits", "submitPoolVoluntaryExit", "getPoolBLSToExecutionChanges"],
  ...["submitPoolBLSToExecutionChange", "submitPoolSyncCommitteeSignatures"],
  // config, debug, events
  ...["getSpec", "getForkSchedule", "getDepositContract", "getStateV2", "getDebugChainHeadsV2", "getDebugForkChoice"],
  "eventstream",
  // validator
  ...["getAttesterDuties", "getProposerDuties", "getSyncCommitteeDuties", "produceAttestationData"],
  ...["getAggregatedAttestationV2", "publishAggregateAndProofsV2", "produceBlockV3", "prepareBeaconCommitteeSubnet"],
  ...["prepareSyncCommitteeSubnets", "produceSyncCommitteeContribution", "publishContributionAndProofs"],
  ...["prepareBeaconProposer", "registerValidator", "getLiveness", "submitBeaconCommitteeSelections"],
  "submitSyncCommitteeSelections",
  // deprecated predecessors
  ...Object.keys(PREDECESSOR_EXPECTATIONS),
];

/** Response headers and metadata fields whose use must match upstream operation for operation. */
const METADATA_HEADERS = [
  "Eth-Consensus-Version",
  "Eth-Execution-Payload-Blinded",
  "Eth-Execution-Payload-Value",
  "Eth-Consensus-Block-Value",
];
const METADATA_FIELDS = ["execution_optimistic", "finalized", "dependent_root", "version"];

/** `string`, `array`, ... for a schema (following $refs); `union`/`enum`/`any` when it has no `type`. */
function schemaType(doc: JsonObject, schema: unknown): string {
  const s = deref(doc, schema);
  if (!isObject(s)) return "any";
  if (s.type !== undefined) return Array.isArray(s.type) ? s.type.join("|") : String(s.type);
  if (s.anyOf || s.oneOf) return "union";
  return s.enum ? "enum" : "any";
}

/** The comparable outline of an operation: parameters, status codes, response headers, media types. */
function outline(doc: JsonObject, entry: ReturnType<typeof listOperations>[number]) {
  const raw = [entry.pathItem.parameters, entry.operation.parameters].flatMap((p) => (Array.isArray(p) ? p : []));
  const params = raw.map((p) => {
    const q = asObject(deref(doc, p), "parameter");
    return `${q.in} ${q.name} ${q.required === true ? "required" : "optional"} ${schemaType(doc, q.schema)}`;
  });
  const responses = asObject(entry.operation.responses, "responses");
  const headers = Object.entries(responses).flatMap(([status, r]) =>
    Object.keys(asObject(deref(doc, r), status).headers ?? {}).map((h) => `${status} ${h}`),
  );
  const body = asObject(deref(doc, entry.operation.requestBody ?? {}), "requestBody");
  const media = Object.keys(asObject(body.content ?? {}, "content")).map((m) => `request ${m}`);
  return { params: params.sort(), statuses: Object.keys(responses).sort(), headers: headers.sort(), media };
}

/** A copy without `x-sextant-*` extensions (ours, not upstream's). */
function withoutExtensions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutExtensions);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => !k.startsWith("x-sextant-"))
      .map(([k, v]) => [k, withoutExtensions(v)]),
  );
}

/** The operationIds whose 200 response declares a header or top-level JSON property named `name`. */
function usersOf(doc: JsonObject, name: string, skip: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const { operation } of listOperations(doc)) {
    if (skip.has(String(operation.operationId))) continue;
    const ok = asObject(deref(doc, asObject(operation.responses, "responses")["200"] ?? {}), "200");
    const json = isObject(ok.content) ? asObject(ok.content["application/json"] ?? {}, "json") : {};
    const schema = json.schema === undefined ? {} : asObject(deref(doc, json.schema), "schema");
    const props = isObject(schema.properties) ? schema.properties : {};
    if (Object.hasOwn(ok.headers ?? {}, name) || Object.hasOwn(props, name)) out.push(String(operation.operationId));
  }
  return out.sort();
}

for (const api of API_DOCUMENTS) {
  const skip = referenceSkip(api.upstream.folder, api.upstream.file);
  describe(`${api.document} against ${api.upstream.repository} ${api.upstream.version}`, { skip }, () => {
    if (skip) return;
    const ours = parseDocument(readFileSync(join(PROJECT_ROOT, api.document), "utf8"), api.document);
    const upstreamFile = referencePath(api.upstream.folder, api.upstream.file);
    const upstream = parseDocument(readFileSync(upstreamFile, "utf8"), upstreamFile);
    const upstreamOps = new Map(listOperations(upstream).map((e) => [`${e.method} ${e.path}`, e]));
    const upstreamIds = new Set([...upstreamOps.values()].map((e) => String(e.operation.operationId)));
    const predecessors = new Set(api.name === "beacon-node" ? Object.keys(PREDECESSOR_EXPECTATIONS) : []);

    test("every operation exists upstream with the same method, path, parameters, status codes and headers", () => {
      for (const entry of listOperations(ours)) {
        const id = String(entry.operation.operationId);
        if (predecessors.has(id)) continue;
        const key = `${entry.method} ${entry.path}`;
        const theirs = upstreamOps.get(key);
        assert.ok(theirs, `${id}: ${key} is not in ${api.upstream.repository} ${api.upstream.version}`);
        assert.equal(id, theirs.operation.operationId, `${key}: operationId`);
        assert.deepEqual(outline(ours, entry), outline(upstream, theirs), `${id}: outline differs from upstream`);
      }
    });

    test("operations and components are upstream's field for field", () => {
      for (const entry of listOperations(ours)) {
        const id = String(entry.operation.operationId);
        if (predecessors.has(id)) continue;
        const theirs = upstreamOps.get(`${entry.method} ${entry.path}`);
        assert.deepEqual(withoutExtensions(entry.operation), theirs?.operation, `${id} differs from upstream`);
      }
      const theirComponents = asObject(upstream.components, "components");
      for (const [kind, entries] of Object.entries(asObject(ours.components, "components"))) {
        for (const [name, value] of Object.entries(asObject(entries, kind))) {
          const theirs = asObject(theirComponents[kind] ?? {}, kind)[name];
          assert.deepEqual(value, theirs, `components.${kind}.${name} differs from upstream`);
        }
      }
    });

    test("the required coverage is present", (t) => {
      const ids = new Set(listOperations(ours).map((e) => String(e.operation.operationId)));
      const validatorRequired = [...upstreamOps.values()]
        .filter((e) => Array.isArray(e.operation.tags) && e.operation.tags.includes("ValidatorRequiredApi"))
        .map((e) => String(e.operation.operationId));
      const required = api.name === "beacon-node" ? [...REQUIRED_BEACON, ...validatorRequired] : [...upstreamIds];
      assert.deepEqual(
        required.filter((id) => !ids.has(id)),
        [],
        "required operations missing",
      );
      const covered = [...ids].filter((id) => upstreamIds.has(id)).length;
      const line = `coverage: ${covered} of ${upstreamIds.size} upstream operations (${api.upstream.repository} ${api.upstream.version})`;
      t.diagnostic(line);
      const extra = predecessors.size > 0 ? ` (plus ${predecessors.size} deprecated predecessors)` : "";
      console.log(`${api.document}: ${line}${extra}`);
      assert.ok(covered > 0);
    });

    if (api.name !== "beacon-node") return;

    test("the deprecated predecessors match their expectations and name an upstream replacement", () => {
      const byId = new Map(listOperations(ours).map((e) => [String(e.operation.operationId), e]));
      for (const [id, expected] of Object.entries(PREDECESSOR_EXPECTATIONS)) {
        const entry = byId.get(id);
        assert.ok(entry, `${id} missing`);
        const op = entry.operation;
        assert.equal(`${entry.method} ${entry.path}`, `${expected.method} ${expected.path}`, id);
        assert.ok(!upstreamOps.has(`${entry.method} ${entry.path}`), `${id} is still upstream: not a predecessor`);
        assert.ok(!upstreamIds.has(id), `${id}: operationId clashes with upstream`);
        assert.equal(op.deprecated, true, `${id}: deprecated`);
        assert.equal(op["x-sextant-replaced-by"], expected.replacedBy, `${id}: replaced by`);
        assert.ok(upstreamIds.has(expected.replacedBy) && byId.has(expected.replacedBy), `${id}: replacement`);
        assert.ok(String(op.description).includes(`\`${expected.replacedBy}\``), `${id}: description`);
        const { params, statuses } = outline(ours, entry);
        assert.deepEqual(params, expected.params, `${id}: parameters`);
        assert.deepEqual(statuses, expected.statuses, `${id}: status codes`);
        assert.ok(JSON.stringify(op).includes(`"#/components/schemas/${expected.carries}"`), `${id} carries`);
      }
    });

    test("the SSE stream offers every event topic of upstream", () => {
      const topics = (doc: JsonObject) => {
        const e = listOperations(doc).find((o) => o.operation.operationId === "eventstream");
        assert.ok(e && Array.isArray(e.operation.parameters), "eventstream parameters");
        const param = asObject(deref(doc, e.operation.parameters[0]), "topics");
        return asObject(asObject(param.schema, "schema").items, "items").enum;
      };
      const theirs = topics(upstream) as string[];
      assert.ok(theirs.includes("head") && theirs.includes("data_column_sidecar"), "upstream topics");
      assert.deepEqual(topics(ours), theirs);
    });

    test("metadata headers and fields are used by the same operations as upstream", () => {
      for (const name of [...METADATA_HEADERS, ...METADATA_FIELDS]) {
        const theirs = usersOf(upstream, name, new Set());
        assert.ok(theirs.length > 0, `no upstream operation uses ${name}`);
        assert.deepEqual(usersOf(ours, name, predecessors), theirs, name);
      }
      const headers = asObject(asObject(ours.components, "components").headers, "headers");
      for (const name of METADATA_HEADERS) {
        assert.ok(Object.hasOwn(headers, name), `components.headers.${name}`);
      }
    });
  });
}
