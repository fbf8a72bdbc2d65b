/**
 * Benchmark: the web console with a large account. Starts objbatch in this process on a fresh data dir (SQLite,
 * local storage), creates N jobs for one account through the JobService (each waiting for confirmation, so the
 * engine leaves them be; descriptions and tags vary), then drives Debian's Chromium (playwright-core) through the
 * console: sign in, the jobs page's first table, the next pages, a text search and a status filter; and times the
 * JSON API's page of 50 it reads. Prints figures and never fails on time.
 *
 *   npx tsx bench/console-jobs.ts [--jobs 10000] [--pages 5] [--samples 20]
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { pino } from "pino";
import { chromium } from "playwright-core";
import { buildDist, distIsCurrent } from "../scripts/build-dist.mjs";
import { jobSpecOf } from "../src/api/json/create-job-request.js";
import { startApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";

const { values } = parseArgs({
  options: {
    jobs: { type: "string", default: "10000" },
    pages: { type: "string", default: "5" },
    samples: { type: "string", default: "20" },
  },
});
const JOBS = Number(values.jobs);
const PAGES = Number(values.pages);
const SAMPLES = Number(values.samples);
const KEYS = { accountId: "1250000000", accessKeyId: "AKIDBENCHCONSOLE", secretAccessKey: "bench-console-secret" };

function stats(ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
  return `median ${at(0.5)} ms, p90 ${at(0.9)} ms, max ${sorted.at(-1)!.toFixed(1)} ms (${ms.length} samples)`;
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

if (!distIsCurrent() && buildDist() !== 0) throw new Error("npm run build failed");
const dataDir = await mkdtemp(join(tmpdir(), "objbatch-bench-console-"));
// The jobs wait for confirmation, so all of them are unfinished: lift the account's cap above them.
const configFile = join(dataDir, "bench-config.json");
await writeFile(configFile, JSON.stringify({ maxUnfinishedJobs: JOBS + 100 }));
const config = loadConfig({
  env: {
    OBJBATCH_ACCOUNT_ID: KEYS.accountId,
    OBJBATCH_ACCESS_KEY: KEYS.accessKeyId,
    OBJBATCH_SECRET_KEY: KEYS.secretAccessKey,
  },
  flags: { port: 0, host: "127.0.0.1", dataDir, config: configFile },
});
const app = await startApp(config, { logger: pino({ level: "silent" }) });
try {
  const seeding = performance.now();
  for (let i = 0; i < JOBS; i++) {
    const spec = jobSpecOf(
      {
        operation: { kind: "DeleteObject" },
        manifest: {
          format: "S3BatchOperations_CSV_20180820",
          fields: ["Bucket", "Key"],
          location: { bucket: "src", key: `lists/${i}.csv` },
        },
        report: { enabled: false },
        confirmationRequired: true,
        description: `nightly cleanup ${i} of team-${i % 20}`,
        tags: [{ key: "team", value: `team-${i % 20}` }],
      },
      KEYS.accountId,
    );
    await app.service.createJob(spec, "reuse");
  }
  console.log(`seeded ${JOBS} jobs in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);

  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${app.url}/console/`);
  await page.getByLabel("Access key id").fill(KEYS.accessKeyId);
  await page.getByLabel("Secret access key").fill(KEYS.secretAccessKey);
  const signIn = await timed(async () => {
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator("table.jobs tbody tr").nth(49).waitFor();
  });
  console.log(`sign in to the first 50 rows drawn: ${signIn.toFixed(1)} ms`);

  const reloads: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    reloads.push(
      await timed(async () => {
        await page.reload();
        await page.locator("table.jobs tbody tr").nth(49).waitFor();
      }),
    );
  }
  console.log(`jobs page, a full reload to 50 rows drawn: ${stats(reloads)}`);

  const pages: number[] = [];
  for (let i = 0; i < PAGES; i++) {
    const first = await page.locator("table.jobs tbody tr").first().getAttribute("data-job-id");
    pages.push(
      await timed(async () => {
        await page.getByRole("button", { name: "Older" }).click();
        await page.waitForFunction(
          (id) =>
            (
              globalThis as unknown as {
                document: { querySelector(s: string): { getAttribute(a: string): string } | null };
              }
            ).document
              .querySelector("table.jobs tbody tr")
              ?.getAttribute("data-job-id") !== id,
          first,
        );
      }),
    );
  }
  console.log(`the next page (Older): ${stats(pages)}`);

  const search = await timed(async () => {
    await page.getByRole("searchbox").fill(`cleanup ${JOBS - 7} `);
    await page.getByRole("button", { name: "Filter" }).click();
    await page
      .locator("table.jobs tbody tr")
      .first()
      .getByText(`nightly cleanup ${JOBS - 7} of`)
      .waitFor();
  });
  console.log(`text search to its row drawn: ${search.toFixed(1)} ms`);

  const api: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    api.push(await timed(() => page.evaluate(() => fetch("/api/v1/jobs?limit=50").then((r) => r.text()))));
  }
  console.log(`GET /api/v1/jobs?limit=50 from the page: ${stats(api)}`);
  await browser.close();
} finally {
  await app.close();
  await rm(dataDir, { recursive: true, force: true });
}
