// The operator's allowlist: IP addresses and CIDR ranges (IPv4 and IPv6) of its own validator clients, which the
// rate limiter never limits. An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`, how a dual-stack socket reports IPv4
// peers) matches the IPv4 entries.
import { BlockList, isIP } from "node:net";
import { SextantError } from "@sextant/common";

/** A set of addresses and ranges, matched against request IPs. */
export interface IpAllowlist {
  has(ip: string): boolean;
}

const MAPPED_V4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

function normalize(ip: string): { address: string; family: "ipv4" | "ipv6" } | undefined {
  const mapped = MAPPED_V4.exec(ip);
  const address = mapped?.[1] ?? ip;
  const version = isIP(address);
  if (version === 0) return undefined;
  return { address, family: version === 4 ? "ipv4" : "ipv6" };
}

/** Parses `entries` (`10.0.0.7`, `10.0.0.0/24`, `fd00::/8`); throws naming the first entry that is neither. */
export function parseAllowlist(entries: readonly string[]): IpAllowlist {
  const list = new BlockList();
  for (const entry of entries) {
    const [addr = "", prefixText, extra] = entry.trim().split("/");
    const ip = normalize(addr);
    if (ip === undefined || extra !== undefined) {
      throw new SextantError("GOVERNOR_BAD_ALLOWLIST", `allowlist entry ${JSON.stringify(entry)} is not an IP or CIDR`);
    }
    if (prefixText === undefined) {
      list.addAddress(ip.address, ip.family);
      continue;
    }
    const prefix = Number(prefixText);
    const max = ip.family === "ipv4" ? 32 : 128;
    if (!/^\d+$/.test(prefixText) || prefix > max) {
      throw new SextantError(
        "GOVERNOR_BAD_ALLOWLIST",
        `allowlist entry ${JSON.stringify(entry)} has prefix length ${JSON.stringify(prefixText)}: expected 0..${max}`,
      );
    }
    list.addSubnet(ip.address, prefix, ip.family);
  }
  return {
    has(ip: string): boolean {
      if (entries.length === 0) return false;
      const n = normalize(ip);
      return n !== undefined && list.check(n.address, n.family);
    },
  };
}
