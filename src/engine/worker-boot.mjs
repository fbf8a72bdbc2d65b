// Loads a TypeScript worker entry through tsx: worker threads do not inherit the parent's module hooks
// on Node 20, so each worker registers tsx itself before importing its entry.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData.entry);
