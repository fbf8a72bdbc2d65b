/**
 * Archive storage classes and restores (restore-state.ts), with an injected clock: archived objects cannot be
 * read or copied until a restore has completed, restores take the tier's delay, expire, and can be extended.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseKey } from "../../../src/storage/local/keys.js";
import { EMPTY_ROW } from "../../../src/storage/local/metadata-db.js";
import { MAX_RESTORE_DAYS, planRestore, restoreView } from "../../../src/storage/local/restore-state.js";
import { thrownCode } from "../helpers.js";
import { type Fixture, fixture, rejectsWith, text } from "./helpers.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe("LocalStorage archive and restore", () => {
  let f: Fixture;
  const later = (ms: number) => {
    f.clock.now = new Date(f.clock.now.getTime() + ms);
  };
  before(async () => {
    f = await fixture(["src", "dst"], { restoreDelayMs: { Standard: 5 * HOUR, Bulk: 12 * HOUR } });
  });
  after(() => f.cleanup());

  it("refuses to read or copy an archived object with 403 InvalidObjectState", async () => {
    await f.storage.put("src", "cold.txt", "frozen", { storageClass: "GLACIER" });
    const info = await f.storage.head("src", "cold.txt");
    assert.equal(info.archived, true);
    assert.equal(info.restore, undefined);
    assert.equal(info.size, 6, "head works on archived objects");
    await rejectsWith(f.storage.get("src", "cold.txt"), "InvalidObjectState", 403);
    await rejectsWith(
      f.storage.copy({ bucket: "src", key: "cold.txt" }, { bucket: "dst", key: "cold.txt" }),
      "InvalidObjectState",
      403,
    );
  });

  it("starts a restore (202) that completes after the tier's delay and expires after its days", async () => {
    const start = f.clock.now.getTime();
    assert.deepEqual(await f.storage.restore("src", "cold.txt", { days: 2, tier: "Standard" }), { httpStatus: 202 });
    let info = await f.storage.head("src", "cold.txt");
    assert.deepEqual(info.restore, { ongoing: true, tier: "Standard" });
    assert.equal(info.archived, true);
    await rejectsWith(f.storage.get("src", "cold.txt"), "InvalidObjectState", 403);
    await rejectsWith(f.storage.restore("src", "cold.txt", { days: 2 }), "RestoreAlreadyInProgress", 409);

    later(5 * HOUR);
    info = await f.storage.head("src", "cold.txt");
    assert.equal(info.archived, false);
    assert.deepEqual(info.restore, {
      ongoing: false,
      expiryDate: new Date(start + 5 * HOUR + 2 * DAY),
      tier: "Standard",
    });
    assert.equal(await text(f.storage.get("src", "cold.txt")), "frozen");
    await f.storage.copy({ bucket: "src", key: "cold.txt" }, { bucket: "dst", key: "warm.txt" });
    const copy = await f.storage.head("dst", "warm.txt");
    assert.equal(copy.storageClass, "STANDARD");
    assert.equal(copy.archived, false);
    assert.equal(await text(f.storage.get("dst", "warm.txt")), "frozen");

    f.clock.now = new Date(start + 5 * HOUR + 2 * DAY - 1);
    assert.equal((await f.storage.head("src", "cold.txt")).archived, false, "still readable just before expiry");
    later(1);
    info = await f.storage.head("src", "cold.txt");
    assert.equal(info.archived, true, "archived again at the expiry date");
    assert.equal(info.restore, undefined);
    await rejectsWith(f.storage.get("src", "cold.txt"), "InvalidObjectState", 403);
  });

  it("extends the expiry of a restored copy (200)", async () => {
    await f.storage.put("src", "deep.bin", "deep", { storageClass: "DEEP_ARCHIVE" });
    assert.equal((await f.storage.restore("src", "deep.bin", { days: 1, tier: "bulk" })).httpStatus, 202);
    assert.equal((await f.storage.head("src", "deep.bin")).restore?.tier, "Bulk", "tier names are case-insensitive");
    later(12 * HOUR);
    assert.equal((await f.storage.head("src", "deep.bin")).archived, false);
    assert.equal((await f.storage.restore("src", "deep.bin", { days: 7 })).httpStatus, 200);
    const info = await f.storage.head("src", "deep.bin");
    assert.equal(info.restore?.expiryDate?.getTime(), f.clock.now.getTime() + 7 * DAY);
    later(6 * DAY);
    assert.equal(await text(f.storage.get("src", "deep.bin")), "deep");
  });

  it("restores immediately when the tier has no delay (the default)", async () => {
    await f.storage.put("src", "fast.txt", "quick", { storageClass: "ARCHIVE" });
    assert.equal((await f.storage.restore("src", "fast.txt", { tier: "Expedited" })).httpStatus, 202);
    assert.equal(await text(f.storage.get("src", "fast.txt")), "quick");
    const info = await f.storage.head("src", "fast.txt");
    assert.equal(info.restore?.expiryDate?.getTime(), f.clock.now.getTime() + DAY, "one day by default");
  });

  it("refuses to restore an object that is not archived (403 InvalidObjectState)", async () => {
    await f.storage.put("src", "hot.txt", "hot");
    await f.drop("src", "hand.txt", "hand");
    await rejectsWith(f.storage.restore("src", "hot.txt", { days: 1 }), "InvalidObjectState", 403);
    await rejectsWith(f.storage.restore("src", "hand.txt", { days: 1 }), "InvalidObjectState", 403);
    await rejectsWith(f.storage.restore("src", "absent.txt", { days: 1 }), "NoSuchKey", 404);
  });

  it("refuses bad days and tiers with 400 InvalidArgument", async () => {
    await f.storage.put("src", "bad.txt", "x", { storageClass: "GLACIER" });
    await rejectsWith(f.storage.restore("src", "bad.txt", { days: 0 }), "InvalidArgument", 400);
    await rejectsWith(f.storage.restore("src", "bad.txt", { days: 1.5 }), "InvalidArgument", 400);
    await rejectsWith(f.storage.restore("src", "bad.txt", { tier: "Instant" }), "InvalidArgument", 400);
    assert.equal((await f.storage.head("src", "bad.txt")).restore, undefined);
  });

  it("keeps restore state across instances", async () => {
    await f.storage.put("src", "kept.txt", "kept", { storageClass: "GLACIER" });
    await f.storage.restore("src", "kept.txt", { days: 3, tier: "Standard" });
    const other = f.reopen({ restoreDelayMs: {} });
    assert.deepEqual((await other.head("src", "kept.txt")).restore, { ongoing: true, tier: "Standard" });
    later(5 * HOUR);
    assert.equal(await text(other.get("src", "kept.txt")), "kept");
  });

  it("archives by the storage class a copy asks for and keeps no restore state on the copy", async () => {
    await f.storage.put("src", "to-archive.txt", "x");
    await f.storage.copy(
      { bucket: "src", key: "to-archive.txt" },
      { bucket: "dst", key: "archived.txt" },
      { storageClass: "DEEP_ARCHIVE" },
    );
    const info = await f.storage.head("dst", "archived.txt");
    assert.equal(info.archived, true);
    assert.equal(info.restore, undefined);
    await rejectsWith(f.storage.get("dst", "archived.txt"), "InvalidObjectState", 403);
  });
});

describe("restoreView and planRestore", () => {
  const k = parseKey("b", "k");
  const t0 = Date.parse("2025-01-01T00:00:00Z");
  const delays = { Expedited: HOUR, Standard: 5 * HOUR, Bulk: 12 * HOUR };
  const cold = { ...EMPTY_ROW, storage_class: "GLACIER" };

  it("shows a restore in progress, then a readable copy until it expires", () => {
    const row = { ...cold, restore_tier: "Bulk", restore_ready_at: t0 + HOUR, restore_expiry: t0 + HOUR + DAY };
    assert.deepEqual(restoreView(undefined, "GLACIER", t0), { readable: false });
    assert.deepEqual(restoreView(row, "GLACIER", t0), { state: { ongoing: true, tier: "Bulk" }, readable: false });
    assert.deepEqual(restoreView(row, "GLACIER", t0 + HOUR), {
      state: { ongoing: false, expiryDate: new Date(t0 + HOUR + DAY), tier: "Bulk" },
      readable: true,
    });
    assert.deepEqual(restoreView(row, "GLACIER", t0 + HOUR + DAY), { readable: false });
    assert.deepEqual(restoreView(row, "STANDARD", t0 + HOUR), { readable: false }, "only archive classes restore");
  });

  it("starts a restore after the tier's delay (202), extends a readable copy (200), refuses one in progress", () => {
    assert.deepEqual(planRestore(k, cold, { days: 2, tier: "expedited" }, t0, delays), {
      tier: "Expedited",
      readyAt: t0 + HOUR,
      expiry: t0 + HOUR + 2 * DAY,
      httpStatus: 202,
    });
    const ready = { ...cold, restore_tier: "Bulk", restore_ready_at: t0, restore_expiry: t0 + DAY };
    assert.deepEqual(planRestore(k, ready, { days: 3 }, t0 + HOUR, delays), {
      tier: "Bulk",
      readyAt: t0,
      expiry: t0 + HOUR + 3 * DAY,
      httpStatus: 200,
    });
    assert.equal(
      thrownCode(() => planRestore(k, ready, {}, t0 - 1, delays)),
      "RestoreAlreadyInProgress",
    );
    assert.equal(
      thrownCode(() => planRestore(k, EMPTY_ROW, {}, t0, delays)),
      "InvalidObjectState",
    );
    assert.equal(
      thrownCode(() => planRestore(k, cold, { days: MAX_RESTORE_DAYS + 1 }, t0, delays)),
      "InvalidArgument",
    );
    assert.equal(
      thrownCode(() => planRestore(k, cold, { tier: "Slow" }, t0, delays)),
      "InvalidArgument",
    );
  });
});
