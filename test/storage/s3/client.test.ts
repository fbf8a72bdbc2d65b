/**
 * The S3 clients objbatch builds keep the AWS SDK's notice about its future Node versions off the user's stderr
 * (storage/s3/client.ts says why), unless the user chose otherwise. Each case runs in a child process, since the
 * SDK warns once per process.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const CLIENT_MODULE = fileURLToPath(new URL("../../../src/storage/s3/client.ts", import.meta.url));
const CONFIG_MODULE = fileURLToPath(new URL("../../../src/storage/s3/config.ts", import.meta.url));

/**
 * Builds objbatch's S3 clients and sends one request (to a closed port) in a fresh process: its stderr, and the
 * SDK's setting as the process had it afterwards.
 */
function runClients(env: Record<string, string | undefined>): { stderr: string; setting: string } {
  const script = `
    import { ListBucketsCommand } from "@aws-sdk/client-s3";
    import { createS3Clients } from ${JSON.stringify(CLIENT_MODULE)};
    import { resolveS3Config } from ${JSON.stringify(CONFIG_MODULE)};
    const clients = createS3Clients(resolveS3Config({
      endpoint: "http://127.0.0.1:9", region: "us-east-1", forcePathStyle: true, accessKeyId: "a", secretAccessKey: "b",
    }));
    await clients.single.send(new ListBucketsCommand({})).catch(() => {});
    clients.destroy();
    console.log(process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED);
  `;
  const run = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
  assert.equal(run.status, 0, run.stderr);
  return { stderr: run.stderr, setting: run.stdout.trim() };
}

describe("the S3 clients", () => {
  it("leave the AWS SDK's notice about its future Node versions out of objbatch's output", () => {
    const { stderr, setting } = runClients({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: undefined });
    assert.doesNotMatch(stderr, /NodeVersionSupportWarning/);
    assert.equal(setting, "true");
  });

  it("keep a user's own choice of that notice", () => {
    const { stderr, setting } = runClients({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "false" });
    assert.equal(setting, "false");
    // The SDK warns below Node 22 only.
    assert.equal(/NodeVersionSupportWarning/.test(stderr), Number(process.versions.node.split(".")[0]) < 22);
  });
});
