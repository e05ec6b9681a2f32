import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";

import { TICKET_STATUS_LABELS, clockTime, initials, newId, safeUrl, since } from "./format.js";

const Clip = () => (
  <svg class="icon" viewBox="0 0 24 24" width="14" height="14" aria-hidden="true">
    <path d="M21 11.5l-8.6 8.6a5.5 5.5 0 0 1-7.8-7.8l8.6-8.6a3.7 3.7 0 0 1 5.2 5.2l-8.6 8.6a1.8 1.8 0 0 1-2.6-2.6l7.9-7.9" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
  </svg>
);

function MessageContent({ content }) {
  const url = content.mediaUrl ? safeUrl(content.mediaUrl) : null;
  if (content.type === "image" && url) {
    return (
      <div>
        <a href={url} target="_blank" rel="noopener noreferrer">
          <img class="msg-image" src={url} alt={content.altText || "image"} />
        </a>
        {content.text && <div class="msg-text">{content.text}</div>}
      </div>
    );
  }
  if (content.type === "file" && url) {
    return (
      <div>
        <a class="file-chip" href={url} target="_blank" rel="noopener noreferrer">
          <Clip /> {content.altText || decodeURIComponent(url.split("/").pop() || "file")}
        </a>
        {content.text && <div class="msg-text">{content.text}</div>}
      </div>
    );
  }
  if (content.type === "text") return <div class="msg-text">{content.text}</div>;
  if (content.type === "formResponse") {
    return (
      <div class="msg-text">
        {(content.fields || []).map((f) => (
          <div>
            <strong>{f.label || f.name}:</strong> {f.text || f.email || (f.select || []).map((o) => o.label).join(", ")}
          </div>
        ))}
      </div>
    );
  }
  return (
    <div class="msg-text">
      {content.text || ""} <span class="muted small">[{content.type}]</span>
    </div>
  );
}

function EarlierMessages({ detail, loading, onEarlier }) {
  if (detail.conversation.hasEarlierMessages) {
    return (
      <div class="timeline-more">
        <button class="btn btn-sm" onClick={onEarlier} disabled={loading} aria-busy={loading}>
          {loading ? "Loading earlier messages…" : "Show earlier messages"}
        </button>
      </div>
    );
  }
  return detail.pagedBack ? <div class="timeline-more muted small">Start of the conversation</div> : null;
}

function Timeline({ detail, typing, customerName, onEarlier }) {
  const box = useRef(null);
  const end = useRef(null);
  // Set while an earlier page loads: the distance from the bottom to keep once it is in front.
  const anchor = useRef(null);
  const [loading, setLoading] = useState(false);
  const items = [
    ...detail.messages.map((m) => ({ kind: "message", at: m.received, item: m })),
    ...detail.notes.map((n) => ({ kind: "note", at: n.createdAt, item: n })),
  ].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const lastRead = detail.conversation.customerLastRead;
  const businessMessages = detail.messages.filter((m) => m.author.type === "business");
  const lastBusiness = businessMessages[businessMessages.length - 1];
  const first = items.length ? items[0].item.id : null;
  const last = items.length ? items[items.length - 1].item.id : null;

  useLayoutEffect(() => {
    const held = anchor.current;
    if (!held || !box.current || held.ticketId !== detail.ticket.id) return;
    anchor.current = null;
    box.current.scrollTop = box.current.scrollHeight - held.fromBottom;
  }, [first]);
  // Only what lands at the end (a new message, the customer typing) scrolls to the end.
  useEffect(() => {
    if (end.current) end.current.scrollIntoView({ block: "end" });
  }, [detail.ticket.id, last, typing]);

  async function earlier() {
    if (loading || !box.current) return;
    anchor.current = { ticketId: detail.ticket.id, fromBottom: box.current.scrollHeight - box.current.scrollTop };
    setLoading(true);
    try {
      if (!(await onEarlier())) anchor.current = null;
    } finally {
      setLoading(false);
    }
  }

  return (
    <div class="timeline" aria-label="Conversation" ref={box}>
      <EarlierMessages detail={detail} loading={loading} onEarlier={earlier} />
      {items.map(({ kind, item }) => {
        if (kind === "note") {
          return (
            <div class="note" data-note={item.id}>
              <div class="note-head">
                <span class="note-label">Internal note</span>
                <span>{item.author.name}</span>
                <span class="muted">{clockTime(item.createdAt)}</span>
              </div>
              <div class="msg-text">{item.text}</div>
              {item.attachments.map((a) => {
                const url = safeUrl(a.mediaUrl);
                return url ? (
                  <a class="file-chip" href={url} target="_blank" rel="noopener noreferrer">
                    <Clip /> {a.altText || "attachment"}
                  </a>
                ) : null;
              })}
            </div>
          );
        }
        const fromCustomer = item.author.type === "user";
        const subtype = (item.author.subtypes || [])[0];
        const who = fromCustomer ? customerName : item.author.displayName || (subtype === "AI" ? "AI agent" : "Business");
        return (
          <div class={`msg ${fromCustomer ? "msg-in" : "msg-out"} ${subtype === "AI" ? "msg-ai" : ""}`} data-message={item.id}>
            {fromCustomer && <span class="avatar avatar-sm">{initials(who)}</span>}
            <div class="msg-body">
              <div class="msg-meta">
                <span class="msg-author">{who}</span>
                {subtype === "AI" && <span class="badge">AI agent</span>}
                <span class="muted">{clockTime(item.received)}</span>
              </div>
              <div class="bubble">
                <MessageContent content={item.content} />
              </div>
              {item === lastBusiness && lastRead && lastRead >= item.received && (
                <div class="read-receipt" data-read="true">
                  Seen by the customer
                </div>
              )}
            </div>
          </div>
        );
      })}
      {typing && (
        <div class="typing" role="status">
          <span class="typing-dots">
            <i />
            <i />
            <i />
          </span>
          {customerName} is typing…
        </div>
      )}
      <div ref={end} />
    </div>
  );
}

function Composer({ state, actions, toast, mode, setMode }) {
  const [text, setText] = useState("");
  const [files, setFiles] = useState([]);
  const [busy, setBusy] = useState(false);
  const [macrosOpen, setMacrosOpen] = useState(false);
  const typingRef = useRef({ active: false, timer: null, composing: null });
  const area = useRef(null);
  const conversationId = state.detail.ticket.conversationId;
  const open = state.detail.conversation.composerOpen || mode === "note";

  useEffect(() => {
    if (area.current) area.current.focus();
  }, [mode, state.ticketId]);

  useEffect(() => () => stopTyping(), [conversationId]);

  function stopTyping() {
    const stream = actions.stream();
    const typing = typingRef.current;
    clearTimeout(typing.timer);
    if (typing.active && stream) stream.notify({ type: "activity", conversationId, activity: "typing:stop" });
    if (typing.composing && stream) stream.notify({ type: "composing", conversationId, composing: null });
    typing.active = false;
    typing.composing = null;
  }

  function onInput(value) {
    setText(value);
    const stream = actions.stream();
    if (!stream) return;
    const typing = typingRef.current;
    if (!value) {
      stopTyping();
      return;
    }
    if (typing.composing !== mode) {
      typing.composing = mode;
      stream.notify({ type: "composing", conversationId, composing: mode });
    }
    // The customer sees the agent typing a public reply, never a note.
    if (mode === "reply" && !typing.active) {
      typing.active = true;
      stream.notify({ type: "activity", conversationId, activity: "typing:start" });
    }
    clearTimeout(typing.timer);
    typing.timer = setTimeout(stopTyping, 4000);
  }

  async function upload(event) {
    const chosen = Array.from(event.currentTarget.files || []);
    event.currentTarget.value = "";
    for (const file of chosen) {
      const form = new FormData();
      form.append("source", file, file.name);
      try {
        const { attachment } = await actions.api.upload("attachments", form);
        setFiles((all) => [...all, attachment]);
      } catch (error) {
        toast(`${file.name}: ${error.message}`, "error");
      }
    }
  }

  async function send() {
    if (busy || (!text.trim() && !files.length)) return;
    setBusy(true);
    try {
      if (mode === "note") {
        await actions.note(text, files);
      } else {
        for (const file of files) {
          const kind = file.mediaType.startsWith("image/") ? "image" : "file";
          await actions.reply({ type: kind, mediaUrl: file.mediaUrl, altText: file.altText.slice(0, 128) }, newId());
        }
        if (text.trim()) await actions.reply({ type: "text", text }, newId());
      }
      stopTyping();
      setText("");
      setFiles([]);
    } catch (error) {
      toast(error.message || "Not sent", "error");
    } finally {
      setBusy(false);
    }
  }

  async function applyMacro(macro) {
    setMacrosOpen(false);
    try {
      const reply = await actions.applyMacro(macro.id);
      if (reply) onInput(text ? `${text}\n${reply}` : reply);
      toast(`Macro applied: ${macro.title}`);
    } catch (error) {
      toast(error.message, "error");
    }
  }

  return (
    <div class={`composer ${mode === "note" ? "composer-note" : ""}`}>
      <div class="composer-tabs" role="tablist">
        <button role="tab" aria-selected={mode === "reply"} class={mode === "reply" ? "active" : ""} onClick={() => setMode("reply")}>
          Public reply
        </button>
        <button role="tab" aria-selected={mode === "note"} class={mode === "note" ? "active" : ""} onClick={() => setMode("note")}>
          Internal note
        </button>
        <div class="spacer" />
        <span class="muted small">
          <span class="kbd">Ctrl</span>+<span class="kbd">Enter</span> to send
        </span>
      </div>
      {!open ? (
        <div class="composer-closed">
          The messaging session has ended. The customer's next message starts a new ticket. You can still add internal notes.
        </div>
      ) : (
        <>
          <textarea
            ref={area}
            class="composer-input"
            aria-label={mode === "note" ? "Internal note" : "Reply to the customer"}
            placeholder={mode === "note" ? "Write an internal note — only your team sees it" : "Write your reply to the customer"}
            value={text}
            onInput={(e) => onInput(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
                e.preventDefault();
                send();
              }
            }}
          />
          {files.length > 0 && (
            <div class="pending-files">
              {files.map((file) => (
                <span class="file-chip">
                  <Clip /> {file.altText}
                  <button class="chip-x" aria-label={`Remove ${file.altText}`} onClick={() => setFiles(files.filter((f) => f !== file))}>
                    ✕
                  </button>
                </span>
              ))}
            </div>
          )}
          <div class="composer-actions">
            <label class="btn btn-ghost btn-sm" title="Attach files">
              <Clip /> Attach
              <input type="file" multiple hidden onChange={upload} aria-label="Attach files" />
            </label>
            <div class="macro-menu">
              <button class="btn btn-ghost btn-sm" onClick={() => setMacrosOpen(!macrosOpen)} aria-expanded={macrosOpen}>
                Macros
              </button>
              {macrosOpen && (
                <MacroPicker state={state} actions={actions} toast={toast} onApply={applyMacro} onClose={() => setMacrosOpen(false)} draft={text} />
              )}
            </div>
            <div class="spacer" />
            <button class={`btn ${mode === "note" ? "btn-note" : "btn-primary"}`} onClick={send} disabled={busy || (!text.trim() && !files.length)}>
              {mode === "note" ? "Add note" : "Send reply"}
            </button>
          </div>
        </>
      )}
    </div>
  );
}

function MacroPicker({ state, actions, toast, onApply, onClose, draft }) {
  const [filter, setFilter] = useState("");
  const [creating, setCreating] = useState(false);
  const [title, setTitle] = useState("");
  const shown = state.macros.filter((m) => m.title.toLowerCase().includes(filter.toLowerCase()));
  async function save() {
    try {
      await actions.saveMacro({ title, text: draft });
      setCreating(false);
      setTitle("");
      toast("Macro saved");
    } catch (error) {
      toast(error.message, "error");
    }
  }
  return (
    <div class="popover card" role="dialog" aria-label="Macros">
      <input class="input" placeholder="Search macros" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} autoFocus />
      <div class="macro-list">
        {shown.length === 0 && <div class="muted small" style="padding:8px">No macros yet</div>}
        {shown.map((macro) => (
          <div class="macro-item">
            <button class="macro-apply" onClick={() => onApply(macro)} data-macro={macro.title}>
              <span class="macro-title">{macro.title}</span>
              <span class="muted small">
                {macro.shared ? "Shared" : "Personal"}
                {macro.actions.status ? ` · sets ${TICKET_STATUS_LABELS[macro.actions.status]}` : ""}
                {macro.actions.addTags ? ` · tags ${macro.actions.addTags.join(", ")}` : ""}
              </span>
            </button>
            {!macro.shared && (
              <button class="btn btn-ghost btn-sm" aria-label={`Delete ${macro.title}`} onClick={() => actions.deleteMacro(macro.id).catch((e) => toast(e.message, "error"))}>
                ✕
              </button>
            )}
          </div>
        ))}
      </div>
      {creating ? (
        <div class="row" style="margin-top:8px">
          <input class="input" placeholder="Title" value={title} onInput={(e) => setTitle(e.currentTarget.value)} aria-label="Macro title" />
          <button class="btn btn-primary btn-sm" onClick={save} disabled={!title.trim() || !draft.trim()}>
            Save
          </button>
        </div>
      ) : (
        <div class="row" style="margin-top:8px">
          <button class="btn btn-sm" onClick={() => setCreating(true)} disabled={!draft.trim()} title="Saves the text in the composer as your personal macro">
            Save reply as macro
          </button>
          <div class="spacer" />
          <button class="btn btn-ghost btn-sm" onClick={onClose}>
            Close
          </button>
        </div>
      )}
    </div>
  );
}

function Properties({ state, actions, toast }) {
  const ticket = state.detail.ticket;
  const [tagText, setTagText] = useState("");
  const [fieldKey, setFieldKey] = useState("");
  const [fieldValue, setFieldValue] = useState("");
  const closed = ticket.status === "closed";
  const run = (promise) => promise.catch((error) => toast(error.message, "error"));
  const groupMembers = (groupId) => state.team.filter((s) => !groupId || s.groupIds.includes(groupId));

  return (
    <section class="panel" aria-label="Ticket properties">
      <div class="panel-title">Ticket</div>
      <div class="prop">
        <label for="prop-status">Status</label>
        <select id="prop-status" class="select" disabled={closed} value={ticket.status} onChange={(e) => run(actions.update({ status: e.currentTarget.value }))}>
          {["new", "open", "pending", "on_hold", "solved"].concat(closed ? ["closed"] : []).map((s) => (
            <option value={s} disabled={s === "new" && ticket.status !== "new"}>
              {TICKET_STATUS_LABELS[s]}
            </option>
          ))}
        </select>
      </div>
      <div class="prop">
        <label for="prop-priority">Priority</label>
        <select id="prop-priority" class="select" disabled={closed} value={ticket.priority} onChange={(e) => run(actions.update({ priority: e.currentTarget.value }))}>
          {["low", "normal", "high", "urgent"].map((p) => (
            <option value={p}>{p[0].toUpperCase() + p.slice(1)}</option>
          ))}
        </select>
      </div>
      <div class="prop">
        <label for="prop-group">Group</label>
        <select
          id="prop-group"
          class="select"
          disabled={closed}
          value={ticket.groupId || ""}
          onChange={(e) => run(actions.update({ groupId: e.currentTarget.value || null }))}
        >
          <option value="">No group</option>
          {state.groups.map((g) => (
            <option value={g.id}>{g.name}</option>
          ))}
        </select>
      </div>
      <div class="prop">
        <label for="prop-assignee">Assignee</label>
        <select
          id="prop-assignee"
          class="select"
          disabled={closed}
          value={ticket.assigneeId || ""}
          onChange={(e) => run(actions.update({ assigneeId: e.currentTarget.value || null }))}
        >
          <option value="">Unassigned</option>
          {groupMembers(ticket.groupId).map((s) => (
            <option value={s.id}>
              {s.name}
              {s.status !== "online" ? ` (${s.status.replace("_", " ")})` : ""}
            </option>
          ))}
        </select>
      </div>
      <div class="prop">
        <label>Tags</label>
        <div class="tags">
          {ticket.tags.map((tag) => (
            <span class="tag">
              {tag}
              {!closed && (
                <button class="chip-x" aria-label={`Remove tag ${tag}`} onClick={() => run(actions.update({ tags: ticket.tags.filter((t) => t !== tag) }))}>
                  ✕
                </button>
              )}
            </span>
          ))}
        </div>
        {!closed && (
          <form
            class="row"
            onSubmit={(e) => {
              e.preventDefault();
              const added = tagText.split(/[\s,]+/).filter(Boolean);
              if (!added.length) return;
              run(actions.update({ tags: [...ticket.tags, ...added] }).then(() => setTagText("")));
            }}
          >
            <input class="input input-sm" placeholder="Add tag" aria-label="Add tag" value={tagText} onInput={(e) => setTagText(e.currentTarget.value)} />
          </form>
        )}
      </div>
      <div class="prop">
        <label>Fields</label>
        {Object.entries(ticket.customFields).map(([key, value]) => (
          <div class="field-row">
            <span class="field-key">{key}</span>
            <span class="field-value">{String(value)}</span>
            {!closed && (
              <button
                class="chip-x"
                aria-label={`Remove field ${key}`}
                onClick={() => {
                  const next = { ...ticket.customFields };
                  delete next[key];
                  run(actions.update({ customFields: next }));
                }}
              >
                ✕
              </button>
            )}
          </div>
        ))}
        {!closed && (
          <form
            class="row"
            onSubmit={(e) => {
              e.preventDefault();
              if (!fieldKey.trim()) return;
              run(
                actions.update({ customFields: { ...ticket.customFields, [fieldKey.trim()]: fieldValue } }).then(() => {
                  setFieldKey("");
                  setFieldValue("");
                }),
              );
            }}
          >
            <input class="input input-sm" placeholder="Field" aria-label="Field name" value={fieldKey} onInput={(e) => setFieldKey(e.currentTarget.value)} />
            <input class="input input-sm" placeholder="Value" aria-label="Field value" value={fieldValue} onInput={(e) => setFieldValue(e.currentTarget.value)} />
            <button class="btn btn-sm" type="submit">
              Add
            </button>
          </form>
        )}
      </div>
    </section>
  );
}

function CustomerPanel({ state, actions, now }) {
  const requester = state.detail.requester;
  const context = requester.context || {};
  const pageUrl = context.currentUrl ? safeUrl(context.currentUrl) : null;
  const online = state.customerOnline;
  return (
    <section class="panel" aria-label="Customer">
      <div class="panel-title">Customer</div>
      <div class="customer-head">
        <span class="avatar">{initials(requester.name)}</span>
        <div style="min-width:0">
          <div class="customer-name">
            {requester.name}
            {requester.authenticated && (
              <span class="badge badge-verified" title="Identity verified by a signed JWT">
                ✓ Verified
              </span>
            )}
          </div>
          <div class="muted small">
            <span class={`dot ${online ? "dot-online" : "dot-offline"}`} /> {online === null ? "…" : online ? "Online now" : "Not connected"}
          </div>
        </div>
      </div>
      <dl class="facts">
        <dt>Email</dt>
        <dd>
          {requester.email || <span class="muted">Unknown</span>}
          {requester.email && requester.emailVerified && <span class="badge badge-verified">verified</span>}
        </dd>
        <dt>Locale</dt>
        <dd>{context.locale || (requester.user && requester.user.profile.locale) || <span class="muted">Unknown</span>}</dd>
        <dt>Current page</dt>
        <dd class="break">
          {pageUrl ? (
            <a href={pageUrl} target="_blank" rel="noopener noreferrer">
              {context.currentUrl}
            </a>
          ) : (
            <span class="muted">Unknown</span>
          )}
        </dd>
      </dl>
      <div class="panel-subtitle">Previous tickets</div>
      {state.detail.previousTickets.length === 0 ? (
        <div class="muted small">None</div>
      ) : (
        state.detail.previousTickets.map((t) => (
          <button class="prev-ticket" disabled={!t.inReach} onClick={() => actions.openTicket(t.id)} data-previous={t.number}>
            <span class="muted">#{t.number}</span>
            <span class="prev-subject">{t.subject}</span>
            <span class={`badge badge-${t.status}`}>{TICKET_STATUS_LABELS[t.status]}</span>
            <span class="muted small">{since(t.createdAt, now)} ago</span>
          </button>
        ))
      )}
    </section>
  );
}

function Viewers({ state }) {
  const others = state.viewers.filter((v) => v.id !== state.me.id);
  if (!others.length) return null;
  const writing = others.filter((v) => v.composing === "reply");
  return (
    <div class={`collision ${writing.length ? "collision-warn" : ""}`} role="status" data-viewers={others.map((v) => v.name).join(",")}>
      {writing.length ? (
        <span>⚠ {writing.map((v) => v.name).join(", ")} is typing a reply to this customer</span>
      ) : (
        <span>
          {others.map((v) => v.name).join(", ")} {others.length === 1 ? "is" : "are"} also viewing this ticket
        </span>
      )}
    </div>
  );
}

export function TicketPage({ state, actions, toast, now }) {
  const [mode, setMode] = useState("reply");
  const detail = state.detail;
  const stateRef = useRef(state);
  stateRef.current = state;

  useEffect(() => {
    function onKey(event) {
      if (!event.altKey) return;
      const key = event.key.toLowerCase();
      if (key === "r") {
        event.preventDefault();
        setMode("reply");
      } else if (key === "n") {
        event.preventDefault();
        setMode("note");
      } else if (key === "s") {
        event.preventDefault();
        const current = stateRef.current.detail;
        if (current && current.ticket.status !== "solved" && current.ticket.status !== "closed") {
          actions.update({ status: "solved" }).then(
            () => toast(`Ticket #${current.ticket.number} solved`),
            (error) => toast(error.message, "error"),
          );
        }
      }
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  if (!detail) return <div class="loading muted">Loading ticket…</div>;
  const ticket = detail.ticket;
  const mine = ticket.assigneeId === state.me.id;
  const closed = ticket.status === "closed";
  const run = (promise, done) => promise.then(() => done && toast(done), (error) => toast(error.message, "error"));

  return (
    <div class="ticket-page">
      <section class="conversation">
        <header class="ticket-header">
          <button class="btn btn-ghost btn-sm" onClick={actions.closeTicket} aria-label="Back to the view" title="Back (Esc)">
            ←
          </button>
          <div class="ticket-title">
            <div class="row">
              <span class="muted">#{ticket.number}</span>
              <span class={`badge badge-${ticket.status}`} data-ticket-status={ticket.status}>
                {TICKET_STATUS_LABELS[ticket.status]}
              </span>
              {ticket.priority !== "normal" && <span class={`badge badge-${ticket.priority}`}>{ticket.priority}</span>}
              {ticket.sessionEndedAt && <span class="badge">Session ended</span>}
            </div>
            <h1 class="subject">{ticket.subject}</h1>
          </div>
          <div class="ticket-buttons">
            {!mine && !closed && (
              <button class="btn" onClick={() => run(actions.take(), "You took the ticket")}>
                Take it
              </button>
            )}
            {!closed && !ticket.sessionEndedAt && detail.conversation.composerOpen && (
              <button class="btn btn-danger" onClick={() => run(actions.endSession(), "Messaging session ended")}>
                End session
              </button>
            )}
            {!closed && ticket.status !== "solved" && (
              <button class="btn btn-success" title="Solve (Alt+S)" onClick={() => run(actions.update({ status: "solved" }), `Ticket #${ticket.number} solved`)}>
                Solve
              </button>
            )}
          </div>
        </header>
        <Viewers state={state} />
        <Timeline
          detail={detail}
          typing={state.customerTyping}
          customerName={detail.requester.name}
          onEarlier={() =>
            actions.loadEarlier().then(
              () => true,
              (error) => {
                toast(error.message || "Earlier messages not loaded", "error");
                return false;
              },
            )
          }
        />
        {!closed && <Composer state={state} actions={actions} toast={toast} mode={mode} setMode={setMode} />}
      </section>
      <aside class="side-panels">
        <Properties state={state} actions={actions} toast={toast} />
        <CustomerPanel state={state} actions={actions} now={now} />
      </aside>
    </div>
  );
}
