/**
 * What the CLI prints and how: the API's JSON body as it came (--json), tables of plain aligned columns
 * (cli-table3 without borders, so `awk` and `cut` read them too) sized to the terminal's width, `key: value`
 * blocks, and colour (picocolors) only when stdout is a terminal and NO_COLOR is not set; piped output has no
 * escape codes and tables keep their full width there.
 */
import Table from "cli-table3";
import { createColors } from "picocolors";
import stringWidth from "string-width";

type Env = Readonly<Record<string, string | undefined>>;

/** Whether to colour a stream: a terminal, NO_COLOR unset or empty (no-color.org), and a terminal that can. */
export function colourWanted(stream: { readonly isTTY?: boolean }, env: Env = process.env): boolean {
  return stream.isTTY === true && (env.NO_COLOR ?? "") === "" && env.TERM !== "dumb";
}

export type Colours = ReturnType<typeof createColors>;

export class Output {
  readonly colours: Colours;
  /** Columns a line may take; unbounded when piped (nothing to fit, and scripts want whole values). */
  readonly width: number;

  constructor(
    private readonly stdout: NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number },
    env: Env = process.env,
  ) {
    this.colours = createColors(colourWanted(stdout, env));
    const columns = Number(env.COLUMNS);
    const terminal = stdout.columns !== undefined && stdout.columns > 0 ? stdout.columns : undefined;
    this.width =
      stdout.isTTY === true
        ? (terminal ?? (columns > 0 ? columns : 80))
        : columns > 0
          ? columns
          : Number.POSITIVE_INFINITY;
  }

  line(text = ""): void {
    this.stdout.write(`${text}\n`);
  }

  /** The API's JSON body exactly as it came. */
  json(text: string): void {
    this.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  }

  /**
   * Rows under a header, each column as wide as its widest cell; to fit the width, the `shrink` columns give way
   * first, then the others but the `keep` ones (ids a user copies), each cut with "…".
   */
  table(
    header: readonly string[],
    rows: readonly (readonly string[])[],
    options: { shrink?: readonly number[]; keep?: readonly number[] } = {},
  ): void {
    const gap = 2;
    const natural = header.map((h, i) => Math.max(stringWidth(h), ...rows.map((r) => stringWidth(r[i] ?? ""))));
    const widths = fitWidths(
      natural,
      this.width - gap * (header.length - 1),
      options.shrink ?? [],
      options.keep ?? [],
      header.map((h) => stringWidth(h)),
    );
    const table = new Table({
      head: header.map((h) => this.colours.bold(h)),
      colWidths: widths.map((w) => w + gap),
      chars: NO_BORDERS,
      style: { head: [], border: [], "padding-left": 0, "padding-right": gap, compact: true },
      truncate: "…",
      wordWrap: false,
    });
    table.push(...rows.map((r) => [...r]));
    for (const l of table.toString().split("\n")) if (l.trim() !== "") this.line(l.trimEnd());
  }

  /** `name: value` lines, the names aligned. */
  fields(pairs: readonly (readonly [string, string])[]): void {
    const width = Math.max(0, ...pairs.map(([name]) => stringWidth(name)));
    for (const [name, value] of pairs) {
      this.line(`${this.colours.bold(`${name}:`)}${" ".repeat(width - stringWidth(name) + 1)}${value}`);
    }
  }

  /** A job status, coloured by what it means. */
  status(status: string): string {
    return paintStatus(status, this.colours);
  }
}

/**
 * Column widths that fit `total`: the natural ones when they do; else the `shrink` columns give way, each down
 * to a quarter of the total or 8 columns, then every column but the `keep` ones, never below its `minimum` (its
 * header's width) nor 4. What still does not fit overflows (the terminal wraps it).
 */
export function fitWidths(
  natural: readonly number[],
  total: number,
  shrink: readonly number[],
  keep: readonly number[] = [],
  minimum: readonly number[] = [],
): number[] {
  const widths = [...natural];
  let excess = widths.reduce((a, b) => a + b, 0) - total;
  const others = widths.map((_, i) => i).filter((i) => !keep.includes(i) && !shrink.includes(i));
  for (const [order, floor] of [
    [shrink, Math.max(8, Math.floor(total / 4))],
    [[...shrink, ...others], 4],
  ] as const) {
    for (const i of order) {
      if (excess <= 0) return widths;
      const give = Math.max(0, Math.min(excess, widths[i]! - Math.max(floor, minimum[i] ?? 0)));
      widths[i]! -= give;
      excess -= give;
    }
  }
  return widths;
}

const NO_BORDERS = {
  top: "",
  "top-mid": "",
  "top-left": "",
  "top-right": "",
  bottom: "",
  "bottom-mid": "",
  "bottom-left": "",
  "bottom-right": "",
  left: "",
  "left-mid": "",
  mid: "",
  "mid-mid": "",
  right: "",
  "right-mid": "",
  middle: "",
};

/** 1536 -> "1.5 KiB". */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** 3725 -> "1h 2m 5s"; under a second, "<1s". */
export function formatDuration(seconds: number): string {
  if (seconds < 1) return "<1s";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts = [h > 0 ? `${h}h` : "", h > 0 || m > 0 ? `${m}m` : "", `${s % 60}s`];
  return parts.filter((p) => p !== "").join(" ");
}

/** A job status coloured by what it means: done green, failed red, stopping yellow, running cyan, held magenta. */
export function paintStatus(status: string, c: Colours): string {
  switch (status) {
    case "Complete":
      return c.green(status);
    case "Failed":
      return c.red(status);
    case "Cancelled":
    case "Cancelling":
    case "Failing":
      return c.yellow(status);
    case "Active":
    case "Completing":
      return c.cyan(status);
    case "Suspended":
    case "Paused":
    case "Pausing":
      return c.magenta(status);
    default:
      return status;
  }
}
