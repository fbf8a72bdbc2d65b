/**
 * Generated and inventory manifests have no byte ranges a runner could fetch later (a listing, a gzip stream),
 * so their tasks are kept inline in their chunk rows (manifest/inline-tasks.ts explains the choice:
 * shared-store safe, restart safe, bounded memory, ~1 GB of store per 10 million tasks, freed as chunks
 * finish). This writer cuts the tasks into chunks and records them a few MB at a time.
 */
import { InlineChunker, type InlineTask } from "../../manifest/inline-tasks.js";
import type { ChunkPlanRow } from "../../store/chunks/insert-chunks.js";
import { type PrepareRun, recordChunks } from "./run.js";

export class InlineChunkWriter {
  private readonly chunker: InlineChunker;

  constructor(private readonly run: PrepareRun) {
    this.chunker = new InlineChunker(run.deps.options.chunkSize);
  }

  get total() {
    return this.chunker.total;
  }

  get chunks() {
    return this.chunker.chunks;
  }

  /** Adds a task; awaits only when a batch of chunks is written. Throws ABANDONED once the claim is lost. */
  add(task: InlineTask): void | Promise<void> {
    this.chunker.add(task);
    if (this.chunker.shouldFlush) return this.flush();
  }

  /** Ends the tasks: the chunks not yet written, for the preparer to record as it finishes (prepare/run.ts). */
  end(): ChunkPlanRow[] {
    this.chunker.end();
    return this.take();
  }

  private flush(): Promise<void> {
    return recordChunks(this.run, this.take());
  }

  private take(): ChunkPlanRow[] {
    return this.chunker.take().map((p) => ({ ...p, startByte: 0, endByte: 0 }));
  }
}
