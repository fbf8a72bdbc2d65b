/**
 * The live progress of `objbatch jobs watch` (D37): what one reading of a job looks like, and how it is shown.
 * `progressLines` renders a reading as text for a given width: on a terminal a bar (done/total, percent, rate,
 * ETA, failed so far) and, when tasks failed, a second line with the top failure causes, each line cut to the
 * width so the terminal never wraps it, coloured by the Output's colours (none under NO_COLOR); piped, one plain
 * line. `ProgressDisplay` writes them: on a terminal it redraws the block in place (carriage return, cursor up,
 * erase line); piped it prints a line when the status changes and otherwise at most once per interval on its
 * clock, and never an escape code. Rendered here with string-width rather than a progress-bar library: the bar
 * is one row among the fields the API already computes (rate and ETA come from the server, D32), the failure
 * line and the piped mode are ours anyway, and a library would bring its own timers and terminal handling to
 * work around.
 */
import stringWidth from "string-width";
import type { Colours } from "./output.js";
import { formatDuration, paintStatus } from "./output.js";

export interface FailureCauseReading {
  readonly httpStatus: number;
  readonly errorCode: string;
  readonly count: number;
}

/** One reading of a job: its status, progress (as GET /jobs/{id} and the progress events have it), causes. */
export interface ProgressReading {
  readonly status: string;
  readonly total: number | null;
  readonly succeeded: number;
  readonly failed: number;
  readonly tasksPerSecond: number;
  readonly etaSeconds: number | null;
  readonly causes?: readonly FailureCauseReading[];
}

export interface RenderOptions {
  /** Columns a line may take. */
  readonly width: number;
  readonly colours: Colours;
  /** A terminal: a bar and a causes line; else one plain line. */
  readonly terminal: boolean;
}

const number = (n: number) => n.toLocaleString("en-US");

function percentOf(r: ProgressReading): number | undefined {
  if (r.total === null) return undefined;
  if (r.total === 0) return 100;
  return Math.min(100, Math.floor(((r.succeeded + r.failed) * 100) / r.total));
}

function rate(r: ProgressReading): string {
  const value = r.tasksPerSecond;
  return `${value >= 100 ? Math.round(value) : value.toFixed(1)} tasks/s`;
}

function eta(r: ProgressReading): string | undefined {
  return r.etaSeconds === null || r.status !== "Active" ? undefined : `ETA ${formatDuration(r.etaSeconds)}`;
}

/** "NoSuchKey (404) 2, AccessDenied (403) 1": the causes, most tasks first. */
export function causesText(causes: readonly FailureCauseReading[]): string {
  return causes
    .map((c) => `${c.errorCode === "" ? "no code" : c.errorCode} (${c.httpStatus}) ${number(c.count)}`)
    .join(", ");
}

/** The reading as lines of at most `width` columns (plain lines, or coloured ones whose text fits the width). */
export function progressLines(r: ProgressReading, o: RenderOptions): string[] {
  const c = o.colours;
  const percent = percentOf(r);
  const done = `${number(r.succeeded + r.failed)}/${r.total === null ? "?" : number(r.total)}`;
  if (!o.terminal) {
    const parts = [
      r.status,
      percent === undefined ? undefined : `${percent}%`,
      `${done} tasks`,
      rate(r),
      eta(r),
      `${number(r.failed)} failed`,
    ].filter((p) => p !== undefined);
    const causes = r.failed > 0 && r.causes !== undefined && r.causes.length > 0 ? ` (${causesText(r.causes)})` : "";
    return [cut(`${parts.join(", ")}${causes}`, o.width)];
  }
  // The fields after the bar, in the order they give way when the width is short: ETA, then rate.
  const fields: { text: string; paint: (s: string) => string; drop: number }[] = [
    { text: `${percent === undefined ? "?" : percent}%`.padStart(4), paint: c.bold, drop: 9 },
    { text: done, paint: (s) => s, drop: 9 },
    { text: rate(r), paint: (s) => s, drop: 2 },
    ...(eta(r) === undefined ? [] : [{ text: eta(r)!, paint: (s: string) => s, drop: 1 }]),
    { text: `${number(r.failed)} failed`, paint: r.failed > 0 ? c.red : (s: string) => s, drop: 9 },
  ];
  const status = r.status;
  const gap = 2;
  const widthOf = (fs: typeof fields) =>
    stringWidth(status) + fs.reduce((sum, f) => sum + gap + stringWidth(f.text), 0);
  let shown = fields;
  for (const level of [1, 2]) {
    if (widthOf(shown) + gap + 12 <= o.width) break;
    shown = shown.filter((f) => f.drop > level);
  }
  const room = o.width - widthOf(shown) - gap - 2;
  const barWidth = Math.min(40, room);
  const parts = [paintStatus(status, c)];
  if (barWidth >= 10) {
    const filled = percent === undefined ? 0 : Math.round((barWidth * percent) / 100);
    parts.push(`[${c.green("█".repeat(filled))}${c.dim("░".repeat(barWidth - filled))}]`);
  }
  for (const f of shown) parts.push(f.paint(f.text));
  const first = parts.join(" ".repeat(gap));
  const lines = [stringWidth(first) <= o.width ? first : cut(stripped(first), o.width)];
  if (r.failed > 0 && r.causes !== undefined && r.causes.length > 0) {
    const label = "  failed by cause: ";
    lines.push(c.red(cut(label + causesText(r.causes), o.width)));
  }
  return lines;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the escape codes picocolors writes
const SGR = /\u001b\[[0-9;]*m/g;

function stripped(text: string): string {
  return text.replace(SGR, "");
}

/** The text cut to `width` columns, ending with "…" when cut; whole characters (graphemes) only. */
export function cut(text: string, width: number): string {
  if (stringWidth(text) <= width) return text;
  if (width <= 0) return "";
  let out = "";
  let used = 0;
  for (const { segment } of new Intl.Segmenter().segment(text)) {
    const w = stringWidth(segment);
    if (used + w > width - 1) break;
    out += segment;
    used += w;
  }
  return `${out}…`;
}

export interface DisplayOptions {
  readonly terminal: boolean;
  readonly colours: Colours;
  /** The width now (a terminal may be resized while watching). */
  readonly width: () => number;
  /** The clock piped updates are spaced on. */
  readonly now?: () => number;
  /** Piped: at most one line per this many milliseconds while the status stays the same (default 5 s). */
  readonly plainIntervalMs?: number;
}

const ERASE_LINE = "\u001b[2K";
const CURSOR_UP = "\u001b[1A";

/** Shows readings as they come: redrawn in place on a terminal, spaced plain lines when piped. */
export class ProgressDisplay {
  /** Lines of the block drawn last (terminal), the cursor at the end of its last line. */
  private drawn = 0;
  private lastPlain: { at: number; status: string; text: string } | undefined;
  private last: ProgressReading | undefined;
  private readonly now: () => number;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly o: DisplayOptions,
  ) {
    this.now = o.now ?? Date.now;
  }

  update(reading: ProgressReading): void {
    this.last = reading;
    if (this.o.terminal) {
      this.draw(reading);
      return;
    }
    const at = this.now();
    const [text] = progressLines(reading, { width: this.o.width(), colours: this.o.colours, terminal: false });
    const previous = this.lastPlain;
    const due =
      previous === undefined ||
      previous.status !== reading.status ||
      (at - previous.at >= (this.o.plainIntervalMs ?? 5000) && previous.text !== text);
    if (!due) return;
    this.lastPlain = { at, status: reading.status, text: text! };
    this.stream.write(`${text}\n`);
  }

  /** Ends the live block: the last reading stays on screen (piped: printed, if it was not), the cursor below it. */
  end(reading: ProgressReading | undefined = this.last): void {
    if (reading === undefined) return;
    if (this.o.terminal) {
      this.draw(reading);
      this.stream.write("\n");
      this.drawn = 0;
      return;
    }
    const [text] = progressLines(reading, { width: this.o.width(), colours: this.o.colours, terminal: false });
    if (this.lastPlain?.text !== text) this.stream.write(`${text}\n`);
    this.lastPlain = { at: this.now(), status: reading.status, text: text! };
  }

  private draw(reading: ProgressReading): void {
    // One column spare: a line as wide as the terminal would move the cursor on some terminals.
    const lines = progressLines(reading, {
      width: Math.max(20, this.o.width() - 1),
      colours: this.o.colours,
      terminal: true,
    });
    let erase = "\r";
    for (let i = 0; i < this.drawn; i++) erase += i === 0 ? ERASE_LINE : `${CURSOR_UP}${ERASE_LINE}`;
    this.stream.write(`${erase}${lines.map((l, i) => (i === 0 ? l : `\n${ERASE_LINE}${l}`)).join("")}`);
    this.drawn = lines.length;
  }
}
