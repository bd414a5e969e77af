/**
 * `http`: one request, keep-alive, manual redirects, TLS certificate expiry.
 * Provides [STATUS] [BODY] [HEADERS] [RESPONSE_TIME] [CERT_EXPIRES_IN] [CONNECTED] [IP].
 */
import https from "node:https";
import type { TLSSocket } from "node:tls";
import { http } from "../core/node-http.ts";
import { urlHost, urlPort } from "../core/url.ts";
import { classifyNetworkError, defineProbe, type ProbeOutcome } from "./probe.ts";

/** Bodies past this are cut: conditions read JSON fields, not megabytes. */
const maxBody = 1024 * 1024;
const maxRedirects = 5;
const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 64, timeout: 30_000 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 16, timeout: 30_000 }),
  httpsInsecure: new https.Agent({ keepAlive: true, maxSockets: 16, rejectUnauthorized: false }),
};

export default defineProbe({
  type: "http",
  shared: "default",
  description: "One HTTP request: status, body, headers, response time, TLS certificate expiry.",
  schema: ({ z, duration }) =>
    z.strictObject({
      url: z.url({
        protocol: /^https?$/,
        error: "an http:// or https:// URL, e.g. http://127.0.0.1:8001/health",
      }),
      method: z.enum(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]).default("GET"),
      headers: z.record(z.string(), z.string()).default({}),
      body: z.string().optional(),
      follow_redirects: z.boolean().default(true),
      insecure: z
        .boolean()
        .default(false)
        .describe("Accept a certificate that does not verify (self-signed, internal CA)."),
      timeout: duration.optional(),
    }),
  example: { url: "http://127.0.0.1:8001/health" },
  doctor: (cfg) => {
    const u = new URL(cfg.url);
    return { try: true, endpoint: { host: urlHost(u), port: urlPort(u), field: "http.url" } };
  },
  defaultExpect: ["[STATUS] < 400"],
  provides: ["STATUS", "BODY", "RESPONSE_TIME", "CERT_EXPIRES_IN", "CONNECTED", "HEADERS", "IP"],
  async run(cfg, ctx) {
    const started = performance.now();
    let url = new URL(cfg.url);
    let method = cfg.method;
    let body: string | undefined = cfg.body;
    for (let hop = 0; ; hop++) {
      let res: Awaited<ReturnType<typeof request>>;
      try {
        res = await request(url, method, { ...cfg, agent: ctx.env.agent }, body, ctx.signal);
      } catch (e) {
        const error = classifyNetworkError(e, ctx.signal);
        return { values: { CONNECTED: false, RESPONSE_TIME: ms(started) }, error };
      }
      const location = res.headers.location;
      if (cfg.follow_redirects && res.status >= 300 && res.status < 400 && location && hop < maxRedirects) {
        url = new URL(location, url);
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === "POST")) {
          method = "GET";
          body = undefined;
        }
        continue;
      }
      const values: ProbeOutcome["values"] = {
        CONNECTED: true,
        STATUS: res.status,
        BODY: res.body,
        RESPONSE_TIME: ms(started),
        HEADERS: res.headers,
        IP: res.ip,
        // As Gatus: 0 when there is no certificate (plain http), so `> 48h` fails instead of erroring.
        CERT_EXPIRES_IN: res.certValidTo === undefined ? 0 : res.certValidTo - Date.now(),
      };
      return { values };
    }
  },
});

function ms(started: number): number {
  return Math.round(performance.now() - started);
}

function request(
  url: URL,
  method: string,
  cfg: { headers: Record<string, string>; insecure: boolean; agent: string | undefined },
  body: string | undefined,
  signal: AbortSignal,
): Promise<{
  status: number;
  headers: Record<string, string>;
  body: string;
  ip: string;
  certValidTo?: number;
}> {
  const secure = url.protocol === "https:";
  const lib = secure ? https : http;
  const agent = secure ? (cfg.insecure ? agents.httpsInsecure : agents.https) : agents.http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      url,
      {
        method,
        agent,
        signal,
        headers: {
          // Printable ASCII only: a header refuses anything else, and agent.name is free text.
          "user-agent": cfg.agent ? `vigil (agent ${cfg.agent.replace(/[^\x20-\x7e]/g, "_")})` : "vigil",
          ...cfg.headers,
          ...(body === undefined ? {} : { "content-length": Buffer.byteLength(body) }),
        },
      },
      (res) => {
        // Read now: a keep-alive socket goes back to the pool (and may close) once the body ends.
        const ip = res.socket?.remoteAddress ?? "";
        let certValidTo: number | undefined;
        if (secure) {
          const cert = (res.socket as TLSSocket).getPeerCertificate?.();
          if (cert?.valid_to) certValidTo = Date.parse(cert.valid_to);
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (d: Buffer) => {
          if (size < maxBody) chunks.push(d);
          size += d.length;
        });
        res.on("error", reject);
        res.on("end", () => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers))
            if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
          resolve({
            status: res.statusCode ?? 0,
            headers,
            ip,
            body: Buffer.concat(chunks).subarray(0, maxBody).toString("utf8"),
            ...(certValidTo === undefined ? {} : { certValidTo }),
          });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
