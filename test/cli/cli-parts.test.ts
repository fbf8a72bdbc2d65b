/**
 * The CLI's parts that need no server, in this process: which report file names are safe to write, table widths
 * that fit a terminal, when to colour, the profiles file (mode 0600, written whole, other profiles kept, a broken
 * file named), where each connection setting comes from, and reading a job file as JSON or YAML.
 */
import assert from "node:assert/strict";
import { chmod, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { after, before, describe, it } from "node:test";
import { DEFAULT_ENDPOINT, resolveConnection } from "../../src/cli/connection.js";
import { type CliError, EXIT } from "../../src/cli/exit-codes.js";
import { readJobFile } from "../../src/cli/job-file.js";
import { type PreviewJson, previewHeadline } from "../../src/cli/job-views.js";
import { colourWanted, fitWidths, Output } from "../../src/cli/output.js";
import { profilesFile, readProfiles, saveProfile } from "../../src/cli/profiles.js";
import { localFileName } from "../../src/cli/report-download.js";

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "objbatch-cli-parts-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("a results file's local name", () => {
  it("is the last segment of its key", () => {
    assert.equal(localFileName("out/job-1/results/0123abcd.csv"), "0123abcd.csv");
    assert.equal(localFileName("0123abcd.csv"), "0123abcd.csv");
    assert.equal(localFileName("r/naïve 名前.csv"), "naïve 名前.csv");
  });

  it("is refused when it would not stay a plain file in the directory", () => {
    for (const key of [
      "out/",
      "out/.",
      "out/..",
      "..",
      "out/a\\..\\..\\evil.csv",
      "C:evil.csv",
      "out/file.csv:stream",
      "out/manifest.json",
      "out/\u0000.csv",
      "out/bell\u0007.csv",
      "out/line\nbreak.csv",
      "out/del\u007f.csv",
      `out/${"x".repeat(256)}`,
    ]) {
      assert.equal(localFileName(key), undefined, JSON.stringify(key));
    }
  });
});

describe("tables", () => {
  it("keep their natural widths when they fit", () => {
    assert.deepEqual(fitWidths([36, 8, 40], 100, [2]), [36, 8, 40]);
  });

  it("shrink the free-text columns first, then the others, never the kept ones", () => {
    assert.deepEqual(fitWidths([36, 8, 60], 80, [2], [0]), [36, 8, 36]);
    const tight = fitWidths([36, 10, 60], 50, [2], [0]);
    assert.equal(tight[0], 36, "the id stays whole");
    assert.ok(tight.reduce((a, b) => a + b, 0) <= 50 || tight.slice(1).every((w) => w === 4), tight.join(","));
  });

  it("print plain aligned columns, cut with an ellipsis to the width, without escape codes when piped", () => {
    const stream = Object.assign(new PassThrough(), { isTTY: false });
    let text = "";
    stream.on("data", (d) => {
      text += d;
    });
    const out = new Output(stream, { COLUMNS: "30" });
    out.table(
      ["ID", "NOTE"],
      [
        ["a1", "short"],
        ["b2", "a note far longer than the thirty columns there are"],
      ],
      { shrink: [1] },
    );
    assert.equal(text, `ID  NOTE\na1  short\nb2  a note far longer than th…\n`);
    for (const line of text.split("\n")) assert.ok(line.length <= 30, line);
  });
});

describe("colour", () => {
  it("only on a terminal, never with NO_COLOR or a dumb terminal", () => {
    assert.equal(colourWanted({ isTTY: true }, {}), true);
    assert.equal(colourWanted({ isTTY: false }, {}), false);
    assert.equal(colourWanted({}, {}), false);
    assert.equal(colourWanted({ isTTY: true }, { NO_COLOR: "1" }), false);
    assert.equal(colourWanted({ isTTY: true }, { NO_COLOR: "" }), true, "an empty NO_COLOR does not count");
    assert.equal(colourWanted({ isTTY: true }, { TERM: "dumb" }), false);
  });
});

describe("the profiles file", () => {
  it("lives under XDG_CONFIG_HOME when it is absolute, else under ~/.config", () => {
    assert.equal(profilesFile({ XDG_CONFIG_HOME: "/cfg" }), join("/cfg", "objbatch", "profiles.json"));
    assert.match(profilesFile({ XDG_CONFIG_HOME: "relative" }), /\.config[/\\]objbatch[/\\]profiles\.json$/);
  });

  it("is written with mode 0600, replacing one profile and keeping the others, with no temporary file left", async () => {
    const file = join(dir, "p1", "objbatch", "profiles.json");
    await saveProfile(file, "default", { endpoint: "http://a", accessKey: "A", secretKey: "a" });
    await saveProfile(file, "other", { endpoint: "http://b", accessKey: "B", secretKey: "b" });
    await saveProfile(file, "default", { endpoint: "http://c", accessKey: "C", secretKey: "c" });
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await stat(join(file, ".."))).mode & 0o077, 0, "the directory is its owner's");
    assert.deepEqual(await readProfiles(file), {
      default: { endpoint: "http://c", accessKey: "C", secretKey: "c" },
      other: { endpoint: "http://b", accessKey: "B", secretKey: "b" },
    });
    assert.deepEqual(await readdir(join(file, "..")), ["profiles.json"]);
  });

  it("replaces a file of wider mode with one of mode 0600", async () => {
    const file = join(dir, "p2", "profiles.json");
    await saveProfile(file, "default", { endpoint: "http://a", accessKey: "A", secretKey: "a" });
    await chmod(file, 0o644);
    await saveProfile(file, "default", { endpoint: "http://a", accessKey: "A", secretKey: "a2" });
    assert.equal((await stat(file)).mode & 0o777, 0o600);
  });

  it("is named, with what to do, when it is not a profiles file", async () => {
    const file = join(dir, "broken.json");
    await writeFile(file, JSON.stringify({ profiles: { default: { endpoint: "http://a" } } }));
    await assert.rejects(readProfiles(file), (e: CliError) => {
      assert.match(
        e.message,
        /broken\.json is not valid \(profile "default" needs endpoint, accessKey and secretKey\)/,
      );
      assert.match(e.message, /run objbatch login/);
      return true;
    });
    await writeFile(file, "{");
    await assert.rejects(readProfiles(file), /not JSON/);
    assert.deepEqual(await readProfiles(join(dir, "none.json")), {}, "no file: no profiles");
  });
});

describe("the connection", () => {
  let config: string;
  before(async () => {
    config = join(dir, "conn");
    const file = profilesFile({ XDG_CONFIG_HOME: config });
    await saveProfile(file, "default", { endpoint: "http://profile:1/", accessKey: "PK", secretKey: "ps" });
    await saveProfile(file, "staging", { endpoint: "https://staging", accessKey: "SK", secretKey: "ss" });
  });

  it("takes each setting from its flag, else its environment variable, else the profile", async () => {
    const env = { XDG_CONFIG_HOME: config };
    const fromProfile = await resolveConnection({}, env);
    assert.equal(fromProfile.endpoint, "http://profile:1");
    assert.equal(fromProfile.accessKey, "PK");
    assert.match(fromProfile.from.accessKey, /^profile "default"/);

    const mixed = await resolveConnection(
      { secretKey: "flag-secret" },
      { ...env, OBJBATCH_ACCESS_KEY: "EK", OBJBATCH_ENDPOINT: "http://env:2" },
    );
    assert.deepEqual(
      [mixed.endpoint, mixed.accessKey, mixed.secretKey, mixed.from.accessKey, mixed.from.secretKey],
      ["http://env:2", "EK", "flag-secret", "OBJBATCH_ACCESS_KEY", "--secret-key"],
    );

    const staging = await resolveConnection({ profile: "staging" }, env);
    assert.equal(staging.accessKey, "SK");
    const byEnv = await resolveConnection({}, { ...env, OBJBATCH_PROFILE: "staging" });
    assert.equal(byEnv.endpoint, "https://staging");
  });

  it("defaults the endpoint, and refuses a missing key, an unknown profile or an endpoint that is not a URL", async () => {
    const empty = { XDG_CONFIG_HOME: join(dir, "empty") };
    const keys = { OBJBATCH_ACCESS_KEY: "A", OBJBATCH_SECRET_KEY: "a" };
    assert.equal((await resolveConnection({}, { ...empty, ...keys })).endpoint, DEFAULT_ENDPOINT);
    await assert.rejects(resolveConnection({}, empty), (e: CliError) => {
      assert.equal(e.exitCode, EXIT.usage);
      assert.match(e.message, /no credentials: .*run objbatch login/);
      return true;
    });
    await assert.rejects(resolveConnection({ profile: "nope" }, { ...empty, ...keys }), /no profile "nope"/);
    await assert.rejects(
      resolveConnection({ endpoint: "localhost:8080" }, { ...empty, ...keys }),
      /must be an http:\/\/ or https:\/\/ URL/,
    );
    await assert.rejects(resolveConnection({ endpoint: "not a url" }, { ...empty, ...keys }), /is not a URL/);
  });
});

describe("a job file", () => {
  it("is read as JSON, or as YAML when named so or read from stdin", async () => {
    const job = { operation: { kind: "DeleteObject" }, report: { enabled: false }, description: "yes" };
    await writeFile(join(dir, "job.json"), JSON.stringify(job));
    assert.deepEqual(await readJobFile(join(dir, "job.json")), job);
    await writeFile(
      join(dir, "job.yml"),
      "operation: { kind: DeleteObject }\nreport: { enabled: false }\ndescription: yes\n",
    );
    assert.deepEqual(await readJobFile(join(dir, "job.yml")), job, "YAML 1.2: yes stays a string");
    const stdin = new PassThrough();
    stdin.end(JSON.stringify(job));
    assert.deepEqual(await readJobFile("-", stdin), job);
  });

  it("that cannot be read or parsed, or is not one object, is a usage error naming the file", async () => {
    await assert.rejects(readJobFile(join(dir, "missing.json")), /cannot read the job file .*missing\.json: ENOENT/);
    await writeFile(join(dir, "bad.yaml"), "operation: [unclosed\n");
    await assert.rejects(readJobFile(join(dir, "bad.yaml")), /bad\.yaml is not valid YAML/);
    await writeFile(join(dir, "list.json"), "[1, 2]");
    await assert.rejects(readJobFile(join(dir, "list.json")), (e: CliError) => {
      assert.equal(e.exitCode, EXIT.usage);
      assert.match(e.message, /must hold one job/);
      return true;
    });
  });
});

describe("the preview's headline", () => {
  const preview = (over: Partial<PreviewJson>): PreviewJson => ({
    taskCount: 0,
    complete: true,
    sample: [],
    problems: [],
    omittedProblems: 0,
    ...over,
  });
  it("counts exactly when the manifest was read whole", () => {
    assert.equal(previewHeadline(preview({ taskCount: 1 })), "The job would run 1 task.");
    assert.equal(
      previewHeadline(preview({ taskCount: 12_000, totalBytes: 2048 })),
      "The job would run 12,000 tasks, 2.0 KiB.",
    );
  });
  it("says a lower bound when the time ran out", () => {
    assert.equal(
      previewHeadline(preview({ taskCount: 500, complete: false })),
      "The job would run at least 500 tasks (the manifest was not read to its end in time).",
    );
  });
  it("points at the problems when reading stopped at one, and never says 'at least 0'", () => {
    const denied = { code: "AccessDenied", message: "The job may not use the bucket b." };
    assert.equal(
      previewHeadline(preview({ complete: false, problems: [denied] })),
      "The job's objects could not be read: see the problems below.",
    );
    assert.match(
      previewHeadline(preview({ taskCount: 3, complete: false, problems: [denied] })),
      /^The job would run at least 3 tasks \(the manifest could not be read to its end: see the problems below\)\.$/,
    );
  });
});
