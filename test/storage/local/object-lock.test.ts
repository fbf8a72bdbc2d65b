/**
 * Object Lock in the local backend: legal holds and retention with S3's rules (COMPLIANCE only grows,
 * GOVERNANCE yields to bypassGovernanceRetention), locked objects refuse delete and overwrite with 403
 * AccessDenied, and expiry (moved by the fixture's clock) lifts the protection.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { lockView } from "../../../src/storage/local/object-lock.js";
import { type Fixture, fixture, rejectsWith, text } from "./helpers.js";

const DAY = 24 * 3_600_000;

describe("LocalStorage Object Lock", () => {
  let f: Fixture;
  const at = (days: number) => new Date(f.clock.now.getTime() + days * DAY);
  before(async () => {
    f = await fixture(["src", "dst"]);
  });
  after(() => f.cleanup());

  it("a legal hold refuses delete, overwrite and copy onto the object until it is switched OFF", async () => {
    await f.storage.put("src", "held.txt", "keep me", { tags: [{ key: "a", value: "1" }] });
    await f.storage.putLegalHold("src", "held.txt", "ON");
    assert.deepEqual((await f.storage.head("src", "held.txt")).objectLock, { legalHold: "ON" });

    const denied = await rejectsWith(f.storage.delete("src", "held.txt"), "AccessDenied", 403);
    assert.match(denied.message, /legal hold/);
    await rejectsWith(f.storage.put("src", "held.txt", "replaced"), "AccessDenied", 403);
    await f.drop("src", "other.txt", "other");
    await rejectsWith(
      f.storage.copy({ bucket: "src", key: "other.txt" }, { bucket: "src", key: "held.txt" }),
      "AccessDenied",
      403,
    );
    await rejectsWith(
      f.storage.copy(
        { bucket: "src", key: "held.txt" },
        { bucket: "src", key: "held.txt" },
        { storageClass: "STANDARD_IA" },
      ),
      "AccessDenied",
      403,
    );
    assert.equal(await text(f.storage.get("src", "held.txt")), "keep me");

    // Tags and ACLs stay changeable, and a copy *from* a held object is an ordinary object.
    await f.storage.putTagging("src", "held.txt", [{ key: "b", value: "2" }]);
    assert.deepEqual(await f.storage.getTagging("src", "held.txt"), [{ key: "b", value: "2" }]);
    await f.storage.copy({ bucket: "src", key: "held.txt" }, { bucket: "dst", key: "copy.txt" });
    assert.equal((await f.storage.head("dst", "copy.txt")).objectLock, undefined);
    await f.storage.delete("dst", "copy.txt");

    await f.storage.putLegalHold("src", "held.txt", "ON");
    await f.storage.putLegalHold("src", "held.txt", "OFF");
    await f.storage.putLegalHold("src", "held.txt", "OFF");
    assert.equal((await f.storage.head("src", "held.txt")).objectLock, undefined, "no hold, no retention");
    await f.storage.delete("src", "held.txt");
    assert.equal(existsSync(f.file("src", "held.txt")), false);
  });

  it("COMPLIANCE retention can only be extended, never shortened, weakened or removed, even with bypass", async () => {
    await f.drop("src", "c.txt", "compliance");
    await f.storage.putRetention("src", "c.txt", { mode: "COMPLIANCE", retainUntilDate: at(10) });
    const until = at(10);
    assert.deepEqual((await f.storage.head("src", "c.txt")).objectLock, {
      legalHold: "OFF",
      mode: "COMPLIANCE",
      retainUntilDate: until,
    });
    const shorter = { mode: "COMPLIANCE" as const, retainUntilDate: at(5), bypassGovernanceRetention: true };
    await rejectsWith(f.storage.putRetention("src", "c.txt", shorter), "AccessDenied", 403);
    const weaker = { mode: "GOVERNANCE" as const, retainUntilDate: at(20), bypassGovernanceRetention: true };
    await rejectsWith(f.storage.putRetention("src", "c.txt", weaker), "AccessDenied", 403);
    await rejectsWith(f.storage.putRetention("src", "c.txt", { bypassGovernanceRetention: true }), "AccessDenied", 403);
    await rejectsWith(f.storage.delete("src", "c.txt"), "AccessDenied", 403);
    await rejectsWith(f.storage.put("src", "c.txt", "overwrite"), "AccessDenied", 403);

    await f.storage.putRetention("src", "c.txt", { mode: "COMPLIANCE", retainUntilDate: at(10) }); // same: fine
    await f.storage.putRetention("src", "c.txt", { mode: "COMPLIANCE", retainUntilDate: at(12) });
    assert.deepEqual((await f.storage.head("src", "c.txt")).objectLock?.retainUntilDate, at(12));

    // Once the date has passed, the retention protects nothing.
    f.clock.now = at(12.5);
    await f.storage.put("src", "c.txt", "new data");
    assert.equal((await f.storage.head("src", "c.txt")).objectLock, undefined, "a new object has no lock");
    await f.storage.delete("src", "c.txt");
  });

  it("GOVERNANCE retention can be extended or made COMPLIANCE; shortening or removing it needs the bypass", async () => {
    await f.drop("src", "g.txt", "governance");
    await f.storage.putRetention("src", "g.txt", { mode: "GOVERNANCE", retainUntilDate: at(10) });
    await rejectsWith(f.storage.delete("src", "g.txt"), "AccessDenied", 403);
    await rejectsWith(
      f.storage.putRetention("src", "g.txt", { mode: "GOVERNANCE", retainUntilDate: at(3) }),
      "AccessDenied",
      403,
    );
    const removal = await rejectsWith(f.storage.putRetention("src", "g.txt", {}), "AccessDenied", 403);
    assert.match(removal.message, /bypassGovernanceRetention/);
    await f.storage.putRetention("src", "g.txt", { mode: "GOVERNANCE", retainUntilDate: at(11) });
    await f.storage.putRetention("src", "g.txt", {
      mode: "GOVERNANCE",
      retainUntilDate: at(2),
      bypassGovernanceRetention: true,
    });
    assert.deepEqual((await f.storage.head("src", "g.txt")).objectLock?.retainUntilDate, at(2));
    await f.storage.putRetention("src", "g.txt", { bypassGovernanceRetention: true });
    assert.equal((await f.storage.head("src", "g.txt")).objectLock, undefined);
    await f.storage.delete("src", "g.txt");

    await f.drop("src", "g2.txt", "governance");
    await f.storage.putRetention("src", "g2.txt", { mode: "GOVERNANCE", retainUntilDate: at(1) });
    await f.storage.putRetention("src", "g2.txt", { mode: "COMPLIANCE", retainUntilDate: at(1) });
    await rejectsWith(
      f.storage.putRetention("src", "g2.txt", { bypassGovernanceRetention: true }),
      "AccessDenied",
      403,
    );
  });

  it("a legal hold protects on its own, whatever the retention", async () => {
    await f.drop("src", "both.txt", "x");
    await f.storage.putRetention("src", "both.txt", { mode: "GOVERNANCE", retainUntilDate: at(1) });
    await f.storage.putLegalHold("src", "both.txt", "ON");
    f.clock.now = at(2);
    await rejectsWith(f.storage.delete("src", "both.txt"), "AccessDenied", 403);
    await f.storage.putLegalHold("src", "both.txt", "OFF");
    await f.storage.delete("src", "both.txt");
  });

  it("answers malformed requests with 400 and missing objects or versions with 404", async () => {
    await f.drop("src", "bad.txt", "x");
    const past = await rejectsWith(
      f.storage.putRetention("src", "bad.txt", { mode: "GOVERNANCE", retainUntilDate: at(-1) }),
      "InvalidArgument",
      400,
    );
    assert.equal(past.message, "The retain until date must be in the future!");
    await rejectsWith(f.storage.putRetention("src", "bad.txt", { mode: "GOVERNANCE" }), "InvalidArgument", 400);
    await rejectsWith(f.storage.putRetention("src", "bad.txt", { retainUntilDate: at(1) }), "InvalidArgument", 400);
    await rejectsWith(
      f.storage.putRetention("src", "bad.txt", { mode: "STRICT" as never, retainUntilDate: at(1) }),
      "InvalidArgument",
      400,
    );
    await rejectsWith(f.storage.putLegalHold("src", "bad.txt", "MAYBE" as never), "InvalidArgument", 400);
    await rejectsWith(f.storage.putLegalHold("src", "missing.txt", "ON"), "NoSuchKey", 404);
    await rejectsWith(
      f.storage.putRetention("src", "missing.txt", { mode: "GOVERNANCE", retainUntilDate: at(1) }),
      "NoSuchKey",
      404,
    );
    await rejectsWith(f.storage.putLegalHold("src", "bad.txt", "ON", "v1"), "NoSuchVersion", 404);
    await f.storage.putLegalHold("src", "bad.txt", "ON", "null");
    assert.equal((await f.storage.head("src", "bad.txt")).objectLock?.legalHold, "ON");
    await f.storage.putLegalHold("src", "bad.txt", "OFF");
  });

  it("keeps lock state across reopening the data dir", async () => {
    await f.drop("src", "durable.txt", "x");
    await f.storage.putLegalHold("src", "durable.txt", "ON");
    const again = f.reopen();
    await rejectsWith(again.delete("src", "durable.txt"), "AccessDenied", 403);
    await again.putLegalHold("src", "durable.txt", "OFF");
    await f.storage.delete("src", "durable.txt");
  });
});

describe("lockView", () => {
  it("shows nothing without a lock, the legal hold and the retention as head() reports them", () => {
    const none = { legal_hold: null, retention_mode: null, retention_until: null, event_based_hold: null };
    assert.deepEqual(lockView(undefined), {});
    assert.deepEqual(lockView(none), {});
    assert.deepEqual(lockView({ ...none, legal_hold: "ON" }), { objectLock: { legalHold: "ON" } });
    assert.deepEqual(lockView({ ...none, event_based_hold: "ON" }), {
      objectLock: { legalHold: "OFF", eventBasedHold: true },
    });
    const until = Date.parse("2030-01-01T00:00:00Z");
    assert.deepEqual(lockView({ ...none, retention_mode: "GOVERNANCE", retention_until: until }), {
      objectLock: { legalHold: "OFF", mode: "GOVERNANCE", retainUntilDate: new Date(until) },
    });
  });
});
