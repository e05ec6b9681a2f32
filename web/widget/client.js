// The messenger's connection to Parlour: the client API of docs/client-api.md. Holds the state the
// UI draws, keeps unsent messages in an outbox that survives reloads, and resends each with its
// clientMessageId, so that a message is stored and shown exactly once whatever the network does.

const ACK_TIMEOUT_MS = 10000;
const SILENCE_TIMEOUT_MS = 60000;
const MAX_BACKOFF_MS = 15000;

export class ApiError extends Error {
  constructor(status, code, title) {
    super(title);
    this.status = status;
    this.code = code;
  }
}

function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

export class Client {
  constructor(core) {
    this.core = core;
    this.base = `${core.origin}/client/v1/apps/${encodeURIComponent(core.appId)}`;
    this.listeners = new Set();
    this.socket = null;
    this.inFlight = new Map(); // requestId -> outbox item
    this.backoff = 500;
    this.loginCallback = null;
    this.reset();
    const saved = this.load();
    this.auth = saved.auth || null;
    this.lastSeq = Number.isInteger(saved.lastSeq) ? saved.lastSeq : null;
    this.conversationId = saved.conversationId || null;
    this.outbox = Array.isArray(saved.outbox) ? saved.outbox.map((m) => ({ ...m, state: "pending" })) : [];
    this.seenAt = saved.seenAt || "";
    addEventListener("online", () => this.connect());
    addEventListener("offline", () => this.drop("offline"));
  }

  reset() {
    this.user = null;
    this.conversations = [];
    this.messages = new Map(); // conversationId -> Map(messageId -> message)
    this.businessTyping = {};
    this.businessLastRead = {};
    this.status = "idle";
    this.notice = null;
  }

  // --- persistence -------------------------------------------------------------------------
  load() {
    try {
      return JSON.parse(this.core.storage().getItem(this.core.storageKey) || "{}") || {};
    } catch {
      return {};
    }
  }

  save() {
    if (!this.auth && !this.outbox.length) return;
    const state = {
      auth: this.auth,
      lastSeq: this.lastSeq,
      conversationId: this.conversationId,
      seenAt: this.seenAt,
      outbox: this.outbox.filter((m) => m.state !== "failed").map(({ state, error, ...item }) => item),
    };
    try {
      this.core.storage().setItem(this.core.storageKey, JSON.stringify(state));
    } catch {
      // storage full or blocked: the conversation still works for this page view
    }
  }

  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed() {
    this.save();
    this.core.setUnread(this.unreadCount());
    this.notify();
  }

  notify() {
    for (const listener of this.listeners) listener();
  }

  // --- REST --------------------------------------------------------------------------------
  async request(method, path, body, { auth = true } = {}) {
    const headers = {};
    if (auth && this.auth) headers.Authorization = this.auth;
    let payload;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    const response = await fetch(this.base + path, { method, headers, body: payload });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = (data.errors && data.errors[0]) || {};
      throw new ApiError(response.status, error.code || "error", error.title || response.statusText);
    }
    return data;
  }

  // The anonymous user and the default conversation, made on first need.
  ensureSession() {
    if (!this.session) {
      this.session = this.makeSession().finally(() => {
        this.session = null;
      });
    }
    return this.session;
  }

  async makeSession() {
    if (!this.auth) {
      const created = await this.request("POST", "/users", undefined, { auth: false });
      this.auth = `Client ${created.clientToken}`;
      this.user = created.user;
      this.save();
      this.reportContext();
    }
    if (!this.conversationId) {
      const { conversation } = await this.request("POST", "/conversations");
      this.conversationId = conversation.id;
      this.addConversation(conversation);
    }
  }

  reportContext() {
    if (!/^https?:/.test(location.href)) return;
    const body = { currentUrl: location.href.slice(0, 2048), locale: this.core.resolvedLocale() };
    this.request("PUT", "/me/context", body).catch(() => {});
  }

  async reload() {
    const { conversations } = await this.request("GET", "/conversations");
    this.conversations = conversations;
    if (!conversations.some((c) => c.id === this.conversationId)) {
      const fallback = conversations.find((c) => c.isDefault) || conversations[0];
      this.conversationId = fallback ? fallback.id : null;
    }
    for (const conversation of conversations) {
      if (conversation.businessLastRead) this.businessLastRead[conversation.id] = conversation.businessLastRead;
    }
    if (this.conversationId) await this.loadHistory(this.conversationId);
  }

  async loadHistory(conversationId) {
    const { messages } = await this.request("GET", `/conversations/${conversationId}/messages`);
    for (const message of messages) this.addMessage(conversationId, message, { quiet: true });
  }

  addConversation(conversation) {
    if (!this.conversations.some((c) => c.id === conversation.id)) this.conversations.push(conversation);
  }

  // --- the socket --------------------------------------------------------------------------
  connect() {
    if (!this.auth || this.socket || !navigator.onLine) {
      if (!navigator.onLine) this.setStatus("offline");
      return;
    }
    const url = `${this.base.replace(/^http/, "ws")}/ws`;
    const socket = new WebSocket(url);
    this.socket = socket;
    this.setStatus("connecting");
    let heard = Date.now();
    const watchdog = setInterval(() => {
      if (Date.now() - heard > SILENCE_TIMEOUT_MS) socket.close();
    }, 5000);
    socket.onopen = () => socket.send(JSON.stringify({ type: "hello", auth: this.auth, lastSeq: this.lastSeq }));
    socket.onmessage = (message) => {
      heard = Date.now();
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch {
        return;
      }
      this.onFrame(socket, frame);
    };
    socket.onclose = (event) => {
      clearInterval(watchdog);
      if (this.socket !== socket) return;
      this.socket = null;
      this.requeue();
      this.onClosed(event.code);
    };
  }

  async onClosed(code) {
    if (code === 4009) this.lastSeq = null;
    if (code === 4001) {
      if (this.auth && this.auth.startsWith("Bearer") && this.loginCallback) {
        return this.login(this.loginCallback);
      }
      // The anonymous user is gone (merged elsewhere or deleted): start afresh.
      this.auth = null;
      this.conversationId = null;
      this.lastSeq = null;
      this.reset();
      this.changed();
      return;
    }
    if (!navigator.onLine) return this.setStatus("offline");
    this.setStatus("reconnecting");
    const delay = this.backoff;
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
    setTimeout(() => this.connect(), delay);
  }

  drop(status) {
    this.setStatus(status);
    if (this.socket) {
      const socket = this.socket;
      this.socket = null;
      socket.close();
      this.requeue();
    }
  }

  setStatus(status) {
    if (this.status !== status) {
      this.status = status;
      this.changed();
    }
  }

  async onFrame(socket, frame) {
    switch (frame.type) {
      case "ping":
        socket.send('{"type":"pong"}');
        return;
      case "ready":
        this.backoff = 500;
        this.user = frame.user;
        if (this.lastSeq === null) this.lastSeq = frame.lastSeq;
        try {
          await this.ensureSession();
          await this.reload();
        } catch (error) {
          console.error("[parlour]", error);
        }
        this.setStatus("online");
        this.flush();
        this.changed();
        return;
      case "event":
        if (this.lastSeq !== null && frame.seq <= this.lastSeq) return;
        this.onEvent(frame.event);
        this.lastSeq = frame.seq;
        this.changed();
        return;
      case "ack":
      case "error":
        this.onAnswer(frame);
        return;
      default:
    }
  }

  onEvent(event) {
    const payload = event.payload || {};
    const conversationId = payload.conversation && payload.conversation.id;
    if (event.type === "conversation:message") {
      this.addMessage(conversationId, payload.message);
    } else if (event.type === "conversation:typing") {
      const author = payload.activity.author || {};
      if (author.type === "business") {
        this.businessTyping[conversationId] = payload.activity.typing ? author.displayName || "" : null;
        clearTimeout(this.typingTimer);
        this.typingTimer = setTimeout(() => {
          this.businessTyping = {};
          this.changed();
        }, 15000);
      }
    } else if (event.type === "conversation:read") {
      const author = payload.activity.author || {};
      if (author.type === "business") this.businessLastRead[conversationId] = event.createdAt;
    } else if (event.type === "conversation:create" || event.type === "conversation:join") {
      this.addConversation(payload.conversation);
    } else if (event.type === "conversation:remove" || event.type === "conversation:leave") {
      this.conversations = this.conversations.filter((c) => c.id !== conversationId);
      this.messages.delete(conversationId);
      if (this.conversationId === conversationId) this.conversationId = null;
    } else if (event.type === "conversation:messages:deleted") {
      const held = this.messages.get(conversationId);
      if (held && payload.all) held.clear();
      else if (held) for (const id of payload.messageIds || []) held.delete(id);
    }
  }

  addMessage(conversationId, message, { quiet = false } = {}) {
    if (!conversationId || !message) return;
    if (!this.messages.has(conversationId)) this.messages.set(conversationId, new Map());
    const held = this.messages.get(conversationId);
    const isNew = !held.has(message.id);
    held.set(message.id, message);
    if (message.clientMessageId && message.author.type === "user") {
      this.outbox = this.outbox.filter((m) => m.clientMessageId !== message.clientMessageId);
    }
    if (isNew && !quiet && message.author.type === "business") {
      if (this.businessTyping[conversationId]) this.businessTyping[conversationId] = null;
      this.core.cue && this.core.cue(message);
    }
  }

  // --- sending -----------------------------------------------------------------------------
  metadataFor(extra) {
    const metadata = { ...(extra || {}) };
    if (this.core.conversationFields.length) {
      metadata["parlour:conversationFields"] = JSON.stringify(this.core.conversationFields);
    }
    if (this.core.conversationTags.length) metadata["parlour:conversationTags"] = this.core.conversationTags.join(" ");
    return Object.keys(metadata).length ? metadata : undefined;
  }

  send(content, metadata) {
    const item = {
      clientMessageId: newId(),
      conversationId: this.conversationId,
      content,
      metadata: this.metadataFor(metadata),
      createdAt: new Date().toISOString(),
      state: "pending",
    };
    this.outbox.push(item);
    this.changed();
    if (this.auth) this.flush();
    else this.start();
  }

  sendText(text, metadata) {
    const trimmed = text.trim();
    if (trimmed) this.send({ type: "text", text: trimmed }, metadata);
  }

  flush() {
    const socket = this.socket;
    if (!socket || this.status !== "online") return;
    for (const item of this.outbox) {
      if (item.state !== "pending") continue;
      item.conversationId = item.conversationId || this.conversationId;
      const requestId = newId();
      item.state = "sending";
      this.inFlight.set(requestId, item);
      const frame = { type: "message", requestId, conversationId: item.conversationId, content: item.content };
      frame.clientMessageId = item.clientMessageId;
      if (item.metadata) frame.metadata = item.metadata;
      socket.send(JSON.stringify(frame));
      setTimeout(() => {
        // No answer: the connection is dead without knowing it. Reconnecting resends.
        if (this.inFlight.has(requestId) && this.socket === socket) socket.close();
      }, ACK_TIMEOUT_MS);
    }
    this.changed();
  }

  requeue() {
    for (const item of this.inFlight.values()) if (item.state === "sending") item.state = "pending";
    this.inFlight.clear();
  }

  onAnswer(frame) {
    const item = this.inFlight.get(frame.requestId);
    if (!item) return;
    this.inFlight.delete(frame.requestId);
    if (frame.type === "ack") {
      this.addMessage(item.conversationId, frame.message);
      this.outbox = this.outbox.filter((m) => m !== item);
    } else {
      item.state = "failed";
      item.error = frame.title;
    }
    this.changed();
  }

  retry(item) {
    item.state = "pending";
    item.error = null;
    this.flush();
    this.changed();
  }

  discard(item) {
    this.outbox = this.outbox.filter((m) => m !== item);
    this.changed();
  }

  async upload(file) {
    const form = new FormData();
    form.append("source", file, file.name);
    await this.ensureSession();
    const { attachment } = await this.request("POST", "/attachments", form);
    const kind = /^image\/(png|jpeg|gif|webp)$/.test(attachment.mediaType) ? "image" : "file";
    this.send({ type: kind, mediaUrl: attachment.mediaUrl, altText: file.name.slice(0, 128) });
  }

  activity(type) {
    if (this.socket && this.status === "online" && this.conversationId) {
      const frame = { type: "activity", conversationId: this.conversationId, activity: type };
      this.socket.send(JSON.stringify(frame));
    }
  }

  // --- reading -----------------------------------------------------------------------------
  current() {
    const held = this.messages.get(this.conversationId);
    const stored = held ? [...held.values()] : [];
    stored.sort((a, b) => (a.received < b.received ? -1 : a.received > b.received ? 1 : 0));
    return stored;
  }

  pendingHere() {
    return this.outbox.filter((m) => !m.conversationId || m.conversationId === this.conversationId);
  }

  unreadCount() {
    let count = 0;
    for (const held of this.messages.values()) {
      for (const message of held.values()) {
        if (message.author.type === "business" && message.received > this.seenAt) count += 1;
      }
    }
    return count;
  }

  markSeen() {
    const latest = this.current().at(-1);
    const unread = this.unreadCount();
    if (latest && latest.received > this.seenAt) this.seenAt = latest.received;
    if (unread) this.activity("conversation:read");
    this.changed();
  }

  // --- identity ----------------------------------------------------------------------------
  start() {
    if (this.socket || this.starting) return;
    if (this.auth) return this.connect();
    if (!navigator.onLine) return this.setStatus("offline");
    this.starting = this.ensureSession().then(
      () => {
        this.starting = null;
        this.connect();
      },
      (error) => {
        this.starting = null;
        console.error("[parlour]", error);
        this.onClosed(0);
      },
    );
  }

  login(callback) {
    this.loginCallback = callback;
    return new Promise((resolve) => {
      callback(async (jwt) => {
        if (typeof jwt !== "string" || !jwt) return resolve(console.error("[parlour] loginUser needs a JWT string"));
        try {
          const headers = { "Content-Type": "application/json" };
          if (this.auth && this.auth.startsWith("Client ")) headers.Authorization = this.auth;
          const response = await fetch(`${this.base}/login`, { method: "POST", headers, body: JSON.stringify({ jwt }) });
          if (!response.ok) {
            const data = await response.json().catch(() => ({}));
            return resolve(console.error("[parlour] login refused:", (data.errors || [{}])[0].title));
          }
          this.auth = `Bearer ${jwt}`;
          this.switchIdentity();
          this.reportContext();
        } catch (error) {
          console.error("[parlour]", error);
        }
        resolve();
      });
    });
  }

  switchIdentity() {
    // Merged conversations may have new ids: reload everything under the new identity.
    const socket = this.socket;
    this.socket = null;
    if (socket) socket.close();
    this.requeue();
    for (const item of this.outbox) item.conversationId = null;
    this.reset();
    this.conversationId = null;
    this.lastSeq = null;
    this.changed();
    this.connect();
  }

  logout() {
    this.loginCallback = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) socket.close();
    this.inFlight.clear();
    this.auth = null;
    this.lastSeq = null;
    this.conversationId = null;
    this.outbox = [];
    this.seenAt = "";
    this.reset();
    this.notify();
  }

  async newConversation() {
    const { conversation } = await this.request("POST", "/conversations?new=true");
    this.addConversation(conversation);
    this.conversationId = conversation.id;
    this.changed();
  }

  async select(conversationId) {
    this.conversationId = conversationId;
    this.changed();
    if (!this.messages.has(conversationId)) {
      await this.loadHistory(conversationId);
      this.changed();
    }
  }
}
