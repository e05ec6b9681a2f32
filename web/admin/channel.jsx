import { Check, CopyButton, Field, FormErrorBanner, Loading, PageHead, SelectField, Submit, TextField, useForm, useLoad } from "./ui.jsx";

const COLOURS = [
  ["primary", "Primary (header, launcher)"],
  ["onPrimary", "Text on primary"],
  ["message", "Customer's messages"],
  ["onMessage", "Text of customer's messages"],
  ["businessMessage", "Business messages"],
  ["onBusinessMessage", "Text of business messages"],
  ["action", "Buttons and links"],
  ["onAction", "Text on buttons"],
  ["background", "Background"],
  ["onBackground", "Text on background"],
  ["error", "Errors"],
  ["onError", "Text on errors"],
  ["notify", "Unread badge"],
  ["onNotify", "Text on unread badge"],
];
const MB = 1024 * 1024;

function ColourField({ form, name, label }) {
  const key = `theme.${name}`;
  const value = form.values.theme[name];
  const set = (v) => form.set("theme", { ...form.values.theme, [name]: v });
  const valid = /^#[0-9a-fA-F]{6}$/.test(value);
  return (
    <Field label={label} name={key} errors={form.errors}>
      <div class="colour-input">
        <input type="color" aria-label={`${label} (picker)`} value={valid ? value : "#000000"} onInput={(e) => set(e.currentTarget.value)} />
        <input class="input mono" id={`f-${key}`} name={key} value={value} maxLength={7} onInput={(e) => set(e.currentTarget.value.trim())} />
      </div>
    </Field>
  );
}

function Preview({ v, fallbackName }) {
  const t = v.theme;
  const side = v.position === "left" ? { left: "16px" } : { right: "16px" };
  const name = v.businessName || fallbackName;
  return (
    <div class="preview">
      <div class="label" style="margin-bottom:6px">
        Preview
      </div>
      <div class="preview-stage" data-testid="widget-preview">
        <div class="pv-window" style={{ ...side, background: t.background, color: t.onBackground }}>
          <div class="pv-head" style={{ background: t.primary, color: t.onPrimary }}>
            {v.avatarUrl && /^https?:\/\//.test(v.avatarUrl) ? <img src={v.avatarUrl} alt="" /> : <span class="pv-initial">{(name || "?")[0].toUpperCase()}</span>}
            <div>
              <strong>{name}</strong>
              <span>{v.introText || "We typically reply in a few minutes"}</span>
            </div>
          </div>
          <div class="pv-body">
            <div class="pv-msg biz" style={{ background: t.businessMessage, color: t.onBusinessMessage }}>
              Hi! How can we help you today?
            </div>
            <span class="pv-action" style={{ borderColor: t.action, color: t.action }}>
              Track my order
            </span>
            <div class="pv-msg me" style={{ background: t.message, color: t.onMessage }}>
              Where is my parcel?
            </div>
          </div>
          <div class="pv-foot">
            {v.attachmentsEnabled && (
              <svg width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" aria-label="Attach a file">
                <path d="M21 11.5 12.5 20a5 5 0 0 1-7-7L14 4.5a3.3 3.3 0 0 1 4.7 4.7L10.2 17.7a1.7 1.7 0 0 1-2.4-2.4L15.5 7.6" />
              </svg>
            )}
            <span class="pv-input">Type a message</span>
            <span style={{ color: t.action, fontWeight: 600 }}>Send</span>
          </div>
        </div>
        <div class="pv-launcher" style={{ ...side, background: t.primary, color: t.onPrimary }}>
          <svg width="22" height="22" viewBox="0 0 24 24" fill="currentColor" aria-hidden="true">
            <path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z" />
          </svg>
          <span class="pv-badge" style={{ background: t.notify, color: t.onNotify }}>
            1
          </span>
        </div>
      </div>
    </div>
  );
}

function ChannelForm({ api, data, accountName, onSaved }) {
  const s = data.settings;
  const form = useForm(
    {
      theme: { ...s.theme },
      businessName: s.businessName || "",
      avatarUrl: s.avatarUrl || "",
      introText: s.introText || "",
      position: s.position,
      attachmentsEnabled: s.attachmentsEnabled,
      maxMb: String(Math.round((s.maxAttachmentBytes / MB) * 10) / 10),
      allowedAttachmentTypes: s.allowedAttachmentTypes.join(", "),
    },
    async (v) => {
      const mb = Number(v.maxMb);
      const saved = await api.patch("channel", {
        theme: v.theme,
        businessName: v.businessName.trim() || null,
        avatarUrl: v.avatarUrl.trim() || null,
        introText: v.introText.trim() || null,
        position: v.position,
        attachmentsEnabled: v.attachmentsEnabled,
        maxAttachmentBytes: v.maxMb !== "" && Number.isFinite(mb) ? Math.round(mb * MB) : v.maxMb,
        allowedAttachmentTypes: v.allowedAttachmentTypes
          .split(",")
          .map((x) => x.trim())
          .filter(Boolean),
      });
      onSaved(saved);
    },
  );
  const maxError = form.errors.maxAttachmentBytes;
  return (
    <div class="channel-layout">
      <form onSubmit={form.onSubmit} noValidate>
        <FormErrorBanner errors={form.errors} />
        <div class="card section">
          <div class="card-header">
            <h2>Appearance</h2>
          </div>
          <div class="card-body">
            <TextField form={form} name="businessName" label="Business name" placeholder={accountName} hint="Shown in the messenger's header." />
            <TextField form={form} name="avatarUrl" label="Avatar URL" type="url" placeholder="https://example.com/logo.png" />
            <TextField form={form} name="introText" label="Intro text" multiline hint="A line under the name, e.g. when you usually reply." />
            <SelectField
              form={form}
              name="position"
              label="Launcher position"
              options={[
                ["right", "Bottom right"],
                ["left", "Bottom left"],
              ]}
            />
          </div>
        </div>
        <div class="card section">
          <div class="card-header">
            <h2>Colours</h2>
            <span class="muted small">#rrggbb — one invalid colour refuses the whole change</span>
          </div>
          <div class="card-body colours">
            {COLOURS.map(([name, label]) => (
              <ColourField form={form} name={name} label={label} key={name} />
            ))}
          </div>
        </div>
        <div class="card section">
          <div class="card-header">
            <h2>Attachments</h2>
          </div>
          <div class="card-body">
            <Check form={form} name="attachmentsEnabled" label="Customers may send files and images" />
            <div class="grid-2">
              <div class={`field${maxError ? " invalid" : ""}`} data-field="maxAttachmentBytes">
                <label for="f-maxMb">Largest file (MB)</label>
                <input class="input" id="f-maxMb" type="number" min="0.1" step="0.1" value={form.values.maxMb} onInput={(e) => form.set("maxMb", e.currentTarget.value)} />
                {maxError ? <div class="field-error">{maxError}</div> : <div class="hint">This server accepts up to {Math.floor(data.maxUploadBytes / MB)} MB.</div>}
              </div>
              <TextField form={form} name="allowedAttachmentTypes" label="Allowed types" hint="Comma separated, e.g. image/*, application/pdf" />
            </div>
          </div>
        </div>
        <Submit form={form} />
      </form>
      <Preview v={form.values} fallbackName={accountName} />
    </div>
  );
}

export function ChannelPage({ api, account }) {
  const state = useLoad(() => api.get("channel"));
  return (
    <div class="page" style="max-width:1120px">
      <PageHead title="Web widget" intro="The messenger on your website: how it looks, what customers may send, and how to install it." />
      <Loading state={state}>
        {(data) => (
          <>
            <div class="card section">
              <div class="card-header">
                <h2>Installation</h2>
                <CopyButton text={data.snippet} label="Copy snippet" />
              </div>
              <div class="card-body">
                <p class="muted">Paste this before the closing &lt;/body&gt; tag of every page where customers should see the messenger.</p>
                <code class="snippet" data-testid="snippet">
                  {data.snippet}
                </code>
              </div>
            </div>
            <ChannelForm api={api} data={data} accountName={account?.displayName || ""} onSaved={() => {}} />
          </>
        )}
      </Loading>
    </div>
  );
}
