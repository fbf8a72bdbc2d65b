/**
 * The parts of `objbatch jobs watch` that need no server, in this process: the Server-Sent Events parser (line
 * ends of every kind and split anywhere, comments, multi-line data, ids kept across events, events without data
 * not dispatched), the progress bar's rendering (fits the width it is given, colour only when asked, the failure
 * causes line, the plain piped line), the display (redrawn in place on a terminal; piped, spaced on its clock and
 * free of escape codes), and the exit code of each way a job ends.
 */
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { describe, it } from "node:test";
import { createColors } from "picocolors";
import stringWidth from "string-width";
import { EXIT } from "../../src/cli/exit-codes.js";
import { outcomeOf } from "../../src/cli/job-watch.js";
import { cut, ProgressDisplay, type ProgressReading, progressLines } from "../../src/cli/progress-view.js";
import { SseParser } from "../../src/cli/sse-parser.js";

const ESCAPE = "\u001b";

describe("the SSE parser", () => {
  const stream =
    ": heartbeat\n\n" +
    'id: 7\nevent: job.status\ndata: {"id":7}\n\n' +
    'event: progress\ndata: {"a":1}\n\n' +
    "data: line one\ndata:line two\n\n" +
    "id: 9\nevent: job.tags\n\n" +
    "retry: 1500\n" +
    "event: reset\nid: 12\ndata: {}\n\n";

  function all(chunks: readonly string[]) {
    const parser = new SseParser();
    const events = chunks.flatMap((c) => parser.feed(c));
    return { parser, events };
  }

  it("reads events, comments, multi-line data and ids as the standard does", () => {
    const { parser, events } = all([stream]);
    assert.deepEqual(
      events.map((e) => [e.event, e.data, e.lastEventId, e.hasId]),
      [
        ["job.status", '{"id":7}', "7", true],
        ["progress", '{"a":1}', "7", false],
        ["message", "line one\nline two", "7", false],
        ["reset", "{}", "12", true],
      ],
    );
    // An event without data is not dispatched, but its id is the stream's last id all the same.
    assert.equal(parser.retryMs, 1500);
    assert.equal(parser.lastEventId, "12");
  });

  it("gives the same events however the stream is split, with LF, CRLF or CR line ends", () => {
    const expected = all([stream]).events;
    for (const eol of ["\n", "\r\n", "\r"]) {
      const text = stream.replace(/\n/g, eol);
      for (const size of [1, 2, 3, 7, 64]) {
        const chunks: string[] = [];
        for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
        assert.deepEqual(all(chunks).events, expected, `line end ${JSON.stringify(eol)}, chunks of ${size}`);
      }
    }
  });

  it("keeps a partial line until its end comes, and ignores an id with NUL", () => {
    const parser = new SseParser();
    assert.deepEqual(parser.feed('id: 3\ndata: {"x'), []);
    assert.deepEqual(
      parser.feed('":1}\n\nid: a\u0000b\ndata: y\n\n').map((e) => [e.data, e.lastEventId]),
      [
        ['{"x":1}', "3"],
        ["y", "3"],
      ],
    );
  });
});

describe("the progress bar", () => {
  const plain = createColors(false);
  const coloured = createColors(true);
  const running: ProgressReading = {
    status: "Active",
    total: 5000,
    succeeded: 2200,
    failed: 50,
    tasksPerSecond: 123.4,
    etaSeconds: 22,
    causes: [
      { httpStatus: 404, errorCode: "NoSuchKey", count: 40 },
      { httpStatus: 403, errorCode: "AccessDenied", count: 10 },
    ],
  };

  it("shows done/total, percent, rate, ETA, failed and the causes on a terminal", () => {
    const lines = progressLines(running, { width: 120, colours: plain, terminal: true });
    assert.equal(lines.length, 2);
    assert.match(
      lines[0]!,
      /^Active {2}\[█{18}░{22}\] {3}45% {2}2,250\/5,000 {2}123 tasks\/s {2}ETA 22s {2}50 failed$/,
    );
    assert.equal(lines[1], "  failed by cause: NoSuchKey (404) 40, AccessDenied (403) 10");
    assert.ok(!lines.join("").includes(ESCAPE), "no colour when the colours are off");
  });

  it("fits every width it is given: the bar shrinks, then ETA and rate give way, then lines are cut", () => {
    for (const width of [200, 100, 80, 60, 50, 40, 30, 20]) {
      const lines = progressLines(running, { width, colours: coloured, terminal: true });
      for (const line of lines) {
        assert.ok(stringWidth(line) <= width, `width ${width}: ${JSON.stringify(line)}`);
      }
      assert.match(lines[0]!, /Active/);
    }
    assert.match(progressLines(running, { width: 60, colours: plain, terminal: true })[0]!, /^Active {2}\[/);
    const narrow = progressLines(running, { width: 40, colours: plain, terminal: true })[0]!;
    assert.doesNotMatch(narrow, /ETA/);
    assert.match(narrow, /45%.*50 failed/);
    assert.match(progressLines(running, { width: 30, colours: plain, terminal: true })[1]!, /…$/);
  });

  it("colours the bar, the status and the failures when asked", () => {
    const [bar, causes] = progressLines(running, { width: 120, colours: coloured, terminal: true });
    assert.ok(bar!.includes(`${ESCAPE}[36mActive${ESCAPE}[39m`), JSON.stringify(bar));
    assert.ok(bar!.includes(`${ESCAPE}[32m${"█".repeat(18)}${ESCAPE}[39m`));
    assert.ok(bar!.includes(`${ESCAPE}[31m50 failed${ESCAPE}[39m`));
    assert.ok(causes!.startsWith(`${ESCAPE}[31m`));
  });

  it("is one plain line when piped, whatever the colours", () => {
    const lines = progressLines(running, { width: Number.POSITIVE_INFINITY, colours: coloured, terminal: false });
    assert.deepEqual(lines, [
      "Active, 45%, 2,250/5,000 tasks, 123 tasks/s, ETA 22s, 50 failed (NoSuchKey (404) 40, AccessDenied (403) 10)",
    ]);
    const uncounted = progressLines(
      { status: "Preparing", total: null, succeeded: 0, failed: 0, tasksPerSecond: 0, etaSeconds: null },
      { width: 200, colours: plain, terminal: false },
    );
    assert.deepEqual(uncounted, ["Preparing, 0/? tasks, 0.0 tasks/s, 0 failed"]);
  });

  it("cuts text by columns, wide characters whole", () => {
    assert.equal(cut("abcdef", 4), "abc…");
    assert.equal(cut("写真写真", 5), "写真…");
    assert.equal(cut("abc", 3), "abc");
  });
});

describe("the progress display", () => {
  function capture() {
    const stream = new PassThrough();
    let text = "";
    stream.on("data", (c: Buffer) => {
      text += c.toString("utf8");
    });
    return { stream, text: () => text };
  }
  const reading = (succeeded: number, status = "Active"): ProgressReading => ({
    status,
    total: 100,
    succeeded,
    failed: 0,
    tasksPerSecond: 10,
    etaSeconds: (100 - succeeded) / 10,
  });

  it("redraws in place on a terminal and leaves the last reading when it ends", () => {
    const out = capture();
    const display = new ProgressDisplay(out.stream, { terminal: true, colours: createColors(false), width: () => 80 });
    display.update(reading(10));
    display.update({ ...reading(20), failed: 2, causes: [{ httpStatus: 404, errorCode: "NoSuchKey", count: 2 }] });
    display.update(reading(30));
    display.end(reading(100, "Complete"));
    const text = out.text();
    // Each redraw starts with a carriage return and erases the lines drawn before: one, then two (cursor up once).
    const draws = text.split("\r").slice(1);
    assert.equal(draws.length, 4);
    assert.ok(!draws[0]!.includes(`${ESCAPE}[2K`), "nothing to erase before the first draw");
    assert.ok(draws[1]!.startsWith(`${ESCAPE}[2K`) && !draws[1]!.startsWith(`${ESCAPE}[2K${ESCAPE}[1A`));
    assert.ok(draws[2]!.startsWith(`${ESCAPE}[2K${ESCAPE}[1A${ESCAPE}[2K`), JSON.stringify(draws[2]));
    assert.match(draws[3]!, /Complete .*100% .*100\/100/);
    assert.ok(text.endsWith("\n"));
    assert.equal(text.split("\n").length - 1, 2, "one newline within the two-line draw and one at the end");
  });

  it("piped: a line when the status changes, else at most one per interval on its clock; no escape code", () => {
    const out = capture();
    let now = 0;
    const display = new ProgressDisplay(out.stream, {
      terminal: false,
      colours: createColors(false),
      width: () => Number.POSITIVE_INFINITY,
      now: () => now,
      plainIntervalMs: 5000,
    });
    display.update(reading(0, "Ready"));
    display.update(reading(0, "Active"));
    for (let s = 1; s <= 12; s++) {
      now = s * 1000;
      display.update(reading(s * 5));
    }
    display.end(reading(100, "Complete"));
    const lines = out.text().trimEnd().split("\n");
    assert.deepEqual(
      lines.map((l) => l.split(",").slice(0, 3).join(",")),
      [
        "Ready, 0%, 0/100 tasks",
        "Active, 0%, 0/100 tasks",
        "Active, 25%, 25/100 tasks",
        "Active, 50%, 50/100 tasks",
        "Complete, 100%, 100/100 tasks",
      ],
    );
    assert.ok(!out.text().includes(ESCAPE));
  });
});

describe("a watched job's exit code", () => {
  it("is 0 only for a job that completed with no failed task", () => {
    assert.equal(outcomeOf("Complete", 0), EXIT.ok);
    assert.equal(outcomeOf("Complete", 3), 10);
    assert.equal(outcomeOf("Failed", 0), 11);
    assert.equal(outcomeOf("Failed", 5), 11);
    assert.equal(outcomeOf("Cancelled", 0), 12);
    assert.equal(EXIT.detached, 130);
  });
});
