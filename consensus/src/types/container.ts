// Constructors shared by the per-fork type factories: every container is named after the spec and uses the eth2
// JSON key casing (camelCase fields in TypeScript, snake_case keys in JSON with a digit suffix split off:
// signedHeader1 ⇄ "signed_header_1").
//
// Blinded blocks (Beacon API, builder flow) are the block body with the execution payload replaced, in the same
// position, by its header under the key executionPayloadHeader (JSON "execution_payload_header"). The body root is
// unchanged, since a container field's root is the same for the payload and its header.
import type { Node } from "@chainsafe/persistent-merkle-tree";
import {
  BranchNodeStruct,
  ByteVectorType,
  type ByteViews,
  ContainerNodeStructType,
  ContainerType,
  type Type,
  type ValueOfFields,
} from "@chainsafe/ssz";
import { BLSSignature } from "./primitives.ts";

/** A spec container: `fields` in spec order, camelCase keys. */
export function container<Fields extends Record<string, Type<unknown>>>(
  typeName: string,
  fields: Fields,
): ContainerType<Fields> {
  return new ContainerType(fields, { typeName, jsonCase: "eth2" });
}

/** Size of the shared buffers that byte fields of deserialized node-struct values are copied into. */
const SLAB_SIZE = 64 * 1024;
let slab = new Uint8Array(SLAB_SIZE);
let slabOffset = 0;

/** A copy of `bytes` in a shared slab: one ArrayBuffer for hundreds of small fields instead of one each. */
function slabCopy(bytes: Uint8Array): Uint8Array {
  if (slabOffset + bytes.length > SLAB_SIZE) {
    slab = new Uint8Array(SLAB_SIZE);
    slabOffset = 0;
  }
  const out = slab.subarray(slabOffset, slabOffset + bytes.length);
  out.set(bytes);
  slabOffset += bytes.length;
  return out;
}

/**
 * ContainerNodeStructType with a smaller footprint per record, which matters at a million validators: every tree
 * node shares one bound `valueToTree` (the library binds a new function per node), and the byte fields of
 * deserialized values live in shared slabs (the library gives each its own ArrayBuffer). Same SSZ, JSON, roots.
 */
class CompactNodeStructType<Fields extends Record<string, Type<unknown>>> extends ContainerNodeStructType<Fields> {
  private readonly byteFields: string[];
  private readonly sharedValueToTree: (value: ValueOfFields<Fields>) => Node;

  constructor(fields: Fields, opts: { typeName: string; jsonCase: "eth2" }) {
    super(fields, opts);
    this.byteFields = Object.entries(fields)
      .filter(([, t]) => t instanceof ByteVectorType)
      .map(([k]) => k);
    // The library's (private) valueToTree, bound once for all nodes of this type.
    const valueToTree = (ContainerNodeStructType.prototype as unknown as { valueToTree: (v: unknown) => Node })
      .valueToTree;
    this.sharedValueToTree = valueToTree.bind(this);
  }

  override tree_deserializeFromBytes(data: ByteViews, start: number, end: number): Node {
    const value = this.value_deserializeFromBytes(data, start, end) as Record<string, unknown>;
    for (const key of this.byteFields) value[key] = slabCopy(value[key] as Uint8Array);
    return new BranchNodeStruct(this.sharedValueToTree, value as ValueOfFields<Fields>);
  }

  override value_toTree(value: ValueOfFields<Fields>): Node {
    return new BranchNodeStruct(this.sharedValueToTree, value);
  }
}

/**
 * A container whose tree views keep the whole value in one node (fast reads, compact, slower to re-hash): for the
 * BeaconState's large lists of small, rarely changing records (Validator, PendingDeposit). Same SSZ, JSON and root.
 */
export function nodeStruct<Fields extends Record<string, Type<unknown>>>(
  typeName: string,
  fields: Fields,
): ContainerNodeStructType<Fields> {
  return new CompactNodeStructType(fields, { typeName, jsonCase: "eth2" });
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
