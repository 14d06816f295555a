/** Failures of real requests (fetch over local sockets) told apart: refused, DNS, TLS, timeout. */
import { createServer as createHttpServer } from "node:http";
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { describeFailure, httpFailure, networkFailure } from "../../src/platforms/failure.js";

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

async function fetchError(url: string, init?: RequestInit): Promise<unknown> {
  return fetch(url, init).then(
    () => {
      throw new Error(`${url} answered`);
    },
    (error: unknown) => error,
  );
}

describe("networkFailure", () => {
  test("a closed port is network:ECONNREFUSED, and the line names the cause fetch hides", async () => {
    const server = createServer();
    const port = await listen(server);
    await new Promise((resolve) => server.close(resolve));
    const error = await fetchError(`http://127.0.0.1:${port}/`);
    expect(networkFailure(error)).toBe("network:ECONNREFUSED");
    expect(describeFailure(error)).toBe(`fetch failed (ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:${port})`);
  });

  test("an unknown host is dns", async () => {
    const error = await fetchError("http://eventlet-review.invalid/");
    expect(networkFailure(error)).toBe("dns");
    expect(describeFailure(error)).toMatch(/^fetch failed \((ENOTFOUND|EAI_AGAIN): getaddrinfo \w+ eventlet-review\.invalid\)$/);
  });

  test("TLS spoken to a plain HTTP server is tls", async () => {
    const server = createHttpServer((_req, res) => res.end("plain"));
    const port = await listen(server);
    try {
      const error = await fetchError(`https://127.0.0.1:${port}/`);
      expect(networkFailure(error)).toBe("tls");
      expect(describeFailure(error)).toMatch(/^fetch failed \(ERR_SSL_/);
    } finally {
      server.close();
    }
  });

  test("a server that accepts and never answers is a timeout", async () => {
    const sockets: Socket[] = [];
    const server = createServer((socket) => void sockets.push(socket));
    const port = await listen(server);
    try {
      const error = await fetchError(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(100) });
      expect(networkFailure(error)).toBe("timeout");
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });

  test("an error without a code is network; an answer is http:<status>", () => {
    expect(networkFailure(new Error("socket hang up"))).toBe("network");
    expect(httpFailure(403)).toBe("http:403");
    expect(describeFailure(new Error("plain"))).toBe("plain");
  });
});
