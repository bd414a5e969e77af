/** `tcp`: can a connection be opened? Provides [CONNECTED] [RESPONSE_TIME] [IP]. */
import net from "node:net";
import { classifyNetworkError, defineProbe } from "./probe.ts";

export default defineProbe({
  type: "tcp",
  shared: "default",
  description: "Opens a TCP connection to a host and port.",
  schema: ({ z, duration, port }) =>
    z.strictObject({
      host: z.string().min(1).default("127.0.0.1"),
      port,
      timeout: duration.optional(),
    }),
  example: { host: "127.0.0.1", port: 5432 },
  defaultExpect: ["[CONNECTED] == true"],
  provides: ["CONNECTED", "RESPONSE_TIME", "IP"],
  doctor: (cfg) => ({ try: true, endpoint: { host: cfg.host, port: cfg.port, field: "tcp.port" } }),
  run(cfg, ctx) {
    const started = performance.now();
    return new Promise((resolve) => {
      const socket = net.connect({ host: cfg.host, port: cfg.port });
      const done = (error?: unknown) => {
        const IP = socket.remoteAddress ?? "";
        socket.destroy();
        ctx.signal.removeEventListener("abort", onAbort);
        const RESPONSE_TIME = Math.round(performance.now() - started);
        if (error === undefined) resolve({ values: { CONNECTED: true, RESPONSE_TIME, IP } });
        else
          resolve({
            values: { CONNECTED: false, RESPONSE_TIME, IP },
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
});
