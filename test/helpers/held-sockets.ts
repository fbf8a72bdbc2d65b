/**
 * Raw TCP connections a test holds open to a server, as an idle or slow client would (never sending a byte, a
 * request cut short), and one-off HTTP requests on connections of their own: what the connection-limit tests
 * use to fill a server with sockets and check that it still answers.
 */
import { request } from "node:http";
import { connect, type Socket } from "node:net";

export interface HeldSocket {
  readonly socket: Socket;
  /** Resolves when the server (or an error) closed the connection. */
  readonly closed: Promise<void>;
  isClosed(): boolean;
  /** What the server sent. */
  received(): string;
}

/** Connects and keeps reading, so a close by the server is seen; resolves once connected (or already closed). */
export function holdSocket(port: number, host = "127.0.0.1"): Promise<HeldSocket> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    let text = "";
    let isClosed = false;
    socket.setEncoding("utf8");
    socket.on("data", (d) => {
      text += d;
    });
    socket.on("error", () => {});
    const closed = new Promise<void>((done) =>
      socket.once("close", () => {
        isClosed = true;
        done();
      }),
    );
    const held: HeldSocket = { socket, closed, isClosed: () => isClosed, received: () => text };
    socket.once("connect", () => resolve(held));
    void closed.then(() => resolve(held));
  });
}

/** One GET on a connection of its own (no keep-alive pool): the status, or the error's code. */
export function getOnNewConnection(url: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, headers: { connection: "close" } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    req.end();
  });
}

/** Waits until `condition` holds, checking every few milliseconds; fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
