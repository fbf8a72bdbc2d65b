/**
 * An HTTP server of a test or bench on 127.0.0.1 at a free port, whose close() also ends the connections still
 * open: a keep-alive client (the AWS SDK, a proxy's agent) would otherwise hold server.close() open.
 */
import type { Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface LoopbackServer {
  readonly port: number;
  /** http://127.0.0.1:port */
  readonly url: string;
  close(): Promise<void>;
}

export async function listenOnLoopback(server: Server): Promise<LoopbackServer> {
  const sockets = new Set<Socket>();
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
