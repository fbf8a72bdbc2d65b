/**
 * Runs s3rver in a child process for test/helpers/s3rver.ts. Started with `--openssl-legacy-provider`, which
 * s3rver needs for its DES continuation tokens, so the test process itself needs no special flags.
 * argv: <directory>. Prints {"port": N} once listening; exits when its stdin closes (the parent went away).
 */
const S3rver = require("s3rver");

const directory = process.argv[2];
const server = new S3rver({ address: "127.0.0.1", port: 0, directory, silent: true, allowMismatchedSignatures: false });
server.run().then(
  ({ port }) => process.stdout.write(`${JSON.stringify({ port })}\n`),
  (e) => {
    process.stderr.write(`s3rver failed to start: ${e.stack ?? e}\n`);
    process.exit(1);
  },
);
process.stdin.resume();
process.stdin.on("end", () => server.close().finally(() => process.exit(0)));
process.on("SIGTERM", () => server.close().finally(() => process.exit(0)));
