/**
 * store/sessions/ on real SQLite and PostgreSQL: a session is found by its token's hash only while neither its
 * absolute nor its idle end has passed; its idle end moves forward only, never past the absolute end; revoking
 * one or an account's ends exactly those; the purge drops ended sessions only, and opening a session purges
 * now and then, never more often than it is told.
 */
import assert from "node:assert/strict";
import { beforeEach, it } from "node:test";
import { StoreConsoleSessions } from "../../../src/store/sessions/console-sessions.js";
import type { SessionRow } from "../../../src/store/sessions/session-rows.js";
import { describeOnStores } from "../helpers.js";

const T0 = 1_750_000_000_000;
const HOUR = 3_600_000;

function session(name: string, overrides: Partial<SessionRow> = {}): SessionRow {
  return {
    tokenHash: name.padEnd(64, "0"),
    accountId: "acct-1",
    accessKeyId: "AKIDSESSION",
    createdAt: T0,
    expiresAt: T0 + 12 * HOUR,
    idleExpiresAt: T0 + 2 * HOUR,
    ...overrides,
  };
}

describeOnStores("StoreConsoleSessions", (t) => {
  let sessions: StoreConsoleSessions;
  beforeEach(async () => {
    await t.db.deleteFrom("console_sessions").execute();
    sessions = new StoreConsoleSessions({ db: t.db }, { purgeEveryMs: 60_000, purgeGraceMs: HOUR });
  });

  const left = async () =>
    (await t.db.selectFrom("console_sessions").select("token_hash").orderBy("token_hash").execute()).map((r) =>
      r.token_hash.replace(/0+$/, ""),
    );

  it("finds a session by its hash until its idle end or its absolute end, whichever comes first", async () => {
    const a = session("a");
    await sessions.open(a);
    assert.deepEqual(await sessions.find(a.tokenHash, T0 + 1), a);
    assert.deepEqual(await sessions.find(a.tokenHash, T0 + 2 * HOUR - 1), a);
    assert.equal(await sessions.find(a.tokenHash, T0 + 2 * HOUR), undefined, "idle end");
    assert.equal(await sessions.find("b".padEnd(64, "0"), T0 + 1), undefined, "no such session");
    await sessions.extend(a.tokenHash, T0 + 12 * HOUR);
    assert.equal((await sessions.find(a.tokenHash, T0 + 12 * HOUR - 1))?.idleExpiresAt, T0 + 12 * HOUR);
    assert.equal(await sessions.find(a.tokenHash, T0 + 12 * HOUR), undefined, "absolute end");
  });

  it("moves the idle end forward only, and never past the absolute end", async () => {
    const a = session("a");
    await sessions.open(a);
    await sessions.extend(a.tokenHash, T0 + HOUR);
    assert.equal((await sessions.find(a.tokenHash, T0))?.idleExpiresAt, T0 + 2 * HOUR, "not back");
    await sessions.extend(a.tokenHash, T0 + 13 * HOUR);
    assert.equal((await sessions.find(a.tokenHash, T0))?.idleExpiresAt, T0 + 2 * HOUR, "not past the end");
    await sessions.extend(a.tokenHash, T0 + 3 * HOUR);
    assert.equal((await sessions.find(a.tokenHash, T0))?.idleExpiresAt, T0 + 3 * HOUR);
  });

  it("revokes one session, or every session of one account, and says how many", async () => {
    await sessions.open(session("a"));
    await sessions.open(session("b"));
    await sessions.open(session("c", { accountId: "acct-2" }));
    assert.equal(await sessions.revoke(session("a").tokenHash), true);
    assert.equal(await sessions.revoke(session("a").tokenHash), false);
    await sessions.open(session("d"));
    assert.equal(await sessions.revokeAccount("acct-1"), 2);
    assert.equal(await sessions.revokeAccount("acct-1"), 0);
    assert.deepEqual(await left(), ["c"]);
  });

  it("purges sessions ended before the grace, when a session is opened, at most once per purge period", async () => {
    const day = T0 + 24 * HOUR;
    await sessions.open(session("a", { idleExpiresAt: T0 + HOUR }));
    await sessions.open(session("b", { idleExpiresAt: T0 + HOUR + 10_000 }));
    assert.equal(await sessions.purge(T0 + HOUR), 0, "ending exactly then is not before");
    // Opened 2 h 1 s after T0 (purge before T0 + 1 h 1 s): a ended before and goes; b ended after and stays.
    await sessions.open(session("c", { createdAt: T0 + 2 * HOUR + 1_000, idleExpiresAt: day }));
    assert.deepEqual(await left(), ["b", "c"]);
    // 29 s later b is over an hour gone, but the purge period (a minute) has not passed: nothing is purged.
    await sessions.open(session("d", { createdAt: T0 + 2 * HOUR + 30_000, idleExpiresAt: day }));
    assert.deepEqual(await left(), ["b", "c", "d"]);
    await sessions.open(session("e", { createdAt: T0 + 2 * HOUR + 62_000, idleExpiresAt: day }));
    assert.deepEqual(await left(), ["c", "d", "e"]);
  });
});
