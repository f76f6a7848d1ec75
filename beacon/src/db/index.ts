// The beacon node's database (lmdb): the BeaconDb store, its record codecs and its error type.
export * from "./beaconDb.ts";
export {
  beaconStateSlot,
  decodeSlotKey,
  encodeSlotKey,
  signedBlockParentRoot,
  signedBlockSlot,
} from "./codec.ts";
export * from "./errors.ts";
