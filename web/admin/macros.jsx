import { useState } from "preact/hooks";
import { Confirm, Field, FormErrorBanner, Loading, Modal, PageHead, SelectField, TextField, useForm, useLoad } from "./ui.jsx";

const tags = (text) =>
  text
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);

function MacroForm({ api, macro, groups, onDone, onClose }) {
  const a = macro?.actions || {};
  const form = useForm(
    {
      title: macro?.title || "",
      text: macro?.text || "",
      status: a.status || "",
      priority: a.priority || "",
      groupId: a.groupId || "",
      addTags: (a.addTags || []).join(", "),
      removeTags: (a.removeTags || []).join(", "),
    },
    async (v) => {
      const body = {
        title: v.title,
        text: v.text,
        actions: {
          status: v.status || null,
          priority: v.priority || null,
          groupId: v.groupId || null,
          addTags: tags(v.addTags),
          removeTags: tags(v.removeTags),
        },
      };
      if (macro) await api.patch(`macros/${macro.id}`, body);
      else await api.post("macros", body);
      onDone();
    },
  );
  // Errors about actions arrive as "actions.status" etc.; show them by their inputs.
  const errors = Object.fromEntries(Object.entries(form.errors).map(([k, v]) => [k.replace(/^actions\./, ""), v]));
  const shown = { ...form, errors };
  return (
    <Modal
      title={macro ? `Edit “${macro.title}”` : "New shared macro"}
      onClose={onClose}
      footer={[
        <button class="btn" type="button" onClick={onClose} key="c">
          Cancel
        </button>,
        <button class="btn btn-primary" type="submit" form="macro-form" disabled={form.busy} key="s">
          {macro ? "Save" : "Create macro"}
        </button>,
      ]}
    >
      <form id="macro-form" onSubmit={form.onSubmit} noValidate>
        <FormErrorBanner errors={errors} />
        <TextField form={shown} name="title" label="Title" autoFocus placeholder="e.g. Refund issued" />
        <TextField form={shown} name="text" label="Reply" multiline hint="Inserted into the agent's reply." />
        <div class="grid-3">
          <SelectField
            form={shown}
            name="status"
            label="Set status"
            options={[["", "No change"], ["open", "Open"], ["pending", "Pending"], ["on_hold", "On-hold"], ["solved", "Solved"]]}
          />
          <SelectField
            form={shown}
            name="priority"
            label="Set priority"
            options={[["", "No change"], ["low", "Low"], ["normal", "Normal"], ["high", "High"], ["urgent", "Urgent"]]}
          />
          <SelectField form={shown} name="groupId" label="Set group" options={[["", "No change"], ...groups.map((g) => [g.id, g.name])]} />
        </div>
        <div class="grid-2">
          <TextField form={shown} name="addTags" label="Add tags" hint="Comma separated" />
          <TextField form={shown} name="removeTags" label="Remove tags" hint="Comma separated" />
        </div>
      </form>
    </Modal>
  );
}

function summary(actions) {
  const parts = [];
  if (actions.status) parts.push(`status → ${actions.status.replace("_", "-")}`);
  if (actions.priority) parts.push(`priority → ${actions.priority}`);
  if (actions.groupId) parts.push("group");
  if (actions.addTags?.length) parts.push(`+${actions.addTags.join(", +")}`);
  if (actions.removeTags?.length) parts.push(`−${actions.removeTags.join(", −")}`);
  return parts;
}

export function MacrosPage({ api }) {
  const state = useLoad(async () => {
    const [macros, groups] = await Promise.all([api.get("macros"), api.get("groups")]);
    return { macros: macros.macros, groups: groups.groups };
  });
  const [dialog, setDialog] = useState(null);
  const close = () => setDialog(null);
  const done = () => {
    close();
    state.reload();
  };
  return (
    <div class="page">
      <PageHead title="Macros" intro="Shared macros are available to every agent: a prepared reply plus ticket changes, applied in one click.">
        <button class="btn btn-primary" type="button" onClick={() => setDialog({ kind: "form" })}>
          + New macro
        </button>
      </PageHead>
      <Loading state={state}>
        {({ macros, groups }) => {
          const groupName = Object.fromEntries(groups.map((g) => [g.id, g.name]));
          return (
            <div class="card">
              <table class="table" data-testid="macros-table">
                <thead>
                  <tr>
                    <th style="width:26%">Title</th>
                    <th>Reply</th>
                    <th style="width:24%">Actions</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {macros.length === 0 && (
                    <tr class="empty">
                      <td colSpan={4}>No shared macros yet.</td>
                    </tr>
                  )}
                  {macros.map((m) => (
                    <tr key={m.id} data-macro={m.title}>
                      <td>
                        <strong>{m.title}</strong>
                      </td>
                      <td class="muted">{m.text.length > 140 ? `${m.text.slice(0, 140)}…` : m.text || "—"}</td>
                      <td>
                        <div class="chips">
                          {summary(m.actions).map((p) => (
                            <span class="chip" key={p}>
                              {p === "group" ? `group → ${groupName[m.actions.groupId] || "?"}` : p}
                            </span>
                          ))}
                        </div>
                      </td>
                      <td class="actions">
                        <button class="btn btn-sm btn-ghost" type="button" onClick={() => setDialog({ kind: "form", macro: m })}>
                          Edit
                        </button>{" "}
                        <button class="btn btn-sm btn-danger" type="button" onClick={() => setDialog({ kind: "delete", macro: m })}>
                          Delete
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          );
        }}
      </Loading>
      {dialog?.kind === "form" && <MacroForm api={api} macro={dialog.macro} groups={state.data?.groups || []} onClose={close} onDone={done} />}
      {dialog?.kind === "delete" && (
        <Confirm
          title={`Delete “${dialog.macro.title}”?`}
          message="Agents can no longer apply it."
          action="Delete macro"
          onClose={close}
          onConfirm={async () => {
            await api.del(`macros/${dialog.macro.id}`);
            state.reload();
          }}
        />
      )}
    </div>
  );
}
