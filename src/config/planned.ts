/**
 * What the design promises and this version does not do yet, in one list. The config loader refuses
 * a planned key where it is written ("routing Alertmanager's alerts (alertmanager:) is not supported
 * by this version yet", with its line and column) rather than accepting it and doing nothing; the
 * CLI answers a planned verb the same way (exit 2); README.md and docs/DESIGN.md mark each one
 * planned, and test/e2e/docs-routes.test.ts holds the README's HTTP API table to the routes the
 * agent answers. Building one of these means deleting its line here, and its "(planned)" marks in
 * the docs.
 *
 * Plain data and two lookups, no imports: the config side, the CLI and the tests read it.
 */

export interface Planned {
  /**
   * `config key`: where it is written in vigil.yaml, "*" standing for any name (a service's, an
   * action's). `check type`: the key that names the type inside a check or a health check.
   */
  kind: "config key" | "check type";
  path: readonly string[];
  /** What it is, as a person names it. */
  what: string;
  /** What to do meanwhile, when there is something. */
  instead?: string;
}

export const planned: readonly Planned[] = [];

/** CLI verbs of the design that this version does not have. */
export const plannedVerbs: readonly { verb: string; what: string }[] = [];

/** HTTP routes of the design that this version does not serve: the README marks each "(planned)". */
export const plannedRoutes: readonly string[] = [];

/**
 * The planned feature a config key path names, if any. A check type is found wherever a check is
 * written: `checks.<name>.<type>` and `services.<name>.health.<type>`.
 */
export function plannedAt(path: readonly (string | number | symbol)[]): Planned | undefined {
  const keys = path.map(String);
  const inCheck =
    (keys.length === 3 && keys[0] === "checks") ||
    (keys.length === 4 && keys[0] === "services" && keys[2] === "health");
  return planned.find((p) =>
    p.kind === "check type"
      ? inCheck && keys.at(-1) === p.path[0]
      : p.path.length === keys.length && p.path.every((seg, i) => seg === "*" || seg === keys[i]),
  );
}

/** `routing Alertmanager's alerts (alertmanager:) is not supported by this version yet; <instead>`. */
export function plannedMessage(p: Planned): string {
  const tail = p.instead ? `; ${p.instead}` : "";
  return `${p.what} (${p.path.at(-1)}:) is not supported by this version yet${tail}`;
}

/** What a planned CLI verb prints, with exit 2. */
export function plannedVerbMessage(verb: string): string | undefined {
  const p = plannedVerbs.find((v) => v.verb === verb);
  return p && `vigil ${p.verb} (${p.what}): not supported by this version yet; see "Planned" in README.md`;
}
