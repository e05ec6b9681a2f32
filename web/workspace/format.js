// Small display helpers. Nothing here builds HTML: every value is rendered as text by Preact.
export const STATUS_LABELS = {
  online: "Online",
  away: "Away",
  transfers_only: "Transfers only",
  offline: "Offline",
};

export const TICKET_STATUS_LABELS = {
  new: "New",
  open: "Open",
  pending: "Pending",
  on_hold: "On-hold",
  solved: "Solved",
  closed: "Closed",
};

export const VIEW_LABELS = {
  mine: "My open tickets",
  unassigned: "Unassigned in my groups",
  open: "All open",
  pending: "Pending",
  solved: "Solved",
};

export function since(iso, now = Date.now()) {
  if (!iso) return "";
  const seconds = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d`;
}

export function clockTime(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  const today = new Date();
  const sameDay = date.toDateString() === today.toDateString();
  const time = date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  return sameDay ? time : `${date.toLocaleDateString([], { month: "short", day: "numeric" })} ${time}`;
}

export function initials(name) {
  return (name || "?")
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0].toUpperCase())
    .join("");
}

// Only web links become clickable: a `javascript:` URL in a message stays inert text.
export function safeUrl(url) {
  try {
    const parsed = new URL(url, location.href);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
  } catch {
    return null;
  }
}

export function newId() {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return `ws-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
