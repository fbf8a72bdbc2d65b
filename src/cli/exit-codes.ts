/**
 * The objbatch command's exit codes and the one error type its commands throw (CliError): a message that says
 * what went wrong and what to do, and the code the process exits with. main.ts prints the message, never a
 * stack trace, and exits with the code; `objbatch --help` and the README list the codes (EXIT_CODES_HELP).
 */

export const EXIT = {
  ok: 0,
  /** A bad option or argument, a local problem (an unreadable file, no terminal to ask on), anything unexpected. */
  usage: 1,
  /** The server refused the request (unknown job, a change the job cannot make now, an invalid job). */
  refused: 2,
  /** The server could not be reached. */
  unreachable: 3,
  /** The server refused the access key or the signature (401). */
  credentials: 4,
  /** The server failed (5xx) or answered something that is not objbatch's API. */
  serverError: 5,
  /** jobs watch (and create, rerun, clone, which watch): the job completed, and some of its tasks failed. */
  completedWithFailures: 10,
  /** jobs watch: the job failed (its failure threshold, an unreadable manifest, ...). */
  jobFailed: 11,
  /** jobs watch: the job was cancelled. */
  jobCancelled: 12,
  /** jobs watch: Ctrl-C detached from the job, which keeps running (128 + SIGINT, as shells report it). */
  detached: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `Exit codes:
  0  success
  1  usage error or local problem (bad option, unreadable file, no terminal to ask on)
  2  the server refused the request (unknown job, a change the job cannot make now, an invalid job);
     for serve and worker: the configuration is not valid
  3  the server could not be reached
  4  the server refused the access key or secret key
  5  the server failed, or answered something that is not objbatch's API
  jobs watch, and create, rerun and clone while they watch (0: the job completed with no failed task):
  10  the job completed, and some of its tasks failed (objbatch jobs rerun ID runs them again)
  11  the job failed
  12  the job was cancelled
  130 Ctrl-C detached from the job, which keeps running (objbatch jobs watch ID reattaches)`;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.usage,
    /** The server's problem+json body, when the server refused: printed on stdout under --json. */
    readonly problemJson?: string,
  ) {
    super(message);
  }
}
