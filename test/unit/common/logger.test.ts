import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test } from "node:test";
import { createLogger, memoryLogDestination, REDACTED, SextantError } from "@sextant/common";

test("JSON lines carry level, module of the child logger, and redacted secrets", () => {
  const mem = memoryLogDestination();
  const log = createLogger({ format: "json", destination: mem.stream, level: "debug" });
  const chain = log.child({ module: "chain" });
  chain.info({ slot: 12, password: "hunter2", cfg: { token: "t0k" } }, "imported block");
  chain.debug("details");
  const [first, second] = mem.lines();
  assert.equal(first.level, "info");
  assert.equal(first.module, "chain");
  assert.equal(first.msg, "imported block");
  assert.equal(first.slot, 12);
  assert.equal(first.password, REDACTED);
  assert.deepEqual(first.cfg, { token: REDACTED });
  assert.equal(second.level, "debug");
  assert.ok(typeof first.time === "string");
});

test("errors are logged with their code and context", () => {
  const mem = memoryLogDestination();
  const log = createLogger({ format: "json", destination: mem.stream });
  log.error({ err: new SextantError("DB_CLOSED", "database is closed", { path: "/x" }) }, "write failed");
  const [line] = mem.lines();
  const err = line.err as Record<string, unknown>;
  assert.equal(err.code, "DB_CLOSED");
  assert.deepEqual(err.context, { path: "/x" });
  assert.equal(err.message, "database is closed");
});

test("level filtering drops lower levels", () => {
  const mem = memoryLogDestination();
  const log = createLogger({ format: "json", destination: mem.stream, level: "warn" });
  log.info("hidden");
  log.warn("shown");
  assert.deepEqual(
    mem.lines().map((l) => l.msg),
    ["shown"],
  );
});

test("pretty format prints a human-readable line with the module", () => {
  const chunks: string[] = [];
  const dest = new Writable({
    write(c, _e, cb) {
      chunks.push(String(c));
      cb();
    },
  });
  const log = createLogger({ format: "pretty", destination: dest });
  log.child({ module: "sync" }).info({ password: "x" }, "range synced");
  const out = chunks.join("");
  assert.match(out, /INFO/);
  assert.match(out, /\[sync\] range synced/);
  assert.ok(!out.includes('"x"') && !out.includes(": x"), out);
});
