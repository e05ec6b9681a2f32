// The resumable staff event stream (docs/client-api.md §9-§10): reconnects with backoff and
// resumes from the last processed seq, so a network drop loses nothing.
export function createStream({ url, auth = null, onEvent, onReady, onFrame, onState }) {
  let socket = null;
  let lastSeq = null;
  let closed = false;
  let attempt = 0;
  let timer = null;
  let counter = 0;
  const pending = new Map();

  const setState = (state) => onState && onState(state);

  function connect() {
    if (closed) return;
    setState(attempt ? "reconnecting" : "connecting");
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(url.startsWith("ws") ? url : `${scheme}//${location.host}${url}`);
    socket.onopen = () => socket.send(JSON.stringify({ type: "hello", auth, lastSeq }));
    socket.onmessage = (message) => {
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch {
        return;
      }
      if (frame.type === "ping") {
        socket.send(JSON.stringify({ type: "pong" }));
        return;
      }
      if (frame.type === "ready") {
        const resumed = lastSeq !== null && frame.lastSeq === lastSeq;
        lastSeq = frame.lastSeq;
        attempt = 0;
        setState("live");
        onReady && onReady(frame, { resumed });
        return;
      }
      if (frame.type === "event") {
        if (lastSeq !== null && frame.seq <= lastSeq) return;
        onEvent && onEvent(frame.event, frame.seq);
        lastSeq = frame.seq;
        return;
      }
      if (frame.requestId && pending.has(frame.requestId)) {
        const { resolve, reject } = pending.get(frame.requestId);
        pending.delete(frame.requestId);
        if (frame.type === "error") reject(Object.assign(new Error(frame.title), { code: frame.code }));
        else resolve(frame);
        return;
      }
      if (frame.type === "error" && frame.code === "resync_required") lastSeq = null;
      onFrame && onFrame(frame);
    };
    socket.onclose = (close) => {
      for (const { reject } of pending.values()) reject(new Error("disconnected"));
      pending.clear();
      if (closed) return;
      if (close.code === 4001) {
        setState("unauthorized");
        return;
      }
      setState("offline");
      attempt += 1;
      const delay = Math.min(8000, 250 * 2 ** Math.min(attempt, 5)) * (0.75 + Math.random() / 2);
      timer = setTimeout(connect, delay);
    };
  }

  function reconnectNow() {
    if (closed || (socket && socket.readyState <= 1)) return;
    clearTimeout(timer);
    connect();
  }

  // A dropped network may leave the socket looking open until a heartbeat fails: drop it now
  // and resume when the browser is back online.
  function dropNow() {
    if (socket && socket.readyState <= 1) socket.close();
  }

  window.addEventListener("online", reconnectNow);
  window.addEventListener("offline", dropNow);
  connect();

  return {
    // A request on the socket; resolves with its answer frame or rejects on error/disconnect.
    send(frame) {
      if (!socket || socket.readyState !== 1) return Promise.reject(new Error("disconnected"));
      const requestId = `r${++counter}-${Math.random().toString(36).slice(2, 8)}`;
      return new Promise((resolve, reject) => {
        pending.set(requestId, { resolve, reject });
        socket.send(JSON.stringify({ ...frame, requestId }));
      });
    },
    // Fire and forget (typing, viewing): nothing to do if it is lost.
    notify(frame) {
      if (socket && socket.readyState === 1) socket.send(JSON.stringify(frame));
    },
    get connected() {
      return !!socket && socket.readyState === 1;
    },
    close() {
      closed = true;
      clearTimeout(timer);
      window.removeEventListener("online", reconnectNow);
      window.removeEventListener("offline", dropNow);
      if (socket) socket.close();
    },
  };
}
