import { useState } from "preact/hooks";
import { Confirm, Field, FormErrorBanner, Loading, PageHead, SecretOnce, formatDate, useForm, useLoad } from "./ui.jsx";

function KeysPage({ api, path, title, intro, what, noun, help }) {
  const state = useLoad(() => api.get(path));
  const [created, setCreated] = useState(null);
  const [revoking, setRevoking] = useState(null);
  const form = useForm({ displayName: "" }, async (v) => {
    const data = await api.post(path, v);
    setCreated(data.key);
    form.setValues({ displayName: "" });
    state.reload();
  });
  return (
    <div class="page">
      <PageHead title={title} intro={intro} />
      {created && (
        <SecretOnce
          title={`${what} “${created.displayName}” created`}
          rows={[
            ["Key ID", created.id],
            ["Secret", created.secret],
          ]}
          onDone={() => setCreated(null)}
        />
      )}
      <div class="card section">
        <div class="card-header">
          <h2>New {noun}</h2>
        </div>
        <div class="card-body">
          <form onSubmit={form.onSubmit} noValidate>
            <FormErrorBanner errors={form.errors} />
            <div class="inline-form">
              <Field name="displayName" errors={form.errors}>
                <input
                  class="input"
                  id="f-displayName"
                  name="displayName"
                  aria-label="Key name"
                  placeholder="Name, e.g. Production website"
                  value={form.values.displayName}
                  onInput={(e) => form.set("displayName", e.currentTarget.value)}
                />
              </Field>
              <button class="btn btn-primary" type="submit" disabled={form.busy}>
                Create key
              </button>
            </div>
          </form>
          {help}
        </div>
      </div>
      <Loading state={state}>
        {(data) => (
          <div class="card">
            <table class="table" data-testid="keys-table">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Key ID</th>
                  <th>Created</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {data.keys.length === 0 && (
                  <tr class="empty">
                    <td colSpan={4}>No keys yet.</td>
                  </tr>
                )}
                {data.keys.map((k) => (
                  <tr key={k.id} data-key={k.id}>
                    <td>
                      <strong>{k.displayName}</strong>
                    </td>
                    <td class="mono">{k.id}</td>
                    <td class="muted small">{formatDate(k.createdAt)}</td>
                    <td class="actions">
                      <button class="btn btn-sm btn-danger" type="button" onClick={() => setRevoking(k)}>
                        Revoke
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Loading>
      {revoking && (
        <Confirm
          title={`Revoke “${revoking.displayName}”?`}
          message="Anything still using this key stops working at once. This cannot be undone."
          action="Revoke key"
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            await api.del(`${path}/${revoking.id}`);
            state.reload();
          }}
        />
      )}
    </div>
  );
}

export function SigningKeysPage({ api }) {
  return (
    <KeysPage
      api={api}
      path="signing-keys"
      what="Signing key"
      noun="signing key"
      title="End-user authentication"
      intro="Your backend signs a JWT for each logged-in customer with one of these keys (at most 10). The widget passes it to Parlour to verify who the customer is."
      help={
        <p class="hint" style="margin-top:10px">
          JWT header: <span class="mono">{'{"alg": "HS256", "kid": "<key ID>"}'}</span> — claims:{" "}
          <span class="mono">{'{"scope": "user", "external_id": "…", "name", "email", "exp"}'}</span>
        </p>
      }
    />
  );
}

export function ApiKeysPage({ api }) {
  return (
    <KeysPage
      api={api}
      path="api-keys"
      what="API key"
      noun="API key"
      title="API keys"
      intro="Server-to-server access to the REST API under /v2/apps/{appId}: HTTP Basic with the key ID as user name and the secret as password."
    />
  );
}
