// The agent workspace: sign-in, views, the ticket page. Served at /agent/{appId}.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiError, currentStaff, signIn, signOut } from "../shared/api.js";
import baseCss from "../shared/style.css";
import css from "./workspace.css";
import { Workspace } from "./workspace.jsx";

function SignIn({ appId, accountName, onSignedIn }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(appId, email, password);
      onSignedIn(await currentStaff(appId));
    } catch (err) {
      setError(err instanceof ApiError ? err.title : "Could not reach the server");
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="auth-page">
      <form class="auth-card" onSubmit={submit} aria-label="Sign in">
        <div class="auth-brand">
          <span class="logo">P</span> Parlour
        </div>
        <h1>Sign in to the agent workspace</h1>
        <p class="muted" style="margin-bottom:20px">{accountName}</p>
        {error && (
          <div class="alert alert-error" role="alert">
            {error}
          </div>
        )}
        <div class="field">
          <label for="email">Email</label>
          <input
            id="email"
            class="input"
            type="email"
            autocomplete="username"
            required
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="password">Password</label>
          <input
            id="password"
            class="input"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </div>
        <button class="btn btn-primary btn-block" type="submit" disabled={busy} style="height:38px;margin-top:8px">
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </div>
  );
}

function App({ appId, accountName }) {
  const [me, setMe] = useState(undefined);
  useEffect(() => {
    currentStaff(appId).then(setMe, () => setMe(null));
  }, []);
  if (me === undefined) return <div class="boot muted">Loading…</div>;
  if (me === null) return <SignIn appId={appId} accountName={accountName} onSignedIn={setMe} />;
  return (
    <Workspace
      appId={appId}
      accountName={accountName}
      me={me}
      onSignOut={async () => {
        await signOut(appId).catch(() => {});
        setMe(null);
      }}
    />
  );
}

const style = document.createElement("style");
style.textContent = baseCss + "\n" + css;
document.head.appendChild(style);
const root = document.getElementById("app");
render(<App appId={root.dataset.appId} accountName={root.dataset.accountName} />, root);
