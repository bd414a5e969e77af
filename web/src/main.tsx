/**
 * The dashboard: who is logged in decides between the login form and the app; the app loads
 * everything once, then follows the event stream. Nothing here reloads the page.
 */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, setCsrfToken, whenLoggedOut } from "./api.ts";
import { PauseSwitch } from "./components/pause-switch.tsx";
import { loadAll, loadFleet, loadMe, loadOverview } from "./data.ts";
import { connectLive } from "./live.ts";
import { Actions } from "./pages/actions.tsx";
import { Approvals } from "./pages/approvals.tsx";
import { Audit } from "./pages/audit.tsx";
import { Fleet } from "./pages/fleet.tsx";
import { Incidents } from "./pages/incidents.tsx";
import { Login } from "./pages/login.tsx";
import { TargetPage } from "./pages/target.tsx";
import { Targets } from "./pages/targets.tsx";
import { navigate, onLink, route, usePath } from "./router.ts";
import { setState, useStore, type State } from "./store.ts";
import "./style.css";

/** Uptime and sparklines move slowly; state changes come through the stream. */
const overviewEveryMs = 30_000;
/** A just-started agent has no results at the first read: look again soon once. */
const firstRefreshMs = 5_000;

function Page({ state, now }: { state: State; now: number }) {
  const [page, param] = route(usePath());
  switch (page) {
    case "targets":
      return param === undefined ? (
        <Targets state={state} now={now} />
      ) : (
        <TargetPage name={param} state={state} now={now} />
      );
    case "incidents":
      return <Incidents state={state} now={now} opened={param} />;
    case "approvals":
      return <Approvals state={state} now={now} />;
    case "actions":
      return <Actions state={state} now={now} />;
    case "audit":
      return <Audit state={state} />;
    case "fleet":
      return <Fleet state={state} />;
    default:
      return (
        <p>
          No such page. <a href="/">Targets</a>
        </p>
      );
  }
}

function Shell({ state }: { state: State }) {
  const [now, setNow] = useState(Date.now());
  const [page] = route(usePath());
  useEffect(() => {
    const close = connectLive();
    loadAll().catch(() => undefined);
    const tick = window.setInterval(() => setNow(Date.now()), 15_000);
    const reload = () => void Promise.all([loadOverview(), loadFleet()]).catch(() => undefined);
    const refresh = window.setInterval(reload, overviewEveryMs);
    const first = window.setTimeout(reload, firstRefreshMs);
    return () => {
      close();
      window.clearTimeout(first);
      window.clearInterval(tick);
      window.clearInterval(refresh);
    };
  }, []);
  const pending = state.approvals.filter((a) => a.status === "pending").length;
  const open = state.incidents.filter((i) => i.status === "open").length;
  const dead = (state.fleet ?? []).filter((m) => m.state === "dead").length;
  const logout = async () => {
    await api("/api/session", { method: "DELETE" }).catch(() => undefined);
    setCsrfToken(null);
    setState({ me: null });
  };
  const nav: [string, string, number][] = [
    ["targets", "Targets", 0],
    ["incidents", "Incidents", open],
    ["approvals", "Approvals", pending],
    ["actions", "Actions", 0],
    ["audit", "Audit", 0],
    ["fleet", "Fleet", dead],
  ];
  return (
    <>
      <header>
        <strong class="brand">Vigil</strong>
        <nav>
          {nav.map(([p, label, n]) => (
            <a key={p} href={`/${p}`} class={page === p ? "current" : ""}>
              {label}
              {n > 0 && <span class="count">{n}</span>}
            </a>
          ))}
        </nav>
        <PauseSwitch state={state} />
        <span class={`live ${state.live}`} title="event stream" data-live={state.live}>
          {state.live}
        </span>
        <span class="me">
          {state.me?.name} ({state.me?.role})
        </span>
        <button type="button" onClick={() => void logout()}>
          Log out
        </button>
      </header>
      <main>
        <Page state={state} now={now} />
      </main>
    </>
  );
}

function App() {
  const state = useStore();
  useEffect(() => {
    whenLoggedOut(() => setState({ me: null }));
    void loadMe();
  }, []);
  if (state.me === undefined) return <p class="dim">Loading…</p>;
  if (state.me === null) {
    return (
      <Login
        onLogin={() => {
          if (location.pathname === "/login") navigate("/", true);
        }}
      />
    );
  }
  return <Shell state={state} />;
}

const root = document.getElementById("app")!;
root.addEventListener("click", onLink);
render(<App />, root);
