// The deprecated predecessors that Sextant's beacon node keeps serving although the Beacon API v4.0.0 removed
// them (ethereum/beacon-APIs#549, #466): validator clients already deployed still call them. They are
// reconstructed from the last upstream definitions (beacon-APIs v2.x/v3.x apis/validator/block.yaml,
// block.v2.yaml, aggregate_attestation.yaml, aggregate_and_proofs.yaml, apis/beacon/pool/attestations.yaml,
// apis/beacon/blocks/blocks.yaml), written against the v4.0.0 components so that the fork-specific types are the
// current ones. Each is `deprecated: true`, says which operation replaced it and carries
// `x-sextant-replaced-by: <operationId>`.
import type { JsonObject } from "./openapi-doc.ts";

/**
 * `block_value` of the deprecated block production answers: not upstream, but required by Lodestar's validator
 * clients before the v3 endpoint (they read it with BigInt and fail without it).
 */
const BLOCK_VALUE = {
  description:
    "Sextant extension for Lodestar's pre-v3 validator clients, which require it: the Wei the block pays its proposer (execution payload value plus consensus reward).",
  type: "string",
  pattern: "^[1-9][0-9]{0,77}$|^0$",
};

/** A deprecated operation added to the derived Beacon API document. */
export interface Predecessor {
  method: "get" | "post";
  path: string;
  /** The path (already in the document) before which this operation's path item is inserted. */
  insertBefore: string;
  operation: JsonObject;
}

const schema = (name: string): JsonObject => ({ $ref: `#/components/schemas/${name}` });
const response = (name: string): JsonObject => ({ $ref: `#/components/responses/${name}` });

/** The description every predecessor starts with: what replaced it and why it is still served. */
function deprecation(replacedBy: string, method: string, path: string, extra: string): string {
  return (
    `Deprecated: replaced by \`${replacedBy}\` (\`${method} ${path}\`). Removed from the standard Beacon API in ` +
    "v4.0.0; Sextant keeps serving it because deployed validator clients still call it.\n\n" +
    extra
  );
}

const slotPathParameter = (): JsonObject => ({
  name: "slot",
  in: "path",
  required: true,
  description: "The slot for which the block should be proposed.",
  schema: schema("Uint64"),
});
const randaoRevealParameter = (): JsonObject => ({
  name: "randao_reveal",
  in: "query",
  required: true,
  description: "The validator's randao reveal value.",
  schema: schema("Signature"),
});
const graffitiParameter = (): JsonObject => ({
  name: "graffiti",
  in: "query",
  required: false,
  description:
    "Arbitrary data validator wants to include in block (0x hex of 32 bytes; Sextant also accepts text of at most 32 UTF-8 bytes, zero-padded, as validator clients of these endpoints send).",
  schema: schema("Graffiti"),
});
const invalidBlockRequest = (): JsonObject => ({
  description: "Invalid block production request",
  content: {
    "application/json": {
      schema: schema("ErrorMessage"),
      example: { code: 400, message: "Invalid request to produce a block" },
    },
  },
});

/** Every fork's unsigned block as produced for a proposer (blocks with blobs come as block contents). */
const PRODUCED_BLOCKS = [
  "Phase0.BeaconBlock",
  "Altair.BeaconBlock",
  "Bellatrix.BeaconBlock",
  "Capella.BeaconBlock",
  "Deneb.BlockContents",
  "Electra.BlockContents",
  "Fulu.BlockContents",
];
/** Every fork's signed block as published by a proposer. */
const PUBLISHED_BLOCKS = [
  "Phase0.SignedBeaconBlock",
  "Altair.SignedBeaconBlock",
  "Bellatrix.SignedBeaconBlock",
  "Capella.SignedBeaconBlock",
  "Deneb.SignedBlockContents",
  "Electra.SignedBlockContents",
  "Fulu.SignedBlockContents",
];

/** The predecessors, in the order they are inserted. */
export const PREDECESSORS: readonly Predecessor[] = [
  {
    method: "post",
    path: "/eth/v1/beacon/blocks",
    insertBefore: "/eth/v2/beacon/blocks",
    operation: {
      tags: ["Beacon", "ValidatorRequiredApi"],
      summary: "Publish a signed block.",
      operationId: "publishBlock",
      deprecated: true,
      "x-sextant-replaced-by": "publishBlockV2",
      description: deprecation(
        "publishBlockV2",
        "POST",
        "/eth/v2/beacon/blocks",
        "Instructs the beacon node to broadcast a newly signed beacon block to the beacon network, to be included in " +
          "the beacon chain. A success response (20x) indicates that the block passed gossip validation and was " +
          "successfully broadcast onto the network; 202 means it was broadcast but failed integration. After Deneb, " +
          "this additionally instructs the beacon node to broadcast all given blobs.\n",
      ),
      parameters: [
        {
          in: "header",
          schema: schema("ConsensusVersion"),
          required: false,
          name: "Eth-Consensus-Version",
          description: "Version of the block being submitted, if using SSZ encoding.",
        },
      ],
      requestBody: {
        description:
          "The `SignedBeaconBlock` object composed of `BeaconBlock` object (produced by beacon node) and validator signature.",
        required: true,
        content: {
          "application/json": { schema: { anyOf: PUBLISHED_BLOCKS.map(schema) } },
          "application/octet-stream": {
            schema: {
              description:
                "SSZ serialized block bytes. Use content type header to indicate that SSZ data is contained in the request body.",
            },
          },
        },
      },
      responses: {
        "200": {
          description:
            "The block was validated successfully and has been broadcast. It has also been integrated into the beacon node's database.",
        },
        "202": {
          description:
            "The block could not be integrated into the beacon node's database as it failed validation, but was successfully broadcast.",
        },
        "400": {
          description: "The `SignedBeaconBlock` object is invalid",
          content: {
            "application/json": {
              schema: schema("ErrorMessage"),
              example: { code: 400, message: "Invalid block: missing signature" },
            },
          },
        },
        "415": response("UnsupportedMediaType"),
        "500": response("InternalError"),
        "503": response("CurrentlySyncing"),
      },
    },
  },
  {
    method: "post",
    path: "/eth/v1/beacon/pool/attestations",
    insertBefore: "/eth/v2/beacon/pool/attestations",
    operation: {
      operationId: "submitPoolAttestations",
      summary: "Submit Attestation objects to node",
      deprecated: true,
      "x-sextant-replaced-by": "submitPoolAttestationsV2",
      description: deprecation(
        "submitPoolAttestationsV2",
        "POST",
        "/eth/v2/beacon/pool/attestations",
        "Submits phase0 `Attestation` objects (valid before Electra only) to the node. Each attestation in the " +
          "request body is processed individually.\n\n" +
          "If an attestation is validated successfully the node MUST publish that attestation on the appropriate subnet.\n\n" +
          "If one or more attestations fail validation the node MUST return a 400 error with details of which " +
          "attestations have failed, and why.\n",
      ),
      tags: ["Beacon", "ValidatorRequiredApi"],
      requestBody: {
        required: true,
        content: { "application/json": { schema: { type: "array", items: schema("Phase0.Attestation") } } },
      },
      responses: {
        "200": { description: "Attestations are stored in pool and broadcast on appropriate subnet" },
        "400": {
          description: "Errors with one or more attestations",
          content: { "application/json": { schema: schema("IndexedErrorMessage") } },
        },
        "500": response("InternalError"),
      },
    },
  },
  {
    method: "get",
    path: "/eth/v1/validator/blocks/{slot}",
    insertBefore: "/eth/v3/validator/blocks/{slot}",
    operation: {
      tags: ["ValidatorRequiredApi", "Validator"],
      operationId: "produceBlock",
      summary: "Produce a new phase0 block, without signature.",
      deprecated: true,
      "x-sextant-replaced-by": "produceBlockV3",
      description: deprecation(
        "produceBlockV3",
        "GET",
        "/eth/v3/validator/blocks/{slot}",
        "Requests a beacon node to produce a valid phase0 block, which can then be signed by a validator.\n",
      ),
      parameters: [slotPathParameter(), randaoRevealParameter(), graffitiParameter()],
      responses: {
        "200": {
          description: "Success response",
          content: {
            "application/json": {
              schema: {
                title: "ProduceBlockResponse",
                type: "object",
                required: ["data"],
                properties: { block_value: BLOCK_VALUE, data: schema("Phase0.BeaconBlock") },
              },
            },
          },
        },
        "400": invalidBlockRequest(),
        "500": response("InternalError"),
        "503": response("CurrentlySyncing"),
      },
    },
  },
  {
    method: "get",
    path: "/eth/v2/validator/blocks/{slot}",
    insertBefore: "/eth/v3/validator/blocks/{slot}",
    operation: {
      tags: ["ValidatorRequiredApi", "Validator"],
      operationId: "produceBlockV2",
      summary: "Produce a new block, without signature.",
      deprecated: true,
      "x-sextant-replaced-by": "produceBlockV3",
      description: deprecation(
        "produceBlockV3",
        "GET",
        "/eth/v3/validator/blocks/{slot}",
        "Requests a beacon node to produce a valid (unblinded) block, which can then be signed by a validator.\n\n" +
          "Metadata in the response indicates the type of block produced, and the supported types of block will be " +
          "added to as forks progress.\n",
      ),
      parameters: [
        slotPathParameter(),
        randaoRevealParameter(),
        graffitiParameter(),
        { name: "skip_randao_verification", $ref: "#/components/parameters/SkipRandaoVerification" },
      ],
      responses: {
        "200": {
          description: "Success response",
          headers: { "Eth-Consensus-Version": { $ref: "#/components/headers/Eth-Consensus-Version" } },
          content: {
            "application/json": {
              schema: {
                title: "ProduceBlockV2Response",
                type: "object",
                required: ["version", "data"],
                properties: {
                  version: schema("ConsensusVersion"),
                  block_value: BLOCK_VALUE,
                  data: { anyOf: PRODUCED_BLOCKS.map(schema) },
                },
              },
            },
            "application/octet-stream": {
              schema: {
                description:
                  "SSZ serialized block bytes. Use Accept header to choose this response type, version string is sent in header `Eth-Consensus-Version`.",
              },
            },
          },
        },
        "400": invalidBlockRequest(),
        "406": response("NotAcceptable"),
        "500": response("InternalError"),
        "503": response("CurrentlySyncing"),
      },
    },
  },
  {
    method: "get",
    path: "/eth/v1/validator/aggregate_attestation",
    insertBefore: "/eth/v2/validator/aggregate_attestation",
    operation: {
      operationId: "getAggregatedAttestation",
      summary: "Get aggregated attestation",
      deprecated: true,
      "x-sextant-replaced-by": "getAggregatedAttestationV2",
      description: deprecation(
        "getAggregatedAttestationV2",
        "GET",
        "/eth/v2/validator/aggregate_attestation",
        "Aggregates all phase0 attestations (before Electra only) matching given attestation data root and slot.\n",
      ),
      tags: ["ValidatorRequiredApi", "Validator"],
      parameters: [
        {
          name: "attestation_data_root",
          in: "query",
          required: true,
          description: "HashTreeRoot of AttestationData that validator wants aggregated",
          schema: schema("Root"),
        },
        { name: "slot", in: "query", required: true, schema: schema("Uint64") },
      ],
      responses: {
        "200": {
          description: "Returns aggregated `Attestation` object with same `AttestationData` root.",
          content: {
            "application/json": {
              schema: {
                title: "GetAggregatedAttestationResponse",
                type: "object",
                required: ["data"],
                properties: { data: schema("Phase0.Attestation") },
              },
            },
          },
        },
        "400": response("InvalidRequest"),
        "404": response("NotFound"),
        "500": response("InternalError"),
      },
    },
  },
  {
    method: "post",
    path: "/eth/v1/validator/aggregate_and_proofs",
    insertBefore: "/eth/v2/validator/aggregate_and_proofs",
    operation: {
      operationId: "publishAggregateAndProofs",
      summary: "Publish multiple aggregate and proofs",
      deprecated: true,
      "x-sextant-replaced-by": "publishAggregateAndProofsV2",
      description: deprecation(
        "publishAggregateAndProofsV2",
        "POST",
        "/eth/v2/validator/aggregate_and_proofs",
        "Verifies given phase0 aggregate and proofs (before Electra only) and publishes them on appropriate gossipsub topic.\n",
      ),
      tags: ["ValidatorRequiredApi", "Validator"],
      requestBody: {
        required: true,
        content: {
          "application/json": { schema: { type: "array", items: schema("Phase0.SignedAggregateAndProof") } },
        },
      },
      responses: {
        "200": { description: "Successful response" },
        "400": {
          description: "Errors with one or more aggregate and proofs",
          content: { "application/json": { schema: schema("IndexedErrorMessage") } },
        },
        "500": response("InternalError"),
      },
    },
  },
];
