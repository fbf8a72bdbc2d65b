/**
 * Real faults of a job store, for the tests of the store's edge (test/store) and of the engine's part in
 * surviving an outage (test/engine): a small tmpfs of the test's own that fills up under a SQLite store (the
 * tests run as root), and a TCP proxy in front of PostgreSQL that stops passing bytes, the way a hung server or
 * a stalled network behaves, or goes away.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Text that needs new pages of a SQLite file, whatever the WAL still has room for: its write fails on a full disk. */
export const PAGES_OF_TEXT = "x".repeat(300_000);

export interface SmallDisk {
  /** The mount point: put the SQLite file here. */
  readonly dir: string;
  /** Takes every byte the tmpfs has left (the filler's own write fails with ENOSPC). */
  fill(): Promise<void>;
  /** Gives the filler's bytes back. */
  free(): Promise<void>;
  /** Unmounts and removes the mount point (close what is open on it first). */
  dispose(): Promise<void>;
}

/** Mounts a tmpfs of `size` (mount's syntax: "2m") on a fresh temporary directory. */
export async function mountSmallDisk(size = "2m"): Promise<SmallDisk> {
  const dir = await mkdtemp(join(tmpdir(), "objbatch-store-tmpfs-"));
  await run("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir]);
  const filler = join(dir, "filler");
  return {
    dir,
    async fill() {
      const full = await writeFile(filler, Buffer.alloc(64 * 1024 * 1024)).then(
        () => false,
        (e: NodeJS.ErrnoException) => e.code === "ENOSPC",
      );
      if (!full) throw new Error(`the tmpfs on ${dir} did not fill up`);
    },
    async free() {
      await rm(filler, { force: true });
    },
    async dispose() {
      await run("umount", [dir]).catch(() => run("umount", ["-l", dir]));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface FreezableProxy {
  /** Starts listening on `port` of 127.0.0.1 (default: a free one); resolves to the port. */
  listen(port?: number): Promise<number>;
  /** Holds every byte from now on, in both directions, until thaw(). */
  freeze(): void;
  /** Passes the held bytes on, and everything after them. */
  thaw(): void;
  /** Cuts every connection and stops listening: nothing answers on the port any more. */
  close(): Promise<void>;
}

/** A TCP proxy to `target` (a PostgreSQL URL) that can stop passing bytes, holding them until it thaws. */
export function freezableProxy(target: URL): FreezableProxy {
  const sockets = new Set<Socket>();
  const held: (() => void)[] = [];
  let frozen = false;
  const forward = (from: Socket, to: Socket) =>
    from.on("data", (d) => {
      if (frozen) held.push(() => to.write(d));
      else to.write(d);
    });
  const server: Server = createServer((client) => {
    const upstream = new Socket();
    upstream.connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("error", () => undefined);
      s.on("close", () => sockets.delete(s));
    }
    forward(client, upstream);
    forward(upstream, client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  return {
    listen: (port = 0) =>
      new Promise<number>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", () => resolve((server.address() as { port: number }).port));
      }),
    freeze: () => {
      frozen = true;
    },
    thaw: () => {
      frozen = false;
      for (const write of held.splice(0)) write();
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** `url` with its host and port replaced by 127.0.0.1:`port` (a proxy's). */
export function throughPort(url: string, port: number): string {
  const through = new URL(url);
  through.host = `127.0.0.1:${port}`;
  return through.toString();
}
