// Bundles every front end into src/parlour/static/dist/, where the server serves it from.
// One entry per shipped file; the widget's launcher stays separate so the host page loads
// only a few kilobytes until the customer opens the messenger.
import { build } from "esbuild";
import { renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "src", "parlour", "static", "dist");

const entries = {
  "widget/snippet": "widget/launcher.js",
  "widget/messenger": "widget/messenger.jsx",
  "workspace/app": "workspace/main.jsx",
  "admin/app": "admin/main.jsx",
};

// Built beside the served folder and swapped in whole: a failed build leaves the last good one.
const staging = `${out}.building`;
rmSync(staging, { recursive: true, force: true });
await build({
  absWorkingDir: here,
  entryPoints: Object.fromEntries(Object.entries(entries).map(([name, src]) => [name, join(here, src)])),
  outdir: staging,
  bundle: true,
  minify: true,
  format: "iife",
  target: ["chrome110", "firefox110", "safari16"],
  jsx: "automatic",
  jsxImportSource: "preact",
  legalComments: "none",
  loader: { ".css": "text", ".svg": "text", ".mp3": "dataurl" },
  logLevel: "warning",
});
rmSync(out, { recursive: true, force: true });
renameSync(staging, out);
console.log(`front ends bundled into ${out}`);
