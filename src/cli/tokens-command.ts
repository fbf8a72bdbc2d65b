/**
 * Bearer access tokens from the command line (D44), through /api/v1/tokens, signed with the account's key as every
 * other command is (connection.ts):
 *
 *   objbatch login --print-access-token [--expires-in 1h] [--name N]   issue one and print only its secret, so
 *       `objbatch login --print-access-token > token.txt` makes the file gcloud's --access-token-file reads
 *   objbatch tokens list [--all] [--json]                                the account's tokens (never a secret)
 *   objbatch tokens revoke <tokenId> [--json]                            revoke one, everywhere at once
 *
 * The token is for the Google batch operations dialect (/v1/projects/{project}/...); the CLI itself keeps signing
 * with the key pair.
 */
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import type { IssuedTokenJson, TokenJson } from "../api/json/schemas/tokens.js";
import { ApiClient, type ConnectionFlags, resolveConnection, withConnectionOptions } from "./connection.js";
import { CliError, EXIT } from "./exit-codes.js";
import { Output } from "./output.js";

const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `90`, `90s`, `30m`, `1h`, `7d` as seconds (commander's argument parser for --expires-in). */
export function expiresInSeconds(value: string): number {
  const m = /^(\d{1,9})([smhd]?)$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError("a duration is a whole number with s, m, h or d (90s, 30m, 1h, 7d).");
  return Number(m[1]) * (UNITS[m[2] || "s"] as number);
}

export interface PrintTokenOptions extends ConnectionFlags {
  readonly expiresIn?: number;
  readonly name?: string;
}

/** Issues a token for the signing account and prints its secret alone, one line, on stdout. */
export async function printAccessToken(options: PrintTokenOptions): Promise<void> {
  const api = new ApiClient(await resolveConnection(options));
  const body = {
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(options.expiresIn === undefined ? {} : { expiresInSeconds: options.expiresIn }),
  };
  const issued = (await api.call({ method: "POST", path: "/tokens", body })).json as IssuedTokenJson;
  process.stdout.write(`${issued.token}\n`);
  process.stderr.write(
    `objbatch: access token ${issued.tokenId} for the Google dialect, expires ${issued.expiresAt}\n`,
  );
}

interface TokensOptions extends ConnectionFlags {
  readonly json?: boolean;
  readonly all?: boolean;
}

function withJson(command: Command): Command {
  return withConnectionOptions(command).option("--json", "print the API's JSON answer as it came, for scripts");
}

/** Runs a subcommand; under --json a refusal's problem is printed too, as the jobs commands do. */
async function run(options: TokensOptions, body: (api: ApiClient, out: Output) => Promise<void>): Promise<void> {
  const out = new Output(process.stdout);
  try {
    await body(new ApiClient(await resolveConnection(options)), out);
  } catch (e) {
    if (e instanceof CliError && e.problemJson !== undefined && options.json) out.json(e.problemJson);
    throw e;
  }
}

export function addTokensCommand(program: Command): Command {
  const tokens = program
    .command("tokens")
    .description("list and revoke the account's bearer access tokens (for the Google batch operations API)");
  tokens.addHelpText(
    "after",
    `
Issue a token with objbatch login --print-access-token (it prints the token alone), e.g. for gcloud:
  objbatch login --print-access-token --expires-in 8h --name ci > token.txt
  gcloud storage batch-operations jobs list --access-token-file token.txt ...

Examples:
  objbatch tokens list
  objbatch tokens revoke tok_...
`,
  );

  withJson(tokens.command("list").description("the account's tokens, oldest first: status, expiry, last use"))
    .option("--all", "follow every page to the last")
    .action((options: TokensOptions) =>
      run(options, async (api, out) => {
        let answer = await api.call({ method: "GET", path: "/tokens" });
        let page = answer.json as { tokens: TokenJson[]; nextCursor: string | null };
        const all = [...page.tokens];
        while (options.all && page.nextCursor !== null) {
          answer = await api.call({ method: "GET", path: "/tokens", query: { cursor: page.nextCursor } });
          page = answer.json as { tokens: TokenJson[]; nextCursor: string | null };
          all.push(...page.tokens);
        }
        if (options.json) {
          out.json(options.all ? JSON.stringify({ tokens: all, nextCursor: null }) : answer.text);
          return;
        }
        showTokens(out, all);
        if (page.nextCursor !== null) process.stderr.write("More tokens: objbatch tokens list --all.\n");
      }),
    );

  withJson(
    tokens.command("revoke <tokenId>").description("revoke a token: every server refuses it from now on"),
  ).action((tokenId: string, options: TokensOptions) =>
    run(options, async (api, out) => {
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(tokenId)) {
        throw new CliError(`${JSON.stringify(tokenId)} is not a token id (tok_...)`, EXIT.usage);
      }
      await api.call({ method: "DELETE", path: `/tokens/${tokenId}` });
      if (options.json) out.json(JSON.stringify({ tokenId, revoked: true }));
      else out.line(`Revoked ${tokenId}.`);
    }),
  );
  return tokens;
}

function showTokens(out: Output, tokens: readonly TokenJson[]): void {
  if (tokens.length === 0) {
    out.line("No tokens.");
    return;
  }
  const when = (instant: string | null) => (instant === null ? "" : instant.replace("T", " ").replace(/\.\d+Z$/, "Z"));
  out.table(
    ["ID", "STATUS", "EXPIRES", "LAST USED", "CREATED", "NAME"],
    tokens.map((t) => [t.tokenId, t.status, when(t.expiresAt), when(t.lastUsedAt), when(t.createdAt), t.name ?? ""]),
    { shrink: [5], keep: [0] },
  );
}
