// The workspace's state: what the REST API loaded plus what the staff stream keeps fresh.
import { useEffect, useReducer, useRef } from "preact/hooks";
import { createApi, workspaceRoot } from "../shared/api.js";
import { createStream } from "../shared/stream.js";

export function useWorkspace(appId, me, { onAssigned, onToast }) {
  const api = useRef(createApi(workspaceRoot(appId))).current;
  const [state, dispatch] = useReducer(reduce, {
    me,
    team: [],
    groups: [],
    view: "mine",
    viewData: { tickets: [], counts: {} },
    ticketId: null,
    detail: null,
    customerTyping: false,
    customerOnline: null,
    viewers: [],
    connection: "connecting",
    macros: [],
  });
  const live = useRef({ state, stream: null, refreshTimer: null, assignees: new Map(), typingTimer: null });
  live.current.state = state;

  async function loadView(view = live.current.state.view) {
    const data = await api.get(`views/${view}`);
    for (const ticket of data.tickets) live.current.assignees.set(ticket.id, ticket.assigneeId);
    dispatch({ type: "view", view, data });
  }

  async function loadTicket(ticketId = live.current.state.ticketId) {
    if (!ticketId) return;
    try {
      const detail = await api.get(`tickets/${ticketId}`);
      live.current.assignees.set(ticketId, detail.ticket.assigneeId);
      dispatch({ type: "detail", detail });
      const stream = live.current.stream;
      if (stream && stream.connected) {
        const conversationId = detail.ticket.conversationId;
        stream.send({ type: "watch", conversationId }).then(
          (frame) => dispatch({ type: "presence", frame }),
          () => {},
        );
        stream.send({ type: "view", conversationId }).then(
          (frame) => dispatch({ type: "viewers", frame }),
          () => {},
        );
      }
    } catch (error) {
      if (error.status === 404) {
        onToast("That ticket is no longer in your reach", "error");
        dispatch({ type: "close-ticket" });
      } else throw error;
    }
  }

  async function loadTeam() {
    const data = await api.get("staff");
    dispatch({ type: "team", data });
  }

  async function loadMacros() {
    const data = await api.get("macros");
    dispatch({ type: "macros", macros: data.macros });
  }

  function refreshSoon() {
    clearTimeout(live.current.refreshTimer);
    live.current.refreshTimer = setTimeout(() => loadView().catch(() => {}), 120);
  }

  function onEvent(event) {
    const current = live.current.state;
    const conversationId = current.detail && current.detail.ticket.conversationId;
    const payload = event.payload || {};
    const type = event.type;
    if (type.startsWith("ticket:") && payload.ticket && payload.ticket.conversationId) {
      const ticket = payload.ticket;
      const before = live.current.assignees.get(ticket.id);
      live.current.assignees.set(ticket.id, ticket.assigneeId);
      // Someone else gave me this ticket (my own takes are noted before they are sent).
      if (type === "ticket:updated" && ticket.assigneeId === current.me.id && before !== current.me.id) {
        onAssigned(ticket);
      }
      if (current.ticketId === ticket.id) dispatch({ type: "ticket", ticket });
      refreshSoon();
      return;
    }
    if (type === "ticket:note") {
      if (payload.note && payload.note.conversationId === conversationId) dispatch({ type: "note", note: payload.note });
      return;
    }
    if (type === "conversation:message") {
      if (payload.conversation && payload.conversation.id === conversationId) {
        dispatch({ type: "message", message: payload.message });
      }
      refreshSoon();
      return;
    }
    if (type === "conversation:typing" && payload.conversation && payload.conversation.id === conversationId) {
      const activity = payload.activity || {};
      if (activity.author && activity.author.type === "user") {
        clearTimeout(live.current.typingTimer);
        dispatch({ type: "customer-typing", typing: !!activity.typing });
        if (activity.typing) {
          live.current.typingTimer = setTimeout(() => dispatch({ type: "customer-typing", typing: false }), 10000);
        }
      }
      return;
    }
    if (type === "conversation:read" && payload.conversation && payload.conversation.id === conversationId) {
      const activity = payload.activity || {};
      if (activity.author && activity.author.type === "user") dispatch({ type: "customer-read", at: event.createdAt });
      return;
    }
    if (type === "staff:status") {
      dispatch({ type: "staff-status", staff: payload.staff });
    }
  }

  function onFrame(frame) {
    if (frame.type === "presence") dispatch({ type: "presence", frame });
    if (frame.type === "viewers") dispatch({ type: "viewers", frame });
  }

  useEffect(() => {
    const stream = createStream({
      url: `${workspaceRoot(appId)}/ws`,
      onEvent,
      onFrame,
      onState: (connection) => dispatch({ type: "connection", connection }),
      // After any (re)connect: the stream resumes where it stopped, and a fresh read of the
      // open pages covers whatever happened before the first connection.
      onReady: () => {
        loadView().catch(() => {});
        loadTicket().catch(() => {});
        loadTeam().catch(() => {});
      },
    });
    live.current.stream = stream;
    loadMacros().catch(() => {});
    return () => stream.close();
  }, []);

  const actions = {
    api,
    stream: () => live.current.stream,
    selectView(view) {
      dispatch({ type: "select-view", view });
      loadView(view).catch(() => {});
    },
    async openTicket(ticketId) {
      const previous = live.current.state.detail;
      const stream = live.current.stream;
      if (previous && stream) {
        const conversationId = previous.ticket.conversationId;
        stream.notify({ type: "unview", conversationId });
        stream.notify({ type: "unwatch", conversationId });
      }
      dispatch({ type: "open-ticket", ticketId });
      await loadTicket(ticketId);
    },
    closeTicket() {
      const previous = live.current.state.detail;
      const stream = live.current.stream;
      if (previous && stream) {
        stream.notify({ type: "unview", conversationId: previous.ticket.conversationId });
        stream.notify({ type: "unwatch", conversationId: previous.ticket.conversationId });
      }
      dispatch({ type: "close-ticket" });
    },
    async update(changes) {
      const ticketId = live.current.state.ticketId;
      if (changes.assigneeId === live.current.state.me.id) live.current.assignees.set(ticketId, changes.assigneeId);
      const { ticket } = await api.patch(`tickets/${ticketId}`, changes);
      live.current.assignees.set(ticket.id, ticket.assigneeId);
      dispatch({ type: "ticket", ticket });
      refreshSoon();
      return ticket;
    },
    async take() {
      live.current.assignees.set(live.current.state.ticketId, live.current.state.me.id);
      const { ticket } = await api.post(`tickets/${live.current.state.ticketId}/take`);
      live.current.assignees.set(ticket.id, ticket.assigneeId);
      dispatch({ type: "ticket", ticket });
      refreshSoon();
    },
    async endSession() {
      await api.post(`tickets/${live.current.state.ticketId}/end-session`);
      await loadTicket();
    },
    async reply(content, clientMessageId) {
      const conversationId = live.current.state.detail.ticket.conversationId;
      const { message } = await api.post(`conversations/${conversationId}/messages`, { content, clientMessageId });
      dispatch({ type: "message", message });
    },
    async note(text, attachments = []) {
      const { note } = await api.post(`tickets/${live.current.state.ticketId}/notes`, { text, attachments });
      dispatch({ type: "note", note });
    },
    async applyMacro(macroId) {
      const { ticket, text } = await api.post(`tickets/${live.current.state.ticketId}/macros/${macroId}`);
      dispatch({ type: "ticket", ticket });
      refreshSoon();
      return text;
    },
    async saveMacro(body) {
      await api.post("macros", body);
      await loadMacros();
    },
    async deleteMacro(macroId) {
      await api.del(`macros/${macroId}`);
      await loadMacros();
    },
    async setStatus(status) {
      await api.put("me/status", { status });
      dispatch({ type: "me", me: { ...live.current.state.me, status } });
    },
    reloadTicket: () => loadTicket(),
    // The page before the earliest message shown, with the notes of its period, put in front.
    async loadEarlier() {
      const detail = live.current.state.detail;
      if (!detail || !detail.conversation.hasEarlierMessages || !detail.messages.length) return;
      const ticketId = detail.ticket.id;
      const cursor = detail.messages[0].id;
      const page = await api.get(`tickets/${ticketId}/messages?page[before]=${encodeURIComponent(cursor)}`);
      dispatch({ type: "earlier", ticketId, cursor, page });
    },
  };
  return [state, actions];
}

function reduce(state, action) {
  switch (action.type) {
    case "view":
      if (action.view !== state.view) return state;
      return { ...state, viewData: action.data };
    case "select-view":
      return { ...state, view: action.view, ticketId: null, detail: null, viewers: [] };
    case "open-ticket":
      return {
        ...state,
        ticketId: action.ticketId,
        detail: state.detail && state.detail.ticket.id === action.ticketId ? state.detail : null,
        customerTyping: false,
        customerOnline: null,
        viewers: [],
      };
    case "close-ticket":
      return { ...state, ticketId: null, detail: null, viewers: [], customerTyping: false };
    case "detail":
      if (action.detail.ticket.id !== state.ticketId) return state;
      return { ...state, detail: keepNewer(state.detail, keepEarlier(state.detail, action.detail)) };
    case "earlier": {
      const detail = state.detail;
      // A page for another ticket, or asked for before the timeline changed: dropped.
      if (!detail || detail.ticket.id !== action.ticketId || !detail.messages.length) return state;
      if (detail.messages[0].id !== action.cursor) return state;
      const known = new Set(detail.messages.map((m) => m.id));
      const noted = new Set(detail.notes.map((n) => n.id));
      return {
        ...state,
        detail: {
          ...detail,
          conversation: { ...detail.conversation, hasEarlierMessages: action.page.meta.hasMore },
          messages: [...action.page.messages.filter((m) => !known.has(m.id)), ...detail.messages],
          notes: [...action.page.notes.filter((n) => !noted.has(n.id)), ...detail.notes],
          pagedBack: true,
        },
      };
    }
    case "ticket":
      if (!state.detail || state.detail.ticket.id !== action.ticket.id) return state;
      return { ...state, detail: { ...state.detail, ticket: action.ticket } };
    case "message": {
      if (!state.detail) return state;
      const messages = state.detail.messages;
      if (messages.some((m) => m.id === action.message.id)) return state;
      const typing = action.message.author.type === "user" ? false : state.customerTyping;
      return { ...state, customerTyping: typing, detail: { ...state.detail, messages: [...messages, action.message] } };
    }
    case "note": {
      if (!state.detail) return state;
      if (state.detail.notes.some((n) => n.id === action.note.id)) return state;
      return { ...state, detail: { ...state.detail, notes: [...state.detail.notes, action.note] } };
    }
    case "customer-typing":
      return { ...state, customerTyping: action.typing };
    case "customer-read":
      if (!state.detail) return state;
      return {
        ...state,
        detail: { ...state.detail, conversation: { ...state.detail.conversation, customerLastRead: action.at } },
      };
    case "presence":
      if (!state.detail || action.frame.conversationId !== state.detail.ticket.conversationId) return state;
      return { ...state, customerOnline: action.frame.customerOnline };
    case "viewers":
      if (!state.detail || action.frame.conversationId !== state.detail.ticket.conversationId) return state;
      return { ...state, viewers: action.frame.viewers };
    case "team":
      return { ...state, team: action.data.staff, groups: action.data.groups };
    case "staff-status": {
      const team = state.team.map((s) => (s.id === action.staff.id ? { ...s, status: action.staff.status } : s));
      const me = state.me.id === action.staff.id ? { ...state.me, status: action.staff.status } : state.me;
      return { ...state, team, me };
    }
    case "me":
      return { ...state, me: action.me };
    case "connection":
      return { ...state, connection: action.connection };
    case "macros":
      return { ...state, macros: action.macros };
    default:
      return state;
  }
}

// A fresh read of the ticket (after a reconnect, an ended session) returns the latest page only:
// the earlier pages the agent already opened stay when they still meet the fresh one.
// A read of the ticket races the stream: events that arrived while it was being fetched (after a
// reconnect, say) are newer than what it returns, and must not be dropped by it.
function keepNewer(previous, fresh) {
  if (!previous || previous.ticket.id !== fresh.ticket.id) return fresh;
  const lastOf = (items, key) => (items.length ? items[items.length - 1][key] : "");
  const knownMessages = new Set(fresh.messages.map((m) => m.id));
  const knownNotes = new Set(fresh.notes.map((n) => n.id));
  const sinceMessage = lastOf(fresh.messages, "received");
  const sinceNote = lastOf(fresh.notes, "createdAt");
  const messages = previous.messages.filter((m) => !knownMessages.has(m.id) && m.received > sinceMessage);
  const notes = previous.notes.filter((n) => !knownNotes.has(n.id) && n.createdAt > sinceNote);
  if (!messages.length && !notes.length) return fresh;
  return { ...fresh, messages: [...fresh.messages, ...messages], notes: [...fresh.notes, ...notes] };
}

function keepEarlier(previous, fresh) {
  if (!previous || previous.ticket.id !== fresh.ticket.id || !previous.pagedBack || !fresh.messages.length) return fresh;
  const start = previous.messages.findIndex((m) => m.id === fresh.messages[0].id);
  if (start <= 0) return fresh;
  const since = fresh.messages[0].received;
  const fresher = new Set(fresh.notes.map((n) => n.id));
  return {
    ...fresh,
    conversation: { ...fresh.conversation, hasEarlierMessages: previous.conversation.hasEarlierMessages },
    messages: [...previous.messages.slice(0, start), ...fresh.messages],
    notes: [...previous.notes.filter((n) => n.createdAt <= since && !fresher.has(n.id)), ...fresh.notes],
    pagedBack: true,
  };
}
