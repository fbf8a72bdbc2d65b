/**
 * The web console in a real browser: Debian's Chromium driven by playwright-core, against a real objbatch (HTTP,
 * engine, SQLite, local-directory storage) serving the built console at /console (D40). A browser at / is sent
 * to the console; wrong keys are told so; signed in, the jobs table lists this account's jobs and never another
 * account's, a job created meanwhile appears and its progress bar moves without a reload (the event stream); the
 * job page pauses and resumes it, shows a finished job's failures grouped by error code, reruns one code's
 * failures (asked first) as a new job that completes, downloads a report file, confirms, reprioritises, tags,
 * cancels (asked first, and kept when the user says so), clones and deletes; the new-job wizard creates a
 * copy of a filtered listing after its preview, and a tagging job from a CSV uploaded from the browser, showing
 * the API's refusal of a priority out of range with a way back to its step. No page breaks the strict
 * Content-Security-Policy. Every page is screenshotted in light and dark, at desktop and phone widths, into
 * test-results/console/. Nothing waits on time: the test waits for what the page shows.
 */
import assert from "node:assert/strict";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { buildDist, distIsCurrent } from "../../scripts/build-dist.mjs";
import { dropFiles, makeBuckets, writeManifest } from "../e2e/helpers.js";
import { ROOT, startTestApp, type TestApp } from "../helpers/app.js";
import { DocumentChecker, JsonApiClient } from "../helpers/json-api.js";

const SHOTS = fileURLToPath(new URL("../../test-results/console/", import.meta.url));
const OTHER = { accountId: "200000000002", accessKeyId: "AKIDOTHER", secretAccessKey: "other-secret" };
const KEYS = Array.from({ length: 30 }, (_, i) => `photos/${String(i).padStart(3, "0")}.jpg`);
const MISSING = ["photos/missing-1.jpg", "photos/missing-2.jpg"];
/** Paced by the request-rate cap (20/s): 600 copies run for 30 s at least, whatever the machine. */
const SLOW_KEYS = Array.from({ length: 600 }, (_, i) => `slow/${String(i).padStart(4, "0")}.txt`);

describe("the web console in Chromium", () => {
  let app: TestApp;
  let root: JsonApiClient;
  let other: JsonApiClient;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const violations: string[] = [];

  function copyJob(manifestKey: string, description: string, extra: Record<string, unknown> = {}) {
    return {
      operation: { kind: "PutObjectCopy", targetResource: "dst", targetKeyPrefix: "copied" },
      manifest: {
        format: "S3BatchOperations_CSV_20180820",
        fields: ["Bucket", "Key"],
        location: { bucket: "src", key: manifestKey },
      },
      report: { enabled: true, bucket: "reports", prefix: "out", scope: "AllTasks" },
      description,
      ...extra,
    };
  }

  async function create(client: JsonApiClient, body: unknown): Promise<string> {
    const created = await client.post("/api/v1/jobs", body);
    assert.equal(created.status, 201, created.text);
    return (created.json as { jobId: string }).jobId;
  }

  async function finished(
    jobId: string,
    client: JsonApiClient = root,
  ): Promise<{ status: string; progress: { failed: number } }> {
    const deadline = Date.now() + 120_000; // a fail-safe only
    for (;;) {
      const job = (await client.get(`/api/v1/jobs/${jobId}`)).json as { status: string; progress: { failed: number } };
      if (["Complete", "Failed", "Cancelled"].includes(job.status)) return job;
      if (Date.now() > deadline) assert.fail(`job ${jobId} did not finish`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The page in light and dark, at a laptop's and a phone's width. */
  async function screenshots(name: string) {
    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const [width, height, label] of [
        [1280, 800, "desktop"],
        [390, 844, "phone"],
      ] as const) {
        await page.setViewportSize({ width, height });
        await page.screenshot({ path: join(SHOTS, `${name}-${scheme}-${label}.png`), fullPage: true });
      }
    }
    await page.emulateMedia({ colorScheme: "light" });
    await page.setViewportSize({ width: 1280, height: 800 });
  }

  before(async () => {
    if (!distIsCurrent()) assert.equal(buildDist(), 0, "npm run build");
    await mkdir(SHOTS, { recursive: true });
    app = await startTestApp({
      engine: { maxRequestsPerSecondPerJob: 20, reportFlushIntervalMs: 50, pollMs: 20 },
      configFile: {
        accounts: [
          {
            id: OTHER.accountId,
            keys: [{ accessKeyId: OTHER.accessKeyId, secretAccessKey: OTHER.secretAccessKey }],
            buckets: ["*"],
          },
        ],
      },
    });
    const checker = await DocumentChecker.load(app.url);
    root = new JsonApiClient(app.url, { ...ROOT }, checker);
    other = root.as({ ...OTHER });
    await makeBuckets(app, "src", "dst", "reports");
    await dropFiles(app, "src", Object.fromEntries([...KEYS, ...SLOW_KEYS].map((k) => [k, `body of ${k}`])));
    await writeManifest(app, "src", "photos.csv", "src", [...KEYS, ...MISSING]);
    await writeManifest(app, "src", "slow.csv", "src", SLOW_KEYS);
    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    page = await context.newPage();
    // Each step waits for what the page shows; a loaded CI machine may take longer than Playwright's 30 s default.
    page.setDefaultTimeout(90_000);
    page.on("console", (message) => {
      if (/Content.Security.Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
  });
  after(async () => {
    await browser?.close();
    await app?.dispose();
  });

  it("sends a browser at / to the console's sign-in, and says so when the keys are wrong", async () => {
    const response = await page.goto(`${app.url}/`);
    assert.equal(new URL(page.url()).pathname, "/console/");
    assert.match(response?.headers()["content-security-policy"] ?? "", /script-src 'self'/);
    await page.getByRole("heading", { name: "Sign in to objbatch" }).waitFor();
    await screenshots("sign-in");
    await page.getByLabel("Access key id").fill(ROOT.accessKeyId);
    await page.getByLabel("Secret access key").fill("not-the-secret");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").filter({ hasText: "do not match an account" }).waitFor();
  });

  it("lists the account's jobs only, and shows a new job's progress moving without a reload", async () => {
    const theirs = await create(other, copyJob("photos.csv", "the other account's job"));
    const done = await create(root, copyJob("photos.csv", "copy the photos"));
    await finished(done);
    await finished(theirs, other);

    // From the keyboard: Enter in the secret's field signs in.
    await page.getByLabel("Secret access key").fill(ROOT.secretAccessKey);
    await page.getByLabel("Secret access key").press("Enter");
    await page.getByRole("heading", { name: "Jobs" }).waitFor();
    const table = page.locator("table.jobs");
    await table.getByRole("link", { name: "copy the photos" }).waitFor();
    assert.equal(await page.getByText("the other account's job").count(), 0);

    const slow = await create(root, copyJob("slow.csv", "a slow copy"));
    const row = table.locator(`tr[data-job-id="${slow}"]`);
    await row.waitFor(); // appeared through the event stream: the page was not reloaded
    const bar = row.locator("progress");
    await page.waitForFunction(
      (el) => Number((el as unknown as { value: number }).value) > 0,
      await bar.elementHandle(),
    );
    const first = Number(await bar.getAttribute("value"));
    await page.waitForFunction(
      ([el, before]) => Number((el as unknown as { value: number }).value) > (before as number),
      [await bar.elementHandle(), first] as const,
    );
    await row.getByText(/tasks\/s/).waitFor();
    await screenshots("jobs");
    assert.equal(await page.getByText("the other account's job").count(), 0);
  });

  it("pauses and resumes a running job from its page", async () => {
    await page.locator("table.jobs").getByRole("link", { name: "a slow copy" }).click();
    await page.getByRole("heading", { name: "a slow copy" }).waitFor();
    await page.getByRole("button", { name: "Pause" }).click();
    await page.locator(".badge", { hasText: /Paus(ing|ed) by you/ }).waitFor();
    await page.getByRole("button", { name: "Resume" }).click();
    await page.getByRole("button", { name: "Pause" }).waitFor();
    await page.locator(".chart canvas").waitFor();
    await screenshots("job-running");
  });

  it("shows a finished job's failures by error code, reruns them, and downloads a report file", async () => {
    await page.getByRole("link", { name: "Jobs" }).first().click();
    await page.locator("table.jobs").getByRole("link", { name: "copy the photos" }).click();
    const causes = page.locator("table.causes");
    const noSuchKey = causes.locator('tr[data-error-code="NoSuchKey"]');
    await noSuchKey.waitFor();
    assert.match(await noSuchKey.innerText(), /404\s+2/);
    await noSuchKey.getByRole("button", { name: "Show tasks" }).click();
    await page.locator("table.tasks").getByText("src/photos/missing-1.jpg", { exact: true }).waitFor();
    await screenshots("job-failures");

    const download = page.waitForEvent("download");
    await page.getByRole("link", { name: /failed tasks, file 1/ }).click();
    const file = await (await download).path();
    assert.match(await readFile(file, "utf8"), /photos\/missing-1\.jpg/);

    await noSuchKey.getByRole("button", { name: "Rerun NoSuchKey" }).click();
    const dialog = page.getByRole("dialog", { name: "Rerun the NoSuchKey failures?" });
    await dialog.getByRole("button", { name: "Rerun them" }).click();
    await page.waitForURL(/\/console\/jobs\/(?!.*copy)/);
    const rerunId = decodeURIComponent(new URL(page.url()).pathname.split("/").pop()!);
    const rerun = await finished(rerunId);
    assert.equal(rerun.status, "Complete");
    assert.equal(rerun.progress.failed, 2, "the rerun ran exactly the two NoSuchKey tasks again");
    await page.locator(".badge", { hasText: "Complete" }).waitFor();
  });

  it("creates a copy job through the wizard: a filtered listing, its preview, then the job runs to the end", async () => {
    await page.getByRole("link", { name: "New job" }).first().click();
    await page.getByRole("heading", { name: "New job" }).waitFor();
    await page.getByLabel("Every object under a prefix").check();
    await page.getByLabel("Bucket", { exact: true }).fill("src");
    await page.getByLabel("Prefix", { exact: true }).fill("photos/");
    await page.getByLabel("Keys ending with").fill("5.jpg, 7.jpg");
    await screenshots("new-job-objects");
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel("Operation").selectOption("PutObjectCopy");
    await page.getByLabel("Target bucket (required)").fill("dst");
    await page.getByLabel("Target key prefix").fill("wizard");
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel("Report bucket").fill("reports");
    await page.getByLabel("Description").fill("copy through the wizard");
    await page.getByRole("button", { name: "Preview" }).click();
    const chosen = KEYS.filter((k) => k.endsWith("5.jpg") || k.endsWith("7.jpg"));
    await page.getByText(`The job would run ${chosen.length} tasks`).waitFor();
    await page.locator("table.sample").getByText(`dst/wizard/${chosen[0]}`).waitFor();
    await screenshots("new-job-preview");
    await page.getByRole("button", { name: "Create job" }).click();
    await page.getByRole("heading", { name: "copy through the wizard" }).waitFor();
    const jobId = decodeURIComponent(new URL(page.url()).pathname.split("/").pop()!);
    const job = await finished(jobId);
    assert.equal(job.status, "Complete");
    await page.locator(".badge", { hasText: "Complete" }).waitFor();
    for (const key of chosen) assert.ok(await app.storage.head("dst", `wizard/${key}`), key);
  });

  it("creates a job from a CSV uploaded in the wizard, and shows the API's refusal beside its step", async () => {
    await page.getByRole("link", { name: "New job" }).first().click();
    await page.getByLabel("Upload a CSV manifest").check();
    await page.getByLabel("CSV file").setInputFiles({
      name: "two.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(`src,${KEYS[0]}\nsrc,${KEYS[1]}\n`),
    });
    await page.getByLabel("Store it in bucket").fill("src");
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel("Operation").selectOption("AddObjectTagging");
    await page.getByLabel("Tags (required)").fill("reviewed=yes");
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel("Report bucket").fill("reports");
    await page.getByLabel("Priority").fill("2147483648");
    await page.getByRole("button", { name: "Preview" }).click();
    // A priority over the API's largest: its validation problem, with a way back to the step it belongs to.
    const refusal = page.getByRole("alert").filter({ hasText: "/priority" });
    await refusal.waitFor();
    await refusal.getByRole("button", { name: "Report and settings" }).first().click();
    await page.getByLabel("Priority").fill("20");
    await page.getByRole("button", { name: "Preview" }).click();
    await page.getByText("The job would run 2 tasks").waitFor();
    await page.getByRole("button", { name: "Create job" }).click();
    await page.getByRole("heading", { name: "Job" }).waitFor();
    const jobId = decodeURIComponent(new URL(page.url()).pathname.split("/").pop()!);
    assert.equal((await finished(jobId)).status, "Complete");
    assert.deepEqual(await app.storage.getTagging("src", KEYS[0]!), [{ key: "reviewed", value: "yes" }]);
  });

  it("confirms, reprioritises, tags, clones, cancels and deletes from a job's page, asking before what is for good", async () => {
    const waiting = await create(root, copyJob("slow.csv", "waits for confirmation", { confirmationRequired: true }));
    await page.goto(`${app.url}/console/jobs/${waiting}`);
    await page.getByRole("heading", { name: "waits for confirmation" }).waitFor();
    await page.locator(".badge", { hasText: "Suspended" }).waitFor();
    await page.getByLabel("Priority").fill("42");
    await page.getByRole("button", { name: "Set" }).click();
    await page.locator(".field", { hasText: "Priority" }).getByText("42", { exact: true }).waitFor();
    await page.getByLabel("Tags, one key=value a line").fill("team=media\nreview=");
    await page.getByRole("button", { name: "Save tags" }).click();
    await page.getByText("Saved.").waitFor();
    await page.getByRole("button", { name: "Confirm" }).click();
    await page.getByRole("button", { name: "Confirm" }).waitFor({ state: "detached" });

    // Cancel asks first: "Keep it" keeps it running.
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.getByRole("dialog", { name: "Cancel this job?" }).getByRole("button", { name: "Keep it" }).click();
    const job = (await root.get(`/api/v1/jobs/${waiting}`)).json as { status: string; priority: number; tags: unknown };
    assert.notEqual(job.status, "Cancelled");
    assert.notEqual(job.status, "Cancelling");
    assert.equal(job.priority, 42);
    assert.deepEqual(job.tags, [
      { key: "team", value: "media" },
      { key: "review", value: "" },
    ]);
    await page.getByRole("button", { name: "Cancel" }).click();
    await page
      .getByRole("dialog", { name: "Cancel this job?" })
      .getByRole("button", { name: "Cancel the job" })
      .click();
    await page.locator(".badge", { hasText: "Cancelled" }).waitFor();

    await page.getByRole("button", { name: "Clone" }).click();
    await page.waitForURL((url) => !url.pathname.endsWith(waiting));
    const clone = decodeURIComponent(new URL(page.url()).pathname.split("/").pop()!);
    await page.getByRole("heading", { name: "waits for confirmation" }).waitFor();
    await root.post(`/api/v1/jobs/${clone}/cancel`);

    await page.goto(`${app.url}/console/jobs/${waiting}`);
    await page.getByRole("button", { name: "Delete" }).click();
    await page
      .getByRole("dialog", { name: "Delete this job?" })
      .getByRole("button", { name: "Delete the job" })
      .click();
    await page.getByRole("heading", { name: "Jobs" }).waitFor();
    assert.equal(((await root.get(`/api/v1/jobs/${waiting}`)) as { status: number }).status, 404);
  });

  it("signs out, and broke no Content-Security-Policy rule on any page", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in to objbatch" }).waitFor();
    const after = await page.request.get(`${app.url}/api/v1/jobs`);
    assert.equal(after.status(), 401, "the session is gone");
    assert.deepEqual(violations, []);
  });
});
