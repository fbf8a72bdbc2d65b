/**
 * store/signatures/purge-signatures.ts on real SQLite and PostgreSQL: the rows whose expiry is before the given
 * time go, the rest stay (a row expiring exactly then too), and the count of rows deleted comes back.
 */
import assert from "node:assert/strict";
import { beforeEach, it } from "node:test";
import { purgeExpiredSignatures } from "../../../src/store/signatures/purge-signatures.js";
import { describeOnStores } from "../helpers.js";

const T0 = 1_750_000_000_000;

describeOnStores("purgeExpiredSignatures", (t) => {
  beforeEach(async () => {
    await t.db.deleteFrom("request_signatures").execute();
  });

  async function insert(signature: string, expiresAt: number) {
    await t.db
      .insertInto("request_signatures")
      .values({
        scheme: "cos",
        access_key_id: "AKIDpurge",
        signature,
        bound_digest: "d".repeat(64),
        expires_at: expiresAt,
      })
      .execute();
  }

  const left = async () =>
    (await t.db.selectFrom("request_signatures").select("signature").orderBy("signature").execute()).map(
      (r) => r.signature,
    );

  it("deletes the rows that expired before `now`, keeps the others, and says how many went", async () => {
    await insert("a-long-gone", T0 - 3_600_000);
    await insert("b-just-gone", T0 - 1);
    await insert("c-expires-now", T0);
    await insert("d-valid", T0 + 1);
    await insert("e-valid-for-long", T0 + 3_600_000);
    assert.equal(await purgeExpiredSignatures(t.db, T0), 2);
    assert.deepEqual(await left(), ["c-expires-now", "d-valid", "e-valid-for-long"]);
  });

  it("answers 0 when nothing has expired, or the table is empty", async () => {
    assert.equal(await purgeExpiredSignatures(t.db, T0), 0);
    await insert("valid", T0 + 60_000);
    assert.equal(await purgeExpiredSignatures(t.db, T0), 0);
    assert.deepEqual(await left(), ["valid"]);
  });

  it("takes whatever expired as time moves on, each row once", async () => {
    await insert("first", T0 + 1_000);
    await insert("second", T0 + 2_000);
    assert.equal(await purgeExpiredSignatures(t.db, T0 + 1_500), 1);
    assert.equal(await purgeExpiredSignatures(t.db, T0 + 1_500), 0);
    assert.equal(await purgeExpiredSignatures(t.db, T0 + 10_000), 1);
    assert.deepEqual(await left(), []);
  });
});
