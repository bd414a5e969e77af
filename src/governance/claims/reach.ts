/**
 * The network side of claims: which hosts may be asked (`governance.verify.hosts`), and one TCP
 * connection attempt bounded by the claim's deadline.
 */
import net from "node:net";

/** A host as written ("[::1]", "LocalHost") as the allow-list holds it. */
export function bareHost(host: string): string {
  return host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
}

export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const h = bareHost(host);
  return allowed.some((a) => bareHost(a) === h);
}

/** Hosts whose listeners this machine's /proc shows. */
export function isLocalHost(host: string): boolean {
  const h = bareHost(host);
  return h === "localhost" || h === "::1" || h === "0.0.0.0" || h === "::" || /^127\./.test(h);
}

export type Reach = { open: true } | { open: false; refused: boolean; why: string };

/** Opens and closes one TCP connection; refused is a firm no, anything else (a timeout) is not. */
export function tryConnect(host: string, port: number, signal: AbortSignal): Promise<Reach> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve({ open: false, refused: false, why: "the claim's time ran out" });
    const socket = net.connect({ host: bareHost(host), port });
    const done = (r: Reach) => {
      socket.destroy();
      signal.removeEventListener("abort", onAbort);
      resolve(r);
    };
    const onAbort = () =>
      done({ open: false, refused: false, why: "no answer before the claim's time ran out" });
    signal.addEventListener("abort", onAbort, { once: true });
    socket.once("connect", () => done({ open: true }));
    socket.once("error", (e: NodeJS.ErrnoException) =>
      done(
        e.code === "ECONNREFUSED"
          ? { open: false, refused: true, why: "connection refused" }
          : { open: false, refused: false, why: `${e.code ?? "error"}: ${e.message}`.slice(0, 200) },
      ),
    );
  });
}
