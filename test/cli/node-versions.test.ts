/**
 * The Node versions objbatch supports (package.json `engines`: the LTS lines 20 from 20.19, 22 from 22.13, and
 * 24, the floors set by Vite and Rolldown, which build the console; CI runs the suite on 20 and 24) are ones every
 * installed package supports too, so `npm ci` warns of no engine mismatch
 * (EBADENGINE). fastify's light-my-request is held to cookie 1.x (package.json `overrides`): cookie 2 wants
 * Node 22, and light-my-request only calls `stringifySetCookie`, which cookie 1.1 has; inject() with cookies,
 * the code that calls it, must keep working.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, it } from "node:test";
import Fastify from "fastify";
import semver from "semver";

const REPO = new URL("../../", import.meta.url);

describe("supported Node versions", () => {
  it("are supported by every package in the lockfile", async () => {
    const pkg = JSON.parse(await readFile(new URL("package.json", REPO), "utf8"));
    const lock = JSON.parse(await readFile(new URL("package-lock.json", REPO), "utf8"));
    const ours: string = pkg.engines.node;
    assert.ok(semver.satisfies(process.version, ours), `this Node (${process.version}) is one of ${ours}`);
    const narrower = Object.entries(lock.packages as Record<string, { version?: string; engines?: { node?: string } }>)
      .filter(([name, p]) => name !== "" && p.engines?.node && !semver.subset(ours, p.engines.node))
      .map(([name, p]) => `${name}@${p.version} wants node ${p.engines?.node}`);
    assert.deepEqual(narrower, [], `packages that do not support all of ${ours}`);
  });

  it("keep fastify's inject() working with cookies", async () => {
    const app = Fastify();
    app.get("/", async (request) => request.headers.cookie ?? "");
    const answer = await app.inject({ url: "/", cookies: { session: "a b", other: "1" } });
    assert.equal(answer.payload, "session=a%20b; other=1");
    await app.close();
  });
});
