/**
 * A Server-Sent Events parser for `objbatch jobs watch` (the job event stream, D34): text in, events out, as the
 * WHATWG HTML standard's "event stream interpretation" reads a stream. Lines end with CRLF, LF or CR (a CR at the
 * end of one chunk and an LF at the start of the next are one line end); a line starting with `:` is a comment
 * (the server's heartbeats); `field: value` drops one space after the colon; `data` lines join with "\n"; a blank
 * line dispatches the event, unless it has no data; `id` sets the last event id (kept across events, ignored when
 * it holds a NUL) and `retry` a reconnection delay. Bytes are decoded by the caller (a TextDecoder in stream mode,
 * so a character split between chunks is whole); the parser keeps the partial last line until its end comes.
 */

export interface SseEvent {
  /** The `event:` field, "message" when none. */
  readonly event: string;
  readonly data: string;
  /** The last event id as of this event (the stream's, which an event without `id:` inherits); "" when none. */
  readonly lastEventId: string;
  /** Whether this event itself carried an `id:` field. */
  readonly hasId: boolean;
}

export class SseParser {
  private pending = "";
  /** The previous chunk ended with CR: an LF that starts the next one belongs to that line end. */
  private afterCr = false;
  private data: string[] = [];
  private eventType = "";
  private idInEvent = false;
  /** The stream's last event id, which survives dispatches (and is sent as Last-Event-ID on reconnect). */
  lastEventId = "";
  /** The server's `retry:` in milliseconds, when it sent one. */
  retryMs: number | undefined;

  /** Parses a chunk of decoded text; returns the events it completed, in order. */
  feed(chunk: string): SseEvent[] {
    let text = chunk;
    if (this.afterCr && text.startsWith("\n")) text = text.slice(1);
    this.afterCr = false;
    const events: SseEvent[] = [];
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      const line = this.pending + text.slice(start, i);
      this.pending = "";
      if (c === 13) {
        if (i + 1 < text.length) {
          if (text.charCodeAt(i + 1) === 10) i++;
        } else {
          this.afterCr = true;
        }
      }
      start = i + 1;
      const event = this.line(line);
      if (event !== undefined) events.push(event);
    }
    this.pending += text.slice(start);
    return events;
  }

  private line(line: string): SseEvent | undefined {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return undefined;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "event":
        this.eventType = value;
        break;
      case "data":
        this.data.push(value);
        break;
      case "id":
        if (!value.includes("\0")) {
          this.lastEventId = value;
          this.idInEvent = true;
        }
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
      default:
        break;
    }
    return undefined;
  }

  private dispatch(): SseEvent | undefined {
    const hasData = this.data.length > 0;
    const event: SseEvent = {
      event: this.eventType === "" ? "message" : this.eventType,
      data: this.data.join("\n"),
      lastEventId: this.lastEventId,
      hasId: this.idInEvent,
    };
    this.data = [];
    this.eventType = "";
    this.idInEvent = false;
    return hasData ? event : undefined;
  }
}
