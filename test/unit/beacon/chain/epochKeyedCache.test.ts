// The (epoch, dependent root) cache behind the node's duty caches: one build per key however many callers ask at
// once, failures not cached, bounded size with the oldest epochs evicted, roots as bytes or hex alike.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EpochKeyedCache } from "@sextant/beacon/chain/epochKeyedCache";

const root = (b: number) => new Uint8Array(32).fill(b);

describe("EpochKeyedCache", () => {
  it("builds a key once for 1,000 concurrent callers", async () => {
    const cache = new EpochKeyedCache<number>(8);
    let builds = 0;
    const build = async () => {
      builds++;
      await new Promise((r) => setTimeout(r, 5));
      return 42;
    };
    const results = await Promise.all(Array.from({ length: 1000 }, () => cache.getOrBuild(3, root(1), build)));
    assert.equal(builds, 1);
    assert.ok(results.every((v) => v === 42));
    assert.equal(cache.get(3, root(1)), 42);
    assert.equal(cache.stats.builds, 1);
    assert.equal(cache.stats.hits, 1000);
  });

  it("keys by dependent root: another root is another value; hex and bytes are the same key", async () => {
    const cache = new EpochKeyedCache<string>(8);
    await cache.getOrBuild(3, root(1), () => "a");
    await cache.getOrBuild(3, root(2), () => "b");
    assert.equal(cache.get(3, root(1)), "a");
    assert.equal(cache.get(3, `0x${"02".repeat(32)}`), "b");
    assert.equal(cache.get(4, root(1)), undefined);
  });

  it("does not cache a failed build: waiting callers get the error, the next caller builds again", async () => {
    const cache = new EpochKeyedCache<number>(8);
    let calls = 0;
    const failing = async () => {
      calls++;
      throw new Error("state not available");
    };
    const waits = [cache.getOrBuild(1, root(1), failing), cache.getOrBuild(1, root(1), failing)];
    for (const w of waits) await assert.rejects(w, /state not available/);
    assert.equal(calls, 1);
    assert.equal(cache.has(1, root(1)), false);
    assert.equal(await cache.getOrBuild(1, root(1), () => 7), 7);
    assert.equal(cache.stats.failures, 1);
  });

  it("holds at most maxEntries keys, evicting the oldest epochs, and prunes by epoch", async () => {
    const cache = new EpochKeyedCache<number>(3);
    for (const epoch of [5, 2, 7, 9]) await cache.getOrBuild(epoch, root(0), () => epoch);
    assert.equal(cache.size, 3);
    assert.equal(cache.has(2, root(0)), false, "epoch 2 evicted first");
    cache.pruneBefore(8);
    assert.equal(cache.size, 1);
    assert.equal(cache.get(9, root(0)), 9);
  });

  it("a value is not readable synchronously until its build finished", async () => {
    const cache = new EpochKeyedCache<number>(2);
    let release: (v: number) => void = () => {};
    const pending = cache.getOrBuild(1, root(1), () => new Promise<number>((r) => (release = r)));
    assert.equal(cache.get(1, root(1)), undefined);
    assert.equal(cache.has(1, root(1)), true);
    release(5);
    assert.equal(await pending, 5);
    assert.equal(cache.get(1, root(1)), 5);
  });
});
