import { isAlive } from "../../src/core/procfs.ts";
import net from "node:net";

/** A free TCP port on 127.0.0.1 (bound and released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** A zombie (exited, not yet reaped by a parent that is not ours) counts as gone. */
export function alive(pid: number): boolean {
  return isAlive(pid);
}
