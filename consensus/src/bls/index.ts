// BLS12-381 signatures through @chainsafe/blst: keys, sign/verify/aggregate, batch verification, interop keys.
export { type SignatureSet, type SignatureSetsResult, verifySignatureSets } from "./batch.ts";
export { CURVE_ORDER, interopSecretKey, interopSecretKeyBytes, interopSecretKeys } from "./interop.ts";
export {
  BlsError,
  type BlsErrorCode,
  G2_POINT_AT_INFINITY,
  MIN_IKM_LENGTH,
  PUBLIC_KEY_LENGTH,
  PublicKey,
  publicKeyFromBytes,
  publicKeyFromSecret,
  SECRET_KEY_LENGTH,
  SecretKey,
  SIGNATURE_LENGTH,
  Signature,
  secretKeyFromBytes,
  secretKeyFromIkm,
  signatureFromBytes,
} from "./keys.ts";
export {
  aggregatePublicKeys,
  aggregateSignatures,
  aggregateVerify,
  ethFastAggregateVerify,
  fastAggregateVerify,
  type SignatureInput,
  sign,
  verify,
} from "./verify.ts";
