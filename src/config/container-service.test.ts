import { describe, expect, it } from "vitest";
import { serviceSpecs } from "../app/specs.ts";
import { loadConfigText } from "./load.ts";
import { formatProblem } from "./result.ts";

const file = "/etc/vigil/vigil.yaml";

function problems(text: string): string[] {
  const r = loadConfigText(text, file, {});
  if (r.ok) throw new Error("expected problems, the config loaded");
  return r.problems.map(formatProblem);
}

describe("config: a container service", () => {
  it("loads, and the supervisor gets the container's name with the same restart policy as a process", () => {
    const r = loadConfigText(
      "services:\n  worker:\n    container: { name: worker-1 }\n    restart: { max_restarts: 2 }\n",
      file,
      {},
    );
    if (!r.ok) throw new Error(r.problems.map(formatProblem).join("\n"));
    const [spec] = serviceSpecs(r.config);
    expect(spec).toMatchObject({ name: "worker", container: { name: "worker-1" }, dependsOn: [] });
    expect(spec!.restart).toMatchObject({ policy: "always", maxRestarts: 2, initialMs: 100 });
    expect(spec).not.toHaveProperty("command");
  });

  it("refuses what only a process has, and what Vigil would need to create a container", () => {
    expect(problems("services:\n  w:\n    container: { name: w-1 }\n    port: 8080\n")).toEqual([
      `${file}:4:11 services.w.port: port is for a command service (its port conflicts); a container's ports are the engine's`,
    ]);
    expect(problems("services:\n  w:\n    container: { name: w-1 }\n    env: { A: b }\n")).toEqual([
      `${file}:4:10 services.w.env: env is for a command service; a container's environment is set when it is created`,
    ]);
    expect(problems("services:\n  w:\n    container: { name: w-1, image: nginx }\n")).toEqual([
      expect.stringMatching(/^\/etc\/vigil\/vigil\.yaml:3:29 services\.w\.container\.image: unknown key/),
    ]);
    expect(problems("services:\n  w:\n    container: {}\n")).toEqual([
      `${file}:3:16 services.w.container.name: required; add name: (string)`,
    ]);
    expect(problems("services:\n  w:\n    container: { name: '-bad name' }\n")[0]).toContain(
      "a container's name as the engine knows it",
    );
    expect(problems("services:\n  w:\n    command: [x]\n    container: { name: w-1 }\n")[0]).toContain(
      "a service needs exactly one of command (a process) or container",
    );
  });
});
