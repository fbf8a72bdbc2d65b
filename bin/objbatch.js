#!/usr/bin/env -S node --max-semi-space-size=2 --heap-growing-percent=20
// The objbatch command: the built JavaScript in dist/ (made by `npm run build`, and by `npm ci` through
// the prepare script). A young generation of 2 MiB semi-spaces instead of V8's 16: objbatch's garbage is
// short-lived request and task state, scavenged as cheaply in less, and a 100,000-task job peaks about 30 MB
// lower (bench/memory-tasks.ts). An old generation allowed to grow 20% past what survived the last full
// collection instead of V8's up to 4x, so a job's garbage is collected before it swells the process (a
// 300,000-task copy peaked 60 MB lower at the same CPU; docs/decisions.md D23). `npm start` passes the same
// flags (package.json).
await import("../dist/cli/main.js");
