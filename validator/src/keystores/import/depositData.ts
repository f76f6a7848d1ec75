// deposit_data-<timestamp>.json (staking-deposit-cli / launchpad): one entry per validator with the deposit's
// pubkey, withdrawal credentials, amount, signature, both SSZ roots, and the network it was made for
// (`fork_version`, `network_name`). Checked before an import writes anything: the network, the roots, the
// signatures (compute_domain(DOMAIN_DEPOSIT, GENESIS_FORK_VERSION, zero root), as the deposit contract's
// processing will), and that it lists exactly the keystores being imported.
import { readFile } from "node:fs/promises";
import { publicKeyFromBytes, verify } from "@sextant/consensus/bls/index";
import type { ChainConfig } from "@sextant/consensus/params/index";
import { computeDomain, computeSigningRoot, DOMAIN_DEPOSIT, ZERO_ROOT } from "@sextant/consensus/signing/index";
import { getSszTypes } from "@sextant/consensus/types/index";
import { normalizePubkeyHex, type PubkeyHex } from "../../dataDir/layout.ts";
import { KeystoreError } from "../errors.ts";
import { ioReason, parseKeyFileJson } from "../keystoreFile.ts";

/** One deposit of a deposit_data file. */
export interface DepositDataEntry {
  file: string;
  pubkey: PubkeyHex;
  withdrawalCredentials: Uint8Array;
  /** Gwei. */
  amount: number;
  signature: Uint8Array;
  /** Hex without 0x, as written; null when the file omits it. */
  depositMessageRoot: string | null;
  depositDataRoot: string | null;
  /** The 4-byte fork version the deposit was signed for, hex without 0x. */
  forkVersion: string;
  networkName: string | null;
}

/** Bytes of the fields the deposit data carries. */
const WITHDRAWAL_CREDENTIALS_BYTES = 32;
const SIGNATURE_BYTES = 96;
const FORK_VERSION_BYTES = 4;

function hexField(value: unknown, bytes: number): Uint8Array | null {
  if (typeof value !== "string") return null;
  const hex = value.startsWith("0x") ? value.slice(2) : value;
  if (hex.length !== bytes * 2 || !/^[0-9a-fA-F]*$/.test(hex)) return null;
  return new Uint8Array(Buffer.from(hex, "hex"));
}

const toHex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** Reads and parses a deposit data file; throws FILE_UNREADABLE, INVALID_JSON or INVALID_DEPOSIT_DATA naming it. */
export async function readDepositDataFile(path: string): Promise<DepositDataEntry[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new KeystoreError("FILE_UNREADABLE", `cannot read ${path} (${ioReason(e)}); check its permissions`, {
      file: path,
    });
  }
  const value = parseKeyFileJson(text, path);
  const bad = (why: string) =>
    new KeystoreError(
      "INVALID_DEPOSIT_DATA",
      `${path} is not a valid deposit data file (${why}); use the deposit_data-*.json the deposit CLI wrote with these keystores`,
      { file: path, reason: why },
    );
  if (!Array.isArray(value)) throw bad("expected a JSON list of deposits");
  return value.map((raw, i) => {
    const e = raw as Record<string, unknown>;
    if (e === null || typeof e !== "object") throw bad(`entry ${i} is not an object`);
    const pubkey = typeof e.pubkey === "string" ? normalizePubkeyHex(e.pubkey) : null;
    const withdrawalCredentials = hexField(e.withdrawal_credentials, WITHDRAWAL_CREDENTIALS_BYTES);
    const signature = hexField(e.signature, SIGNATURE_BYTES);
    const forkVersion = hexField(e.fork_version, FORK_VERSION_BYTES);
    const amount = e.amount;
    if (pubkey === null) throw bad(`entry ${i}: pubkey missing or malformed`);
    if (withdrawalCredentials === null) throw bad(`entry ${i}: withdrawal_credentials missing or malformed`);
    if (signature === null) throw bad(`entry ${i}: signature missing or malformed`);
    if (forkVersion === null) throw bad(`entry ${i}: fork_version missing or malformed`);
    if (typeof amount !== "number" || !Number.isSafeInteger(amount) || amount <= 0)
      throw bad(`entry ${i}: amount missing or not a positive integer of gwei`);
    const root = (v: unknown) => (typeof v === "string" ? v.replace(/^0x/, "").toLowerCase() : null);
    return {
      file: path,
      pubkey,
      withdrawalCredentials,
      amount,
      signature,
      depositMessageRoot: root(e.deposit_message_root),
      depositDataRoot: root(e.deposit_data_root),
      forkVersion: toHex(forkVersion),
      networkName: typeof e.network_name === "string" ? e.network_name : null,
    };
  });
}

/**
 * Checks deposits against the chosen network: the fork version (WRONG_NETWORK, saying which network the keys were
 * made for), the message and data roots, and the signature under DOMAIN_DEPOSIT (INVALID_DEPOSIT_DATA).
 */
export function verifyDepositData(entries: readonly DepositDataEntry[], config: ChainConfig): void {
  const expected = toHex(config.GENESIS_FORK_VERSION);
  for (const d of entries) {
    if (d.forkVersion !== expected) {
      const madeFor = d.networkName === null ? "another network" : `network "${d.networkName}"`;
      throw new KeystoreError(
        "WRONG_NETWORK",
        `${d.file} was made for ${madeFor} (fork version 0x${d.forkVersion}), not for ${config.CONFIG_NAME} ` +
          `(fork version 0x${expected}): these keys' deposits are not valid on ${config.CONFIG_NAME}. ` +
          `Import them with the --network they were made for, or generate keys for ${config.CONFIG_NAME}`,
        { file: d.file, forkVersion: d.forkVersion, expected, network: config.CONFIG_NAME },
      );
    }
  }
  if (entries.length === 0) return;
  const { DepositMessage, DepositData } = getSszTypes("mainnet").phase0;
  // Deposits are signed with the genesis fork version and a zero genesis validators root (spec: compute_domain
  // defaults), so they stay valid on every fork of the network.
  const domain = computeDomain(DOMAIN_DEPOSIT, config.GENESIS_FORK_VERSION, ZERO_ROOT);
  for (const d of entries) {
    const invalid = (why: string) =>
      new KeystoreError(
        "INVALID_DEPOSIT_DATA",
        `${d.file}: the deposit of ${d.pubkey} ${why}; the file is damaged or was edited — use the deposit_data file the deposit CLI wrote`,
        { file: d.file, pubkey: d.pubkey },
      );
    const pubkey = Buffer.from(d.pubkey.slice(2), "hex");
    const message = { pubkey, withdrawalCredentials: d.withdrawalCredentials, amount: d.amount };
    const messageRoot = DepositMessage.hashTreeRoot(message);
    if (d.depositMessageRoot !== null && d.depositMessageRoot !== toHex(messageRoot))
      throw invalid("has a deposit_message_root that does not match its fields");
    const dataRoot = DepositData.hashTreeRoot({ ...message, signature: d.signature });
    if (d.depositDataRoot !== null && d.depositDataRoot !== toHex(dataRoot))
      throw invalid("has a deposit_data_root that does not match its fields");
    let valid = false;
    try {
      valid = verify(publicKeyFromBytes(pubkey), computeSigningRoot(messageRoot, domain), d.signature);
    } catch {
      valid = false;
    }
    if (!valid) throw invalid(`has a signature that does not verify for ${config.CONFIG_NAME}`);
  }
}

/**
 * Checks that the deposit data lists exactly the keystores of the folder: every keystore has a deposit and every
 * deposit has a keystore (DEPOSIT_DATA_MISMATCH naming the key and the files otherwise).
 */
export function checkDepositsMatchKeystores(
  entries: readonly DepositDataEntry[],
  keystores: ReadonlyMap<PubkeyHex, string>,
): void {
  const deposits = new Map(entries.map((d) => [d.pubkey, d.file]));
  for (const [pubkey, file] of keystores) {
    if (!deposits.has(pubkey))
      throw new KeystoreError(
        "DEPOSIT_DATA_MISMATCH",
        `${file} (${pubkey}) is not in the deposit data (${[...new Set(entries.map((d) => d.file))].join(", ")}): ` +
          "the files come from different deposit CLI runs; import a folder whose deposit_data matches its keystores",
        { file, pubkey },
      );
  }
  for (const [pubkey, file] of deposits) {
    if (!keystores.has(pubkey))
      throw new KeystoreError(
        "DEPOSIT_DATA_MISMATCH",
        `${file} lists a deposit for ${pubkey} but the folder has no keystore for it: put its keystore back ` +
          "(a deposited key without its keystore cannot validate)",
        { file, pubkey },
      );
  }
}
