/**
 * Client-side routing on the History API: a page change is a pushState, never a page load. The agent
 * answers every page's path with index.html (src/web/dashboard.ts lists the same paths), so a
 * reload or a shared link lands on the same page.
 */
import { useEffect, useState } from "preact/hooks";

const listeners = new Set<() => void>();
window.addEventListener("popstate", () => listeners.forEach((l) => l()));

export function navigate(to: string, replace = false): void {
  if (to === location.pathname + location.search) return;
  if (replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  window.scrollTo(0, 0);
  listeners.forEach((l) => l());
}

/** The current path, re-rendering on every change. */
export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const l = () => setPath(location.pathname);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return path;
}

/** A path's page and its parameter: `/targets/web` → ["targets", "web"]. */
export function route(path: string): [string, string | undefined] {
  const [page = "", param] = path.split("/").filter(Boolean);
  return [page === "" ? "targets" : page, param === undefined ? undefined : decodeURIComponent(param)];
}

/** Follows a link inside the app without a page load; new-tab clicks stay the browser's. */
export function onLink(e: MouseEvent): void {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = (e.target as Element).closest("a");
  const href = a?.getAttribute("href");
  if (!a || !href?.startsWith("/") || a.target) return;
  e.preventDefault();
  navigate(href);
}
