// Password files (one trailing line break removed, spaces kept, empty = error), where --passwords-dir looks, and
// the hidden terminal prompt (no echo, raw mode on then off, Backspace edits, Ctrl-C aborts, no TTY = clear error).
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { after, before, describe, test } from "node:test";
import { passwordFileCandidates, readPasswordFile } from "../../../../validator/src/keystores/password.ts";
import { promptHidden } from "../../../../validator/src/keystores/prompt.ts";
import { captureStream } from "../../../fixtures/keystores/streams.ts";

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "sextant-pw-"));
});
after(() => rm(dir, { recursive: true, force: true }));

describe("password files", () => {
  test("one trailing LF or CRLF is removed; inner and trailing spaces are kept", async () => {
    const cases: [string, string][] = [
      ["secret\n", "secret"],
      ["secret\r\n", "secret"],
      ["secret", "secret"],
      [" two words  \n", " two words  "],
      ["pw\n\n", "pw\n"],
    ];
    for (const [i, [content, expected]] of cases.entries()) {
      const p = join(dir, `p${i}`);
      await writeFile(p, content);
      assert.equal(await readPasswordFile(p), expected, JSON.stringify(content));
    }
  });

  test("an empty file and a missing file are errors naming the file", async () => {
    const empty = join(dir, "empty");
    await writeFile(empty, "\n");
    await assert.rejects(readPasswordFile(empty), (e: Error & { code?: string }) => {
      return e.code === "PASSWORD_MISSING" && e.message.includes(empty);
    });
    const missing = join(dir, "nope");
    await assert.rejects(readPasswordFile(missing), (e: Error & { code?: string }) => {
      return e.code === "FILE_UNREADABLE" && e.message.includes(missing) && e.message.includes("ENOENT");
    });
  });

  test("--passwords-dir: named by the public key with 0x first, then without", () => {
    const pk = `0x${"cd".repeat(48)}` as const;
    assert.deepEqual(passwordFileCandidates("/p", pk), [`/p/${pk}`, `/p/${"cd".repeat(48)}`]);
  });
});

function fakeTty() {
  const input = new PassThrough() as PassThrough & { isTTY: boolean; setRawMode: (m: boolean) => void };
  const modes: boolean[] = [];
  input.isTTY = true;
  input.setRawMode = (m) => {
    modes.push(m);
  };
  return { input, modes, output: captureStream(true) };
}

describe("hidden prompt", () => {
  test("reads a line without echoing it; Backspace (DEL and BS) edits; raw mode is restored", async () => {
    const { input, modes, output } = fakeTty();
    const answer = promptHidden("Password: ", { input, output }, "use --password-file");
    input.write("sekrX\u007fet");
    input.write("!!\b\b\r");
    assert.equal(await answer, "sekret");
    assert.deepEqual(modes, [true, false]);
    assert.equal(output.text(), "Password: \n");
  });

  test("Ctrl-C and Ctrl-D abort", async () => {
    for (const key of ["\u0003", "\u0004"]) {
      const { input, modes, output } = fakeTty();
      const answer = promptHidden("Password: ", { input, output }, "hint");
      input.write(`abc${key}`);
      await assert.rejects(answer, { code: "PROMPT_ABORTED" });
      assert.deepEqual(modes, [true, false]);
    }
  });

  test("not a terminal: NO_TTY with the hint, and nothing is written", async () => {
    const input = new PassThrough();
    const output = captureStream(false);
    await assert.rejects(
      promptHidden("Password: ", { input, output }, "pass --password-file FILE"),
      (e: Error & { code?: string }) => {
        return e.code === "NO_TTY" && e.message.includes("--password-file");
      },
    );
    assert.equal(output.text(), "");
  });
});
