// Derives Sextant's own OpenAPI documents (api-spec/openapi/*.yaml) from the upstream bundled documents
// (CC0-1.0): the operations Sextant serves, selected by operationId, copied field for field; the deprecated
// predecessors the node keeps serving; our info, servers and an `x-sextant-upstream` record of the source; the
// components the selection reaches, nothing else. Pure: upstream document in, document out (gen.ts does the I/O).
import { stringify } from "yaml";
import { asObject, HTTP_METHODS, type JsonObject, listOperations, pruneComponents } from "./openapi-doc.ts";
import { PREDECESSORS, type Predecessor } from "./predecessors.ts";

/** Where a derived document comes from (recorded in the document as `x-sextant-upstream`). */
export interface UpstreamSource {
  repository: string;
  version: string;
  /** Path of the bundled document inside the repository (and inside ../shared/reference/<folder>). */
  file: string;
  /** Folder of the repository under the reference directory. */
  folder: string;
  license: string;
}

export const BEACON_UPSTREAM: UpstreamSource = {
  repository: "ethereum/beacon-APIs",
  version: "v4.0.0",
  file: "bundled/beacon-node-oapi.bundled.yaml",
  folder: "beacon-APIs",
  license: "CC0-1.0",
};

export const KEYMANAGER_UPSTREAM: UpstreamSource = {
  repository: "ethereum/keymanager-APIs",
  version: "v1.1.0",
  file: "keymanager-oapi.bundled.yaml",
  folder: "keymanager-APIs",
  license: "CC0-1.0",
};

/** The upstream Beacon API operations the Sextant node serves (all 76 of v4.0.0), by area. */
export const BEACON_OPERATIONS: readonly string[] = [
  // beacon: genesis and state queries
  ...["getGenesis", "getStateRoot", "getStateFork", "getStateFinalityCheckpoints", "getStateValidators"],
  ...["postStateValidators", "getStateValidator", "getStateValidatorBalances", "postStateValidatorBalances"],
  ...["postStateValidatorIdentities", "getEpochCommittees", "getEpochSyncCommittees", "getStateRandao"],
  ...["getPendingConsolidations", "getPendingDeposits", "getPendingPartialWithdrawals", "getProposerLookahead"],
  // beacon: headers, blocks, blobs, rewards, light client
  ...["getBlockHeaders", "getBlockHeader", "publishBlindedBlockV2", "publishBlockV2", "getBlockV2", "getBlockRoot"],
  ...["getBlockAttestationsV2", "getBlobSidecars", "getBlobs", "getDebugDataColumnSidecars"],
  ...["getSyncCommitteeRewards", "getBlockRewards", "getAttestationsRewards", "getBlindedBlock"],
  ...["getLightClientBootstrap", "getLightClientUpdatesByRange", "getLightClientFinalityUpdate"],
  "getLightClientOptimisticUpdate",
  // beacon: operation pools
  ...["getPoolAttestationsV2", "submitPoolAttestationsV2", "getPoolAttesterSlashingsV2"],
  ...["submitPoolAttesterSlashingsV2", "getPoolProposerSlashings", "submitPoolProposerSlashings"],
  ...["submitPoolSyncCommitteeSignatures", "getPoolVoluntaryExits", "submitPoolVoluntaryExit"],
  ...["getPoolBLSToExecutionChanges", "submitPoolBLSToExecutionChange"],
  // debug
  ...["getStateV2", "getDebugChainHeadsV2", "getDebugForkChoice"],
  // node
  ...["getNetworkIdentity", "getPeers", "getPeer", "getPeerCount", "getNodeVersion", "getSyncingStatus", "getHealth"],
  // config
  ...["getForkSchedule", "getSpec", "getDepositContract"],
  // validator
  ...["getAttesterDuties", "getProposerDuties", "getSyncCommitteeDuties", "produceBlockV3", "produceAttestationData"],
  ...["getAggregatedAttestationV2", "publishAggregateAndProofsV2", "prepareBeaconCommitteeSubnet"],
  ...["prepareSyncCommitteeSubnets", "submitBeaconCommitteeSelections", "produceSyncCommitteeContribution"],
  ...["submitSyncCommitteeSelections", "publishContributionAndProofs", "prepareBeaconProposer", "registerValidator"],
  "getLiveness",
  // events
  "eventstream",
];

/** The upstream Keymanager API operations the Sextant validator client serves (all 16 of v1.1.0). */
export const KEYMANAGER_OPERATIONS: readonly string[] = [
  ...["listKeys", "importKeystores", "deleteKeys", "listRemoteKeys", "importRemoteKeys", "deleteRemoteKeys"],
  ...["listFeeRecipient", "setFeeRecipient", "deleteFeeRecipient", "getGasLimit", "setGasLimit", "deleteGasLimit"],
  ...["getGraffiti", "setGraffiti", "deleteGraffiti", "signVoluntaryExit"],
];

/** The OpenAPI version of every derived document (the keymanager upstream is 3.0.3; its content is 3.1-valid). */
const OPENAPI_VERSION = "3.1.0";

/** First line of every derived document: it is an output, edited through the script. */
function header(source: UpstreamSource): string {
  return (
    `# Derived by api-spec/scripts/derive.ts from ${source.repository} ${source.version} ${source.file}\n` +
    "# (CC0-1.0). Do not edit by hand: change the script and run `npm run gen`.\n"
  );
}

/** The derived Beacon API document served by the Sextant beacon node. */
export function deriveBeaconNode(upstream: JsonObject): JsonObject {
  const info = asObject(upstream.info, "info");
  return assemble(upstream, BEACON_UPSTREAM, BEACON_OPERATIONS, PREDECESSORS, {
    title: "Sextant beacon node API",
    description:
      "The Beacon API served by the Sextant beacon node: the operations of the standard Beacon API " +
      `${BEACON_UPSTREAM.version} that Sextant implements, field for field, plus the deprecated predecessors that ` +
      "deployed validator clients still call (marked `deprecated`, each naming its replacement in " +
      "`x-sextant-replaced-by`).\n\n" +
      `Upstream description (${BEACON_UPSTREAM.repository} ${BEACON_UPSTREAM.version}):\n\n${String(info.description)}`,
    serverDescription: "Sextant beacon node REST API URL",
  });
}

/** The derived Keymanager API document served by the Sextant validator client. */
export function deriveKeymanager(upstream: JsonObject): JsonObject {
  const info = asObject(upstream.info, "info");
  return assemble(upstream, KEYMANAGER_UPSTREAM, KEYMANAGER_OPERATIONS, [], {
    title: "Sextant keymanager API",
    description:
      "The Keymanager API served by the Sextant validator client: the operations of the standard Keymanager API " +
      `${KEYMANAGER_UPSTREAM.version}, field for field.\n\n` +
      `Upstream description (${KEYMANAGER_UPSTREAM.repository} ${KEYMANAGER_UPSTREAM.version}):\n\n${String(info.description)}`,
    serverDescription: "Sextant validator client keymanager API URL",
  });
}

interface OwnInfo {
  title: string;
  description: string;
  serverDescription: string;
}

/** Selects `operationIds` from `upstream`, inserts `extra` operations, adds our metadata, prunes components. */
function assemble(
  upstream: JsonObject,
  source: UpstreamSource,
  operationIds: readonly string[],
  extra: readonly Predecessor[],
  own: OwnInfo,
): JsonObject {
  const copy = structuredClone(upstream);
  const wanted = new Set(operationIds);
  if (wanted.size !== operationIds.length) throw new Error("duplicate operationId in the selection");
  const found = new Set<string>();
  const paths: JsonObject = {};
  for (const [path, item] of Object.entries(asObject(copy.paths, "paths"))) {
    for (const p of extra) if (p.insertBefore === path) addField(paths, p.path, p.method, structuredClone(p.operation));
    const kept = listOperations({ paths: { [path]: item } }).filter((e) => wanted.has(String(e.operation.operationId)));
    if (kept.length === 0) continue;
    // path-level fields (summary, parameters, ...) first, then the kept operations, in upstream order
    for (const [key, value] of Object.entries(asObject(item, path))) {
      if (!(HTTP_METHODS as readonly string[]).includes(key)) addField(paths, path, key, value);
    }
    for (const e of kept) {
      found.add(String(e.operation.operationId));
      addField(paths, path, e.method.toLowerCase(), e.operation);
    }
  }
  const missing = operationIds.filter((id) => !found.has(id));
  if (missing.length > 0) throw new Error(`not in ${source.repository} ${source.version}: ${missing.join(", ")}`);
  for (const p of extra) {
    if (!Object.hasOwn(paths, p.path)) throw new Error(`insertion point ${p.insertBefore} not selected`);
  }
  const usedTags = new Set(Object.values(paths).flatMap((item) => tagsOf(item)));
  const tags = (Array.isArray(copy.tags) ? copy.tags : []).filter((t) => usedTags.has(String(asObject(t, "tag").name)));
  const doc: JsonObject = {
    openapi: OPENAPI_VERSION,
    info: {
      title: own.title,
      description: own.description,
      version: `${source.version}+sextant`,
      license: { name: "Apache-2.0", identifier: "Apache-2.0" },
    },
    servers: [
      {
        url: "{server_url}",
        variables: { server_url: { description: own.serverDescription, default: "http://localhost/" } },
      },
    ],
    tags,
    "x-sextant-upstream": {
      repository: source.repository,
      version: source.version,
      file: source.file,
      license: source.license,
    },
    paths,
    components: copy.components ?? {},
  };
  return pruneComponents(doc);
}

function addField(paths: JsonObject, path: string, key: string, value: unknown): void {
  if (!Object.hasOwn(paths, path)) paths[path] = {};
  const item = asObject(paths[path], path);
  if (Object.hasOwn(item, key)) throw new Error(`duplicate ${key} at ${path}`);
  item[key] = value;
}

function tagsOf(item: unknown): string[] {
  return listOperations({ paths: { "/": item } }).flatMap((e) =>
    Array.isArray(e.operation.tags) ? e.operation.tags.map(String) : [],
  );
}

/** The YAML text of a derived document, with its header comment (deterministic for a given document). */
export function renderDocument(doc: JsonObject, source: UpstreamSource): string {
  return header(source) + stringify(doc, { aliasDuplicateObjects: false, lineWidth: 0, singleQuote: true });
}
