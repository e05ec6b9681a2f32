import { useState } from "preact/hooks";
import {
  Confirm,
  Field,
  FormErrorBanner,
  Loading,
  Modal,
  PageHead,
  SecretOnce,
  SelectField,
  TextField,
  formatDate,
  initials,
  useForm,
  useLoad,
} from "./ui.jsx";

const ROLES = [
  ["agent", "Agent — works tickets"],
  ["admin", "Admin — also manages the account"],
];

function AddStaff({ api, groups, onDone, onClose }) {
  const form = useForm({ name: "", email: "", role: "agent", password: "", groupIds: [] }, async (v) => {
    const data = await api.post("staff", { ...v, password: v.password || null });
    onDone(data);
  });
  const toggle = (id) =>
    form.set("groupIds", form.values.groupIds.includes(id) ? form.values.groupIds.filter((g) => g !== id) : [...form.values.groupIds, id]);
  return (
    <Modal
      title="Add a team member"
      onClose={onClose}
      footer={[
        <button class="btn" type="button" onClick={onClose} key="c">
          Cancel
        </button>,
        <button class="btn btn-primary" type="submit" form="add-staff" disabled={form.busy} key="s">
          {form.busy ? "Adding…" : "Add member"}
        </button>,
      ]}
    >
      <form id="add-staff" onSubmit={form.onSubmit} noValidate>
        <FormErrorBanner errors={form.errors} />
        <TextField form={form} name="name" label="Full name" autoFocus />
        <TextField form={form} name="email" label="Email" type="email" placeholder="name@company.com" />
        <SelectField form={form} name="role" label="Role" options={ROLES} />
        <TextField
          form={form}
          name="password"
          label="Password"
          type="password"
          hint="Leave empty to invite them with a temporary password shown once."
        />
        {groups.length > 0 && (
          <Field label="Groups" name="groupIds" errors={form.errors}>
            <div class="chips">
              {groups.map((g) => (
                <label class="chip" key={g.id}>
                  <input type="checkbox" checked={form.values.groupIds.includes(g.id)} onChange={() => toggle(g.id)} /> {g.name}
                </label>
              ))}
            </div>
          </Field>
        )}
      </form>
    </Modal>
  );
}

function EditStaff({ api, member, onDone, onClose }) {
  const form = useForm({ name: member.name, role: member.role }, async (v) => {
    await api.patch(`staff/${member.id}`, v);
    onDone();
  });
  return (
    <Modal
      title={`Edit ${member.name}`}
      onClose={onClose}
      footer={[
        <button class="btn" type="button" onClick={onClose} key="c">
          Cancel
        </button>,
        <button class="btn btn-primary" type="submit" form="edit-staff" disabled={form.busy} key="s">
          Save
        </button>,
      ]}
    >
      <form id="edit-staff" onSubmit={form.onSubmit} noValidate>
        <FormErrorBanner errors={form.errors} />
        <TextField form={form} name="name" label="Full name" />
        <SelectField form={form} name="role" label="Role" options={ROLES} />
      </form>
    </Modal>
  );
}

export function StaffPage({ api, me }) {
  const state = useLoad(async () => {
    const [staff, groups] = await Promise.all([api.get("staff"), api.get("groups")]);
    return { staff: staff.staff, groups: groups.groups };
  });
  const [dialog, setDialog] = useState(null);
  const [invited, setInvited] = useState(null);
  const close = () => setDialog(null);
  return (
    <div class="page">
      <PageHead title="Team members" intro="Admins manage the account; agents work tickets. Deactivated members are signed out and cannot sign in.">
        <button class="btn btn-primary" type="button" onClick={() => setDialog({ kind: "add" })}>
          + Add member
        </button>
      </PageHead>
      {invited && (
        <SecretOnce
          title={`${invited.staff.name} can now sign in`}
          rows={[
            ["Email", invited.staff.email],
            ["Temporary password", invited.temporaryPassword],
          ]}
          onDone={() => setInvited(null)}
        />
      )}
      <Loading state={state}>
        {({ staff, groups }) => {
          const groupName = Object.fromEntries(groups.map((g) => [g.id, g.name]));
          return (
            <div class="card">
              <table class="table" data-testid="staff-table">
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Role</th>
                    <th>Groups</th>
                    <th>Status</th>
                    <th>Added</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {staff.map((m) => (
                    <tr key={m.id} data-email={m.email}>
                      <td>
                        <div class="person">
                          <span class="avatar">{initials(m.name)}</span>
                          <div>
                            <div>
                              <strong>{m.name}</strong> {m.id === me.id && <span class="muted small">(you)</span>}
                            </div>
                            <div class="muted small">{m.email}</div>
                          </div>
                        </div>
                      </td>
                      <td>
                        <span class={`badge badge-${m.role}`}>{m.role}</span>
                      </td>
                      <td>
                        <div class="chips">
                          {m.groupIds.length ? m.groupIds.map((g) => <span class="chip" key={g}>{groupName[g] || "—"}</span>) : <span class="muted">—</span>}
                        </div>
                      </td>
                      <td>
                        <span class={`badge ${m.active ? "badge-active" : "badge-inactive"}`}>{m.active ? "Active" : "Deactivated"}</span>
                      </td>
                      <td class="muted small">{formatDate(m.createdAt)}</td>
                      <td class="actions">
                        <button class="btn btn-sm btn-ghost" type="button" onClick={() => setDialog({ kind: "edit", member: m })}>
                          Edit
                        </button>{" "}
                        {m.active ? (
                          m.id !== me.id && (
                            <button class="btn btn-sm btn-danger" type="button" onClick={() => setDialog({ kind: "deactivate", member: m })}>
                              Deactivate
                            </button>
                          )
                        ) : (
                          <button class="btn btn-sm" type="button" onClick={() => api.post(`staff/${m.id}/reactivate`).then(state.reload)}>
                            Reactivate
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          );
        }}
      </Loading>
      {dialog?.kind === "add" && (
        <AddStaff
          api={api}
          groups={state.data?.groups || []}
          onClose={close}
          onDone={(data) => {
            close();
            if (data.temporaryPassword) setInvited(data);
            state.reload();
          }}
        />
      )}
      {dialog?.kind === "edit" && (
        <EditStaff
          api={api}
          member={dialog.member}
          onClose={close}
          onDone={() => {
            close();
            state.reload();
          }}
        />
      )}
      {dialog?.kind === "deactivate" && (
        <Confirm
          title={`Deactivate ${dialog.member.name}?`}
          message="They are signed out everywhere now, leave their groups and can no longer sign in. You can reactivate them later."
          action="Deactivate"
          onClose={close}
          onConfirm={async () => {
            await api.post(`staff/${dialog.member.id}/deactivate`);
            state.reload();
          }}
        />
      )}
    </div>
  );
}
