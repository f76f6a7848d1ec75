// An incremental parser of the Server-Sent Events wire format (WHATWG HTML §9.2.6 "Interpreting an event
// stream"): bytes in any chunking, lines ended by LF, CRLF or CR; `event:`, `data:` (several lines joined with LF),
// `id:` and `retry:` fields; `:` comments ignored; a blank line dispatches the event.

/** One dispatched message. */
export interface SseMessage {
  /** The `event` field, "message" when absent. */
  event: string;
  data: string;
  id?: string;
}

/** Feeds bytes, emits messages. */
export class SseParser {
  private readonly decoder = new TextDecoder("utf-8");
  private buffer = "";
  /** A CR ended the last chunk: a LF starting the next one belongs to it. */
  private pendingCr = false;
  private event = "";
  private data: string[] = [];
  private id: string | undefined;
  /** The server's `retry:` hint, ms (the client may use it as its first reconnection delay). */
  retryMs: number | undefined;

  /** Parses `chunk` and returns the messages it completed. */
  push(chunk: Uint8Array): SseMessage[] {
    let text = this.decoder.decode(chunk, { stream: true });
    if (this.pendingCr && text.startsWith("\n")) text = text.slice(1);
    this.pendingCr = false;
    this.buffer += text;
    const out: SseMessage[] = [];
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const c = this.buffer.charCodeAt(i);
      if (c !== 0x0a && c !== 0x0d) continue;
      this.line(this.buffer.slice(start, i), out);
      if (c === 0x0d) {
        if (i + 1 < this.buffer.length) {
          if (this.buffer.charCodeAt(i + 1) === 0x0a) i++;
        } else {
          this.pendingCr = true;
        }
      }
      start = i + 1;
    }
    this.buffer = this.buffer.slice(start);
    return out;
  }

  private line(line: string, out: SseMessage[]): void {
    if (line === "") {
      if (this.data.length > 0) {
        out.push({ event: this.event || "message", data: this.data.join("\n"), ...(this.id ? { id: this.id } : {}) });
      }
      this.event = "";
      this.data = [];
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "event":
        this.event = value;
        break;
      case "data":
        this.data.push(value);
        break;
      case "id":
        if (!value.includes("\0")) this.id = value;
        break;
      case "retry":
        if (/^[0-9]+$/.test(value)) this.retryMs = Number(value);
        break;
      default:
      // unknown fields are ignored
    }
  }
}
