import { useState } from "preact/hooks";
import { Check, Confirm, FormErrorBanner, Loading, Modal, PageHead, SelectField, TextField, formatDate, useForm, useLoad } from "./ui.jsx";

function ArticleForm({ api, article, onDone, onClose }) {
  const form = useForm(
    {
      title: article?.title || "",
      body: article?.body || "",
      locale: article?.locale || "",
      section: article?.section || "",
      published: article ? !article.draft : true,
    },
    async (v) => {
      const body = { title: v.title, body: v.body, section: v.section.trim() || null, draft: !v.published };
      if (v.locale.trim()) body.locale = v.locale.trim();
      if (article) await api.patch(`articles/${article.id}`, body);
      else await api.post("articles", body);
      onDone();
    },
  );
  return (
    <Modal
      title={article ? "Edit article" : "New article"}
      onClose={onClose}
      footer={[
        <button class="btn" type="button" onClick={onClose} key="c">
          Cancel
        </button>,
        <button class="btn btn-primary" type="submit" form="article-form" disabled={form.busy} key="s">
          {article ? "Save" : "Create article"}
        </button>,
      ]}
    >
      <form id="article-form" onSubmit={form.onSubmit} noValidate>
        <FormErrorBanner errors={form.errors} />
        <TextField form={form} name="title" label="Title" autoFocus />
        <TextField form={form} name="body" label="Body (Markdown)" multiline />
        <div class="grid-2">
          <TextField form={form} name="locale" label="Language" placeholder="Account default" />
          <TextField form={form} name="section" label="Section" placeholder="e.g. Shipping" />
        </div>
        <Check form={form} name="published" label="Published — the AI agent answers with it" />
      </form>
    </Modal>
  );
}

export function ArticlesPage({ api }) {
  const state = useLoad(() => api.get("articles"));
  const [dialog, setDialog] = useState(null);
  const close = () => setDialog(null);
  const done = () => {
    close();
    state.reload();
  };
  return (
    <div class="page">
      <PageHead title="Help-center articles" intro="The AI agent answers customers from published articles in their language; changes apply at once.">
        <button class="btn btn-primary" type="button" onClick={() => setDialog({ kind: "form" })}>
          + New article
        </button>
      </PageHead>
      <Loading state={state}>
        {(data) => (
          <div class="card">
            <table class="table" data-testid="articles-table">
              <thead>
                <tr>
                  <th>Title</th>
                  <th>Section</th>
                  <th>Language</th>
                  <th>Status</th>
                  <th>Updated</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {data.articles.length === 0 && (
                  <tr class="empty">
                    <td colSpan={6}>No articles yet.</td>
                  </tr>
                )}
                {data.articles.map((a) => (
                  <tr key={a.id} data-article={a.title}>
                    <td>
                      <strong>{a.title}</strong>
                    </td>
                    <td class="muted">{a.section || "—"}</td>
                    <td class="mono">{a.locale}</td>
                    <td>
                      <span class={`badge ${a.draft ? "badge-inactive" : "badge-active"}`}>{a.draft ? "Draft" : "Published"}</span>
                    </td>
                    <td class="muted small">{formatDate(a.updatedAt)}</td>
                    <td class="actions">
                      <button class="btn btn-sm btn-ghost" type="button" onClick={() => setDialog({ kind: "form", article: a })}>
                        Edit
                      </button>{" "}
                      <button class="btn btn-sm btn-danger" type="button" onClick={() => setDialog({ kind: "delete", article: a })}>
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
      {dialog?.kind === "form" && <ArticleForm api={api} article={dialog.article} onClose={close} onDone={done} />}
      {dialog?.kind === "delete" && (
        <Confirm
          title={`Delete “${dialog.article.title}”?`}
          message="The AI agent stops answering with it at once."
          action="Delete article"
          onClose={close}
          onConfirm={async () => {
            await api.del(`articles/${dialog.article.id}`);
            state.reload();
          }}
        />
      )}
    </div>
  );
}

function FlowForm({ api, flow, groups, onDone, onClose }) {
  const reply = flow?.reply || { type: "text", text: "" };
  const form = useForm(
    {
      name: flow?.name || "",
      phrases: (flow?.phrases || []).join("\n"),
      kind: reply.type,
      text: reply.text || "",
      groupId: reply.groupId || "",
      enabled: flow ? flow.enabled : true,
    },
    async (v) => {
      const phrases = v.phrases
        .split("\n")
        .map((p) => p.trim())
        .filter(Boolean);
      const answer =
        v.kind === "handoff"
          ? { type: "handoff", text: v.text.trim() || null, groupId: v.groupId || null }
          : { type: "text", text: v.text };
      const body = { name: v.name, phrases, reply: answer, enabled: v.enabled };
      if (flow) await api.patch(`flows/${flow.id}`, body);
      else await api.post("flows", body);
      onDone();
    },
  );
  // "reply.text" and "phrases.0" arrive from the API; show them by their inputs.
  const errors = {};
  for (const [key, value] of Object.entries(form.errors)) {
    const short = key.startsWith("reply") ? "text" : key.split(".")[0];
    if (!(short in errors)) errors[short] = value;
  }
  const shown = { ...form, errors };
  return (
    <Modal
      title={flow ? "Edit answer flow" : "New answer flow"}
      onClose={onClose}
      footer={[
        <button class="btn" type="button" onClick={onClose} key="c">
          Cancel
        </button>,
        <button class="btn btn-primary" type="submit" form="flow-form" disabled={form.busy} key="s">
          {flow ? "Save" : "Create flow"}
        </button>,
      ]}
    >
      <form id="flow-form" onSubmit={form.onSubmit} noValidate>
        <FormErrorBanner errors={errors} />
        <TextField form={shown} name="name" label="Name" autoFocus placeholder="e.g. Order status" />
        <TextField form={shown} name="phrases" label="Training phrases" multiline hint="One per line: a few ways customers ask." />
        <SelectField
          form={shown}
          name="kind"
          label="Then"
          options={[
            ["text", "Reply with a message"],
            ["handoff", "Hand off to an agent"],
          ]}
        />
        <TextField form={shown} name="text" label={form.values.kind === "handoff" ? "Message before handing off (optional)" : "Reply"} multiline />
        {form.values.kind === "handoff" && (
          <SelectField form={shown} name="groupId" label="Group" options={[["", "Default routing"], ...groups.map((g) => [g.id, g.name])]} />
        )}
        <Check form={shown} name="enabled" label="Enabled" />
      </form>
    </Modal>
  );
}

export function FlowsPage({ api }) {
  const state = useLoad(async () => {
    const [flows, groups] = await Promise.all([api.get("flows"), api.get("groups")]);
    return { flows: flows.flows, groups: groups.groups };
  });
  const [dialog, setDialog] = useState(null);
  const close = () => setDialog(null);
  const done = () => {
    close();
    state.reload();
  };
  return (
    <div class="page">
      <PageHead title="Answer flows" intro="Intents the AI agent recognises from a few training phrases, each with a scripted reply or a handoff.">
        <button class="btn btn-primary" type="button" onClick={() => setDialog({ kind: "form" })}>
          + New flow
        </button>
      </PageHead>
      <Loading state={state}>
        {({ flows }) => (
          <div class="card">
            <table class="table" data-testid="flows-table">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Training phrases</th>
                  <th>Then</th>
                  <th>Status</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {flows.length === 0 && (
                  <tr class="empty">
                    <td colSpan={5}>No answer flows yet.</td>
                  </tr>
                )}
                {flows.map((f) => (
                  <tr key={f.id} data-flow={f.name}>
                    <td>
                      <strong>{f.name}</strong>
                    </td>
                    <td class="muted">
                      {f.phrases.slice(0, 2).join(" · ")}
                      {f.phrases.length > 2 && ` · +${f.phrases.length - 2}`}
                    </td>
                    <td>{f.reply.type === "handoff" ? "Hand off" : "Reply"}</td>
                    <td>
                      <span class={`badge ${f.enabled ? "badge-active" : "badge-inactive"}`}>{f.enabled ? "Enabled" : "Off"}</span>
                    </td>
                    <td class="actions">
                      <button class="btn btn-sm btn-ghost" type="button" onClick={() => setDialog({ kind: "form", flow: f })}>
                        Edit
                      </button>{" "}
                      <button class="btn btn-sm btn-danger" type="button" onClick={() => setDialog({ kind: "delete", flow: f })}>
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
      {dialog?.kind === "form" && <FlowForm api={api} flow={dialog.flow} groups={state.data?.groups || []} onClose={close} onDone={done} />}
      {dialog?.kind === "delete" && (
        <Confirm
          title={`Delete “${dialog.flow.name}”?`}
          message="The AI agent stops recognising this intent."
          action="Delete flow"
          onClose={close}
          onConfirm={async () => {
            await api.del(`flows/${dialog.flow.id}`);
            state.reload();
          }}
        />
      )}
    </div>
  );
}
