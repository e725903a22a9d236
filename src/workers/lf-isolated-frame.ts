/**
 * The document of the sandboxed iframe that hosts isolated LF workers (see pool-isolated.ts).
 *
 * Why an iframe: Chromium kills a renderer process whose V8 heap runs out, and a dedicated
 * worker lives in its page's process, so an LF that allocates without bound used to take the
 * whole tab down. A `sandbox="allow-scripts"` iframe has an opaque origin, and Chromium (measured
 * here: 156, default flags) gives it a process of its own; an out-of-memory LF then kills only
 * that process. The opaque origin also means no IndexedDB, cookies or service worker for LF code.
 *
 * The frame is `srcdoc`, so it needs no network (works offline, under any base path) and it
 * inherits the page's CSP; its one inline script is allowed by hash (`FRAME_SCRIPT_SHA256` in
 * scripts/security.ts). The script only relays: it starts the worker from the source the page
 * sends (a blob URL: an opaque origin may not start workers from the app's URLs), hands it the
 * page's MessagePorts, reports worker errors and answers pings so the page can tell when the
 * process has died (a crashed frame sends no event).
 *
 * Plain ES2017 in a string: it is hashed byte for byte, so it must not pass through a bundler.
 */
export const FRAME_SCRIPT = `"use strict";
addEventListener("message", function init(e) {
  if (e.source !== parent || !e.data || e.data.type !== "shoal-lf-host") return;
  removeEventListener("message", init);
  var control = e.ports[0];
  var url = URL.createObjectURL(new Blob([e.data.source], { type: "text/javascript" }));
  var worker = new Worker(url, { name: "shoal-lf-isolated" });
  worker.onerror = function (ev) { ev.preventDefault(); control.postMessage({ type: "died", reason: ev.message || "the LF worker failed" }); };
  worker.onmessageerror = function () { control.postMessage({ type: "died", reason: "a message could not be decoded" }); };
  worker.onmessage = function (m) { if (m.data && m.data.type === "connected") control.postMessage({ type: "connected" }); };
  control.onmessage = function (m) { if (m.data && m.data.type === "ping") control.postMessage({ type: "pong", seq: m.data.seq }); };
  worker.postMessage({ type: "shoal-connect" }, [e.ports[1], e.ports[2]]);
  control.postMessage({ type: "ready" });
});`;

/** The iframe's whole document. */
export function frameSrcdoc(): string {
  return `<!doctype html><meta charset="utf-8"><title>Shoal LF host</title><script>${FRAME_SCRIPT}</script>`;
}
