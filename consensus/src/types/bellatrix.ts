// Bellatrix containers (specs/bellatrix/{beacon-chain,fork-choice}.md), the blinded blocks of the Beacon API and
// the builder-API containers (ValidatorRegistrationV1, BuilderBid): only the types new or modified in bellatrix.
import { ListCompositeType } from "@chainsafe/ssz";
import type { Preset } from "../params/presets/preset.ts";
import type { AltairTypes } from "./altair.ts";
import { StrictByteListType, StrictByteVectorType } from "./basic.ts";
import { container, createBlindedTypes, signed } from "./container.ts";
import {
  BLSPubkey,
  BLSSignature,
  Bytes32,
  ExecutionAddress,
  Hash32,
  Root,
  UintBn256,
  UintNum64,
} from "./primitives.ts";

/** The types new or changed in bellatrix for preset `p`. */
export function createBellatrixTypes(p: Preset, altair: AltairTypes) {
  const Transaction = new StrictByteListType(p.MAX_BYTES_PER_TRANSACTION);
  const Transactions = new ListCompositeType(Transaction, p.MAX_TRANSACTIONS_PER_PAYLOAD);
  // Execution-layer numbers: block_number, gas and timestamp stay below 2**53 on any valid chain (the EL rejects
  // others); base_fee_per_gas is a uint256.
  const payloadCommon = {
    parentHash: Hash32,
    feeRecipient: ExecutionAddress,
    stateRoot: Bytes32,
    receiptsRoot: Bytes32,
    logsBloom: new StrictByteVectorType(p.BYTES_PER_LOGS_BLOOM),
    prevRandao: Bytes32,
    blockNumber: UintNum64,
    gasLimit: UintNum64,
    gasUsed: UintNum64,
    timestamp: UintNum64,
    extraData: new StrictByteListType(p.MAX_EXTRA_DATA_BYTES),
    baseFeePerGas: UintBn256,
    blockHash: Hash32,
  };
  const ExecutionPayload = container("ExecutionPayload", { ...payloadCommon, transactions: Transactions });
  const ExecutionPayloadHeader = container("ExecutionPayloadHeader", { ...payloadCommon, transactionsRoot: Root });

  const BeaconBlockBody = container("BeaconBlockBody", {
    ...altair.BeaconBlockBody.fields,
    executionPayload: ExecutionPayload,
  });
  const BeaconBlock = container("BeaconBlock", { ...altair.BeaconBlock.fields, body: BeaconBlockBody });
  const SignedBeaconBlock = signed("SignedBeaconBlock", BeaconBlock, BLSSignature);
  const BeaconState = container("BeaconState", {
    ...altair.BeaconState.fields,
    latestExecutionPayloadHeader: ExecutionPayloadHeader,
  });

  // fork-choice.md
  const PowBlock = container("PowBlock", { blockHash: Hash32, parentHash: Hash32, totalDifficulty: UintBn256 });

  // builder-specs: validator registration (also the Beacon API's register_validator body) and the builder's bid.
  const ValidatorRegistrationV1 = container("ValidatorRegistrationV1", {
    feeRecipient: ExecutionAddress,
    gasLimit: UintNum64,
    timestamp: UintNum64,
    pubkey: BLSPubkey,
  });
  const SignedValidatorRegistrationV1 = signed("SignedValidatorRegistrationV1", ValidatorRegistrationV1, BLSSignature);
  const BuilderBid = container("BuilderBid", { header: ExecutionPayloadHeader, value: UintBn256, pubkey: BLSPubkey });
  const SignedBuilderBid = signed("SignedBuilderBid", BuilderBid, BLSSignature);

  return {
    ExecutionPayload,
    ExecutionPayloadHeader,
    BeaconBlockBody,
    BeaconBlock,
    SignedBeaconBlock,
    BeaconState,
    PowBlock,
    ...createBlindedTypes(BeaconBlockBody.fields, BeaconBlock.fields, ExecutionPayloadHeader),
    ValidatorRegistrationV1,
    SignedValidatorRegistrationV1,
    BuilderBid,
    SignedBuilderBid,
    Transaction,
    Transactions,
  };
}

export type BellatrixTypes = ReturnType<typeof createBellatrixTypes>;
