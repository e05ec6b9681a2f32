// The REST client shared by the workspace and the admin center. Cookie sessions need the
// CSRF token on every mutating request; it comes from sign-in and GET /me.
let csrfToken = null;

export function setCsrfToken(token) {
  csrfToken = token || null;
}

// Every error of a refusal is kept: `fields` maps a field name to its message (the key "" holds
// errors about the request as a whole), so a form can show each next to its field.
export class ApiError extends Error {
  constructor(status, errors) {
    const first = errors[0] || {};
    super(first.title || first.code || `HTTP ${status}`);
    this.status = status;
    this.code = first.code || "error";
    this.title = first.title;
    this.fields = {};
    for (const error of errors) {
      const key = error.field || "";
      if (!(key in this.fields)) this.fields[key] = error.title;
    }
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
    const errors = Array.isArray(data.errors) && data.errors.length
      ? data.errors
      : [{ code: "error", title: response.statusText || "Something went wrong" }];
    throw new ApiError(response.status, errors);
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
