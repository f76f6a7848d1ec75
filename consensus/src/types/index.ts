// SSZ types of the consensus specification, phase0 → fulu, with the Beacon API's JSON mapping (`type.toJson(value)`
// / `type.fromJson(json)`: snake_case keys, uint64 as decimal strings, bytes and bitfields as 0x-hex, execution
// addresses EIP-55 checksummed).
export type { ValueOf } from "@chainsafe/ssz";
export {
  ExecutionAddressType,
  parseHexJson,
  parseUintJson,
  StrictBitListType,
  StrictBitVectorType,
  StrictByteListType,
  StrictByteVectorType,
  StrictListUintNum64Type,
  StrictUintBigintType,
  StrictUintNumberType,
  toChecksumAddress,
  toHexJson,
  uintBn,
  uintNum,
} from "./basic.ts";
export { blindFields, container, createBlindedTypes, nodeStruct, signed } from "./container.ts";
export { floorLog2 } from "./lightClient.ts";
export * as primitives from "./primitives.ts";
export { createSszTypes, type ForkTypes, getSszTypes, type SszTypes, sszTypesFor } from "./sszTypes.ts";
