// Shared helpers of the slashing-protection tests: temporary data directories, deterministic keys and roots, and
// an independent in-memory model of the EIP-3076 complete rules to compare the database against.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";

/** A genesis_validators_root for tests (any 32 bytes). */
export const GVR = `0x${"ab".repeat(32)}`;
export const OTHER_GVR = `0x${"cd".repeat(32)}`;

/** A fresh directory, removed when the test file finishes. */
export function tempDir(prefix = "sextant-sp-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A deterministic 48-byte pubkey (hex) for validator `i` (not a curve point: the database doesn't care). */
export function pubkey(i: number): string {
  return `0x${(i + 1).toString(16).padStart(8, "0").repeat(12)}`;
}

/** A deterministic 32-byte signing root (hex) numbered `i`. */
export function root(i: number): string {
  return `0x${i.toString(16).padStart(64, "0")}`;
}

export interface ModelBlock {
  slot: number;
  root: string | null;
}
export interface ModelAttestation {
  source: number;
  target: number;
  root: string | null;
}

/**
 * The rules written out plainly over arrays (no SQL, no indexes), as the brute-force reference: returns null
 * when the message may be signed (or re-signed), else the refusal code. Precedence follows the database's.
 */
export class ModelValidator {
  blocks: ModelBlock[] = [];
  attestations: ModelAttestation[] = [];

  judgeBlock(slot: number, root: string): string | null | "repeat" {
    const atSlot = this.blocks.filter((b) => b.slot === slot);
    if (atSlot.some((b) => b.root === root)) return "repeat";
    if (atSlot.length > 0) return "DOUBLE_BLOCK";
    if (this.blocks.length > 0 && slot <= Math.min(...this.blocks.map((b) => b.slot))) return "BLOCK_BELOW_WATERMARK";
    return null;
  }

  judgeAttestation(source: number, target: number, root: string): string | null | "repeat" {
    if (source > target) return "INVALID_ATTESTATION";
    const same = this.attestations.filter((a) => a.target === target);
    if (same.some((a) => a.source === source && a.root === root)) return "repeat";
    if (same.length > 0) return "DOUBLE_VOTE";
    if (this.attestations.some((a) => a.source < source && target < a.target)) return "SURROUNDED_VOTE";
    if (this.attestations.some((a) => source < a.source && a.target < target)) return "SURROUNDING_VOTE";
    if (this.attestations.length > 0) {
      if (source < Math.min(...this.attestations.map((a) => a.source))) return "SOURCE_BELOW_WATERMARK";
      if (target <= Math.min(...this.attestations.map((a) => a.target))) return "TARGET_BELOW_WATERMARK";
    }
    return null;
  }
}

/** True when two signed attestations form a slashable pair (double vote or surround), per the consensus spec. */
export function slashableAttestations(a: ModelAttestation, b: ModelAttestation): boolean {
  const sameData = a.source === b.source && a.target === b.target && a.root === b.root && a.root !== null;
  if (sameData) return false;
  return (
    a.target === b.target ||
    (a.source < b.source && b.target < a.target) ||
    (b.source < a.source && a.target < b.target)
  );
}

/** True when two signed blocks of one proposer are slashable (same slot, different message). */
export function slashableBlocks(a: ModelBlock, b: ModelBlock): boolean {
  return a.slot === b.slot && (a.root !== b.root || a.root === null);
}
