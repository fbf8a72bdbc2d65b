#!/usr/bin/env -S node --max-semi-space-size=2
// The objbatch command: the built JavaScript in dist/ (made by `npm run build`, and by `npm ci` through
// the prepare script). A young generation of 2 MiB semi-spaces instead of V8's 16: objbatch's garbage is
// short-lived request and task state, scavenged as cheaply in less, and a 100,000-task job peaks about 30 MB
// lower (bench/memory-tasks.ts). `npm start` passes the same flag (package.json).
await import("../dist/cli/main.js");
