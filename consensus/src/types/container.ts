// Constructors shared by the per-fork type factories: every container is named after the spec and uses the eth2
// JSON key casing (camelCase fields in TypeScript, snake_case keys in JSON with a digit suffix split off:
// signedHeader1 ⇄ "signed_header_1").
//
// Blinded blocks (Beacon API, builder flow) are the block body with the execution payload replaced, in the same
// position, by its header under the key executionPayloadHeader (JSON "execution_payload_header"). The body root is
// unchanged, since a container field's root is the same for the payload and its header.
import { ContainerNodeStructType, ContainerType, type Type } from "@chainsafe/ssz";
import { BLSSignature } from "./primitives.ts";

/** A spec container: `fields` in spec order, camelCase keys. */
export function container<Fields extends Record<string, Type<unknown>>>(
  typeName: string,
  fields: Fields,
): ContainerType<Fields> {
  return new ContainerType(fields, { typeName, jsonCase: "eth2" });
}

/**
 * A container whose tree views keep the whole value in one node (fast reads, compact, slower to re-hash): for the
 * BeaconState's large lists of small, rarely changing records (Validator, PendingDeposit). Same SSZ, JSON and root.
 */
export function nodeStruct<Fields extends Record<string, Type<unknown>>>(
  typeName: string,
  fields: Fields,
): ContainerNodeStructType<Fields> {
  return new ContainerNodeStructType(fields, { typeName, jsonCase: "eth2" });
}

/** A `Signed<Name>` envelope: the message and a BLS signature over its signing root. */
export function signed<T extends Type<unknown>, S extends Type<unknown>>(
  typeName: string,
  message: T,
  signature: S,
): ContainerType<{ message: T; signature: S }> {
  return container(typeName, { message, signature });
}

/** Body fields with executionPayload swapped for executionPayloadHeader: H. */
export type BlindedFields<F extends Record<string, Type<unknown>>, H extends Type<unknown>> = {
  [K in keyof F as K extends "executionPayload" ? "executionPayloadHeader" : K]: K extends "executionPayload"
    ? H
    : F[K];
};

/** `fields` with the executionPayload entry replaced in place by executionPayloadHeader: `header`. */
export function blindFields<F extends Record<string, Type<unknown>>, H extends Type<unknown>>(
  fields: F,
  header: H,
): BlindedFields<F, H> {
  if (!("executionPayload" in fields)) throw new Error("body has no executionPayload field");
  const out: Record<string, Type<unknown>> = {};
  for (const [key, type] of Object.entries(fields)) {
    if (key === "executionPayload") out.executionPayloadHeader = header;
    else out[key] = type;
  }
  return out as BlindedFields<F, H>;
}

/**
 * BlindedBeaconBlockBody, BlindedBeaconBlock and SignedBlindedBeaconBlock for a fork, from its body and block fields
 * and its ExecutionPayloadHeader.
 */
export function createBlindedTypes<
  B extends Record<string, Type<unknown>>,
  K extends Record<string, Type<unknown>>,
  H extends Type<unknown>,
>(bodyFields: B, blockFields: K, header: H) {
  const BlindedBeaconBlockBody = container("BlindedBeaconBlockBody", blindFields(bodyFields, header));
  const BlindedBeaconBlock = container("BlindedBeaconBlock", { ...blockFields, body: BlindedBeaconBlockBody });
  const SignedBlindedBeaconBlock = signed("SignedBlindedBeaconBlock", BlindedBeaconBlock, BLSSignature);
  return { BlindedBeaconBlockBody, BlindedBeaconBlock, SignedBlindedBeaconBlock };
}
