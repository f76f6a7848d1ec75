// Beacon node options: the flag parsers (ports, sizes, the rate-limit syntax, CORS origins, the allowlist) and
// resolveBeaconNodeOptions (defaults, and a clear BeaconOptionsError naming the option for each bad value).
import assert from "node:assert/strict";
import { homedir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  BeaconOptionsError,
  DEFAULT_BODY_LIMIT,
  DEFAULT_RATE_LIMIT,
  defaultBeaconDataDir,
  parseAllowlistText,
  parseByteSize,
  parseCorsOrigins,
  parseNetwork,
  parsePort,
  parseRateLimit,
  resolveBeaconNodeOptions,
} from "@sextant/beacon/node/options";

function refuses(fn: () => unknown, option: string, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof BeaconOptionsError, `expected BeaconOptionsError, got ${String(e)}`);
    assert.equal(e.code, "BEACON_BAD_OPTIONS");
    assert.equal(e.context.option, option);
    assert.match(e.message, message);
    return true;
  });
}

describe("parseRateLimit", () => {
  it("reads <rate>/s with a default burst of 4 × rate", () => {
    assert.deepEqual(parseRateLimit("100/s"), { ratePerSecond: 100, burst: 400 });
    assert.deepEqual(parseRateLimit("2.5/s"), { ratePerSecond: 2.5, burst: 10 });
  });
  it("reads an explicit burst", () => {
    assert.deepEqual(parseRateLimit("20/s:20"), { ratePerSecond: 20, burst: 20 });
    assert.deepEqual(parseRateLimit(" 100/S:1000 "), { ratePerSecond: 100, burst: 1000 });
  });
  it("off disables rate limiting", () => {
    assert.equal(parseRateLimit("off"), null);
  });
  it("refuses malformed texts, a zero rate and a zero burst, saying the syntax", () => {
    for (const bad of ["100", "100/m", "-1/s", "0/s", "abc", "100/s:0", "100/s:x", "", "100/s:1.5"]) {
      refuses(() => parseRateLimit(bad), "--rest.rate-limit", /<tokens per second>\/s\[:<burst>\]/);
    }
  });
});

describe("parsePort", () => {
  it("accepts 0..65535", () => {
    assert.equal(parsePort("0"), 0);
    assert.equal(parsePort("5052"), 5052);
    assert.equal(parsePort("65535"), 65535);
  });
  it("refuses anything else", () => {
    for (const bad of ["65536", "-1", "80.5", "http", "", "1e3"]) {
      refuses(() => parsePort(bad, "--rest.port"), "--rest.port", /port number 0\.\.65535/);
    }
  });
});

describe("parseByteSize", () => {
  it("reads bytes and kb/mb (binary)", () => {
    assert.equal(parseByteSize("1048576"), 1048576);
    assert.equal(parseByteSize("512kb"), 512 * 1024);
    assert.equal(parseByteSize("8MB"), 8 * 1024 * 1024);
  });
  it("refuses zero and unknown units", () => {
    for (const bad of ["0", "5gb", "lots", "-1kb"]) {
      refuses(() => parseByteSize(bad, "--rest.body-limit"), "--rest.body-limit", /size such as/);
    }
  });
});

describe("parseCorsOrigins and parseAllowlistText", () => {
  it("accepts * and origins", () => {
    assert.deepEqual(parseCorsOrigins("*"), ["*"]);
    assert.deepEqual(parseCorsOrigins("http://localhost:3000, https://example.org/"), [
      "http://localhost:3000",
      "https://example.org",
    ]);
  });
  it("refuses what is not an origin", () => {
    refuses(() => parseCorsOrigins("localhost:3000"), "--rest.cors-origins", /not an origin/);
    refuses(() => parseCorsOrigins("http://a.org/path"), "--rest.cors-origins", /not an origin/);
    refuses(() => parseCorsOrigins(" , "), "--rest.cors-origins", /expected \*/);
  });
  it("accepts IPs and CIDRs, refuses the rest", () => {
    assert.deepEqual(parseAllowlistText("127.0.0.1, 10.0.0.0/8,fd00::/8"), ["127.0.0.1", "10.0.0.0/8", "fd00::/8"]);
    refuses(() => parseAllowlistText("10.0.0.0/8,example.org"), "--rest.allowlist", /example\.org/);
  });
});

describe("resolveBeaconNodeOptions", () => {
  it("fills safe defaults", () => {
    const o = resolveBeaconNodeOptions({ network: "dev" });
    assert.equal(o.network, "dev");
    assert.equal(o.dataDir, join(homedir(), ".sextant", "dev", "beacon"));
    assert.equal(o.dataDir, defaultBeaconDataDir("dev"));
    assert.equal(o.rest.enabled, true);
    assert.equal(o.rest.address, "127.0.0.1");
    assert.equal(o.rest.port, 5052);
    assert.deepEqual(o.rest.corsOrigins, []);
    assert.deepEqual(o.rest.rateLimit, DEFAULT_RATE_LIMIT);
    assert.equal(o.rest.bodyLimit, DEFAULT_BODY_LIMIT);
    assert.ok(o.rest.headersTimeoutMs > 0 && o.rest.requestTimeoutMs > 0);
    assert.equal(o.metrics.enabled, false);
    assert.equal(o.metrics.port, 8008);
    assert.deepEqual(
      { fork: o.dev.fork, validators: o.dev.validators, slotSeconds: o.dev.slotSeconds },
      { fork: "fulu", validators: 64, slotSeconds: 6 },
    );
  });
  it("defaults to mainnet", () => {
    assert.equal(resolveBeaconNodeOptions({}).network, "mainnet");
  });
  it("refuses an unknown network, naming the known ones", () => {
    refuses(() => resolveBeaconNodeOptions({ network: "holesky-ish" }), "--network", /unknown network.*mainnet/);
    refuses(() => parseNetwork("Mainnet"), "--network", /unknown network "Mainnet"/);
  });
  it("refuses bad ports, an unknown fork, a bad validator count", () => {
    refuses(() => resolveBeaconNodeOptions({ rest: { port: 70000 } }), "--rest.port", /0\.\.65535/);
    refuses(() => resolveBeaconNodeOptions({ metrics: { port: -1 } }), "--metrics.port", /0\.\.65535/);
    refuses(() => resolveBeaconNodeOptions({ network: "dev", dev: { fork: "gloas" as never } }), "--dev.fork", /gloas/);
    refuses(() => resolveBeaconNodeOptions({ network: "dev", dev: { validators: 0 } }), "--dev.validators", /1\.\./);
    refuses(() => resolveBeaconNodeOptions({ network: "dev", dev: { slotSeconds: 0 } }), "--dev.slot-seconds", /1\.\./);
  });
  it("refuses a rate limit that cannot refill and a bad allowlist", () => {
    refuses(
      () => resolveBeaconNodeOptions({ rest: { rateLimit: { ratePerSecond: 0, burst: 10 } } }),
      "--rest.rate-limit",
      /> 0/,
    );
    refuses(
      () => resolveBeaconNodeOptions({ rest: { rateLimit: { ratePerSecond: 5, burst: 0 } } }),
      "--rest.rate-limit burst",
      /whole number/,
    );
    assert.equal(resolveBeaconNodeOptions({ rest: { rateLimit: null } }).rest.rateLimit, null);
    refuses(
      () => resolveBeaconNodeOptions({ rest: { allowlist: ["10.0.0.0/33"] } }),
      "--rest.allowlist",
      /10\.0\.0\.0\/33/,
    );
  });
  it("wants --execution-url and --jwt-secret together, a URL, and none on dev", () => {
    refuses(
      () => resolveBeaconNodeOptions({ network: "mainnet", executionUrl: "http://127.0.0.1:8551" }),
      "--execution-url",
      /go together/,
    );
    refuses(() => resolveBeaconNodeOptions({ network: "mainnet", jwtSecretPath: "/x" }), "--jwt-secret", /go together/);
    refuses(
      () => resolveBeaconNodeOptions({ network: "mainnet", executionUrl: "localhost:8551", jwtSecretPath: "/x" }),
      "--execution-url",
      /http\(s\) URL/,
    );
    refuses(
      () => resolveBeaconNodeOptions({ network: "dev", executionUrl: "http://127.0.0.1:8551", jwtSecretPath: "/x" }),
      "--execution-url",
      /mock execution engine/,
    );
    const ok = resolveBeaconNodeOptions({
      network: "sepolia",
      executionUrl: "http://127.0.0.1:8551",
      jwtSecretPath: "jwt.hex",
    });
    assert.equal(ok.executionUrl, "http://127.0.0.1:8551");
    assert.ok(ok.jwtSecretPath?.endsWith("/jwt.hex"));
  });
  it("refuses a bad fee recipient and an empty address", () => {
    refuses(() => resolveBeaconNodeOptions({ suggestedFeeRecipient: "0x12" }), "--suggested-fee-recipient", /20-byte/);
    refuses(() => resolveBeaconNodeOptions({ rest: { address: " " } }), "--rest.address", /IP address or host/);
  });
});
