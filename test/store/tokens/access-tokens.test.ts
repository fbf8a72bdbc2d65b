/**
 * store/tokens/ on real SQLite and PostgreSQL: an issued token verifies for its account until it expires (an
 * injected clock) or is revoked, each refusal saying why; a secret objbatch never issued, or of another shape, is
 * unknown; the row holds the secret's hash and nothing from which the secret could be read; an account lists and
 * revokes only its own tokens, revoking twice is no error; the last use is written at most once a minute; tokens
 * are purged a grace after they expire, when one is issued, at most once per purge period. On PostgreSQL behind a
 * proxy that goes away, verifying throws the store's StoreUnavailableError (D14), never a verdict.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { openPostgres } from "../../../src/store/connect.js";
import { isStoreUnavailable } from "../../../src/store/errors.js";
import { StoreAccessTokens } from "../../../src/store/tokens/store-access-tokens.js";
import { accessTokenHash } from "../../../src/store/tokens/token-secret.js";
import { type FreezableProxy, freezableProxy, throughPort } from "../../helpers/store-faults.js";
import { createPgDatabase } from "../../helpers/stores.js";
import { describeOnStores } from "../helpers.js";

const T0 = 1_750_000_000_000;
const at = (ms: number) => new Date(T0 + ms);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describeOnStores("StoreAccessTokens", (t) => {
  let tokens: StoreAccessTokens;
  beforeEach(async () => {
    await t.db.deleteFrom("access_tokens").execute();
    tokens = new StoreAccessTokens({ db: t.db }, { purgeEveryMs: MINUTE, purgeGraceMs: DAY });
  });

  const rows = () => t.db.selectFrom("access_tokens").selectAll().orderBy("created_at").execute();
  const ids = async () => (await rows()).map((r) => r.token_id);

  it("issues a token that verifies for its account until it expires, then says it expired", async () => {
    const issued = await tokens.issue({ accountId: "acct-1", name: "ci", ttlMs: HOUR, now: at(0) });
    assert.match(issued.token, /^obt_[A-Za-z0-9_-]{43}$/);
    assert.match(issued.info.tokenId, /^tok_[A-Za-z0-9_-]{16}$/);
    assert.deepEqual(issued.info, {
      tokenId: issued.info.tokenId,
      accountId: "acct-1",
      name: "ci",
      createdAt: at(0),
      expiresAt: at(HOUR),
    });
    const ok = { ok: true, accountId: "acct-1", tokenId: issued.info.tokenId };
    assert.deepEqual(await tokens.verify(issued.token, at(0)), ok);
    assert.deepEqual(await tokens.verify(issued.token, at(HOUR - 1)), ok);
    assert.deepEqual(await tokens.verify(issued.token, at(HOUR)), { ok: false, reason: "expired" });
    assert.deepEqual(await tokens.verify(issued.token, at(2 * HOUR)), { ok: false, reason: "expired" });
  });

  it("refuses secrets it never issued, of the right shape or not, as unknown", async () => {
    const issued = await tokens.issue({ accountId: "acct-1", ttlMs: HOUR, now: at(0) });
    const unknown = { ok: false, reason: "unknown" };
    const flipped = `${issued.token.slice(0, -1)}${issued.token.endsWith("A") ? "B" : "A"}`;
    for (const token of [flipped, issued.token.slice(4), `${issued.token}x`, "", "obt_", issued.info.tokenId]) {
      assert.deepEqual(await tokens.verify(token, at(1)), unknown, token);
    }
    // Its hash is what the store looks up; the hash itself is no secret that opens anything.
    assert.deepEqual(await tokens.verify(accessTokenHash(issued.token), at(1)), unknown);
  });

  it("keeps only the secret's SHA-256: the secret appears nowhere in the row", async () => {
    const issued = await tokens.issue({ accountId: "acct-1", name: "laptop", ttlMs: HOUR, now: at(0) });
    const [row] = await rows();
    assert.ok(row);
    assert.equal(row.token_hash, accessTokenHash(issued.token));
    const secretPart = issued.token.slice(4);
    for (const [column, value] of Object.entries(row)) {
      assert.ok(!String(value).includes(secretPart), `${column} holds the secret`);
      assert.ok(!String(value).includes(issued.token), `${column} holds the token`);
    }
    const listed = await tokens.list("acct-1", 10);
    assert.ok(!JSON.stringify(listed).includes(secretPart), "a listing never shows the secret");
  });

  it("revokes a token of the account, at once and for good; again is no error; another account's is not found", async () => {
    const a = await tokens.issue({ accountId: "acct-1", ttlMs: HOUR, now: at(0) });
    const b = await tokens.issue({ accountId: "acct-1", ttlMs: HOUR, now: at(1) });
    assert.equal(await tokens.revoke("acct-2", a.info.tokenId, at(10)), false, "another account's");
    assert.equal((await tokens.verify(a.token, at(11))).ok, true, "still good after another account tried");
    assert.equal(await tokens.revoke("acct-1", a.info.tokenId, at(20)), true);
    assert.deepEqual(await tokens.verify(a.token, at(21)), { ok: false, reason: "revoked" });
    assert.deepEqual(await tokens.verify(a.token, at(2 * HOUR)), { ok: false, reason: "revoked" }, "revoked first");
    assert.equal(await tokens.revoke("acct-1", a.info.tokenId, at(30)), true, "again");
    assert.equal(await tokens.revoke("acct-1", "tok_nosuchtoken00000", at(30)), false);
    const [first, second] = await tokens.list("acct-1", 10);
    assert.deepEqual(first?.revokedAt, at(20), "the first revocation's time stays");
    assert.equal(second?.revokedAt, undefined);
    assert.equal((await tokens.verify(b.token, at(40))).ok, true, "the account's other token is untouched");
    assert.equal(await tokens.countLive("acct-1", at(40)), 1);
  });

  it("lists an account's tokens oldest first, a page at a time, and no other account's", async () => {
    const mine = [];
    for (let i = 0; i < 5; i++) {
      mine.push((await tokens.issue({ accountId: "acct-1", name: `t${i}`, ttlMs: HOUR, now: at(i % 3) })).info);
      await tokens.issue({ accountId: "acct-2", ttlMs: HOUR, now: at(i) });
    }
    const expected = [...mine].sort((x, y) => +x.createdAt - +y.createdAt || (x.tokenId < y.tokenId ? -1 : 1));
    const first = await tokens.list("acct-1", 2);
    const last = first.at(-1);
    assert.ok(last);
    const second = await tokens.list("acct-1", 10, { createdAt: last.createdAt.getTime(), tokenId: last.tokenId });
    assert.deepEqual([...first, ...second], expected);
    assert.ok([...first, ...second].every((x) => x.accountId === "acct-1"));
  });

  it("writes a token's last use at most once a minute", async () => {
    const issued = await tokens.issue({ accountId: "acct-1", ttlMs: HOUR, now: at(0) });
    const lastUsed = async () => (await tokens.list("acct-1", 1))[0]?.lastUsedAt;
    assert.equal(await lastUsed(), undefined);
    await tokens.verify(issued.token, at(1_000));
    assert.deepEqual(await lastUsed(), at(1_000));
    await tokens.verify(issued.token, at(1_000 + MINUTE - 1));
    assert.deepEqual(await lastUsed(), at(1_000), "less than a minute later: not written");
    await tokens.verify(issued.token, at(1_000 + MINUTE));
    assert.deepEqual(await lastUsed(), at(1_000 + MINUTE));
    await tokens.verify(issued.token, at(HOUR + 1));
    assert.deepEqual(await lastUsed(), at(1_000 + MINUTE), "a refused token is not used");
  });

  it("purges tokens a grace after they expire, revoked or not, when one is issued, at most once per period", async () => {
    const a = await tokens.issue({ accountId: "acct-1", ttlMs: HOUR, now: at(0) });
    const b = await tokens.issue({ accountId: "acct-1", ttlMs: HOUR + 10_000, now: at(0) });
    await tokens.revoke("acct-1", b.info.tokenId, at(5));
    assert.equal(await tokens.purge(at(HOUR)), 0, "expiring exactly then is not before");
    // Issued a day, an hour and a second after T0 (purge before 1 h 1 s): a expired before and goes; b stays.
    const c = await tokens.issue({ accountId: "acct-1", ttlMs: HOUR, now: at(DAY + HOUR + 1_000) });
    assert.deepEqual(await ids(), [b.info.tokenId, c.info.tokenId]);
    // 29 s later b is a day gone, but the purge period (a minute) has not passed: nothing is purged.
    const d = await tokens.issue({ accountId: "acct-1", ttlMs: HOUR, now: at(DAY + HOUR + 30_000) });
    assert.deepEqual(await ids(), [b.info.tokenId, c.info.tokenId, d.info.tokenId]);
    const e = await tokens.issue({ accountId: "acct-1", ttlMs: HOUR, now: at(DAY + HOUR + 62_000) });
    assert.deepEqual(await ids(), [c.info.tokenId, d.info.tokenId, e.info.tokenId]);
    assert.deepEqual(await tokens.verify(a.token, at(DAY + HOUR + 62_000)), { ok: false, reason: "unknown" });
  });
});

describe("StoreAccessTokens while PostgreSQL is unreachable", () => {
  let database: Awaited<ReturnType<typeof createPgDatabase>>;
  let live: FreezableProxy;
  let close: () => Promise<void>;
  let tokens: StoreAccessTokens;

  before(async () => {
    database = await createPgDatabase();
    live = freezableProxy(new URL(database.url));
    const port = await live.listen();
    const connection = await openPostgres(throughPort(database.url, port), 2);
    close = () => connection.close();
    tokens = new StoreAccessTokens(connection);
  });
  after(async () => {
    await live.close().catch(() => undefined);
    await close().catch(() => undefined);
    await database.drop();
  });

  it("throws StoreUnavailableError from verify, issue, list and revoke: never a verdict", async () => {
    const issued = await tokens.issue({ accountId: "acct-1", ttlMs: HOUR, now: at(0) });
    assert.equal((await tokens.verify(issued.token, at(1))).ok, true);
    await live.close();
    await assert.rejects(tokens.verify(issued.token, at(2)), isStoreUnavailable);
    await assert.rejects(tokens.issue({ accountId: "acct-1", ttlMs: HOUR, now: at(3) }), isStoreUnavailable);
    await assert.rejects(tokens.list("acct-1", 10), isStoreUnavailable);
    await assert.rejects(tokens.revoke("acct-1", issued.info.tokenId, at(4)), isStoreUnavailable);
  });
});
