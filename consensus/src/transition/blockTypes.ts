// Block values (plain SSZ values, not views) of every fork, as the block-processing functions receive them.
import type { ValueOf } from "@chainsafe/ssz";
import type { ForkName } from "../params/forkName.ts";
import type { SszTypes } from "../types/sszTypes.ts";

export type BeaconBlockOf<F extends ForkName> = ValueOf<SszTypes[F]["BeaconBlock"]>;
export type SignedBeaconBlockOf<F extends ForkName> = ValueOf<SszTypes[F]["SignedBeaconBlock"]>;
export type BeaconBlockBodyOf<F extends ForkName> = ValueOf<SszTypes[F]["BeaconBlockBody"]>;

/** A block of any fork. */
export type AnyBeaconBlock = { [F in ForkName]: BeaconBlockOf<F> }[ForkName];
export type AnySignedBeaconBlock = { [F in ForkName]: SignedBeaconBlockOf<F> }[ForkName];
export type AnyBeaconBlockBody = { [F in ForkName]: BeaconBlockBodyOf<F> }[ForkName];
