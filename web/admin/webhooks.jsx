import { useState } from "preact/hooks";
import { Check, Confirm, Field, FormErrorBanner, Loading, Modal, PageHead, SecretOnce, TextField, useForm, useLoad } from "./ui.jsx";

function WebhookForm({ api, webhook, triggers, onDone, onClose }) {
  const form = useForm(
    {
      name: webhook?.name || "",
      target: webhook?.target || "",
      triggers: webhook?.triggers || ["conversation:message"],
      includeFullUser: webhook?.includeFullUser || false,
    },
    async (v) => {
      const data = webhook ? await api.patch(`webhooks/${webhook.id}`, v) : await api.post("webhooks", v);
      onDone(data.webhook);
    },
  );
  const all = form.values.triggers.includes("*");
  const toggle = (t) => {
    const current = form.values.triggers;
    form.set("triggers", current.includes(t) ? current.filter((x) => x !== t) : [...current, t]);
  };
  return (
    <Modal
      title={webhook ? "Edit webhook" : "Add a webhook"}
      onClose={onClose}
      footer={[
        <button class="btn" type="button" onClick={onClose} key="c">
          Cancel
        </button>,
        <button class="btn btn-primary" type="submit" form="webhook-form" disabled={form.busy} key="s">
          {webhook ? "Save" : "Add webhook"}
        </button>,
      ]}
    >
      <form id="webhook-form" onSubmit={form.onSubmit} noValidate>
        <FormErrorBanner errors={form.errors} />
        <TextField form={form} name="name" label="Name" autoFocus placeholder="e.g. CRM sync" />
        <TextField form={form} name="target" label="Endpoint URL" type="url" placeholder="https://example.com/parlour/events" />
        <Field label="Events" name="triggers" errors={form.errors}>
          <label class="check" style="margin-bottom:6px">
            <input type="checkbox" checked={all} onChange={() => form.set("triggers", all ? [] : ["*"])} />
            <span class="label">All events</span>
          </label>
          {!all && (
            <div class="triggers">
              {triggers.map((t) => (
                <label key={t}>
                  <input type="checkbox" checked={form.values.triggers.includes(t)} onChange={() => toggle(t)} /> {t}
                </label>
              ))}
            </div>
          )}
        </Field>
        <Check form={form} name="includeFullUser" label="Include the full user in each delivery" />
      </form>
    </Modal>
  );
}

export function WebhooksPage({ api }) {
  const state = useLoad(() => api.get("webhooks"));
  const [dialog, setDialog] = useState(null);
  const [created, setCreated] = useState(null);
  const close = () => setDialog(null);
  return (
    <div class="page">
      <PageHead
        title="Webhooks"
        intro="Parlour posts conversation events to your endpoints, signed with the webhook's secret (X-API-Key header), retried with backoff until they are accepted."
      >
        <button class="btn btn-primary" type="button" onClick={() => setDialog({ kind: "form" })}>
          + Add webhook
        </button>
      </PageHead>
      {created && (
        <SecretOnce title={`Webhook “${created.name}” added`} rows={[["Signing secret", created.secret]]} onDone={() => setCreated(null)} />
      )}
      <Loading state={state}>
        {(data) => (
          <div class="card">
            <table class="table" data-testid="webhooks-table">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Endpoint</th>
                  <th>Events</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {data.webhooks.length === 0 && (
                  <tr class="empty">
                    <td colSpan={4}>No webhooks yet.</td>
                  </tr>
                )}
                {data.webhooks.map((w) => (
                  <tr key={w.id} data-webhook={w.name}>
                    <td>
                      <strong>{w.name}</strong>
                      {w.includeFullUser && <div class="muted small">with full user</div>}
                    </td>
                    <td class="mono">{w.target}</td>
                    <td>
                      <div class="chips">
                        {w.triggers.map((t) => (
                          <span class="chip mono" key={t}>
                            {t === "*" ? "all events" : t}
                          </span>
                        ))}
                      </div>
                    </td>
                    <td class="actions">
                      <button class="btn btn-sm btn-ghost" type="button" onClick={() => setDialog({ kind: "form", webhook: w })}>
                        Edit
                      </button>{" "}
                      <button class="btn btn-sm btn-danger" type="button" onClick={() => setDialog({ kind: "delete", webhook: w })}>
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Loading>
      {dialog?.kind === "form" && (
        <WebhookForm
          api={api}
          webhook={dialog.webhook}
          triggers={state.data?.triggers || []}
          onClose={close}
          onDone={(webhook) => {
            close();
            if (webhook.secret) setCreated(webhook);
            state.reload();
          }}
        />
      )}
      {dialog?.kind === "delete" && (
        <Confirm
          title={`Delete “${dialog.webhook.name}”?`}
          message="Parlour stops sending events to this endpoint."
          action="Delete webhook"
          onClose={close}
          onConfirm={async () => {
            await api.del(`webhooks/${dialog.webhook.id}`);
            state.reload();
          }}
        />
      )}
    </div>
  );
}
