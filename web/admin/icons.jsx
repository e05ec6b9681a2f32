// Line icons of the side navigation (drawn here: the page loads no icon font or image).
const PATHS = {
  account: "M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6z M19 12h2 M3 12h2 M12 3v2 M12 19v2 M5.6 5.6l1.4 1.4 M17 17l1.4 1.4 M5.6 18.4 7 17 M17 7l1.4-1.4",
  staff: "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8z M4 21c0-4 3.6-6 8-6s8 2 8 6",
  groups: "M9 11a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7z M2 20c0-3.5 3-5.5 7-5.5s7 2 7 5.5 M16 4.3a3.5 3.5 0 0 1 0 6.4 M18 14.8c2.4.6 4 2.4 4 5.2",
  widget: "M4 4h16a1 1 0 0 1 1 1v11a1 1 0 0 1-1 1H9l-5 4V5a1 1 0 0 1 1-1z",
  authentication: "M6 11h12v10H6z M8.5 11V7.5a3.5 3.5 0 0 1 7 0V11 M12 15v2",
  macros: "M13 2 4 14h7l-1 8 9-12h-7z",
  "api-keys": "M8 15a4 4 0 1 0 0-8 4 4 0 0 0 0 8z M12 11h10 M18 11v4 M21 11v3",
  webhooks: "M7 17l10-10 M9 7h8v8",
  articles: "M6 3h9l4 4v14H6z M14 3v5h5 M9 13h7 M9 17h7",
  flows: "M5 6h6 M5 12h14 M5 18h9 M17 4l2 2-2 2",
};

export function Icon({ name }) {
  return (
    <svg class="ico" width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
      <path d={PATHS[name] || PATHS.account} />
    </svg>
  );
}
