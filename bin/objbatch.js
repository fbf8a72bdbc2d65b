#!/usr/bin/env node
// The objbatch command: the built JavaScript in dist/ (made by `npm run build`, and by `npm ci` through
// the prepare script).
await import("../dist/cli/main.js");
