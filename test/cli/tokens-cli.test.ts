/**
 * Access tokens from the built objbatch command line (D44), piped, against a real objbatch: `login
 * --print-access-token` prints exactly one line, the token, which the server's verifier accepts for the signing
 * account, and saves no profile; --expires-in and --name reach the token; `tokens list` shows it (table and
 * --json, never a secret) and `tokens revoke` ends it at once; an unknown token id is refused with the server's
 * exit code; a malformed duration is a usage error.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { buildDist, distIsCurrent } from "../../scripts/build-dist.mjs";
import { EXIT } from "../../src/cli/exit-codes.js";
import { ROOT, startTestApp, type TestApp } from "../helpers/app.js";
import { assertPlain, runCli, serverEnv } from "../helpers/cli.js";
import { DocumentChecker, type Json } from "../helpers/json-api.js";

describe("access tokens from the objbatch command line", () => {
  let app: TestApp;
  let work: string;
  let env: Record<string, string>;
  let checker: DocumentChecker;

  before(async () => {
    if (!distIsCurrent()) assert.equal(buildDist(), 0, "npm run build");
    app = await startTestApp({ runEngine: false });
    checker = await DocumentChecker.load(app.url);
    work = await mkdtemp(join(tmpdir(), "objbatch-tokens-cli-"));
    env = serverEnv(app.url, work);
  });
  after(async () => {
    await app?.dispose();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const cli = async (args: readonly string[]) => {
    const run = await runCli(args, { env });
    assertPlain(run, `objbatch ${args.join(" ")}`);
    return run;
  };
  const checkedJson = (stdout: string, method: string, path: string, status = 200): Json => {
    const json = JSON.parse(stdout);
    const type = status < 300 ? "application/json" : "application/problem+json";
    checker.check(method, path, { status, headers: { "content-type": type }, text: stdout, json });
    return json;
  };

  it("login --print-access-token prints exactly one line, the token, which verifies for the account", async () => {
    const run = await cli(["login", "--print-access-token"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^obt_[A-Za-z0-9_-]{43}\n$/, "one line: the token and nothing else");
    const token = run.stdout.trim();
    const verdict = await app.accessTokens.verify(token, new Date());
    assert.equal(verdict.ok, true);
    assert.equal(verdict.ok && verdict.accountId, ROOT.accountId);
    assert.match(run.stderr, /access token tok_\S+ .*expires/, "what it issued, on stderr");
    assert.equal(existsSync(join(work, "config", "objbatch", "profiles.json")), false, "no profile was saved");
  });

  it("gives the token the lifetime and name asked for; tokens list shows it, tokens revoke ends it", async () => {
    const issued = await cli(["login", "--print-access-token", "--expires-in", "2h", "--name", "gcloud-ci"]);
    assert.equal(issued.code, 0, issued.stderr);
    const token = issued.stdout.trim();
    const verdict = await app.accessTokens.verify(token, new Date());
    assert.ok(verdict.ok);

    const listed = await cli(["tokens", "list", "--json"]);
    assert.equal(listed.code, 0, listed.stderr);
    const page = checkedJson(listed.stdout, "GET", "/api/v1/tokens");
    const mine = page.tokens.find((t: Json) => t.tokenId === verdict.tokenId);
    assert.equal(mine.name, "gcloud-ci");
    assert.equal(mine.status, "active");
    assert.equal(Date.parse(mine.expiresAt) - Date.parse(mine.createdAt), 2 * 3600_000);
    assert.ok(!listed.stdout.includes(token.slice(4)), "no secret listed");

    const table = await cli(["tokens", "list"]);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trimEnd().split("\n");
    assert.match(lines[0] ?? "", /^ID\s+STATUS\s+EXPIRES\s+LAST USED\s+CREATED\s+NAME$/);
    const row = lines.find((l) => l.startsWith(verdict.tokenId));
    assert.match(row ?? "", /\bactive\b.*\bgcloud-ci$/);

    const revoked = await cli(["tokens", "revoke", verdict.tokenId]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal(revoked.stdout, `Revoked ${verdict.tokenId}.\n`);
    assert.deepEqual(await app.accessTokens.verify(token, new Date()), { ok: false, reason: "revoked" });
    const after = await cli(["tokens", "list"]);
    assert.match(after.stdout.split("\n").find((l) => l.startsWith(verdict.tokenId)) ?? "", /\brevoked\b/);
  });

  it("refuses an unknown token id with the server's answer, and a duration it cannot read as a usage error", async () => {
    const unknown = await cli(["tokens", "revoke", "tok_nosuchtoken000000", "--json"]);
    assert.equal(unknown.code, EXIT.refused, unknown.stderr);
    assert.equal(
      checkedJson(unknown.stdout, "DELETE", "/api/v1/tokens/tok_nosuchtoken000000", 404).type,
      "urn:objbatch:problem:no-such-token",
    );
    const badDuration = await cli(["login", "--print-access-token", "--expires-in", "soon"]);
    assert.equal(badDuration.code, EXIT.usage);
    assert.match(badDuration.stderr, /--expires-in/);
    assert.equal(badDuration.stdout, "");
    const tooLong = await cli(["login", "--print-access-token", "--expires-in", "31d"]);
    assert.equal(tooLong.code, EXIT.refused, tooLong.stderr);
    assert.equal(tooLong.stdout, "", "nothing on stdout: a file it is redirected to gets no half-token");
    assert.match(tooLong.stderr, /expiresInSeconds/);
  });
});
