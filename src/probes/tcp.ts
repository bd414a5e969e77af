/** `tcp`: can a connection be opened? Provides [CONNECTED] [RESPONSE_TIME]. */
import net from "node:net";
import type { z } from "zod";
import { classifyNetworkError, type Probe } from "./probe.ts";
import type { schema } from "./tcp.schema.ts";

type TcpConfig = z.output<typeof schema>;

export const tcpProbe: Probe<TcpConfig> = {
  type: "tcp",
  defaultExpect: ["[CONNECTED] == true"],
  provides: ["CONNECTED", "RESPONSE_TIME"],
  run(cfg, ctx) {
    const started = performance.now();
    return new Promise((resolve) => {
      const socket = net.connect({ host: cfg.host, port: cfg.port });
      const done = (error?: unknown) => {
        socket.destroy();
        ctx.signal.removeEventListener("abort", onAbort);
        const RESPONSE_TIME = Math.round(performance.now() - started);
        if (error === undefined) resolve({ values: { CONNECTED: true, RESPONSE_TIME } });
        else
          resolve({
            values: { CONNECTED: false, RESPONSE_TIME },
            error: classifyNetworkError(error, ctx.signal),
          });
      };
      const onAbort = () => done(ctx.signal.reason ?? new Error("aborted"));
      if (ctx.signal.aborted) return onAbort();
      ctx.signal.addEventListener("abort", onAbort, { once: true });
      socket.once("connect", () => done());
      socket.once("error", done);
    });
  },
};
