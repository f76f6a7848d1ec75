// The bearer token file (created 0600, reused, re-privatised, regenerated when too short) and the header check.
import assert from "node:assert/strict";
import { chmod, readFile, stat, writeFile } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import { bearerMatches, ensureApiToken } from "../../../../validator/src/keymanager/index.ts";
import { tempDataDir } from "./helpers.ts";

describe("keymanager API token", () => {
  let path: string;
  let cleanup: () => Promise<void>;
  before(async () => {
    const dir = await tempDataDir();
    cleanup = dir.cleanup;
    path = dir.layout.keymanagerTokenFile;
  });
  after(() => cleanup());

  test("created once with mode 0600 (data directory created too), then reused", async () => {
    const first = await ensureApiToken(path);
    assert.equal(first.created, true);
    assert.match(first.token, /^[0-9a-f]{64}$/);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal((await readFile(path, "utf8")).trim(), first.token);
    const second = await ensureApiToken(path);
    assert.deepEqual(second, { token: first.token, path, created: false });
  });

  test("a reused file readable by others is made private; a too-short one is replaced", async () => {
    await chmod(path, 0o644);
    await ensureApiToken(path);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    await writeFile(path, "short\n");
    const fresh = await ensureApiToken(path);
    assert.equal(fresh.created, true);
    assert.notEqual(fresh.token, "short");
  });

  test("bearerMatches accepts exactly `Bearer <token>`", () => {
    const t = "ab".repeat(32);
    assert.equal(bearerMatches(`Bearer ${t}`, t), true);
    assert.equal(bearerMatches(`bearer ${t}`, t), true);
    const refused = [
      undefined,
      "",
      t,
      `Bearer`,
      `Bearer ${t}x`,
      `Bearer ${t.slice(1)}`,
      `Basic ${t}`,
      `Bearer ${t} ${t}`,
    ];
    for (const h of refused) assert.equal(bearerMatches(h, t), false, String(h));
    assert.equal(bearerMatches([`Bearer ${t}`], t), false, "a repeated header is refused");
  });
});
