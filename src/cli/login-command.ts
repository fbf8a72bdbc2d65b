/**
 * `objbatch login`: saves an endpoint and key pair as a named profile (profiles.ts) that every other command
 * then uses. It takes them from its flags, or asks on a terminal for those not given (the secret without
 * echo), and checks them against the server (a signed GET /api/v1/jobs?limit=1) before saving anything, so a
 * mistyped key or endpoint is refused with the same message a command would give, and the file is never
 * written with credentials that do not work.
 *
 * With --print-access-token it saves nothing: it issues a bearer access token for the Google batch operations
 * dialect with the key pair the other commands use (flags, environment, profile) and prints the token alone
 * (tokens-command.ts, D44).
 */
import type { Command } from "commander";
import { ApiClient, DEFAULT_ENDPOINT, normalEndpoint } from "./connection.js";
import { CliError, EXIT } from "./exit-codes.js";
import { DEFAULT_PROFILE, profilesFile, readProfiles, saveProfile } from "./profiles.js";
import { ask, canAsk } from "./prompt.js";
import { expiresInSeconds, printAccessToken } from "./tokens-command.js";

interface LoginOptions {
  readonly endpoint?: string;
  readonly accessKey?: string;
  readonly secretKey?: string;
  readonly profile?: string;
  readonly printAccessToken?: boolean;
  readonly expiresIn?: number;
  readonly name?: string;
}

export function addLoginCommand(program: Command): Command {
  return program
    .command("login")
    .description("save an endpoint and key pair as a profile, after checking them against the server")
    .option("--endpoint <url>", `the objbatch server (asked, default ${DEFAULT_ENDPOINT})`)
    .option("--access-key <id>", "access key id (asked when not given)")
    .option("--secret-key <secret>", "secret access key (asked without echo when not given)")
    .option("--profile <name>", `the profile to save (default "${DEFAULT_PROFILE}")`)
    .option(
      "--print-access-token",
      "save nothing: issue a bearer access token for the Google batch operations API with the key pair the other " +
        "commands use (flags, environment or profile) and print only the token",
    )
    .option(
      "--expires-in <duration>",
      "with --print-access-token: how long it lives (90s, 30m, 1h, 7d; default 1h)",
      expiresInSeconds,
    )
    .option("--name <name>", "with --print-access-token: a name to tell the token by in objbatch tokens list")
    .addHelpText(
      "after",
      `
The profile is kept in $XDG_CONFIG_HOME/objbatch/profiles.json (default ~/.config/objbatch/profiles.json),
readable by you only (mode 0600). Commands use the profile "${DEFAULT_PROFILE}" unless given --profile or
OBJBATCH_PROFILE; flags and OBJBATCH_ENDPOINT, OBJBATCH_ACCESS_KEY, OBJBATCH_SECRET_KEY override it.

Examples:
  objbatch login
  objbatch login --profile staging --endpoint https://objbatch.staging.example.com
  objbatch login --endpoint http://localhost:8080 --access-key AKID... --secret-key ...
  objbatch login --print-access-token --expires-in 8h > token.txt   (for gcloud --access-token-file token.txt)
`,
    )
    .action(async (options: LoginOptions) => {
      if (options.printAccessToken) {
        await printAccessToken(options);
        return;
      }
      if (options.expiresIn !== undefined || options.name !== undefined) {
        throw new CliError("--expires-in and --name go with --print-access-token", EXIT.usage);
      }
      const name = options.profile ?? DEFAULT_PROFILE;
      const file = profilesFile();
      const earlier = (await readProfiles(file))[name];
      const interactive = canAsk();
      const need = (flag: string) =>
        new CliError(`objbatch login needs ${flag} when there is no terminal to ask on`, EXIT.usage);
      let endpoint = options.endpoint;
      if (endpoint === undefined) {
        endpoint = interactive
          ? await ask("Endpoint", { fallback: earlier?.endpoint ?? DEFAULT_ENDPOINT })
          : (earlier?.endpoint ?? DEFAULT_ENDPOINT);
      }
      endpoint = normalEndpoint(endpoint, options.endpoint === undefined ? "what you typed" : "--endpoint");
      let accessKey = options.accessKey;
      if (accessKey === undefined) {
        if (!interactive) throw need("--access-key");
        accessKey = await ask("Access key", { fallback: earlier?.accessKey });
      }
      let secretKey = options.secretKey;
      if (secretKey === undefined) {
        if (!interactive) throw need("--secret-key");
        secretKey = await ask("Secret key", { secret: true });
      }
      if (accessKey === "" || secretKey === "") throw new CliError("an access key and a secret key are needed");

      const source = options.accessKey === undefined ? "what you typed" : "--access-key";
      const api = new ApiClient({
        endpoint,
        accessKey,
        secretKey,
        from: {
          endpoint: options.endpoint === undefined ? "what you typed" : "--endpoint",
          accessKey: source,
          secretKey: source,
        },
      });
      await api.call({ method: "GET", path: "/jobs", query: { limit: "1" } });
      await saveProfile(file, name, { endpoint, accessKey, secretKey });
      process.stdout.write(
        `Saved profile "${name}" (${endpoint}, access key ${accessKey}) in ${file}.\n` +
          (name === DEFAULT_PROFILE ? "" : `Use it with --profile ${name} or OBJBATCH_PROFILE=${name}.\n`),
      );
    });
}
