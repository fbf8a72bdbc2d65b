/**
 * store/signatures/record-signature.ts on real SQLite and PostgreSQL: the first use of a signature wins. It is
 * recorded with its digest and expiry, and every later use, whatever digest it brings, gets the first one's back
 * and changes nothing; scheme, access key and signature together name a signature; of uses racing on one store,
 * one wins and all of them are told the same digest. Many uses are recorded by one statement, each still
 * first-use-wins.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { it } from "node:test";
import {
  recordSignature,
  recordSignatures,
  type SignatureUse,
} from "../../../src/store/signatures/record-signature.js";
import { describeOnStores, type StoreUnderTest } from "../helpers.js";
import { QueryCounter } from "../query-counter.js";

const T0 = 1_750_000_000_000;
const digest = (c: string) => c.repeat(64);

function use(overrides: Partial<SignatureUse> = {}): SignatureUse {
  return {
    scheme: "cos",
    accessKeyId: "AKIDrecord",
    signature: randomBytes(20).toString("hex"),
    digest: digest("a"),
    expiresAt: T0 + 900_000,
    ...overrides,
  };
}

async function rowsOf(t: StoreUnderTest, signature: string) {
  const rows = await t.db
    .selectFrom("request_signatures")
    .selectAll()
    .where("signature", "=", signature)
    .orderBy("scheme")
    .orderBy("access_key_id")
    .execute();
  return rows.map((r) => ({ ...r, expires_at: Number(r.expires_at) }));
}

describeOnStores("recordSignature", (t) => {
  it("records a first use with its digest and expiry, and returns its digest", async () => {
    const first = use();
    assert.equal(await recordSignature(t.db, first), first.digest);
    assert.deepEqual(await rowsOf(t, first.signature), [
      {
        scheme: "cos",
        access_key_id: "AKIDrecord",
        signature: first.signature,
        bound_digest: first.digest,
        expires_at: first.expiresAt,
      },
    ]);
  });

  it("answers every later use with the first use's digest, and leaves the row as the first use wrote it", async () => {
    const first = use();
    await recordSignature(t.db, first);
    assert.equal(await recordSignature(t.db, first), first.digest, "the same request again");
    assert.equal(
      await recordSignature(t.db, { ...first, digest: digest("b"), expiresAt: first.expiresAt + 3_600_000 }),
      first.digest,
      "another request under the same signature learns what the signature is bound to",
    );
    const [row, ...more] = await rowsOf(t, first.signature);
    assert.equal(more.length, 0);
    assert.equal(row?.bound_digest, first.digest);
    assert.equal(row?.expires_at, first.expiresAt, "a later use does not stretch the signature's life");
  });

  it("names a signature by its scheme, access key and value together", async () => {
    const first = use();
    await recordSignature(t.db, first);
    assert.equal(await recordSignature(t.db, { ...first, scheme: "oss-v1", digest: digest("c") }), digest("c"));
    assert.equal(await recordSignature(t.db, { ...first, accessKeyId: "AKIDother", digest: digest("d") }), digest("d"));
    assert.equal((await rowsOf(t, first.signature)).length, 3);
    const other = use({ digest: digest("e") });
    assert.equal(await recordSignature(t.db, other), digest("e"), "another signature of the same key");
  });

  it("keeps a signature's bytes as they are: case and odd characters make different signatures", async () => {
    const lower = use({ signature: "q-sign-algorithm=sha1&q-signature=abcdef" });
    const upper = { ...lower, signature: lower.signature.toUpperCase(), digest: digest("f") };
    await t.db.deleteFrom("request_signatures").where("signature", "in", [lower.signature, upper.signature]).execute();
    assert.equal(await recordSignature(t.db, lower), lower.digest);
    assert.equal(await recordSignature(t.db, upper), upper.digest);
  });

  it("tells every one of many racing uses the same digest, the winner's", async () => {
    for (let round = 0; round < 10; round++) {
      const race = use();
      const digests = ["1", "2", "3", "4"].map(digest);
      const answers = await Promise.all(digests.map((d) => recordSignature(t.db, { ...race, digest: d })));
      assert.equal(new Set(answers).size, 1, `round ${round}: ${answers}`);
      assert.ok(digests.includes(answers[0]!));
      assert.equal((await rowsOf(t, race.signature))[0]?.bound_digest, answers[0]);
    }
  });

  it("records many uses in one statement, answering each in order with its signature's first digest", async () => {
    const seen = use();
    await recordSignature(t.db, seen);
    const fresh = [use({ digest: digest("1") }), use({ digest: digest("2") })];
    const twice = use({ digest: digest("3") });
    const counter = new QueryCounter();
    const answers = await recordSignatures(t.db.withPlugin(counter), [
      fresh[0]!,
      { ...seen, digest: digest("9") }, // recorded before, with another digest
      twice,
      fresh[1]!,
      { ...twice, digest: digest("4") }, // the same signature again in the same list: the earlier use is the first
    ]);
    assert.deepEqual(answers, [digest("1"), seen.digest, digest("3"), digest("2"), digest("3")]);
    assert.equal(counter.take().queries, 2, "one insert, and one look-up for the signature recorded before");
    for (const u of [...fresh, twice]) assert.equal((await rowsOf(t, u.signature))[0]?.bound_digest, u.digest);

    const firstUses = Array.from({ length: 20 }, () => use());
    assert.deepEqual(
      await recordSignatures(t.db.withPlugin(counter), firstUses),
      firstUses.map((u) => u.digest),
    );
    assert.equal(counter.take().queries, 1, "first uses only: the insert alone");
  });
});
