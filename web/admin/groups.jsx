import { useState } from "preact/hooks";
import { Confirm, FormErrorBanner, Loading, Modal, PageHead, TextField, useForm, useLoad } from "./ui.jsx";

function GroupForm({ api, group, onDone, onClose }) {
  const form = useForm({ name: group?.name || "", description: group?.description || "" }, async (v) => {
    if (group) await api.patch(`groups/${group.id}`, v);
    else await api.post("groups", v);
    onDone();
  });
  return (
    <Modal
      title={group ? `Edit ${group.name}` : "New group"}
      onClose={onClose}
      footer={[
        <button class="btn" type="button" onClick={onClose} key="c">
          Cancel
        </button>,
        <button class="btn btn-primary" type="submit" form="group-form" disabled={form.busy} key="s">
          {group ? "Save" : "Create group"}
        </button>,
      ]}
    >
      <form id="group-form" onSubmit={form.onSubmit} noValidate>
        <FormErrorBanner errors={form.errors} />
        <TextField form={form} name="name" label="Name" autoFocus placeholder="e.g. Billing" />
        <TextField form={form} name="description" label="Description" multiline hint="Optional: what this group handles." />
      </form>
    </Modal>
  );
}

function GroupCard({ api, group, staff, onChange, onEdit, onDelete }) {
  const [pick, setPick] = useState("");
  const [error, setError] = useState(null);
  const byId = Object.fromEntries(staff.map((s) => [s.id, s]));
  const candidates = staff.filter((s) => s.active && !group.memberIds.includes(s.id));
  const run = async (promise) => {
    setError(null);
    try {
      await promise;
      setPick("");
      onChange();
    } catch (err) {
      setError(err.fields?.staffId || err.message);
    }
  };
  return (
    <div class="card section group-card" data-group={group.name}>
      <div class="card-header">
        <div>
          <h2>{group.name}</h2>
          {group.description && <div class="muted small">{group.description}</div>}
        </div>
        <div class="row">
          <span class="count">{group.memberIds.length === 1 ? "1 member" : `${group.memberIds.length} members`}</span>
          <button class="btn btn-sm btn-ghost" type="button" onClick={onEdit}>
            Edit
          </button>
          <button class="btn btn-sm btn-danger" type="button" onClick={onDelete}>
            Delete
          </button>
        </div>
      </div>
      <div class="card-body">
        <div class="chips">
          {group.memberIds.length === 0 && <span class="muted small">No members yet.</span>}
          {group.memberIds.map((id) => (
            <span class="chip" key={id}>
              {byId[id]?.name || "Unknown"}
              <button type="button" aria-label={`Remove ${byId[id]?.name || ""}`} onClick={() => run(api.del(`groups/${group.id}/members/${id}`))}>
                ×
              </button>
            </span>
          ))}
        </div>
        {candidates.length > 0 && (
          <div class="member-add">
            <select class="select" aria-label={`Add a member to ${group.name}`} value={pick} onChange={(e) => setPick(e.currentTarget.value)}>
              <option value="">Add a member…</option>
              {candidates.map((s) => (
                <option value={s.id} key={s.id}>
                  {s.name} ({s.role})
                </option>
              ))}
            </select>
            <button class="btn" type="button" disabled={!pick} onClick={() => run(api.put(`groups/${group.id}/members/${pick}`))}>
              Add
            </button>
          </div>
        )}
        {error && <div class="field-error">{error}</div>}
      </div>
    </div>
  );
}

export function GroupsPage({ api }) {
  const state = useLoad(async () => {
    const [groups, staff] = await Promise.all([api.get("groups"), api.get("staff")]);
    return { groups: groups.groups, staff: staff.staff };
  });
  const [dialog, setDialog] = useState(null);
  const close = () => setDialog(null);
  const done = () => {
    close();
    state.reload();
  };
  return (
    <div class="page">
      <PageHead title="Groups" intro="Groups route tickets to the right agents. An agent can belong to several groups.">
        <button class="btn btn-primary" type="button" onClick={() => setDialog({ kind: "form" })}>
          + New group
        </button>
      </PageHead>
      <Loading state={state}>
        {({ groups, staff }) =>
          groups.length === 0 ? (
            <div class="card card-body muted">No groups yet.</div>
          ) : (
            groups.map((g) => (
              <GroupCard
                key={g.id}
                api={api}
                group={g}
                staff={staff}
                onChange={state.reload}
                onEdit={() => setDialog({ kind: "form", group: g })}
                onDelete={() => setDialog({ kind: "delete", group: g })}
              />
            ))
          )
        }
      </Loading>
      {dialog?.kind === "form" && <GroupForm api={api} group={dialog.group} onClose={close} onDone={done} />}
      {dialog?.kind === "delete" && (
        <Confirm
          title={`Delete ${dialog.group.name}?`}
          message="Its members stay on the team. Tickets of this group keep their history and no longer have a group."
          action="Delete group"
          onClose={close}
          onConfirm={async () => {
            await api.del(`groups/${dialog.group.id}`);
            state.reload();
          }}
        />
      )}
    </div>
  );
}
