/** Where a URL connects: its host without IPv6 brackets (as net and dns take it) and its port. */
export function urlHost(u: URL): string {
  return u.hostname.replace(/^\[(.*)\]$/, "$1");
}

export function urlPort(u: URL): number {
  return u.port ? Number(u.port) : u.protocol === "https:" ? 443 : 80;
}
