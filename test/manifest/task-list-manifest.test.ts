/**
 * A rerun's manifest (manifest/task-list-manifest.ts) is one the engine reads: each task written comes back
 * from parseChunk, the runner's own decoder, as the same bucket, key and version id, for keys with spaces, plus
 * signs, commas, percent signs, quotes and any Unicode.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Task } from "../../src/domain/task.js";
import { parseChunk } from "../../src/manifest/csv-manifest.js";
import { taskListFields, taskListRecord } from "../../src/manifest/task-list-manifest.js";

const TASKS: Task[] = [
  { bucket: "b", key: "plain.txt" },
  { bucket: "b", key: "a key+plus, comma %20 not a space" },
  { bucket: "b", key: 'quote"d ✓/😀/é' },
  { bucket: "my.bucket", key: "dir/ trailing space " },
];

describe("a task list as a CSV manifest", () => {
  it("reads back as the same tasks without a VersionId column", () => {
    const text = TASKS.map((t) => taskListRecord(t, false)).join("");
    const rows = parseChunk(Buffer.from(text), taskListFields(false), 0);
    assert.deepEqual(
      rows.map((r) => r.invalid),
      TASKS.map(() => undefined),
    );
    assert.deepEqual(
      rows.map((r) => r.task),
      TASKS,
    );
  });

  it("reads back as the same tasks with a VersionId column", () => {
    const versioned = TASKS.map((t, i) => ({ ...t, versionId: i === 2 ? 'a,b"c' : `v${i}` }));
    const text = versioned.map((t) => taskListRecord(t, true)).join("");
    const rows = parseChunk(Buffer.from(text), taskListFields(true), 0);
    assert.deepEqual(
      rows.map((r) => r.task),
      versioned,
    );
    assert.ok(rows.every((r) => r.invalid === undefined));
  });
});
