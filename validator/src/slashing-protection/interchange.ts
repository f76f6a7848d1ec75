// The EIP-3076 interchange format, version 5: its JSON shape and a validating parser that names the field at fault.
import { fromHex } from "@sextant/consensus/util/hex";
import { SlashingProtectionError } from "./errors.ts";
import {
  PUBKEY_LENGTH,
  type Pubkey,
  ROOT_LENGTH,
  type StoredAttestation,
  type StoredBlock,
  toPubkey,
} from "./types.ts";

/** The only interchange version this module reads and writes. */
export const INTERCHANGE_FORMAT_VERSION = "5";

export interface InterchangeBlock {
  slot: string;
  signing_root?: string;
}

export interface InterchangeAttestation {
  source_epoch: string;
  target_epoch: string;
  signing_root?: string;
}

export interface InterchangeData {
  pubkey: string;
  signed_blocks: InterchangeBlock[];
  signed_attestations: InterchangeAttestation[];
}

/** An EIP-3076 v5 document as JSON (integers are decimal strings, bytes 0x-prefixed hex). */
export interface Interchange {
  metadata: { interchange_format_version: string; genesis_validators_root: string };
  data: InterchangeData[];
}

/** A validated interchange: bytes decoded, integers as numbers, a missing signing root as null. */
export interface ParsedInterchange {
  genesisValidatorsRoot: Uint8Array;
  data: { pubkey: Pubkey; blocks: StoredBlock[]; attestations: StoredAttestation[] }[];
}

function invalid(path: string, expected: string, value: unknown): SlashingProtectionError {
  const shown = JSON.stringify(value);
  const clipped = shown === undefined ? "nothing" : shown.length > 80 ? `${shown.slice(0, 77)}...` : shown;
  return new SlashingProtectionError(
    "INTERCHANGE_INVALID",
    `interchange is invalid at ${path}: expected ${expected}, got ${clipped}`,
    { path, expected, value: clipped },
  );
}

function object(value: unknown, path: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw invalid(path, "an object", value);
  return value as Record<string, unknown>;
}

function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw invalid(path, "an array", value);
  return value;
}

const DECIMAL = /^[0-9]+$/;

/** A u64 as a decimal string (or, leniently, a JSON integer), limited to what a number holds exactly. */
function uint(value: unknown, path: string): number {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value !== "string" || !DECIMAL.test(value)) throw invalid(path, "a decimal string", value);
  if (BigInt(value) > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw invalid(path, `a value at most ${Number.MAX_SAFE_INTEGER} (2**53 - 1)`, value);
  }
  return Number(value);
}

function hexBytes(value: unknown, length: number, path: string): Uint8Array {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]*$/.test(value) || value.length !== 2 + 2 * length) {
    throw invalid(path, `0x-prefixed hex of ${length} bytes`, value);
  }
  return fromHex(value);
}

/** An optional signing root: absent or null means unknown. */
function optionalRoot(value: unknown, path: string): Uint8Array | null {
  return value === undefined || value === null ? null : hexBytes(value, ROOT_LENGTH, path);
}

/**
 * Validates an interchange document (a JSON string or the parsed value) and decodes it. Throws
 * INTERCHANGE_INVALID naming the first field at fault (e.g. `data[2].signed_attestations[7].target_epoch`), or
 * INTERCHANGE_VERSION for a version other than 5. Unknown extra fields are ignored.
 */
export function parseInterchange(input: unknown): ParsedInterchange {
  let doc = input;
  if (typeof input === "string") {
    try {
      doc = JSON.parse(input);
    } catch (err) {
      throw new SlashingProtectionError(
        "INTERCHANGE_INVALID",
        `interchange is not valid JSON: ${(err as Error).message}`,
        { path: "(document)" },
        { cause: err },
      );
    }
  }
  const root = object(doc, "(document)");
  const metadata = object(root.metadata, "metadata");
  const version = metadata.interchange_format_version;
  if (version !== INTERCHANGE_FORMAT_VERSION && version !== Number(INTERCHANGE_FORMAT_VERSION)) {
    throw new SlashingProtectionError(
      "INTERCHANGE_VERSION",
      `metadata.interchange_format_version ${JSON.stringify(version)} is not supported: only version ${INTERCHANGE_FORMAT_VERSION} (EIP-3076) is`,
      { path: "metadata.interchange_format_version", value: version, supported: INTERCHANGE_FORMAT_VERSION },
    );
  }
  const genesisValidatorsRoot = hexBytes(
    metadata.genesis_validators_root,
    ROOT_LENGTH,
    "metadata.genesis_validators_root",
  );
  const data = array(root.data, "data").map((entry, i) => {
    const path = `data[${i}]`;
    const record = object(entry, path);
    const pubkey = toPubkey(hexBytes(record.pubkey, PUBKEY_LENGTH, `${path}.pubkey`));
    const blocks = array(record.signed_blocks, `${path}.signed_blocks`).map((b, j): StoredBlock => {
      const bp = `${path}.signed_blocks[${j}]`;
      const block = object(b, bp);
      return {
        slot: uint(block.slot, `${bp}.slot`),
        signingRoot: optionalRoot(block.signing_root, `${bp}.signing_root`),
      };
    });
    const attestations = array(record.signed_attestations, `${path}.signed_attestations`).map(
      (a, j): StoredAttestation => {
        const ap = `${path}.signed_attestations[${j}]`;
        const att = object(a, ap);
        return {
          sourceEpoch: uint(att.source_epoch, `${ap}.source_epoch`),
          targetEpoch: uint(att.target_epoch, `${ap}.target_epoch`),
          signingRoot: optionalRoot(att.signing_root, `${ap}.signing_root`),
        };
      },
    );
    return { pubkey, blocks, attestations };
  });
  return { genesisValidatorsRoot, data };
}
