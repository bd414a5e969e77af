/**
 * `http`: one request, keep-alive, manual redirects, TLS certificate expiry.
 * Provides [STATUS] [BODY] [RESPONSE_TIME] [CERT_EXPIRES_IN] [CONNECTED].
 */
import https from "node:https";
import type { TLSSocket } from "node:tls";
import type { z } from "zod";
import { http } from "../core/node-http.ts";
import { classifyNetworkError, type Probe, type ProbeOutcome } from "./probe.ts";
import type { schema } from "./http.schema.ts";

type HttpConfig = z.output<typeof schema>;

/** Bodies past this are cut: conditions read JSON fields, not megabytes. */
const maxBody = 1024 * 1024;
const maxRedirects = 5;
const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 64, timeout: 30_000 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 16, timeout: 30_000 }),
  httpsInsecure: new https.Agent({ keepAlive: true, maxSockets: 16, rejectUnauthorized: false }),
};

export const httpProbe: Probe<HttpConfig> = {
  type: "http",
  defaultExpect: ["[STATUS] < 400"],
  provides: ["STATUS", "BODY", "RESPONSE_TIME", "CERT_EXPIRES_IN", "CONNECTED", "HEADERS"],
  async run(cfg, ctx) {
    const started = performance.now();
    let url = new URL(cfg.url);
    let method = cfg.method;
    let body: string | undefined = cfg.body;
    for (let hop = 0; ; hop++) {
      let res: Awaited<ReturnType<typeof request>>;
      try {
        res = await request(url, method, cfg, body, ctx.signal);
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
      };
      if (res.certValidTo !== undefined) values.CERT_EXPIRES_IN = res.certValidTo - Date.now();
      return { values };
    }
  },
};

function ms(started: number): number {
  return Math.round(performance.now() - started);
}

function request(
  url: URL,
  method: string,
  cfg: HttpConfig,
  body: string | undefined,
  signal: AbortSignal,
): Promise<{ status: number; headers: Record<string, string>; body: string; certValidTo?: number }> {
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
          "user-agent": "vigil",
          ...cfg.headers,
          ...(body === undefined ? {} : { "content-length": Buffer.byteLength(body) }),
        },
      },
      (res) => {
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
