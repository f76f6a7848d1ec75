// Progress: terminal mode redraws one line in place (throttled) with count, rate and ETA; log mode writes a plain
// line at most every few seconds and a final line; durations read naturally.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatDuration, formatProgress, Progress } from "../../../../validator/src/keystores/progress.ts";
import { captureStream } from "../../../fixtures/keystores/streams.ts";

describe("progress", () => {
  test("formatDuration and formatProgress", () => {
    assert.deepEqual([0, 42.4, 60, 187, 3600, 3900, Number.POSITIVE_INFINITY].map(formatDuration), [
      "0s",
      "42s",
      "1m00s",
      "3m07s",
      "1h00m",
      "1h05m",
      "?",
    ]);
    assert.equal(formatProgress("decrypting", 25, 100, 10_000), "decrypting 25/100 (2.5/s, ETA 30s)");
    assert.equal(formatProgress("decrypting", 100, 100, 40_000), "decrypting 100/100 (2.5/s, in 40s)");
    assert.equal(formatProgress("decrypting", 0, 100, 0), "decrypting 0/100 (0.0/s, ETA ?)");
  });

  test("terminal: redrawn in place, at most every 100 ms, then a newline", () => {
    let t = 0;
    const out = captureStream(true);
    const p = new Progress({ total: 4, label: "keys", stream: out, now: () => t });
    t = 50;
    p.update(1); // first redraw after the initial one: allowed (nothing drawn by update yet)
    t = 80;
    p.update(2); // throttled
    t = 200;
    p.update(3);
    t = 400;
    p.finish();
    p.update(4); // after finish: ignored
    const frames = out
      .text()
      .split("\r\u001b[2K")
      .filter((s) => s.length > 0);
    assert.deepEqual(frames, [
      "[------------------------] keys 0/4 (0.0/s, ETA ?)",
      "[######------------------] keys 1/4 (20.0/s, ETA 0s)",
      "[##################------] keys 3/4 (15.0/s, ETA 0s)",
      "[##################------] keys 3/4 (7.5/s, ETA 0s)\n",
    ]);
  });

  test("not a terminal: a plain line every 5 s and a final one (not repeated), no control characters", () => {
    let t = 0;
    const out = captureStream(false);
    const p = new Progress({ total: 100, label: "keys", stream: out, now: () => t });
    for (let i = 1; i <= 100; i++) {
      t = i * 200; // 5 per second: 20 s in all
      p.update(i);
    }
    p.finish();
    const lines = out.text().trimEnd().split("\n");
    assert.deepEqual(lines, [
      "keys 25/100 (5.0/s, ETA 15s)",
      "keys 50/100 (5.0/s, ETA 10s)",
      "keys 75/100 (5.0/s, ETA 5s)",
      "keys 100/100 (5.0/s, in 20s)",
    ]);
    assert.ok(!out.text().includes("\r") && !out.text().includes("\u001b"));
  });
});
