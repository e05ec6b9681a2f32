// The messenger: loaded by the launcher on demand, drawn in the launcher's shadow root.
import { render } from "preact";
import { useEffect, useLayoutEffect, useReducer, useRef, useState } from "preact/hooks";
import { Client } from "./client.js";
import { Content, safeUrl } from "./content.jsx";
import css from "./styles.css";

const core = window.__parlourCore;
const client = new Client(core);
const TYPING_IDLE_MS = 4000;

function matchesType(type, patterns) {
  return patterns.some((pattern) => {
    const [major, minor] = pattern.split("/");
    const [tmajor, tminor] = type.split("/");
    const part = (p, v) => p === "*" || p === v || (p.endsWith("*") && v.startsWith(p.slice(0, -1)));
    return part(major, tmajor) && part(minor, tminor || "");
  });
}

function sizeText(bytes) {
  return bytes >= 1048576 ? `${Math.round(bytes / 1048576)} MB` : `${Math.round(bytes / 1024)} KB`;
}

function time(iso) {
  try {
    return new Date(iso).toLocaleTimeString(core.resolvedLocale(), { hour: "2-digit", minute: "2-digit" });
  } catch {
    return "";
  }
}

function useClient() {
  const [, bump] = useReducer((n) => n + 1, 0);
  useEffect(() => client.subscribe(bump), []);
}

function Avatar({ settings }) {
  const src = safeUrl(settings.avatarUrl);
  if (src) return <img class="avatar" src={src} alt="" />;
  return (
    <span class="avatar" aria-hidden="true">
      {(settings.businessName || "?").trim().charAt(0).toUpperCase()}
    </span>
  );
}

function Header({ settings, t, multi, onList }) {
  return (
    <header class="header">
      {multi && (
        <button type="button" class="icon" aria-label={t.back} onClick={onList}>
          ‹
        </button>
      )}
      <Avatar settings={settings} />
      <div class="title">
        <h2 id="parlour-title">{settings.businessName}</h2>
        <p>{settings.introText || t.intro}</p>
      </div>
      <button type="button" class="icon close" aria-label={t.close} onClick={() => core.setOpen(false)}>
        ×
      </button>
    </header>
  );
}

function Status({ t }) {
  if (client.status === "offline") return <div class="banner" role="status">{t.offline}</div>;
  if (client.status === "reconnecting") return <div class="banner soft" role="status">{t.reconnecting}</div>;
  return null;
}

function Bubble({ message, t, onAction, onSubmitForm, answered, receipt }) {
  const mine = message.author.type === "user";
  const rich = ["carousel", "list", "form"].includes(message.content.type);
  return (
    <li class={`row ${mine ? "mine" : "theirs"}`}>
      {!mine && <span class="who">{message.author.displayName || ""}</span>}
      <div class={`bubble ${rich ? "rich" : ""} ${message.content.type}`}>
        <Content message={message} t={t} onAction={onAction} onSubmitForm={onSubmitForm} answered={answered} />
      </div>
      <span class="meta">
        <time dateTime={message.received}>{time(message.received)}</time>
        {receipt && <span class="receipt"> · {receipt}</span>}
      </span>
    </li>
  );
}

function PendingBubble({ item, t }) {
  const content = item.content;
  const label = item.state === "failed" ? t.failed : item.state === "sending" ? t.sending : t.pending;
  return (
    <li class={`row mine pending ${item.state}`} data-client-message-id={item.clientMessageId}>
      <div class="bubble">
        <p class="text">{content.text || content.altText || ""}</p>
      </div>
      <span class="meta">
        <span class="receipt">{label}</span>
        {item.error && <span class="error-text"> · {item.error}</span>}
        {item.state === "failed" && (
          <button type="button" class="link" onClick={() => client.retry(item)}>
            {t.retry}
          </button>
        )}
      </span>
    </li>
  );
}

function Conversation({ t }) {
  const list = useRef(null);
  const messages = client.current();
  const pending = client.pendingHere();
  const typing = client.businessTyping[client.conversationId];
  const lastRead = client.businessLastRead[client.conversationId] || "";
  const answeredForms = new Set(
    messages.filter((m) => m.content.type === "formResponse").map((m) => m.content.quotedMessageId),
  );
  const lastMine = [...messages].reverse().find((m) => m.author.type === "user");

  useLayoutEffect(() => {
    if (list.current) list.current.scrollTop = list.current.scrollHeight;
  }, [messages.length, pending.length, typing]);

  const onAction = (action) =>
    client.send({ type: "text", text: action.text, payload: action.payload }, { "parlour:postback": true });
  const onSubmitForm = (content) => client.send(content);
  return (
    <ol class="messages" ref={list} role="log" aria-live="polite" aria-label={t.messages} tabIndex={0}>
      {!messages.length && !pending.length && <li class="empty">{t.emptyHistory}</li>}
      {messages.map((message) => (
        <Bubble
          key={message.id}
          message={message}
          t={t}
          onAction={onAction}
          onSubmitForm={onSubmitForm}
          answered={answeredForms.has(message.id)}
          receipt={message === lastMine ? (lastRead >= message.received ? t.seen : t.delivered) : null}
        />
      ))}
      {pending.map((item) => (
        <PendingBubble key={item.clientMessageId} item={item} t={t} />
      ))}
      {typing !== undefined && typing !== null && (
        <li class="row theirs typing" aria-label={t.typing(typing || core.config.settings.businessName)}>
          <span class="dots" aria-hidden="true">
            <i />
            <i />
            <i />
          </span>
        </li>
      )}
    </ol>
  );
}

function QuickReplies() {
  const last = client.current().at(-1);
  if (!last || last.author.type !== "business") return null;
  const replies = (last.content.actions || []).filter((a) => a.type === "reply");
  if (!replies.length) return null;
  return (
    <div class="quick-replies">
      {replies.map((reply, i) => {
        const icon = safeUrl(reply.iconUrl);
        return (
          <button
            type="button"
            key={i}
            class="chip"
            onClick={() => client.send({ type: "text", text: reply.text, payload: reply.payload })}
          >
            {icon && <img src={icon} alt="" />}
            {reply.text}
          </button>
        );
      })}
    </div>
  );
}

function Composer({ t, settings, inputRef }) {
  const [text, setText] = useState("");
  const [notice, setNotice] = useState(null);
  const typing = useRef(null);
  const fileInput = useRef(null);

  const stopTyping = () => {
    if (typing.current) {
      clearTimeout(typing.current);
      typing.current = null;
      client.activity("typing:stop");
    }
  };
  const onInput = (event) => {
    setText(event.currentTarget.value);
    if (!typing.current) client.activity("typing:start");
    else clearTimeout(typing.current);
    typing.current = setTimeout(stopTyping, TYPING_IDLE_MS);
  };
  const submit = (event) => {
    event.preventDefault();
    if (!text.trim()) return;
    client.sendText(text);
    setText("");
    stopTyping();
    inputRef.current && inputRef.current.focus();
  };
  const onKeyDown = (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) submit(event);
  };
  const onFile = async (event) => {
    const file = event.currentTarget.files[0];
    event.currentTarget.value = "";
    if (!file) return;
    setNotice(null);
    if (file.size > settings.maxAttachmentBytes) return setNotice(t.tooLarge(sizeText(settings.maxAttachmentBytes)));
    if (!matchesType(file.type || "application/octet-stream", settings.allowedAttachmentTypes)) {
      return setNotice(t.typeNotAllowed);
    }
    if (!navigator.onLine) return setNotice(t.uploadOffline);
    try {
      await client.upload(file);
    } catch (error) {
      setNotice(error.title || error.message || t.uploadFailed);
    }
  };
  return (
    <>
      {notice && (
        <div class="notice error" role="alert">
          {notice}
        </div>
      )}
      <form class="composer" onSubmit={submit}>
        {settings.attachmentsEnabled && (
          <>
            <input ref={fileInput} type="file" class="sr" tabIndex={-1} aria-hidden="true" onChange={onFile} />
            <button type="button" class="icon attach" aria-label={t.attach} onClick={() => fileInput.current.click()}>
              <svg viewBox="0 0 24 24" aria-hidden="true">
                <path d="M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5H9v9a3 3 0 0 0 6 0V5a4.5 4.5 0 0 0-9 0v11.5a6 6 0 0 0 12 0v-10z" />
              </svg>
            </button>
          </>
        )}
        <textarea
          ref={inputRef}
          rows={1}
          value={text}
          placeholder={t.placeholder}
          aria-label={t.placeholder}
          maxLength={4096}
          onInput={onInput}
          onKeyDown={onKeyDown}
          onBlur={stopTyping}
        />
        <button type="submit" class="icon send" aria-label={t.send} disabled={!text.trim()}>
          <svg viewBox="0 0 24 24" aria-hidden="true">
            <path d="M3.4 20.4 21 12 3.4 3.6 3.4 10l12.6 2-12.6 2z" />
          </svg>
        </button>
      </form>
    </>
  );
}

function ConversationList({ t, onPick }) {
  return (
    <div class="conversation-list">
      <h3>{t.conversations}</h3>
      <ul>
        {client.conversations.map((c, i) => (
          <li key={c.id}>
            <button type="button" onClick={() => onPick(c.id)}>
              {c.displayName || `${t.messages} ${i + 1}`}
              <small>{time(c.lastUpdatedAt)}</small>
            </button>
          </li>
        ))}
      </ul>
      <button
        type="button"
        class="action primary"
        onClick={() => client.newConversation().then(() => onPick(client.conversationId))}
      >
        {t.newConversation}
      </button>
    </div>
  );
}

function themeStyle(theme) {
  const names = {
    primary: "p", onPrimary: "op", message: "m", onMessage: "om", businessMessage: "b", onBusinessMessage: "ob",
    action: "a", onAction: "oa", background: "bg", onBackground: "obg", error: "e", onError: "oe", notify: "n",
    onNotify: "on",
  };
  return Object.entries(names)
    .map(([key, short]) => `--${short}:${theme[key]}`)
    .join(";");
}

function Messenger() {
  useClient();
  const [listing, setListing] = useState(false);
  const input = useRef(null);
  const settings = core.config.settings;
  const t = core.strings();
  const open = core.open;
  const multi = core.config.multiConvoEnabled;

  useEffect(() => {
    if (open) {
      client.start();
      client.markSeen();
      setTimeout(() => input.current && input.current.focus(), 0);
    }
  }, [open]);
  useEffect(() => {
    if (open && !document.hidden && client.unreadCount()) client.markSeen();
  });

  if (!open) return null;
  const theme = { ...settings.theme, ...core.theme };
  return (
    <div
      class={`panel ${settings.position === "left" ? "left" : ""}`}
      style={`${themeStyle(theme)};z-index:${core.zIndex}`}
      role="dialog"
      aria-labelledby="parlour-title"
      lang={core.resolvedLocale()}
      onKeyDown={(event) => event.key === "Escape" && core.setOpen(false)}
    >
      <Header settings={settings} t={t} multi={multi && !listing} onList={() => setListing(true)} />
      <Status t={t} />
      {listing ? (
        <ConversationList
          t={t}
          onPick={(id) => {
            setListing(false);
            client.select(id);
          }}
        />
      ) : (
        <>
          <Conversation t={t} />
          <QuickReplies />
          <Composer t={t} settings={settings} inputRef={input} />
        </>
      )}
      <footer class="footer">{t.poweredBy}</footer>
    </div>
  );
}

// --- a short chime and the launcher's pulse when a reply arrives unseen -----------------------
let audio = null;
core.cue = () => {
  if (core.open && !document.hidden) return;
  try {
    audio = audio || new AudioContext();
    if (audio.state !== "running") return;
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = 880;
    gain.gain.setValueAtTime(0.08, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.25);
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.25);
  } catch {
    // no audio in this browser: the badge and the pulse are the cue
  }
};

const mount = document.createElement("div");
const style = document.createElement("style");
style.textContent = css;
core.root.append(style, mount);

// Rendered once; later changes re-render through the component's own state, never by calling
// render() again (which could run inside a render, from an effect's callback).
let drawn = false;
const draw = () => {
  if (!core.config) return;
  if (!drawn) {
    drawn = true;
    render(<Messenger />, mount);
  } else client.notify();
};
core.messenger = {
  opened: draw,
  closed: draw,
  refresh: draw,
  login: (callback) => client.login(callback),
  logout: () => client.logout(),
  sendText: (text, metadata) => client.sendText(text, metadata),
};
core.ready.then(() => {
  draw();
  // A returning customer connects at once (unread replies); a new one when they open or send.
  if (client.auth) client.start();
});
