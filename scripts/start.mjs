/**
 * `npm start`: `objbatch serve` from the built JavaScript, building dist/ first only when the sources changed
 * since the last build (build-dist.mjs). objbatch runs in this very process, so the signals `npm start`
 * forwards (SIGTERM, SIGINT) reach it and stop it gracefully. Arguments after `npm start --` go to serve.
 */
import { buildDist, distIsCurrent } from "./build-dist.mjs";

if (!distIsCurrent()) {
  process.stderr.write("objbatch: building dist/ (the sources changed since the last build)\n");
  const status = buildDist();
  if (status !== 0) process.exit(status);
}
process.argv.splice(2, 0, "serve");
await import("../dist/cli/main.js");
