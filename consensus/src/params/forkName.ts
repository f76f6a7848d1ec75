/** The forks this client implements, in activation order (consensus-specs v1.6.1). */
export const FORK_NAMES = ["phase0", "altair", "bellatrix", "capella", "deneb", "electra", "fulu"] as const;

export type ForkName = (typeof FORK_NAMES)[number];

/** Position of a fork in activation order: phase0 = 0 … fulu = 6. */
export const ForkSeq: Readonly<Record<ForkName, number>> = Object.freeze(
  Object.fromEntries(FORK_NAMES.map((f, i) => [f, i])) as Record<ForkName, number>,
);

/** True when `name` is one of the forks this client implements (FORK_NAMES). */
export function isForkName(name: string): name is ForkName {
  return (FORK_NAMES as readonly string[]).includes(name);
}

/** True when `fork` is `since` or a later fork. */
export function isForkAtLeast(fork: ForkName, since: ForkName): boolean {
  return ForkSeq[fork] >= ForkSeq[since];
}

/** The consensus-specs release this client implements; named in errors about forks it does not know. */
export const CONSENSUS_SPECS_VERSION = "v1.6.1";
