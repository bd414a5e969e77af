/** The tcp probe against a real listening socket and a closed port on 127.0.0.1. */
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../test/helpers/net.ts";
import { runProbe as run } from "../../test/helpers/probe.ts";

let server: net.Server;
let port: number;

beforeAll(async () => {
  server = net.createServer((s) => s.end());
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as net.AddressInfo).port;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

describe("tcp", () => {
  it("connects to a listening port and is refused by a closed one", async () => {
    const open = await run("tcp", { port });
    expect(open.outcome.values).toMatchObject({ CONNECTED: true, IP: "127.0.0.1" });
    const { outcome } = await run("tcp", { port: await freePort() });
    expect(outcome.values.CONNECTED).toBe(false);
    expect(outcome.error?.class).toBe("connection_refused");
  });
});
