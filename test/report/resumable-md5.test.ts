/**
 * report/resumable-md5.ts: an MD5 carried across parts (and processes) as saved state gives the digest of the
 * whole file, whatever calls for other files come in between.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { emptyMd5State, md5Hex, md5StateAfter, md5StateAfterTexts } from "../../src/report/resumable-md5.js";

const md5 = (text: string) => createHash("md5").update(text).digest("hex");

describe("resumable MD5", () => {
  it("is the MD5 of nothing before any bytes", async () => {
    assert.equal(await md5Hex(await emptyMd5State()), md5(""));
  });

  it("gives the MD5 of all parts in order, the states saved as text in between", async () => {
    const parts = ["Bucket,Key\n", "b,k1,,succeeded,200,,Successful\n", "b,k2 ✓,,failed,404,NoSuchKey,gone\n"];
    let state = await emptyMd5State();
    for (const part of parts) {
      state = await md5StateAfter(state, Buffer.from(part));
      assert.equal(typeof state, "string");
    }
    assert.equal(await md5Hex(state), md5(parts.join("")));
  });

  it("keeps files apart when their parts interleave", async () => {
    let a = await emptyMd5State();
    let b = await emptyMd5State();
    a = await md5StateAfter(a, Buffer.from("a1"));
    b = await md5StateAfter(b, Buffer.from("b1"));
    const [a2, b2] = await Promise.all([md5StateAfter(a, Buffer.from("a2")), md5StateAfter(b, Buffer.from("b2"))]);
    assert.deepEqual([await md5Hex(a2), await md5Hex(b2)], [md5("a1a2"), md5("b1b2")]);
    assert.equal(await md5Hex(a), md5("a1"), "a saved state stays as it was");
  });

  it("hashes a part larger than a slice while other files' parts are hashed meanwhile", async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 7);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
    const small = Buffer.from("b,k,,succeeded,200,,Successful\n");
    // The big part yields to the event loop between slices; the small ones use the shared hasher meanwhile.
    const [bigState, ...smallStates] = await Promise.all([
      emptyMd5State().then((s) => md5StateAfter(s, big)),
      ...Array.from({ length: 5 }, () => emptyMd5State().then((s) => md5StateAfter(s, small))),
    ]);
    assert.equal(await md5Hex(bigState as string), createHash("md5").update(big).digest("hex"));
    for (const s of smallStates) assert.equal(await md5Hex(s), createHash("md5").update(small).digest("hex"));
  });

  it("carries the state over rows read as text, counting their UTF-8 bytes", async () => {
    // Encoded one at a time into one buffer: a short row after a long one hashes only its own bytes.
    const rows = [
      "b,k1,,succeeded,200,,Successful\n",
      "b,k2 ✓,,failed,404,NoSuchKey,gone\n",
      "x".repeat(600 * 1024),
      "b,k3 \uD800,,succeeded,200,,Successful\n",
    ];
    async function* read() {
      yield* rows;
    }
    const first = await md5StateAfter(await emptyMd5State(), Buffer.from("Bucket,Key\n"));
    const { state, bytes } = await md5StateAfterTexts(first, read());
    assert.equal(bytes, Buffer.byteLength(rows.join("")));
    assert.equal(await md5Hex(state), md5(`Bucket,Key\n${rows.join("")}`));
  });
});
