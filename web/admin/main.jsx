// The admin center: one page at /admin/{appId}, sections chosen by the URL hash (#/staff, …).
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { currentStaff, signOut } from "../shared/api.js";
import sharedCss from "../shared/style.css";
import adminCss from "./admin.css";
import { AccountPage } from "./account.jsx";
import { ArticlesPage, FlowsPage } from "./aiagent.jsx";
import { adminApi } from "./api.js";
import { ChannelPage } from "./channel.jsx";
import { GroupsPage } from "./groups.jsx";
import { Icon } from "./icons.jsx";
import { ApiKeysPage, SigningKeysPage } from "./keys.jsx";
import { MacrosPage } from "./macros.jsx";
import { StaffPage } from "./staff.jsx";
import { WebhooksPage } from "./webhooks.jsx";

const SECTIONS = [
  { group: "Account" },
  { id: "account", label: "Account", page: AccountPage },
  { id: "staff", label: "Team members", page: StaffPage },
  { id: "groups", label: "Groups", page: GroupsPage },
  { group: "Channels" },
  { id: "widget", label: "Web widget", page: ChannelPage },
  { id: "authentication", label: "End-user authentication", page: SigningKeysPage },
  { group: "AI agent" },
  { id: "articles", label: "Articles", page: ArticlesPage },
  { id: "flows", label: "Answer flows", page: FlowsPage },
  { group: "Agent workspace" },
  { id: "macros", label: "Macros", page: MacrosPage },
  { group: "Developers" },
  { id: "api-keys", label: "API keys", page: ApiKeysPage },
  { id: "webhooks", label: "Webhooks", page: WebhooksPage },
];
const PAGES = SECTIONS.filter((s) => s.id);

function useHash() {
  const read = () => (window.location.hash || "").replace(/^#\/?/, "") || "account";
  const [hash, setHash] = useState(read);
  useEffect(() => {
    const on = () => setHash(read());
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  return hash;
}

function CenterCard({ title, children }) {
  return (
    <div class="center-page">
      <div class="center-card">
        <div class="auth-brand">
          <span class="logo">P</span> Parlour
        </div>
        <h1>{title}</h1>
        {children}
      </div>
    </div>
  );
}

function Shell({ appId, me }) {
  const api = adminApi(appId);
  const hash = useHash();
  const [account, setAccount] = useState(null);
  useEffect(() => {
    api.get("account").then((d) => setAccount(d.account), () => {});
  }, []);
  const section = PAGES.find((p) => p.id === hash) || PAGES[0];
  const Page = section.page;
  useEffect(() => {
    document.title = `${section.label} · Admin center · Parlour`;
  }, [section]);
  const leave = async () => {
    await signOut(appId);
    window.location.href = `/agent/${encodeURIComponent(appId)}`;
  };
  return (
    <div class="admin-shell">
      <header class="topbar">
        <span class="brand">
          <span class="logo">P</span> Parlour
        </span>
        <span>Admin center</span>
        {account && <span class="account-name">{account.displayName}</span>}
        <span class="spacer" />
        <a href={`/agent/${encodeURIComponent(appId)}`}>Agent workspace</a>
        <span>{me.name}</span>
        <button class="btn btn-sm" type="button" onClick={leave}>
          Sign out
        </button>
      </header>
      <div class="admin-body">
        <nav class="sidenav" aria-label="Admin sections">
          {SECTIONS.map((s) =>
            s.group ? (
              <h4 key={s.group}>{s.group}</h4>
            ) : (
              <a key={s.id} href={`#/${s.id}`} class={s.id === section.id ? "active" : ""} aria-current={s.id === section.id ? "page" : undefined}>
                <Icon name={s.id} />
                {s.label}
              </a>
            ),
          )}
        </nav>
        <main class="content">
          <Page key={section.id} api={api} me={me} account={account} onAccount={setAccount} />
        </main>
      </div>
    </div>
  );
}

function App({ appId }) {
  const [state, setState] = useState({ loading: true });
  useEffect(() => {
    currentStaff(appId).then(
      (me) => setState({ me }),
      (error) => setState({ error }),
    );
  }, []);
  const workspace = `/agent/${encodeURIComponent(appId)}`;
  if (state.loading) return null;
  if (state.error)
    return (
      <CenterCard title="Admin center unavailable">
        <p class="muted">{state.error.status === 404 ? "This account does not exist." : String(state.error.message)}</p>
      </CenterCard>
    );
  if (!state.me)
    return (
      <CenterCard title="Sign in to continue">
        <p class="muted">The admin center uses your Parlour staff account. Sign in from the agent workspace, then come back.</p>
        <a class="btn btn-primary btn-block" href={workspace} data-testid="sign-in-link">
          Go to sign-in
        </a>
      </CenterCard>
    );
  if (state.me.role !== "admin")
    return (
      <CenterCard title="Admins only">
        <p class="muted">You are signed in as {state.me.name}, an agent. Ask an admin of your account for access.</p>
        <a class="btn btn-primary btn-block" href={workspace}>
          Back to the agent workspace
        </a>
      </CenterCard>
    );
  return <Shell appId={appId} me={state.me} />;
}

const style = document.createElement("style");
style.textContent = sharedCss + adminCss;
document.head.appendChild(style);
const root = document.getElementById("admin");
render(<App appId={root.dataset.appId} />, root);
