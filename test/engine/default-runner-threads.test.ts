/**
 * engine/options.ts: runner threads by default take the cores the main thread leaves, at least one and at most
 * four (each is a V8 isolate of its own, about 20 MB).
 */
import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { describe, it } from "node:test";
import { DEFAULT_ENGINE_OPTIONS, defaultRunnerThreads } from "../../src/engine/options.js";

describe("default runner threads", () => {
  it("leaves one core to the main thread, keeping at least one runner and at most four", () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 8, 64].map((cores) => defaultRunnerThreads(cores)),
      [1, 1, 2, 3, 4, 4, 4],
    );
  });

  it("is what the engine starts with on this machine", () => {
    assert.equal(DEFAULT_ENGINE_OPTIONS.runnerThreads, defaultRunnerThreads(availableParallelism()));
  });
});
