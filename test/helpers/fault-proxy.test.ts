/**
 * The fault-injection proxy, tried with the raw AWS SDK S3 client against a real s3rver: each kind of fault
 * reaches the SDK as S3 would send it (or as a dead connection), the server sees a request exactly when the
 * fault says it should, the counts match what happened, and a seed replays the same fates.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  CopyObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { type FaultProxy, fatePlan, startFaultProxy } from "./fault-proxy.js";
import { S3RVER_CREDENTIALS, type S3rverHandle, startS3rver } from "./s3rver.js";

function clientFor(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    maxAttempts: 1,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

async function exists(s3: S3rverHandle, Bucket: string, Key: string): Promise<boolean> {
  try {
    await s3.client.send(new HeadObjectCommand({ Bucket, Key }));
    return true;
  } catch (e) {
    if ((e as S3ServiceException).$metadata?.httpStatusCode === 404) return false;
    throw e;
  }
}

describe("fault proxy in front of s3rver", () => {
  let s3: S3rverHandle;
  let proxy: FaultProxy;
  let client: S3Client;
  before(async () => {
    s3 = await startS3rver({ buckets: ["faults"] });
    proxy = await startFaultProxy({ target: s3.endpoint, seed: 7 });
    client = clientFor(proxy.url);
  });
  after(async () => {
    client.destroy();
    await proxy.close();
    await s3.stop();
  });

  it("passes requests through untouched (signatures, bodies, copy headers) at rate 0", async () => {
    const before = proxy.stats();
    await client.send(
      new PutObjectCommand({ Bucket: "faults", Key: "a b+c.txt", Body: "hello", Metadata: { m: "1" } }),
    );
    await client.send(new CopyObjectCommand({ Bucket: "faults", Key: "copy.txt", CopySource: "faults/a b+c.txt" }));
    const got = await client.send(new GetObjectCommand({ Bucket: "faults", Key: "a b+c.txt" }));
    assert.equal(await got.Body?.transformToString(), "hello");
    assert.equal(got.Metadata?.m, "1");
    assert.ok(await exists(s3, "faults", "copy.txt"));
    const now = proxy.stats();
    assert.equal(now.requests - before.requests, 3);
    assert.equal(now.passed - before.passed, 3);
  });

  it("answers 503 SlowDown with S3's XML error, without reaching the server", async () => {
    proxy.setRates({ slowDown: 1 });
    try {
      await assert.rejects(
        client.send(new PutObjectCommand({ Bucket: "faults", Key: "slow.txt", Body: "x" })),
        (e: S3ServiceException) => {
          assert.equal(e.name, "SlowDown");
          assert.equal(e.$metadata.httpStatusCode, 503);
          assert.match(e.message, /reduce your request rate/);
          return true;
        },
      );
    } finally {
      proxy.setRates({});
    }
    assert.equal(await exists(s3, "faults", "slow.txt"), false);
    assert.equal(proxy.stats().slowDown, 1);
  });

  it("answers 500 InternalError, and the connection stays usable for the next request", async () => {
    proxy.setRates({ internalError: 1 });
    try {
      await assert.rejects(
        client.send(new PutObjectCommand({ Bucket: "faults", Key: "err.txt", Body: "y".repeat(100_000) })),
        (e: S3ServiceException) => e.name === "InternalError" && e.$metadata.httpStatusCode === 500,
      );
    } finally {
      proxy.setRates({});
    }
    await client.send(new PutObjectCommand({ Bucket: "faults", Key: "after-err.txt", Body: "z" }));
    assert.equal(await exists(s3, "faults", "err.txt"), false);
    assert.ok(await exists(s3, "faults", "after-err.txt"));
    assert.equal(proxy.stats().internalError, 1);
  });

  it("drops the connection before forwarding: the client sees a reset, the server nothing", async () => {
    proxy.setRates({ drop: 1, dropAfterForwardShare: 0 });
    try {
      await assert.rejects(
        client.send(new PutObjectCommand({ Bucket: "faults", Key: "dropped.txt", Body: "d" })),
        (e: Error & { code?: string; $metadata?: unknown }) => {
          assert.ok(!(e instanceof S3ServiceException), `not an S3 answer: ${e.name}`);
          assert.match(`${e.code} ${e.message}`, /ECONNRESET|socket hang up/);
          return true;
        },
      );
    } finally {
      proxy.setRates({});
    }
    assert.equal(await exists(s3, "faults", "dropped.txt"), false);
    assert.equal(proxy.stats().dropBeforeForward, 1);
  });

  it("drops the connection after the server answered: the write happened, the client can not know", async () => {
    proxy.setRates({ drop: 1, dropAfterForwardShare: 1 });
    try {
      await assert.rejects(
        client.send(new CopyObjectCommand({ Bucket: "faults", Key: "ghost.txt", CopySource: "faults/after-err.txt" })),
        (e: Error & { code?: string }) => /ECONNRESET|socket hang up/.test(`${e.code} ${e.message}`),
      );
    } finally {
      proxy.setRates({});
    }
    assert.ok(await exists(s3, "faults", "ghost.txt"));
    assert.equal(proxy.stats().dropAfterForward, 1);
  });

  it("fails only the requests the eligible filter picks, counting the rest as exempt", async () => {
    const copiesOnly = await startFaultProxy({
      target: s3.endpoint,
      seed: 1,
      slowDown: 1,
      eligible: (req) => req.method === "PUT" && "x-amz-copy-source" in req.headers,
    });
    const c = clientFor(copiesOnly.url);
    try {
      await c.send(new PutObjectCommand({ Bucket: "faults", Key: "plain.txt", Body: "p" }));
      await assert.rejects(
        c.send(new CopyObjectCommand({ Bucket: "faults", Key: "plain-copy.txt", CopySource: "faults/plain.txt" })),
        (e: S3ServiceException) => e.name === "SlowDown",
      );
      assert.deepEqual(copiesOnly.stats(), {
        requests: 2,
        exempt: 1,
        passed: 0,
        slowDown: 1,
        internalError: 0,
        dropBeforeForward: 0,
        dropAfterForward: 0,
        upstreamErrors: 0,
      });
    } finally {
      c.destroy();
      await copiesOnly.close();
    }
  });

  it("with mixed rates, every request is counted once under the fate the client saw", async () => {
    const mixed = await startFaultProxy({
      target: s3.endpoint,
      seed: 42,
      slowDown: 0.2,
      internalError: 0.2,
      drop: 0.2,
    });
    const c = clientFor(mixed.url);
    const seen = { pass: 0, slowDown: 0, internalError: 0, dropped: 0 };
    try {
      // One at a time, so the fates follow the plan's order exactly.
      for (let i = 0; i < 60; i++) {
        try {
          await c.send(new PutObjectCommand({ Bucket: "faults", Key: `mixed/${i}`, Body: String(i) }));
          seen.pass++;
        } catch (e) {
          if (e instanceof S3ServiceException && e.name === "SlowDown") seen.slowDown++;
          else if (e instanceof S3ServiceException && e.name === "InternalError") seen.internalError++;
          else seen.dropped++;
        }
      }
      const stats = mixed.stats();
      const plan = fatePlan(42, { slowDown: 0.2, internalError: 0.2, drop: 0.2 });
      const expected = { pass: 0, slowDown: 0, internalError: 0, dropBeforeForward: 0, dropAfterForward: 0 };
      for (let i = 0; i < 60; i++) expected[plan.next()]++;
      assert.equal(stats.requests, 60);
      assert.equal(stats.passed, seen.pass);
      assert.equal(stats.slowDown, seen.slowDown);
      assert.equal(stats.internalError, seen.internalError);
      assert.equal(stats.dropBeforeForward + stats.dropAfterForward, seen.dropped);
      // The same seed replays the same fates.
      assert.deepEqual(
        {
          pass: stats.passed,
          slowDown: stats.slowDown,
          internalError: stats.internalError,
          dropBeforeForward: stats.dropBeforeForward,
          dropAfterForward: stats.dropAfterForward,
        },
        expected,
      );
      assert.ok(seen.pass > 0 && seen.slowDown > 0 && seen.internalError > 0 && seen.dropped > 0, JSON.stringify(seen));
    } finally {
      c.destroy();
      await mixed.close();
    }
  });
});

describe("fatePlan", () => {
  it("is reproducible from its seed and differs between seeds", () => {
    const run = (seed: number) => {
      const plan = fatePlan(seed, { slowDown: 0.1, internalError: 0.05, drop: 0.05 });
      return Array.from({ length: 200 }, () => plan.next()).join(",");
    };
    assert.equal(run(5), run(5));
    assert.notEqual(run(5), run(6));
  });

  it("hands out each fate close to its share", () => {
    const plan = fatePlan(123, { slowDown: 0.1, internalError: 0.05, drop: 0.05 });
    const n = 100_000;
    const counts: Record<string, number> = {};
    for (let i = 0; i < n; i++) {
      const f = plan.next();
      counts[f] = (counts[f] ?? 0) + 1;
    }
    const near = (got: number, share: number) => Math.abs(got / n - share) < 0.005;
    assert.ok(near(counts.slowDown, 0.1), JSON.stringify(counts));
    assert.ok(near(counts.internalError, 0.05), JSON.stringify(counts));
    assert.ok(near(counts.dropBeforeForward + counts.dropAfterForward, 0.05), JSON.stringify(counts));
    assert.ok(near(counts.dropAfterForward, 0.025), JSON.stringify(counts));
    assert.ok(near(counts.pass, 0.8), JSON.stringify(counts));
  });

  it("rejects rates outside 0..1 or adding up to more than 1", () => {
    assert.throws(() => fatePlan(1, { slowDown: 1.5 }), /slowDown must be from 0 to 1/);
    assert.throws(() => fatePlan(1, { slowDown: 0.6, drop: 0.6 }), /more than 1/);
  });
});
