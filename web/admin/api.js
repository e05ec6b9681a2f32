// The admin API client: the shared client under /admin. A refused form's errors arrive by field
// in ApiError.fields, so each can be shown next to its field.
import { ApiError, createApi, workspaceRoot } from "../shared/api.js";

export { ApiError as FormError };

export function adminApi(appId) {
  return createApi(`${workspaceRoot(appId)}/admin`);
}
