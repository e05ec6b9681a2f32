import { useEffect, useRef, useState } from "preact/hooks";
import { STATUS_LABELS, TICKET_STATUS_LABELS, VIEW_LABELS, initials, since } from "./format.js";
import { useWorkspace } from "./store.js";
import { TicketPage } from "./ticket.jsx";

const VIEWS = ["mine", "unassigned", "open", "pending", "solved"];

function useToasts() {
  const [toasts, setToasts] = useState([]);
  function push(text, kind = "info") {
    const id = Math.random();
    setToasts((all) => [...all, { id, text, kind }]);
    setTimeout(() => setToasts((all) => all.filter((t) => t.id !== id)), 6000);
  }
  return [toasts, push];
}

function useNow(every = 15000) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), every);
    return () => clearInterval(timer);
  }, []);
  return now;
}

function ConnectionBadge({ connection }) {
  if (connection === "live") return <span class="conn conn-live" title="Live updates are on">Live</span>;
  const label = connection === "connecting" ? "Connecting…" : connection === "unauthorized" ? "Signed out" : "Reconnecting…";
  return (
    <span class="conn conn-down" role="status">
      {label}
    </span>
  );
}

function StatusMenu({ me, onChange }) {
  return (
    <label class="status-select" title="Your availability">
      <span class={`dot dot-${me.status}`} />
      <select
        aria-label="My status"
        value={me.status}
        onChange={(e) => onChange(e.currentTarget.value)}
      >
        {Object.entries(STATUS_LABELS).map(([value, label]) => (
          <option value={value}>{label}</option>
        ))}
      </select>
    </label>
  );
}

function TeamList({ team, me }) {
  const order = { online: 0, transfers_only: 1, away: 2, offline: 3 };
  const sorted = [...team].sort((a, b) => order[a.status] - order[b.status] || a.name.localeCompare(b.name));
  return (
    <div class="team" aria-label="Team">
      <div class="side-title">Team</div>
      {sorted.map((member) => (
        <div class="team-member" data-staff={member.email} title={STATUS_LABELS[member.status]}>
          <span class="avatar avatar-sm">{initials(member.name)}</span>
          <span class="team-name">
            {member.name}
            {member.id === me.id ? " (you)" : ""}
          </span>
          <span class={`dot dot-${member.status}`} aria-label={STATUS_LABELS[member.status]} />
        </div>
      ))}
    </div>
  );
}

function ViewList({ state, actions, now }) {
  const { tickets } = state.viewData;
  const staffName = (id) => (state.team.find((s) => s.id === id) || {}).name || "—";
  const groupName = (id) => (state.groups.find((g) => g.id === id) || {}).name || "—";
  return (
    <section class="view-page" aria-label={VIEW_LABELS[state.view]}>
      <header class="page-header">
        <div>
          <h1>{VIEW_LABELS[state.view]}</h1>
          <div class="muted small">
            {tickets.length} {tickets.length === 1 ? "ticket" : "tickets"} · longest waiting first
          </div>
        </div>
        <div class="muted small">
          <span class="kbd">Alt</span>+<span class="kbd">J</span> opens the next ticket
        </div>
      </header>
      {tickets.length === 0 ? (
        <div class="empty">
          <div class="empty-title">Nothing here</div>
          <div class="muted">Tickets show up here as soon as customers write in.</div>
        </div>
      ) : (
        <div class="table-wrap">
          <table class="table tickets-table">
            <thead>
              <tr>
                <th style="width:64px">#</th>
                <th>Subject</th>
                <th>Requester</th>
                <th style="width:90px">Status</th>
                <th style="width:80px">Priority</th>
                <th>Group</th>
                <th>Assignee</th>
                <th style="width:90px">Waiting</th>
              </tr>
            </thead>
            <tbody>
              {tickets.map((ticket) => (
                <tr
                  class="clickable"
                  data-ticket={ticket.id}
                  tabIndex={0}
                  onClick={() => actions.openTicket(ticket.id)}
                  onKeyDown={(e) => e.key === "Enter" && actions.openTicket(ticket.id)}
                >
                  <td class="muted">#{ticket.number}</td>
                  <td class="subject-cell">{ticket.subject}</td>
                  <td>{ticket.requester.name}</td>
                  <td>
                    <span class={`badge badge-${ticket.status}`}>{TICKET_STATUS_LABELS[ticket.status]}</span>
                  </td>
                  <td>
                    <span class={`badge badge-${ticket.priority}`}>{ticket.priority}</span>
                  </td>
                  <td>{ticket.groupId ? groupName(ticket.groupId) : "—"}</td>
                  <td>{ticket.assigneeId ? staffName(ticket.assigneeId) : <span class="muted">Unassigned</span>}</td>
                  <td class={ticket.waitingSince ? "waiting" : "muted"}>
                    {ticket.waitingSince ? since(ticket.waitingSince, now) : "—"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Shortcuts({ onClose }) {
  const rows = [
    ["Alt + R", "Public reply"],
    ["Alt + N", "Internal note"],
    ["Ctrl + Enter", "Send"],
    ["Alt + J", "Next ticket in the view"],
    ["Alt + S", "Solve the ticket"],
    ["Esc", "Back to the view"],
    ["?", "This help"],
  ];
  return (
    <div class="modal-backdrop" onClick={onClose}>
      <div class="modal card" role="dialog" aria-label="Keyboard shortcuts" onClick={(e) => e.stopPropagation()}>
        <div class="card-header">
          <h2>Keyboard shortcuts</h2>
          <button class="btn btn-ghost btn-sm" onClick={onClose} aria-label="Close">
            ✕
          </button>
        </div>
        <div class="card-body">
          {rows.map(([keys, label]) => (
            <div class="shortcut-row">
              <span>{label}</span>
              <span class="kbd">{keys}</span>
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}

export function Workspace({ appId, accountName, me, onSignOut }) {
  const [toasts, toast] = useToasts();
  const [help, setHelp] = useState(false);
  const now = useNow();
  const [state, actions] = useWorkspace(appId, me, {
    onToast: toast,
    onAssigned: (ticket) => {
      toast(`Ticket #${ticket.number} was assigned to you: ${ticket.subject}`);
      if (window.Notification && Notification.permission === "granted") {
        new Notification(`Ticket #${ticket.number} assigned to you`, { body: ticket.subject });
      }
    },
  });
  const stateRef = useRef(state);
  stateRef.current = state;

  useEffect(() => {
    if (window.Notification && Notification.permission === "default") Notification.requestPermission().catch(() => {});
  }, []);

  useEffect(() => {
    const titleCount = state.viewData.counts.mine || 0;
    document.title = `${titleCount ? `(${titleCount}) ` : ""}Agent workspace · ${accountName}`;
  }, [state.viewData.counts.mine]);

  useEffect(() => {
    function onKey(event) {
      const current = stateRef.current;
      const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(event.target.tagName);
      if (event.altKey && event.key.toLowerCase() === "j") {
        event.preventDefault();
        const list = current.viewData.tickets;
        if (!list.length) return;
        const index = list.findIndex((t) => t.id === current.ticketId);
        const next = list[(index + 1) % list.length];
        actions.openTicket(next.id);
      } else if (event.key === "Escape" && current.ticketId && !document.querySelector(".modal")) {
        actions.closeTicket();
      } else if (event.key === "?" && !typing) {
        setHelp(true);
      }
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const counts = state.viewData.counts;
  return (
    <div class="shell">
      <header class="topbar">
        <div class="brand">
          <span class="logo">P</span>
          <span>{accountName}</span>
          <span class="topbar-sep">Agent workspace</span>
        </div>
        <div class="spacer" />
        <ConnectionBadge connection={state.connection} />
        <button class="btn btn-ghost btn-sm topbar-btn" onClick={() => setHelp(true)} title="Keyboard shortcuts">
          Shortcuts
        </button>
        {state.me.role === "admin" && (
          <a class="topbar-link" href={`/admin/${encodeURIComponent(appId)}`}>
            Admin
          </a>
        )}
        <StatusMenu me={state.me} onChange={(status) => actions.setStatus(status).catch((e) => toast(e.message, "error"))} />
        <div class="me">
          <span class="avatar avatar-sm">{initials(state.me.name)}</span>
          <span class="me-name">{state.me.name}</span>
        </div>
        <button class="btn btn-ghost btn-sm topbar-btn" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <div class="body">
        <nav class="sidebar" aria-label="Views">
          <div class="side-title">Views</div>
          {VIEWS.map((view) => (
            <button
              class={`view-link ${state.view === view && !state.ticketId ? "active" : ""} ${state.view === view ? "current" : ""}`}
              data-view={view}
              onClick={() => actions.selectView(view)}
            >
              <span>{VIEW_LABELS[view]}</span>
              <span class="badge badge-count" data-count={view}>
                {counts[view] ?? "–"}
              </span>
            </button>
          ))}
          <TeamList team={state.team} me={state.me} />
        </nav>
        <main class="main">
          {state.ticketId ? (
            <TicketPage state={state} actions={actions} toast={toast} now={now} />
          ) : (
            <ViewList state={state} actions={actions} now={now} />
          )}
        </main>
      </div>
      {help && <Shortcuts onClose={() => setHelp(false)} />}
      <div class="toasts" aria-live="polite">
        {toasts.map((t) => (
          <div class={`toast ${t.kind === "error" ? "toast-error" : ""}`}>{t.text}</div>
        ))}
      </div>
    </div>
  );
}
