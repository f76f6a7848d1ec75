// Exporting the database as an EIP-3076 v5 interchange. The export is COMPLETE: every stored message of each
// validator (signing roots where known; a record pruned into a synthetic one has none), read in one snapshot.
// A complete export re-imported by any EIP-3076 client gives at least the protection this database gives.
import { toHex } from "@sextant/consensus/util/hex";
import type { SlashingProtection } from "./database.ts";
import { INTERCHANGE_FORMAT_VERSION, type Interchange, type InterchangeData } from "./interchange.ts";
import { type BytesInput, rootHex, toPubkey } from "./types.ts";

/**
 * Exports the history of the given validators (a requested pubkey without any record appears with empty lists),
 * or of every validator in the database, sorted by pubkey; blocks by slot, attestations by target then source.
 */
export function exportInterchange(sp: SlashingProtection, pubkeys?: readonly BytesInput[]): Interchange {
  const wanted = pubkeys?.map((p) => toPubkey(p));
  const data = sp.read((tx) => {
    const selected =
      wanted === undefined
        ? tx.q.validators().map((v) => ({ hex: toHex(v.pubkey), id: v.id as number | undefined }))
        : [...new Map(wanted.map((pk) => [pk.hex, pk])).values()].map((pk) => ({
            hex: pk.hex,
            id: tx.validatorId(pk, false),
          }));
    selected.sort((a, b) => (a.hex < b.hex ? -1 : a.hex > b.hex ? 1 : 0));
    return selected.map(({ hex, id }): InterchangeData => {
      const blocks = id === undefined ? [] : tx.q.blocksOfValidator(id);
      const attestations = id === undefined ? [] : tx.q.attestationsOfValidator(id);
      return {
        pubkey: hex,
        signed_blocks: blocks.map((b) => withRoot({ slot: String(b.slot) }, b.signingRoot)),
        signed_attestations: attestations.map((a) =>
          withRoot({ source_epoch: String(a.sourceEpoch), target_epoch: String(a.targetEpoch) }, a.signingRoot),
        ),
      };
    });
  });
  return {
    metadata: {
      interchange_format_version: INTERCHANGE_FORMAT_VERSION,
      genesis_validators_root: toHex(sp.genesisValidatorsRoot),
    },
    data,
  };
}

function withRoot<T extends object>(record: T, root: Uint8Array | null): T & { signing_root?: string } {
  const hex = rootHex(root);
  return hex === null ? record : { ...record, signing_root: hex };
}
