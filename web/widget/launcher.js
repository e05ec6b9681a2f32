// The snippet every page of the business's site loads: the launcher button, the `parlour()` API,
// and nothing else. The messenger (messenger.jsx) is fetched only when the customer opens it, or
// at once for a returning customer, who may have unread replies.
import { stringsFor } from "./i18n/index.js";

const script = document.currentScript;
const appId = script && script.dataset.appId;
const origin = script ? new URL(script.src, location.href).origin : location.origin;
const THEME_KEYS = [
  "primary", "onPrimary", "message", "onMessage", "businessMessage", "onBusinessMessage", "action",
  "onAction", "background", "onBackground", "error", "onError", "notify", "onNotify",
];
const COLOUR = /^#[0-9a-fA-F]{6}$/;
const LOCALE = /^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8}){0,4}$/;
const EVENTS = ["open", "close", "unreadMessages"];

function fail(message) {
  console.error(`[parlour] ${message}`);
  return false;
}

// State shared with the messenger, which reads it and calls back through `core`.
const core = {
  appId,
  origin,
  config: null,
  open: false,
  hidden: false,
  unread: 0,
  zIndex: 999999,
  locale: null,
  theme: {},
  conversationFields: [],
  conversationTags: [],
  listeners: { open: [], close: [], unreadMessages: [] },
  messenger: null, // set by messenger.js once loaded
  ready: null, // resolves once the config is loaded
  pending: [], // calls for the messenger made before it loaded
  emit(event, value) {
    for (const callback of core.listeners[event]) {
      try {
        callback(value);
      } catch (error) {
        console.error(error);
      }
    }
  },
  strings() {
    return stringsFor(core.resolvedLocale());
  },
  resolvedLocale() {
    const settings = (core.config && core.config.settings) || {};
    return core.locale || settings.locale || document.documentElement.lang || navigator.language || "en";
  },
  storageKey: `parlour:${appId}`,
  storage() {
    const forget = core.config && core.config.settings.forgetHistory;
    return forget ? sessionStorage : localStorage;
  },
  setUnread(count) {
    if (count === core.unread) return;
    const more = count > core.unread;
    core.unread = count;
    render();
    if (more && !core.open) button.classList.add("pulse");
    core.emit("unreadMessages", count);
  },
  setOpen(open) {
    if (open === core.open) return;
    if (open && core.hidden) return;
    core.open = open;
    if (open) withMessenger((m) => m.opened());
    else if (core.messenger) core.messenger.closed();
    render();
    core.emit(open ? "open" : "close");
    if (!open) button.focus({ preventScroll: true });
  },
  refresh() {
    render();
  },
};

let configLoaded;
core.ready = new Promise((resolve) => (configLoaded = resolve));

// --- the host element: a shadow root keeps the page's CSS out and ours in ---------------------
const host = document.createElement("div");
host.id = "parlour-widget";
const root = host.attachShadow({ mode: "open" });
core.root = root;
root.innerHTML = `<style>
:host{all:initial;position:fixed;bottom:20px;right:20px;z-index:999999;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
:host(.left){right:auto;left:20px}
:host(.hidden){display:none}
.launcher{all:unset;box-sizing:border-box;width:60px;height:60px;border-radius:50%;display:grid;place-items:center;cursor:pointer;background:var(--p);color:var(--op);box-shadow:0 6px 20px rgba(0,0,0,.22);transition:transform .15s}
.launcher:hover{transform:scale(1.06)}
.launcher:focus-visible{outline:3px solid var(--p);outline-offset:3px}
.launcher svg{width:28px;height:28px;fill:currentColor}
.badge{position:absolute;top:-4px;right:-4px;min-width:22px;height:22px;padding:0 6px;box-sizing:border-box;border-radius:11px;background:var(--n);color:var(--on);font:600 12px/22px system-ui,sans-serif;text-align:center}
.badge[hidden]{display:none}
.pulse{animation:pulse 1s ease-in-out 2}
@keyframes pulse{50%{transform:scale(1.15)}}
@media (prefers-reduced-motion:reduce){.launcher,.pulse{transition:none;animation:none}}
</style><button class="launcher" type="button" aria-haspopup="dialog"></button><span class="badge" hidden aria-hidden="true"></span>`;
const button = root.querySelector(".launcher");
const badge = root.querySelector(".badge");
const CHAT =
  '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M12 3C6.5 3 2 6.9 2 11.7c0 2.4 1.1 4.6 3 6.2L4.2 21.6c-.1.4.3.7.7.5l4.3-2c.9.2 1.8.3 2.8.3 5.5 0 10-3.9 10-8.7S17.5 3 12 3z"/></svg>';
const CROSS =
  '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M18.3 5.7a1 1 0 0 0-1.4 0L12 10.6 7.1 5.7a1 1 0 0 0-1.4 1.4l4.9 4.9-4.9 4.9a1 1 0 1 0 1.4 1.4l4.9-4.9 4.9 4.9a1 1 0 0 0 1.4-1.4L13.4 12l4.9-4.9a1 1 0 0 0 0-1.4z"/></svg>';
button.addEventListener("click", () => core.setOpen(!core.open));
button.addEventListener("animationend", () => button.classList.remove("pulse"));

function render() {
  const t = core.strings();
  const settings = (core.config && core.config.settings) || {};
  const theme = { ...(settings.theme || {}), ...core.theme };
  host.style.setProperty("--p", theme.primary || "#1f5f5b");
  host.style.setProperty("--op", theme.onPrimary || "#ffffff");
  host.style.setProperty("--n", theme.notify || "#d6336c");
  host.style.setProperty("--on", theme.onNotify || "#ffffff");
  host.style.zIndex = String(core.zIndex);
  host.classList.toggle("left", settings.position === "left");
  host.classList.toggle("hidden", core.hidden);
  button.innerHTML = core.open ? CROSS : CHAT;
  button.setAttribute("aria-expanded", String(core.open));
  const label = core.open ? t.close : t.open;
  button.setAttribute("aria-label", core.unread && !core.open ? `${label}, ${t.unread(core.unread)}` : label);
  badge.hidden = !core.unread || core.open;
  badge.textContent = core.unread > 99 ? "99+" : String(core.unread);
  if (core.messenger) core.messenger.refresh();
}

// --- loading the messenger on demand ---------------------------------------------------------
let loading = null;
function loadMessenger() {
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      window.__parlourCore = core;
      const tag = document.createElement("script");
      tag.src = `${origin}/widget/messenger.js`;
      tag.async = true;
      tag.onload = () => (core.messenger ? resolve(core.messenger) : reject(new Error("no messenger")));
      tag.onerror = () => {
        loading = null;
        reject(new Error("the messenger could not be loaded"));
      };
      document.head.appendChild(tag);
    });
  }
  return loading;
}

function withMessenger(action) {
  if (core.messenger) action(core.messenger);
  else loadMessenger().then(action, (error) => fail(error.message));
}

// --- the public API: parlour(namespace, name, value) ------------------------------------------
function checkTheme(value) {
  if (!value || typeof value !== "object" || Array.isArray(value)) return null;
  const theme = value.theme === undefined ? value : value.theme;
  if (!theme || typeof theme !== "object") return null;
  for (const [key, colour] of Object.entries(theme)) {
    if (!THEME_KEYS.includes(key) || typeof colour !== "string" || !COLOUR.test(colour)) return null;
  }
  return theme;
}

const SETTERS = {
  conversationFields(value) {
    const ok =
      Array.isArray(value) &&
      value.length <= 50 &&
      value.every(
        (f) =>
          f && typeof f.id === "string" && f.id && ["string", "number", "boolean"].includes(typeof f.value),
      );
    if (!ok) return fail("conversationFields must be an array of {id: string, value: string|number|boolean}");
    core.conversationFields = value.map((f) => ({ id: f.id, value: f.value }));
  },
  conversationTags(value) {
    const ok = Array.isArray(value) && value.length <= 50 && value.every((t) => typeof t === "string" && /^\S{1,80}$/.test(t));
    if (!ok) return fail("conversationTags must be an array of tags without spaces");
    core.conversationTags = [...value];
  },
  customization(value) {
    const theme = checkTheme(value);
    if (!theme) return fail(`customization must be {theme: {key: "#rrggbb"}} with keys among ${THEME_KEYS.join(", ")}`);
    core.theme = { ...core.theme, ...theme };
    render();
  },
  zIndex(value) {
    if (!Number.isInteger(value) || value < 0 || value > 2147483647) return fail("zIndex must be a whole number");
    core.zIndex = value;
    render();
  },
  locale(value) {
    if (typeof value !== "string" || !LOCALE.test(value)) return fail("locale must be a language tag such as 'fr'");
    core.locale = value;
    render();
  },
};

const ACTIONS = {
  open: () => core.setOpen(true),
  close: () => core.setOpen(false),
  show() {
    core.hidden = false;
    render();
  },
  hide() {
    core.setOpen(false);
    core.hidden = true;
    render();
  },
  loginUser(value) {
    if (typeof value !== "function") return fail("loginUser expects a function that calls back with a JWT");
    withMessenger((m) => m.login(value));
  },
  logoutUser() {
    try {
      localStorage.removeItem(core.storageKey);
      sessionStorage.removeItem(core.storageKey);
    } catch {
      // storage may be unavailable (private mode); nothing to clear then
    }
    core.setUnread(0);
    if (core.messenger) core.messenger.logout();
  },
  sendMessage(value) {
    const content = typeof value === "string" ? value : value && value.content;
    const metadata = value && typeof value === "object" ? value.metadata : undefined;
    if (typeof content !== "string" || !content.trim() || content.length > 4096) {
      return fail("sendMessage expects {content: text of 1 to 4096 characters, metadata?: flat object}");
    }
    if (metadata !== undefined && (typeof metadata !== "object" || metadata === null || Array.isArray(metadata))) {
      return fail("sendMessage metadata must be a flat object");
    }
    withMessenger((m) => m.sendText(content, metadata));
  },
};

function parlour(namespace, name, value) {
  if (namespace === "messenger") {
    if (!Object.hasOwn(ACTIONS, name)) return fail(`unknown messenger action '${name}'`);
    return void ACTIONS[name](value);
  }
  if (namespace === "messenger:on") {
    if (!EVENTS.includes(name)) return fail(`unknown event '${name}': use ${EVENTS.join(", ")}`);
    if (typeof value !== "function") return fail("messenger:on expects a callback function");
    core.listeners[name].push(value);
    if (name === "unreadMessages" && core.unread) value(core.unread);
    return;
  }
  if (namespace === "messenger:set") {
    if (!Object.hasOwn(SETTERS, name)) return fail(`unknown setting '${name}'`);
    return void SETTERS[name](value);
  }
  fail(`unknown call parlour(${JSON.stringify(namespace)}, …)`);
}

function hasHistory() {
  try {
    return Boolean(localStorage.getItem(core.storageKey) || sessionStorage.getItem(core.storageKey));
  } catch {
    return false;
  }
}

async function start() {
  if (!appId) return fail("the snippet needs data-app-id");
  const queued = (window.parlour && window.parlour.q) || [];
  window.parlour = parlour;
  // Listeners first: the launcher is on the page, and can be opened, while the config loads, and
  // an event emitted before its listener was added would be lost.
  for (const args of queued) if (args[0] === "messenger:on") parlour(...args);
  render();
  document.body.appendChild(host);
  try {
    const response = await fetch(`${origin}/client/v1/apps/${encodeURIComponent(appId)}/config`);
    if (!response.ok) return fail(`app ${appId} was not found on ${origin}`);
    core.config = await response.json();
  } catch {
    return fail(`the widget could not reach ${origin}`);
  }
  configLoaded();
  render();
  for (const args of queued) if (args[0] !== "messenger:on") parlour(...args);
  if (hasHistory() && !core.messenger) withMessenger(() => {});
}

if (document.body) start();
else document.addEventListener("DOMContentLoaded", start);
