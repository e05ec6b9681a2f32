// The admin API client: the shared request() (cookie session + CSRF header), with every error
// of a refused form kept, so each can be shown next to its field.
import { request, workspaceRoot } from "../shared/api.js";

export class FormError extends Error {
  constructor(status, errors) {
    const first = errors[0] || {};
    super(first.title || `HTTP ${status}`);
    this.status = status;
    this.code = first.code || "error";
    // field name -> message; the key "" holds errors about the form as a whole.
    this.fields = {};
    for (const error of errors) {
      const key = error.field || "";
      if (!(key in this.fields)) this.fields[key] = error.title;
    }
  }
}

async function call(method, url, body) {
  const response = await request(method, url, body, { raw: true });
  const text = await response.text();
  let data = {};
  try {
    data = text ? JSON.parse(text) : {};
  } catch {
    data = {};
  }
  if (!response.ok) {
    const errors = Array.isArray(data.errors) && data.errors.length
      ? data.errors
      : [{ code: "error", title: response.statusText || "Something went wrong" }];
    throw new FormError(response.status, errors);
  }
  return data;
}

export function adminApi(appId) {
  const root = `${workspaceRoot(appId)}/admin`;
  const url = (path) => `${root}/${path}`;
  return {
    get: (path) => call("GET", url(path)),
    post: (path, body) => call("POST", url(path), body ?? {}),
    put: (path, body) => call("PUT", url(path), body ?? {}),
    patch: (path, body) => call("PATCH", url(path), body ?? {}),
    del: (path) => call("DELETE", url(path)),
  };
}
