/** `127.0.0.1:7070` or `[::1]:7070` into host and port. Config validation guarantees the shape. */
export function splitListen(listen: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(listen) ?? /^([^:]+):(\d+)$/.exec(listen);
  if (!m) throw new Error(`agent.listen "${listen}" is not host:port`);
  return { host: m[1]!, port: Number(m[2]) };
}

/** The URL a client on this machine uses for a listen address (a wildcard host means loopback). */
export function listenUrl(listen: string): string {
  const { host, port } = splitListen(listen);
  const h = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  return `http://${h.includes(":") ? `[${h}]` : h}:${port}`;
}
