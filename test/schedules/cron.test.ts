/**
 * Cron expressions in a time zone (schedules/cron.ts, croner) and relative dates (schedules/relative-dates.ts):
 * next and latest due times, DST in a real zone, refused expressions and zones; ISO-8601 durations and their
 * resolution against a due time. Pure: no clock, no store.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cronProblem, latestDueAt, nextDueAfter } from "../../src/schedules/cron.js";
import { parseDuration, relativeDateProblems, resolveRelativeDates } from "../../src/schedules/relative-dates.js";

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe("cron", () => {
  const everySecond = { cron: "* * * * * *", timeZone: "UTC" };
  const paris = { cron: "30 2 * * *", timeZone: "Europe/Paris" };

  it("gives the first due time strictly after a time, and the latest at or before now", () => {
    assert.equal(iso(nextDueAfter(everySecond, at("2026-01-01T00:00:05.000Z"))), "2026-01-01T00:00:06.000Z");
    assert.equal(iso(nextDueAfter(everySecond, at("2026-01-01T00:00:05.400Z"))), "2026-01-01T00:00:06.000Z");
    const from = at("2026-01-01T00:00:01.000Z");
    assert.equal(iso(latestDueAt(everySecond, from, at("2026-01-01T00:00:05.000Z"))), "2026-01-01T00:00:05.000Z");
    assert.equal(iso(latestDueAt(everySecond, from, at("2026-01-01T00:00:05.999Z"))), "2026-01-01T00:00:05.000Z");
    assert.equal(latestDueAt(everySecond, from, at("2026-01-01T00:00:00.500Z")), undefined, "none since from");
    // Weeks down: the latest of a daily schedule is found without walking every day.
    const daily = { cron: "0 3 * * *", timeZone: "UTC" };
    assert.equal(
      iso(latestDueAt(daily, at("2020-01-01T00:00:00Z"), at("2026-01-10T12:00:00Z"))),
      "2026-01-10T03:00:00.000Z",
    );
  });

  it("follows the zone's DST: a skipped local time runs once after the gap, a repeated one once", () => {
    // Paris springs forward at 02:00 on 29 March 2026 (02:30 does not exist) and falls back on 25 October.
    const spring = nextDueAfter(paris, at("2026-03-28T12:00:00Z"));
    assert.equal(iso(spring), "2026-03-29T01:00:00.000Z", "03:00 summer time, the first instant after the gap");
    assert.equal(iso(nextDueAfter(paris, spring ?? 0)), "2026-03-30T00:30:00.000Z", "02:30 summer time");
    const autumn = nextDueAfter(paris, at("2026-10-24T12:00:00Z"));
    assert.equal(iso(autumn), "2026-10-25T00:30:00.000Z");
    assert.equal(iso(nextDueAfter(paris, autumn ?? 0)), "2026-10-26T01:30:00.000Z", "not again an hour later");
  });

  it("says what is wrong with an expression or a zone", () => {
    assert.equal(cronProblem({ cron: "0 2 * * *", timeZone: "Europe/Paris" }), undefined);
    assert.equal(cronProblem({ cron: "@daily", timeZone: "UTC" }), undefined);
    assert.equal(cronProblem({ cron: "0 2 * *", timeZone: "UTC" })?.field, "cron");
    assert.equal(cronProblem({ cron: "61 * * * *", timeZone: "UTC" })?.field, "cron");
    assert.equal(cronProblem({ cron: "0 0 1 1 * 2020", timeZone: "UTC" })?.field, "cron", "never due again");
    assert.equal(cronProblem({ cron: "0 2 * * *", timeZone: "Mars/Olympus" })?.field, "timeZone");
  });
});

describe("relative dates", () => {
  it("parses exact ISO-8601 durations and refuses years, months and nonsense", () => {
    assert.equal(parseDuration("P30D"), 30 * 86_400_000);
    assert.equal(parseDuration("P1W"), 7 * 86_400_000);
    assert.equal(parseDuration("PT12H"), 12 * 3_600_000);
    assert.equal(parseDuration("P1DT1H1M1S"), 86_400_000 + 3_661_000);
    for (const bad of ["P1M", "P1Y", "P", "PT", "30D", "P-1D", "P1.5D", "P100000W"]) {
      assert.equal(typeof parseDuration(bad), "string", bad);
    }
  });

  it("resolves each relative date against the due time, leaving the rest of the template as it is", () => {
    const template = {
      operation: { kind: "DeleteObject" },
      manifestGenerator: {
        kind: "S3JobManifestGenerator",
        filter: { createdBeforeRelative: "P30D", createdAfterRelative: "P60D", matchAnyStorageClass: ["STANDARD"] },
      },
    };
    const due = at("2026-06-01T02:00:00Z");
    assert.deepEqual(resolveRelativeDates(template, due), {
      operation: { kind: "DeleteObject" },
      manifestGenerator: {
        kind: "S3JobManifestGenerator",
        filter: {
          createdBefore: "2026-05-02T02:00:00.000Z",
          createdAfter: "2026-04-02T02:00:00.000Z",
          matchAnyStorageClass: ["STANDARD"],
        },
      },
    });
    assert.equal(template.manifestGenerator.filter.createdBeforeRelative, "P30D", "the template is not changed");
    assert.deepEqual(relativeDateProblems(template), []);
    assert.deepEqual(
      relativeDateProblems({
        manifestGenerator: { filter: { createdBeforeRelative: "P30D", createdBefore: "2026-01-01T00:00:00Z" } },
      }).map((p) => p.pointer),
      ["/manifestGenerator/filter/createdBeforeRelative"],
    );
  });
});
