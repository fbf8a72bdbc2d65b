/**
 * The objbatch command: wires the commands to commander and turns every error into a message and an exit code
 * (exit-codes.ts), never a stack trace.
 *   objbatch serve | worker     run objbatch (serve-commands.ts)
 *   objbatch login              save a profile (login-command.ts), or print an access token (tokens-command.ts)
 *   objbatch tokens ...         the account's bearer access tokens for the Google dialect (tokens-command.ts)
 *   objbatch jobs ...           the account's jobs on a server, through /api/v1 (jobs-command.ts)
 *   objbatch copy|delete|...    a job that reads like the task, on a server (shortcut-commands.ts)
 *   objbatch run copy|...       the same job in this process, without a server (run-command.ts)
 */
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { CliError, EXIT, EXIT_CODES_HELP } from "./exit-codes.js";
import { addJobsCommand } from "./jobs-command.js";
import { addLoginCommand } from "./login-command.js";
import { addRunCommand } from "./run-command.js";
import { addServeCommands } from "./serve-commands.js";
import { addShortcutCommands, serverHost } from "./shortcut-commands.js";
import { addTokensCommand } from "./tokens-command.js";

/** package.json's version: two levels up from src/cli/main.ts and from dist/cli/main.js alike. */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string })
    .version;
}

const program = new Command();
program
  .name("objbatch")
  .description("Batch operations for object storage, speaking the COS, OSS and S3 Control job APIs")
  .version(packageVersion(), "-V, --version", "print objbatch's version")
  .showHelpAfterError("(add --help for usage)");

addServeCommands(program);
addLoginCommand(program);
const jobs = addJobsCommand(program);
const shortcuts = addShortcutCommands(program, serverHost);
addRunCommand(program);
addTokensCommand(program);

program.addHelpText("after", () => {
  const lines = jobs.commands.map(
    (c) =>
      `  objbatch jobs ${c.name()} ${c.usage().replace("[options] ", "").replace("[options]", "")}`.trimEnd() +
      `\n      ${c.description()}`,
  );
  const shortcutLines = shortcuts.map((c) => `  objbatch ${c.name().padEnd(9)} ${c.description()}`);
  return (
    `\nShortcuts: a job that reads like the task, previewed, created and watched (objbatch <shortcut> --help;\n` +
    `objbatch run <shortcut> runs it in this process, without a server):\n` +
    shortcutLines.join("\n") +
    `\n\nJob commands (objbatch jobs <command> --help for each):\n` +
    lines.join("\n") +
    `\n\nExamples:\n` +
    `  objbatch serve                                   run a server on ./data\n` +
    `  objbatch login                                   save its endpoint and key pair\n` +
    `  objbatch copy --manifest s3://photos/manifest.csv --to s3://backup/copies/ --report s3://backup/reports\n` +
    `                                                   preview a copy, create it when you say so, watch it\n` +
    `  objbatch run delete --source s3://logs/2023/ --yes   the same without a server, on ./data\n` +
    `  objbatch jobs create --file job.yaml --dry-run   preview a job\n` +
    `  objbatch jobs create --file job.yaml             preview it, then create it when you say so\n` +
    `  objbatch jobs list --status Active               the jobs running now\n` +
    `  objbatch jobs show ID                            a job's progress and failures by cause\n` +
    `  objbatch jobs watch ID                           a live progress bar until it ends\n` +
    `  objbatch jobs rerun ID                           run its failed tasks again, and watch them\n` +
    `  objbatch jobs report ID --download ./report      its results files\n` +
    `  objbatch login --print-access-token > token.txt  a bearer token for the Google batch operations API\n` +
    `\nConnection: --endpoint, --access-key, --secret-key, else OBJBATCH_ENDPOINT, OBJBATCH_ACCESS_KEY,\n` +
    `OBJBATCH_SECRET_KEY, else the profile objbatch login saved (--profile or OBJBATCH_PROFILE, default "default").\n` +
    `\n${EXIT_CODES_HELP}\n`
  );
});

// A reader that stops early (`objbatch jobs list | head -1`) closes the pipe: the output is simply done.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(EXIT.ok);
});

program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof CliError) {
    const [first, ...rest] = e.message.split("\n");
    process.stderr.write(`objbatch: ${first}\n${rest.map((l) => `${l}\n`).join("")}`);
    process.exit(e.exitCode);
  }
  if (e instanceof CommanderError) {
    // Commander reports its own parse errors and exits; one that gets here came from an action's argument check.
    process.stderr.write(`objbatch: ${e.message.replace(/^error: /, "")}\n`);
    process.exit(EXIT.usage);
  }
  process.stderr.write(`objbatch: unexpected error: ${(e as Error).message ?? e}\n`);
  if (process.env.OBJBATCH_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(EXIT.usage);
});
