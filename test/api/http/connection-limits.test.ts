/**
 * The HTTP server's timeouts and connection cap, set in the config file's `http` section, on a real objbatch
 * over real sockets: idle connections are closed (one that never sends a byte, one whose headers stop
 * coming, an idle keep-alive one), and at the cap a new connection closes the longest-idle one instead of
 * being turned away, while connections with a request in flight are never closed for it.
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { pino } from "pino";
import { startTestApp, type TestApp } from "../../helpers/app.js";
import { getOnNewConnection, type HeldSocket, holdSocket, waitFor } from "../../helpers/held-sockets.js";

const portOf = (app: TestApp) => Number(new URL(app.url).port);

describe("HTTP timeouts", () => {
  let app: TestApp;
  const held: HeldSocket[] = [];
  const hold = async () => {
    const h = await holdSocket(portOf(app));
    held.push(h);
    return h;
  };
  before(async () => {
    app = await startTestApp({
      runEngine: false,
      configFile: { http: { headersTimeoutMs: 200, requestTimeoutMs: 400, keepAliveTimeoutMs: 200 } },
    });
  });
  after(async () => {
    for (const h of held) h.socket.destroy();
    await app.dispose();
  });

  // Each waits for the server to close the socket; the test's timeout only bounds a failure.
  it("closes a connection that never sends a byte", { timeout: 20_000 }, async () => {
    const held = await hold();
    await held.closed;
    assert.match(held.received(), /^$|^HTTP\/1\.1 408 /, "closed, with a 408 at most");
  });

  it("closes a connection whose headers stop coming, with 408", { timeout: 20_000 }, async () => {
    const held = await hold();
    held.socket.write("GET /healthz HTTP/1.1\r\nHost: objbatch\r\n");
    await held.closed;
    assert.match(held.received(), /^HTTP\/1\.1 408 /);
  });

  it("closes an idle keep-alive connection after answering it", { timeout: 20_000 }, async () => {
    const held = await hold();
    held.socket.write("GET /healthz HTTP/1.1\r\nHost: objbatch\r\n\r\n");
    await held.closed;
    assert.match(held.received(), /^HTTP\/1\.1 200 /);
    assert.match(held.received(), /keep-alive/i, "the connection was kept alive, then closed");
  });

  it("keeps answering new connections", async () => {
    assert.equal(await getOnNewConnection(`${app.url}/healthz`), 200);
  });
});

describe("the connection cap", () => {
  let app: TestApp;
  const held: HeldSocket[] = [];
  before(async () => {
    app = await startTestApp({ runEngine: false, configFile: { http: { maxConnections: 4 } } });
  });
  after(async () => {
    for (const h of held) h.socket.destroy();
    await app.dispose();
  });

  const connections = () =>
    new Promise<number>((resolve, reject) => app.server.server.getConnections((e, n) => (e ? reject(e) : resolve(n))));

  /** Opens a connection and waits until the server has it, so the order of arrival is known. */
  async function open(): Promise<HeldSocket> {
    const before = await connections();
    const h = await holdSocket(portOf(app));
    held.push(h);
    await waitFor(async () => h.isClosed() || (await connections()) > before, "the server to accept a connection");
    return h;
  }

  it("closes the longest-idle connection for a new one, and serves the new one", { timeout: 30_000 }, async () => {
    const idle = [await open(), await open(), await open(), await open()];
    assert.equal(await getOnNewConnection(`${app.url}/healthz`), 200);
    await idle[0].closed;
    await waitFor(async () => (await connections()) === 3, "the answered connection to close");
    idle.push(await open());
    assert.equal(await getOnNewConnection(`${app.url}/healthz`), 200);
    await idle[1].closed;
    assert.deepEqual(
      idle.map((h) => h.isClosed()),
      [true, true, false, false, false],
      "the longest idle went first, the newest is kept",
    );
    for (const h of idle) h.socket.destroy();
    await waitFor(async () => (await connections()) === 0, "the connections to close");
  });

  it("closes idle connections when the server shuts down, not waiting for them", { timeout: 20_000 }, async () => {
    const silent = await open();
    const keptAlive = await open();
    keptAlive.socket.write("GET /healthz HTTP/1.1\r\nHost: objbatch\r\n\r\n");
    await waitFor(() => /^HTTP\/1\.1 200 /.test(keptAlive.received()), "the answer");
    await app.close();
    await Promise.all([silent.closed, keptAlive.closed]);
  });
});

describe("the connection cap with every connection busy", () => {
  // A plain HTTP server whose handler answers when the test says, so requests stay in flight for as long as the
  // test needs; the cap is the same capConnections objbatch's server uses.
  const release: Array<() => void> = [];
  let requests = 0;
  const server = createServer((_req, res) => {
    requests++;
    release.push(() => res.end("done"));
  });
  const held: HeldSocket[] = [];
  let port: number;
  before(async () => {
    const { capConnections } = await import("../../../src/api/http/connection-limits.js");
    capConnections(server, 4, pino({ level: "silent" }));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    for (const h of held) h.socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it("never closes a connection with a request in flight; refuses a new one instead", { timeout: 30_000 }, async () => {
    const busy: HeldSocket[] = [];
    for (let i = 0; i < 4; i++) {
      const h = await holdSocket(port);
      held.push(h);
      h.socket.write("GET / HTTP/1.1\r\nHost: test\r\n\r\n");
      busy.push(h);
      await waitFor(() => requests === i + 1, "the server to have the request");
    }
    const refused = await holdSocket(port);
    held.push(refused);
    await refused.closed;
    assert.equal(refused.received(), "", "refused without an answer");
    assert.deepEqual(
      busy.map((h) => h.isClosed()),
      [false, false, false, false],
    );
    for (const answer of release) answer();
    await waitFor(() => busy.every((h) => h.received().endsWith("done")), "the busy requests' answers");
    // Answered, they are idle keep-alive connections: the next new connection closes the first of them.
    const next = await holdSocket(port);
    held.push(next);
    await busy[0].closed;
    assert.equal(next.isClosed(), false);
  });
});
