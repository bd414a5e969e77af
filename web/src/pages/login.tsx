/** Log in with a token: the agent answers with an HttpOnly session cookie; the token is not kept. */
import { useState } from "preact/hooks";
import { api, problem, setCsrfToken } from "../api.ts";
import { setState } from "../store.ts";
import type { Me } from "../types.ts";

export function Login({ onLogin }: { onLogin: () => void }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      const me = await api<Me>("/api/session", { method: "POST", body: { token: token.trim() } });
      setCsrfToken(me.csrf_token);
      setToken("");
      setState({ me });
      onLogin();
    } catch (err) {
      setError(problem(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <form onSubmit={(e) => void submit(e)}>
        <h1>Vigil</h1>
        <label for="token">Token</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="current-password"
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
          required
        />
        <button type="submit" disabled={busy || token.trim() === ""}>
          Log in
        </button>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <p class="hint">
          The admin token is in <code>.vigil/admin.token</code> beside the config; <code>auth.tokens</code> in
          vigil.yaml lists the others.
        </p>
      </form>
    </main>
  );
}
