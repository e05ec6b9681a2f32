// The REST client shared by the workspace and the admin center. Cookie sessions need the
// CSRF token on every mutating request; it comes from sign-in and GET /me.
let csrfToken = null;

export function setCsrfToken(token) {
  csrfToken = token || null;
}

export class ApiError extends Error {
  constructor(status, code, title) {
    super(title || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
    this.title = title;
  }
}

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export async function request(method, url, body, { raw = false, headers = {} } = {}) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json", ...headers } };
  if (MUTATING.has(method) && csrfToken) init.headers["X-CSRF-Token"] = csrfToken;
  if (body instanceof FormData) {
    init.body = body;
  } else if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(url, init);
  if (raw) return response;
  const text = await response.text();
  let data = {};
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = {};
    }
  }
  if (!response.ok) {
    const first = (data.errors && data.errors[0]) || {};
    throw new ApiError(response.status, first.code || "error", first.title || response.statusText);
  }
  return data;
}

// A client bound to one API root, e.g. createApi(`/workspace/v1/apps/${appId}`).
export function createApi(root) {
  const url = (path) => (path ? `${root}/${path.replace(/^\//, "")}` : root);
  return {
    root,
    get: (path) => request("GET", url(path)),
    post: (path, body) => request("POST", url(path), body ?? {}),
    put: (path, body) => request("PUT", url(path), body ?? {}),
    patch: (path, body) => request("PATCH", url(path), body ?? {}),
    del: (path) => request("DELETE", url(path)),
    upload: (path, form) => request("POST", url(path), form),
  };
}

export function workspaceRoot(appId) {
  return `/workspace/v1/apps/${encodeURIComponent(appId)}`;
}

// Staff sessions are shared by the workspace and the admin center.
export async function signIn(appId, email, password) {
  const data = await request("POST", `${workspaceRoot(appId)}/session`, { email, password });
  setCsrfToken(data.csrfToken);
  return data;
}

export async function signOut(appId) {
  try {
    await request("DELETE", `${workspaceRoot(appId)}/session`);
  } finally {
    setCsrfToken(null);
  }
}

// The signed-in staff member, or null when there is no live session.
export async function currentStaff(appId) {
  try {
    const data = await request("GET", `${workspaceRoot(appId)}/me`);
    setCsrfToken(data.csrfToken);
    return data.staff;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}
