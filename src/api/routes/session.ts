import { refuse } from "../authenticate.ts";
import { readJson } from "../body.ts";
import type { ApiDeps, RouteSpec } from "../context.ts";
import { tokenIdentity } from "../failure-limiter.ts";
import { shape, text } from "../fields.ts";
import type { ApiContext } from "../router.ts";
import { overHttps, sessionCookie } from "../sessions.ts";

const loginBody = shape({
  token: text({ min: 1, max: 1_000, hint: 'the token to log in with, e.g. {"token": "..."}' }),
});

const cookieOptions = (c: ApiContext) =>
  ({ path: "/", httpOnly: true, sameSite: "Strict", secure: overHttps(c) }) as const;

/** The cookie's session, when the request has one that is still live. */
const currentSession = async (c: ApiContext, deps: ApiDeps) => {
  const id = c.req.cookie(sessionCookie);
  return id ? await deps.sessions.find(id) : undefined;
};

/** The dashboard's login (added). Bearer clients never need these. */
export const sessionRoutes: RouteSpec[] = [
  {
    method: "POST",
    path: "/api/session",
    role: "none",
    // Unauthenticated by nature, so it counts its failures itself, as bearer auth does; a valid
    // token logs in whatever the limiter holds against the address.
    handler: async (c, deps) => {
      const { token } = await readJson(c, loginBody);
      const session = await deps.sessions.open(token);
      if (!session) {
        refuse(deps, c, {
          reason: "login",
          identities: [tokenIdentity],
          message: "the token is not known to this agent",
        });
      }
      c.setCookie(sessionCookie, session.id, {
        ...cookieOptions(c),
        maxAge: Math.floor(deps.sessions.ttlMs / 1000),
      });
      c.header("Cache-Control", "no-store");
      deps.log.info(
        { name: session.principal.name, role: session.principal.role },
        "dashboard session opened",
      );
      return c.json({
        name: session.principal.name,
        role: session.principal.role,
        csrf_token: session.csrf,
        expires_at: session.expiresAt,
      });
    },
  },
  {
    method: "GET",
    path: "/api/session",
    role: "viewer",
    // With a bearer token there is no session, hence no CSRF token: such a client needs none.
    handler: async (c, deps) => {
      const principal = c.principal!;
      const session = await currentSession(c, deps);
      c.header("Cache-Control", "no-store");
      return c.json({
        name: principal.name,
        role: principal.role,
        csrf_token: session?.csrf ?? null,
        expires_at: session?.expiresAt ?? null,
      });
    },
  },
  {
    method: "DELETE",
    path: "/api/session",
    role: "viewer",
    handler: async (c, deps) => {
      const id = c.req.cookie(sessionCookie);
      if (id) await deps.sessions.close(id);
      c.deleteCookie(sessionCookie, cookieOptions(c));
      return c.json({ ok: true });
    },
  },
];
