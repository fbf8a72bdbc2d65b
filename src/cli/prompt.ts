/**
 * Asking the user on a terminal (node:readline): a line of text, a secret that is not echoed, a yes or no.
 * Questions go to stderr, so stdout holds only what a command prints. Ctrl-C while asked ends the command
 * (exit 130) having changed nothing.
 */
import { createInterface } from "node:readline/promises";
import { Writable } from "node:stream";

/** Whether there is someone to ask: stdin and stderr are terminals. */
export function canAsk(): boolean {
  return process.stdin.isTTY === true && process.stderr.isTTY === true;
}

/** One line from the user; `fallback` when the answer is empty; with `secret`, typed without echo. */
export async function ask(question: string, options: { fallback?: string; secret?: boolean } = {}): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  rl.on("SIGINT", () => {
    rl.close();
    process.stderr.write("\n");
    process.exit(130);
  });
  try {
    const shown = options.fallback !== undefined && !options.secret ? ` [${options.fallback}]` : "";
    const answer = rl.question(`${question}${shown}: `);
    muted = options.secret === true;
    const text = (await answer).trim();
    if (muted) process.stderr.write("\n");
    return text === "" ? (options.fallback ?? "") : text;
  } finally {
    rl.close();
  }
}

/** Yes only for y or yes. */
export async function confirm(question: string): Promise<boolean> {
  return /^y(es)?$/i.test(await ask(`${question} [y/N]`));
}
