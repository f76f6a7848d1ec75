// BLS throughput through consensus/src/bls (blst, native): sign, verify, batch verification of 64 sets (the size
// of a typical gossip batch), and fast-aggregate-verify of a 128-member committee attestation.
import {
  aggregateSignatures,
  fastAggregateVerify,
  interopSecretKeys,
  publicKeyFromSecret,
  type SignatureSet,
  sign,
  signatureFromBytes,
  verify,
  verifySignatureSets,
} from "@sextant/consensus/bls/index";
import { Rng } from "../support/random.ts";
import { bench, fmtMs, printTable } from "./harness.ts";

const BATCH = 64;
const COMMITTEE = 128;
const rng = new Rng(7);
const sks = interopSecretKeys(COMMITTEE);
const pks = sks.map(publicKeyFromSecret);
const msgs = Array.from({ length: BATCH }, () => rng.bytes(32));
const sigs = msgs.map((m, i) => sign(sks[i], m));
const sigBytes = sigs.map((s) => s.toBytes());
const sets: SignatureSet[] = msgs.map((m, i) => ({ publicKey: pks[i], message: m, signature: sigs[i] }));
const root = rng.bytes(32);

const results = [
  await bench("sign", () => sign(sks[0], msgs[0]), { maxTimeMs: 2000 }),
  await bench("verify (signature object)", () => verify(pks[0], msgs[0], sigs[0]), { maxTimeMs: 2000 }),
  await bench("verify (96 bytes: decode + subgroup check + verify)", () => verify(pks[0], msgs[0], sigBytes[0]), {
    maxTimeMs: 2000,
  }),
  await bench("decode signature (subgroup check)", () => signatureFromBytes(sigBytes[1]), { maxTimeMs: 2000 }),
  await bench(`batch verify ${BATCH} sets`, () => verifySignatureSets(sets), { maxTimeMs: 3000, opsPerRun: BATCH }),
  await bench(`verify ${BATCH} sets one by one`, () => sets.every((s, i) => verify(pks[i], s.message, sigs[i])), {
    maxTimeMs: 3000,
    opsPerRun: BATCH,
  }),
];
// Aggregate once, outside the timed region: the bench measures verification.
const agg = aggregateSignatures(sks.map((sk) => sign(sk, root)));
results.push(
  await bench(`fastAggregateVerify ${COMMITTEE} keys`, () => fastAggregateVerify(pks, root, agg), { maxTimeMs: 2000 }),
);

printTable(
  "BLS (blst via @chainsafe/blst)",
  results.map((r) => ({
    operation: r.name,
    "median ms/run": fmtMs(r.medianMs),
    "signatures/s": Math.round(r.opsPerSec).toLocaleString("en-US"),
    runs: r.runs,
  })),
);
const batch = results[4];
const single = results[5];
console.log(`\nbatch speed-up over one-by-one (${BATCH} sets): ${(batch.opsPerSec / single.opsPerSec).toFixed(2)}x`);
