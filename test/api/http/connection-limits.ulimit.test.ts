/**
 * objbatch keeps serving while idle sockets pile up past its open-file limit: `objbatch serve` runs as a child
 * process under `ulimit -n 1024` with its default HTTP limits, the test opens 2,000 connections that never
 * send a byte, and objbatch must still answer real requests on new connections (GET /healthz and a signed
 * COS ListJobs) and keep its open files below the limit. Without a cap, accept() fails at the limit
 * (EMFILE) and new clients get `socket hang up`.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ROOT } from "../../helpers/app.js";
import { cosRequest } from "../../helpers/cos-client.js";
import { getOnNewConnection, type HeldSocket, holdSocket, waitFor } from "../../helpers/held-sockets.js";
import { freePort } from "../../helpers/process.js";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const LIMIT = 1024;
const IDLE_SOCKETS = 2000;

describe(`objbatch under ulimit -n ${LIMIT} with ${IDLE_SOCKETS} idle sockets`, () => {
  let dataDir: string;
  let child: ChildProcess;
  let exited: Promise<unknown>;
  let url: string;
  let output = "";
  const held: HeldSocket[] = [];

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "objbatch-ulimit-"));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    // The shell lowers the limit, then becomes objbatch (exec), which inherits it.
    child = spawn(
      "sh",
      [
        "-c",
        `ulimit -n ${LIMIT} && exec "$0" "$@"`,
        process.execPath,
        "--import",
        "tsx",
        "src/cli/main.ts",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        String(port),
        "--data-dir",
        dataDir,
      ],
      {
        cwd: REPO,
        env: {
          ...process.env,
          OBJBATCH_ACCOUNT_ID: ROOT.accountId,
          OBJBATCH_ACCESS_KEY: ROOT.accessKeyId,
          OBJBATCH_SECRET_KEY: ROOT.secretAccessKey,
          LOG_LEVEL: "warn",
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    child.stdout?.on("data", (d) => {
      output += d;
    });
    child.stderr?.on("data", (d) => {
      output += d;
    });
    exited = new Promise((resolve) => child.once("exit", resolve));
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`objbatch exited:\n${output}`);
      return (await getOnNewConnection(`${url}/healthz`)) === 200;
    }, "objbatch to answer /healthz");
  });

  after(async () => {
    for (const h of held) h.socket.destroy();
    child.kill("SIGTERM");
    await exited;
    await rm(dataDir, { recursive: true, force: true });
  });

  it("answers real requests while the idle sockets are held, and stays below its open-file limit", async (t) => {
    const limits = await readFile(`/proc/${child.pid}/limits`, "utf8");
    assert.match(limits, new RegExp(`^Max open files\\s+${LIMIT}\\s`, "m"), "objbatch runs under the lowered limit");

    for (let i = 0; i < IDLE_SOCKETS; i += 100) {
      held.push(...(await Promise.all(Array.from({ length: 100 }, () => holdSocket(Number(new URL(url).port))))));
    }
    const answers: Array<number | string> = [];
    for (let i = 0; i < 5; i++) answers.push(await getOnNewConnection(`${url}/healthz`));
    answers.push(
      await cosRequest(url, "GET", "/jobs", { query: { maxResults: "10" } }).then(
        (listed) => listed.status,
        (e: { cause?: { code?: string }; message: string }) => e.cause?.code ?? e.message,
      ),
    );
    assert.deepEqual(answers, [200, 200, 200, 200, 200, 200], output);

    const stillHeld = held.filter((h) => !h.isClosed()).length;
    const openFiles = (await readdir(`/proc/${child.pid}/fd`)).length;
    t.diagnostic(
      `opened ${IDLE_SOCKETS} idle sockets; objbatch kept ${stillHeld} open, closed ${IDLE_SOCKETS - stillHeld} ` +
        `to make room, and held ${openFiles} open files of its ${LIMIT}`,
    );
    assert.ok(openFiles < LIMIT, `${openFiles} open files`);
    assert.ok(stillHeld > 0 && stillHeld < LIMIT, `${stillHeld} idle sockets held`);
  });
});
