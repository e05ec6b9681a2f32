// Form pieces of the admin center: every field shows its own error under it.
import { useEffect, useState } from "preact/hooks";
import { FormError } from "./api.js";

export function useForm(initial, submit) {
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const set = (name, value) => {
    setValues((current) => ({ ...current, [name]: value }));
    setSaved(false);
  };
  const onSubmit = async (event) => {
    if (event) event.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      await submit(values);
      setSaved(true);
    } catch (error) {
      setErrors(error instanceof FormError ? error.fields : { "": String(error.message || error) });
    } finally {
      setBusy(false);
    }
  };
  return { values, setValues, set, errors, setErrors, busy, saved, onSubmit };
}

// Errors reported for `name` or any field inside it (e.g. "theme.primary" under "theme").
export function errorFor(errors, name) {
  return errors[name];
}

export function Field({ label, name, errors, hint, children }) {
  const error = errors && errorFor(errors, name);
  return (
    <div class={`field${error ? " invalid" : ""}`} data-field={name}>
      {label && <label for={`f-${name}`}>{label}</label>}
      {children}
      {error ? (
        <div class="field-error" role="alert" id={`e-${name}`}>
          {error}
        </div>
      ) : (
        hint && <div class="hint">{hint}</div>
      )}
    </div>
  );
}

export function TextField({ form, name, label, hint, type = "text", placeholder, autoFocus, multiline }) {
  const common = {
    id: `f-${name}`,
    name,
    value: form.values[name] ?? "",
    placeholder,
    autoFocus,
    "aria-invalid": form.errors[name] ? "true" : undefined,
    onInput: (event) => form.set(name, event.currentTarget.value),
  };
  return (
    <Field label={label} name={name} errors={form.errors} hint={hint}>
      {multiline ? <textarea class="textarea" rows={4} {...common} /> : <input class="input" type={type} {...common} />}
    </Field>
  );
}

export function SelectField({ form, name, label, hint, options }) {
  return (
    <Field label={label} name={name} errors={form.errors} hint={hint}>
      <select
        class="select"
        id={`f-${name}`}
        name={name}
        value={form.values[name] ?? ""}
        onChange={(event) => form.set(name, event.currentTarget.value)}
      >
        {options.map(([value, text]) => (
          <option value={value} key={value}>
            {text}
          </option>
        ))}
      </select>
    </Field>
  );
}

export function Check({ form, name, label, hint }) {
  return (
    <div class="check" data-field={name}>
      <input
        type="checkbox"
        id={`f-${name}`}
        name={name}
        checked={!!form.values[name]}
        onChange={(event) => form.set(name, event.currentTarget.checked)}
      />
      <div>
        <label class="label" for={`f-${name}`}>
          {label}
        </label>
        {hint && <div class="hint">{hint}</div>}
        {form.errors[name] && <div class="field-error">{form.errors[name]}</div>}
      </div>
    </div>
  );
}

export function FormErrorBanner({ errors }) {
  return errors && errors[""] ? (
    <div class="alert alert-error" role="alert">
      {errors[""]}
    </div>
  ) : null;
}

export function Submit({ form, label = "Save changes", savedLabel = "Saved" }) {
  return (
    <div class="form-actions">
      <button class="btn btn-primary" type="submit" disabled={form.busy}>
        {form.busy ? "Saving…" : label}
      </button>
      {form.saved && !form.busy && <span class="saved">✓ {savedLabel}</span>}
    </div>
  );
}

export function Modal({ title, children, onClose, footer }) {
  useEffect(() => {
    const onKey = (event) => event.key === "Escape" && onClose();
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);
  return (
    <div class="modal-backdrop" onClick={(event) => event.target === event.currentTarget && onClose()}>
      <div class="modal" role="dialog" aria-modal="true" aria-label={title}>
        <div class="card-header">
          <h2>{title}</h2>
          <button class="btn btn-ghost btn-sm" type="button" aria-label="Close" onClick={onClose}>
            ✕
          </button>
        </div>
        <div class="card-body">{children}</div>
        {footer && <div class="modal-foot">{footer}</div>}
      </div>
    </div>
  );
}

// "Are you sure?" with the action's own wording; errors of the action are shown in the dialog.
export function Confirm({ title, message, action = "Confirm", danger = true, onConfirm, onClose }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const go = async () => {
    setBusy(true);
    try {
      await onConfirm();
      onClose();
    } catch (err) {
      setError(String(err.message || err));
      setBusy(false);
    }
  };
  return (
    <Modal
      title={title}
      onClose={onClose}
      footer={[
        <button class="btn" type="button" onClick={onClose} key="c">
          Cancel
        </button>,
        <button class={`btn ${danger ? "btn-danger" : "btn-primary"}`} type="button" disabled={busy} onClick={go} key="o">
          {action}
        </button>,
      ]}
    >
      {error && (
        <div class="alert alert-error" role="alert">
          {error}
        </div>
      )}
      <p>{message}</p>
    </Modal>
  );
}

export function CopyButton({ text, label = "Copy" }) {
  const [done, setDone] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setDone(true);
      setTimeout(() => setDone(false), 1500);
    } catch {
      setDone(false);
    }
  };
  return (
    <button class="btn btn-sm" type="button" onClick={copy}>
      {done ? "Copied" : label}
    </button>
  );
}

// A secret shown once, right after it was created.
export function SecretOnce({ title, rows, onDone }) {
  return (
    <div class="secret-box" role="status" data-testid="secret-once">
      <h3>{title}</h3>
      <p class="small">Copy it now and keep it somewhere safe: it will not be shown again.</p>
      {rows.map(([label, value]) => (
        <div key={label}>
          <div class="label" style="margin-top:8px">
            {label}
          </div>
          <div class="copyable">
            <code data-secret={label}>{value}</code>
            <CopyButton text={value} />
          </div>
        </div>
      ))}
      <div style="margin-top:12px">
        <button class="btn btn-sm" type="button" onClick={onDone}>
          I have copied it
        </button>
      </div>
    </div>
  );
}

export function useLoad(load, deps = []) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const reload = async () => {
    try {
      const data = await load();
      setState({ data, error: null, loading: false });
    } catch (error) {
      setState({ data: null, error, loading: false });
    }
  };
  useEffect(() => {
    reload();
  }, deps);
  return { ...state, reload };
}

export function Loading({ state, children }) {
  if (state.loading) return <div class="muted">Loading…</div>;
  if (state.error)
    return (
      <div class="alert alert-error" role="alert">
        {String(state.error.message || state.error)}
      </div>
    );
  return children(state.data);
}

export function PageHead({ title, intro, children }) {
  return (
    <div class="page-head">
      <div>
        <h1>{title}</h1>
        {intro && <p>{intro}</p>}
      </div>
      <div class="row">{children}</div>
    </div>
  );
}

export function initials(name) {
  return (name || "?")
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0].toUpperCase())
    .join("");
}

export function formatDate(iso) {
  if (!iso) return "";
  return new Date(iso).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}
