/**
 * A real pino logger for engine tests that keeps every line it writes, parsed, so a test can assert what was
 * logged, in which order and how often (the engine logs an outage once, not once per attempt).
 */
import { Writable } from "node:stream";
import { type Logger, pino } from "pino";

export interface LogLine {
  readonly level: string;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export interface RecordingLog {
  readonly log: Logger;
  /** Every line written so far, oldest first. */
  readonly lines: LogLine[];
  /** `level: msg` of every line written so far. */
  said(): string[];
}

export function recordingLog(level = "debug"): RecordingLog {
  const lines: LogLine[] = [];
  const log = pino(
    { level, formatters: { level: (label) => ({ level: label }) } },
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as LogLine);
        done();
      },
    }),
  );
  return { log, lines, said: () => lines.map((l) => `${l.level}: ${l.msg}`) };
}
