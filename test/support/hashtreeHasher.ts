// Test speed only: switches both copies of @chainsafe/persistent-merkle-tree (ours and the oracle's) from their
// default pure-JS SHA-256 to the native hashtree hasher. Roots are the same by definition (SHA-256 either way); the
// unit tests check roots against node:crypto independently. Call before building any tree.

import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { setHasher } from "@chainsafe/persistent-merkle-tree";
import { hasher as hashtree } from "@chainsafe/persistent-merkle-tree/hasher/hashtree";
import { PROJECT_ROOT } from "./reference.ts";

const ORACLE_PMT = join(PROJECT_ROOT, "test", "oracle", "node_modules", "@chainsafe", "persistent-merkle-tree", "lib");

/** Uses hashtree in our merkle-tree library and in the oracle's. */
export async function useHashtreeHasher(): Promise<void> {
  setHasher(hashtree);
  const oracleTree = await import(pathToFileURL(join(ORACLE_PMT, "index.js")).href);
  const oracleHashtree = await import(pathToFileURL(join(ORACLE_PMT, "hasher", "hashtree.js")).href);
  oracleTree.setHasher(oracleHashtree.hasher);
}
