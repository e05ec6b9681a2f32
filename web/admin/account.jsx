import { Check, FormErrorBanner, Loading, PageHead, SelectField, Submit, TextField, useForm, useLoad } from "./ui.jsx";

const LOCALES = [
  ["en", "English (en)"],
  ["en-GB", "English, UK (en-GB)"],
  ["fr", "French (fr)"],
  ["fr-CA", "French, Canada (fr-CA)"],
  ["de", "German (de)"],
  ["es", "Spanish (es)"],
  ["it", "Italian (it)"],
  ["nl", "Dutch (nl)"],
  ["pt-BR", "Portuguese, Brazil (pt-BR)"],
  ["ja", "Japanese (ja)"],
];

function zones(current) {
  const known = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  const all = ["UTC", ...known.filter((z) => z !== "UTC")];
  if (current && !all.includes(current)) all.unshift(current);
  return all.map((z) => [z, z.replace(/_/g, " ")]);
}

function AccountForm({ api, account, onSaved }) {
  const form = useForm(
    {
      displayName: account.displayName,
      locale: account.locale,
      timeZone: account.timeZone,
      mode: account.mode,
      forgetHistory: account.settings.forgetHistory,
      multiConvoEnabled: account.settings.multiConvoEnabled,
      endSessionEnabled: account.settings.endSessionEnabled,
      closeDays: String(account.settings.solvedTicketCloseSeconds / 86400),
    },
    async (v) => {
      const days = Number(v.closeDays);
      const body = {
        displayName: v.displayName,
        locale: v.locale,
        timeZone: v.timeZone,
        mode: v.mode,
        settings: {
          forgetHistory: v.forgetHistory,
          multiConvoEnabled: v.multiConvoEnabled,
          endSessionEnabled: v.endSessionEnabled,
          solvedTicketCloseSeconds: Number.isFinite(days) && v.closeDays !== "" ? Math.round(days * 86400) : v.closeDays,
        },
      };
      const data = await api.patch("account", body);
      onSaved(data.account);
    },
  );
  const locales = LOCALES.some(([code]) => code === account.locale) ? LOCALES : [[account.locale, account.locale], ...LOCALES];
  const closeError = form.errors["settings.solvedTicketCloseSeconds"];
  return (
    <form onSubmit={form.onSubmit} noValidate>
      <FormErrorBanner errors={form.errors} />
      <div class="card section">
        <div class="card-header">
          <h2>Profile</h2>
        </div>
        <div class="card-body">
          <TextField form={form} name="displayName" label="Account name" hint="Shown to your team and, unless the widget sets its own, to customers." />
          <div class="grid-2">
            <SelectField form={form} name="locale" label="Default language" options={locales} />
            <SelectField form={form} name="timeZone" label="Time zone" options={zones(account.timeZone)} hint="Business hours and reports use it." />
          </div>
          <div class="field">
            <label>App ID</label>
            <div class="mono">{account.id}</div>
          </div>
        </div>
      </div>
      <div class="card section">
        <div class="card-header">
          <h2>Conversations</h2>
        </div>
        <div class="card-body">
          <SelectField
            form={form}
            name="mode"
            label="Mode"
            options={[
              ["messaging", "Messaging — persistent conversations, AI agent first"],
              ["live_chat", "Live chat (legacy) — session-based chats"],
            ]}
          />
          <div class="field" style="max-width:260px">
            <label for="f-closeDays">Close solved tickets after (days)</label>
            <input
              class={`input${closeError ? " invalid" : ""}`}
              id="f-closeDays"
              type="number"
              min="0"
              max="28"
              step="0.5"
              value={form.values.closeDays}
              onInput={(e) => form.set("closeDays", e.currentTarget.value)}
            />
            {closeError ? <div class="field-error" data-field="settings.solvedTicketCloseSeconds">{closeError}</div> : <div class="hint">0 closes them immediately, as live chat does. At most 28.</div>}
          </div>
          <Check form={form} name="multiConvoEnabled" label="Customers may hold several conversations" />
          <Check form={form} name="endSessionEnabled" label="Agents may end a messaging session" />
          <Check form={form} name="forgetHistory" label="Forget anonymous history when the browser session ends" />
        </div>
      </div>
      <Submit form={form} />
    </form>
  );
}

export function AccountPage({ api, onAccount }) {
  const state = useLoad(() => api.get("account"));
  return (
    <div class="page">
      <PageHead title="Account" intro="Your account's name, language, time zone and how conversations work." />
      <Loading state={state}>{(data) => <AccountForm api={api} account={data.account} onSaved={onAccount} />}</Loading>
    </div>
  );
}
