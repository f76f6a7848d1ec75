// Hidden password input on a terminal: raw mode, no echo, Backspace edits, Enter submits, Ctrl-C/Ctrl-D abort.
import { KeystoreError } from "./errors.ts";

/** The streams a prompt talks to: stdin/stderr normally; tests pass fakes with isTTY and setRawMode. */
export interface PromptIo {
  input: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  output: NodeJS.WritableStream;
}

/** Control characters the prompt reacts to. */
const ETX_CTRL_C = "\u0003";
const EOT_CTRL_D = "\u0004";
const BACKSPACE = "\b";
const DEL_BACKSPACE = "\u007f";

/** True when `io.input` is a terminal a password can be typed into. */
export function canPrompt(io: PromptIo): boolean {
  return io.input.isTTY === true && typeof io.input.setRawMode === "function";
}

/**
 * Asks for a secret on the terminal without echoing it. Throws NO_TTY when input is not a terminal (`hint` says
 * which flag to use instead) and PROMPT_ABORTED on Ctrl-C or Ctrl-D.
 */
export function promptHidden(question: string, io: PromptIo, hint: string): Promise<string> {
  if (!canPrompt(io))
    return Promise.reject(new KeystoreError("NO_TTY", `stdin is not a terminal, so no password can be asked: ${hint}`));
  const input = io.input;
  const setRaw = input.setRawMode as (mode: boolean) => unknown;
  io.output.write(question);
  return new Promise<string>((resolve, reject) => {
    let typed = "";
    const finish = (err: KeystoreError | null) => {
      input.removeListener("data", onData);
      setRaw.call(input, false);
      input.pause();
      io.output.write("\n");
      if (err === null) resolve(typed);
      else reject(err);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of String(chunk)) {
        if (ch === "\r" || ch === "\n") return finish(null);
        if (ch === ETX_CTRL_C || ch === EOT_CTRL_D)
          return finish(new KeystoreError("PROMPT_ABORTED", "password prompt aborted; nothing was imported"));
        if (ch === BACKSPACE || ch === DEL_BACKSPACE) typed = [...typed].slice(0, -1).join("");
        else typed += ch;
      }
    };
    setRaw.call(input, true);
    input.setEncoding("utf8");
    input.on("data", onData);
    input.resume();
  });
}
