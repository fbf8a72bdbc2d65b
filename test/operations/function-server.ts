/**
 * A real HTTP server in the test process that answers the S3 Batch Operations -> Lambda contract, one
 * behaviour per path, and records every request it gets. Used by the InvokeFunction operation tests and the
 * end-to-end InvokeFunction job test.
 *
 *   /echo         Succeeded; resultString "processed <bucket>/<decoded key>"
 *   /flaky        TemporaryFailure the first `FLAKY_FAILURES` times a taskId is seen, then Succeeded
 *   /temporary    always TemporaryFailure, resultString "busy, attempt <n>"
 *   /permanent    PermanentFailure "cannot process <decoded key>"
 *   /bad-json     200 with a body that is not JSON
 *   /missing      a result for another taskId; treatMissingKeysAs from the query (?treat=Succeeded), or absent
 *   /function-error  200 with X-Amz-Function-Error: Unhandled and Lambda's error payload
 *   /error-500    HTTP 500 every time;  /500-once  HTTP 500 the first time a taskId is seen, then Succeeded
 *   /slow         answers after 2 s;  /redirect  302 to /echo;  /not-found  404
 *   /by-key       Succeeded or PermanentFailure by key: keys containing "fail" fail permanently
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

export const FLAKY_FAILURES = 2;

export interface RecordedRequest {
  readonly path: string;
  readonly contentType: string | undefined;
  // biome-ignore lint/suspicious/noExplicitAny: the JSON the server received
  readonly body: any;
}

export interface FunctionServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** The config file's `functions` map: arn:aws:lambda:us-east-1:123456789012:function:<path> -> url/<path>. */
  endpoints(timeoutMs?: number): Record<string, { url: string; timeoutMs: number }>;
  close(): Promise<void>;
}

export const arnOf = (name: string): string => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;

const PATHS = [
  "echo",
  "flaky",
  "temporary",
  "permanent",
  "bad-json",
  "missing",
  "function-error",
  "error-500",
  "500-once",
  "slow",
  "redirect",
  "not-found",
  "by-key",
];

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

const decodeKey = (s3Key: string): string => decodeURIComponent(s3Key.replace(/\+/g, " "));

export async function startFunctionServer(): Promise<FunctionServer> {
  const requests: RecordedRequest[] = [];
  const seen = new Map<string, number>();
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname.slice(1);
    // biome-ignore lint/suspicious/noExplicitAny: the JSON the server received
    let body: any;
    try {
      body = await readJson(req);
    } catch {
      res.writeHead(400).end("bad request body");
      return;
    }
    requests.push({ path, contentType: req.headers["content-type"], body });
    const task = body.tasks[0];
    const count = (seen.get(`${path}/${task.taskId}`) ?? 0) + 1;
    seen.set(`${path}/${task.taskId}`, count);
    const answer = (resultCode: string, resultString: string, extra: Record<string, unknown> = {}) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          invocationSchemaVersion: body.invocationSchemaVersion,
          treatMissingKeysAs: "PermanentFailure",
          invocationId: body.invocationId,
          results: [{ taskId: task.taskId, resultCode, resultString }],
          ...extra,
        }),
      );
    };
    const bucket = task.s3Bucket ?? String(task.s3BucketArn).replace("arn:aws:s3:::", "");
    switch (path) {
      case "echo":
        return answer("Succeeded", `processed ${bucket}/${decodeKey(task.s3Key)}`);
      case "flaky":
        return count <= FLAKY_FAILURES ? answer("TemporaryFailure", `warming up ${count}`) : answer("Succeeded", "ok");
      case "temporary":
        return answer("TemporaryFailure", `busy, attempt ${count}`);
      case "permanent":
        return answer("PermanentFailure", `cannot process ${decodeKey(task.s3Key)}`);
      case "bad-json":
        res.writeHead(200, { "content-type": "application/json" });
        return res.end('{"results": [ oops');
      case "missing": {
        const treat = url.searchParams.get("treat");
        res.writeHead(200, { "content-type": "application/json" });
        return res.end(
          JSON.stringify({
            invocationSchemaVersion: body.invocationSchemaVersion,
            ...(treat ? { treatMissingKeysAs: treat } : {}),
            invocationId: body.invocationId,
            results: [{ taskId: "someone-else", resultCode: "Succeeded", resultString: "not yours" }],
          }),
        );
      }
      case "function-error":
        res.writeHead(200, { "content-type": "application/json", "x-amz-function-error": "Unhandled" });
        return res.end('{"errorMessage":"Task timed out after 3.00 seconds"}');
      case "error-500":
        res.writeHead(500).end("internal trouble");
        return;
      case "500-once":
        if (count === 1) {
          res.writeHead(500).end("first call fails");
          return;
        }
        return answer("Succeeded", "second time lucky");
      case "slow":
        await sleep(2_000);
        return answer("Succeeded", "too late");
      case "redirect":
        res.writeHead(302, { location: "/echo" }).end();
        return;
      case "by-key": {
        const key = decodeKey(task.s3Key);
        return key.includes("fail") ? answer("PermanentFailure", `refused ${key}`) : answer("Succeeded", `done ${key}`);
      }
      default:
        res.writeHead(404).end("no such function");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    endpoints(timeoutMs = 5_000) {
      return Object.fromEntries(PATHS.map((p) => [arnOf(p), { url: `${url}/${p}`, timeoutMs }]));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
