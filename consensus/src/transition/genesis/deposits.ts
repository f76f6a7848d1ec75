// Genesis deposits: the interop ("mocked start") deposit of each validator (interop key, BLS withdrawal
// credentials 0x00 ‖ sha256(pubkey)[1:], MAX_EFFECTIVE_BALANCE, signed over the GENESIS_FORK_VERSION deposit
// domain), the deposit-tree root of a deposit list, and the deposit signature check of `apply_deposit`.
import { digest } from "@chainsafe/as-sha256";
import { ListCompositeType, type ValueOf } from "@chainsafe/ssz";
import { interopSecretKey } from "../../bls/interop.ts";
import { publicKeyFromBytes, signatureFromBytes } from "../../bls/keys.ts";
import { sign, verify } from "../../bls/verify.ts";
import { BLS_WITHDRAWAL_PREFIX, DEPOSIT_CONTRACT_TREE_DEPTH } from "../../params/constants.ts";
import { computeDomain, computeSigningRoot } from "../../signing/domain.ts";
import { DOMAIN_DEPOSIT } from "../../signing/domainTypes.ts";
import type { BeaconConfig } from "../../state/types.ts";
import type { SszTypes } from "../../types/sszTypes.ts";
import { toHex } from "../../util/hex.ts";

/** A DepositData value. */
export type DepositData = ValueOf<SszTypes["phase0"]["DepositData"]>;

/** `BLS_WITHDRAWAL_PREFIX + hash(pubkey)[1:]`: the interop validators' withdrawal credentials. */
export function blsWithdrawalCredentials(pubkey: Uint8Array): Uint8Array {
  const credentials = digest(pubkey).slice();
  credentials[0] = BLS_WITHDRAWAL_PREFIX;
  return credentials;
}

/** The deposit domain: `compute_domain(DOMAIN_DEPOSIT)` (GENESIS_FORK_VERSION, zero genesis validators root). */
export function depositDomain(config: BeaconConfig): Uint8Array {
  return computeDomain(DOMAIN_DEPOSIT, config.chain.GENESIS_FORK_VERSION);
}

/** Interop deposits already signed, per deposit domain and amount (signing is the slow part of a dev genesis). */
const interopCache = new Map<string, DepositData[]>();

/**
 * The interop deposit data of validators 0 … count-1: each validator's interop key, BLS withdrawal credentials,
 * MAX_EFFECTIVE_BALANCE and a valid signature. Results are kept per network, so later calls only sign new indices.
 */
export function interopDepositData(config: BeaconConfig, count: number): DepositData[] {
  const { preset, types } = config;
  const domain = depositDomain(config);
  const amount = preset.MAX_EFFECTIVE_BALANCE;
  const key = `${toHex(domain)}/${amount}`;
  let list = interopCache.get(key);
  if (list === undefined) {
    list = [];
    interopCache.set(key, list);
  }
  for (let i = list.length; i < count; i++) {
    const secretKey = interopSecretKey(i);
    const pubkey = secretKey.toPublicKey().toBytes();
    const withdrawalCredentials = blsWithdrawalCredentials(pubkey);
    const messageRoot = types.phase0.DepositMessage.hashTreeRoot({ pubkey, withdrawalCredentials, amount });
    const signature = sign(secretKey, computeSigningRoot(messageRoot, domain)).toBytes();
    list.push({ pubkey, withdrawalCredentials, amount, signature });
  }
  return list.slice(0, count);
}

const depositListTypes = new WeakMap<object, ListCompositeType<SszTypes["phase0"]["DepositData"]>>();

/** `hash_tree_root(List[DepositData, 2**DEPOSIT_CONTRACT_TREE_DEPTH](deposits))`: the deposit contract's root. */
export function depositDataListRoot(config: BeaconConfig, deposits: readonly DepositData[]): Uint8Array {
  const itemType = config.types.phase0.DepositData;
  let listType = depositListTypes.get(itemType);
  if (listType === undefined) {
    listType = new ListCompositeType(itemType, 2 ** DEPOSIT_CONTRACT_TREE_DEPTH);
    depositListTypes.set(itemType, listType);
  }
  return listType.hashTreeRoot(deposits as DepositData[]);
}

/**
 * `is_valid_deposit_signature` / the proof-of-possession check of `apply_deposit`: the deposit message signed by
 * the deposit's key over the deposit domain. An unparseable key or signature is invalid, not an error.
 */
export function isValidDepositSignature(
  config: BeaconConfig,
  deposit: DepositData,
  domain = depositDomain(config),
): boolean {
  try {
    const messageRoot = config.types.phase0.DepositMessage.hashTreeRoot({
      pubkey: deposit.pubkey,
      withdrawalCredentials: deposit.withdrawalCredentials,
      amount: deposit.amount,
    });
    return verify(
      publicKeyFromBytes(deposit.pubkey),
      computeSigningRoot(messageRoot, domain),
      signatureFromBytes(deposit.signature),
    );
  } catch {
    return false;
  }
}
