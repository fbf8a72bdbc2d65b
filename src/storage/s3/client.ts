/**
 * Builds the AWS SDK client for one S3 endpoint: a keep-alive agent sized for the requests in flight, connect
 * and idle timeouts that fail fast into retryable errors, and checksums only where S3 requires them (many
 * S3-compatible servers do not understand the SDK's default trailing checksums).
 *
 * Two clients share one connection pool: `single` makes one attempt per request (the engine retries tasks with
 * backoff and jitter, retry.ts), `streaming` lets the SDK retry the parts of streamed uploads, whose bodies no
 * caller could replay. `signed`, the lean path for the requests every task makes (signed-requests.ts), sends
 * on the same pool with `single`'s credentials and endpoint resolution.
 */
import http from "node:http";
import https from "node:https";
import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { ResolvedS3Config } from "./config.js";
import { SignedRequests } from "./signed-requests.js";

export interface S3Clients {
  readonly single: S3Client;
  readonly streaming: S3Client;
  readonly signed: SignedRequests;
  destroy(): void;
}

export function createS3Clients(config: ResolvedS3Config): S3Clients {
  // On Node 20 the SDK warns on stderr that its releases after January 2027 will need Node 22. objbatch pins its
  // SDK in the lockfile and says which Node versions it supports (package.json `engines`), so that notice is
  // for objbatch's maintainers, not for the people who run it: a user who sets the variable keeps their choice.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const agentOptions = { keepAlive: true, maxSockets: config.maxSockets, maxFreeSockets: config.maxSockets };
  const agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
  const requestHandler = new NodeHttpHandler({
    httpAgent: agents.http,
    httpsAgent: agents.https,
    connectionTimeout: config.connectTimeoutMs,
    socketTimeout: config.idleTimeoutMs,
  });
  const base: S3ClientConfig = {
    region: config.region,
    ...(config.endpoint !== undefined ? { endpoint: config.endpoint } : {}),
    forcePathStyle: config.forcePathStyle ?? false,
    ...(config.accessKeyId !== undefined && config.secretAccessKey !== undefined
      ? {
          credentials: {
            accessKeyId: config.accessKeyId,
            secretAccessKey: config.secretAccessKey,
            ...(config.sessionToken !== undefined ? { sessionToken: config.sessionToken } : {}),
          },
        }
      : {}),
    requestHandler,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  };
  const single = new S3Client({ ...base, maxAttempts: config.maxAttempts });
  const streaming = new S3Client({ ...base, maxAttempts: Math.max(3, config.maxAttempts) });
  return {
    single,
    streaming,
    signed: new SignedRequests(single, agents, config),
    destroy() {
      // Every client sends on these agents: destroying them closes every socket (the handler only knows its
      // agents once the SDK has sent a request).
      requestHandler.destroy();
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
