/*
 * childsafe chat widget. On any page:
 *   <script src="https://CHAT-SERVER/widget.js" defer></script>
 * Optional attributes: data-label="…" (the button's text), data-position="left".
 *
 * A floating button opens a panel holding an iframe to CHAT-SERVER/embed. The chat runs
 * inside that frame, on the chat server's origin: the host page's own scripts cannot read
 * the conversation, and the host's CSP only has to allow this script and the frame.
 * Button and panel live in a shadow root so the host's CSS cannot break them.
 * Nothing is stored in the host page (no cookie, no storage).
 */
(function () {
  "use strict";

  if (window.__childsafeWidget) return;
  var script =
    document.currentScript || document.querySelector('script[src$="/widget.js"]');
  if (!script || !script.src) return;
  window.__childsafeWidget = true;

  var chatOrigin = new URL(script.src, window.location.href).origin;
  var label = (script.getAttribute("data-label") || "Hỏi trợ lý bảo vệ trẻ em").slice(0, 60);
  var side = script.getAttribute("data-position") === "left" ? "left" : "right";
  var FALLBACK_EXIT_URL = "https://www.google.com";

  var CSS = [
    ":host { all: initial; }",
    "*, *::before, *::after { box-sizing: border-box; }",
    "[hidden] { display: none !important; }",
    ".launcher { position: fixed; bottom: 16px; z-index: 2147483000; display: inline-flex;",
    "  align-items: center; gap: 8px; min-height: 52px; max-width: calc(100vw - 32px);",
    "  padding: 0 18px 0 14px; border: 2px solid #fff; border-radius: 999px;",
    "  background: #0b5394; color: #fff; cursor: pointer;",
    "  font: 600 16px/1.2 system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', Arial, sans-serif;",
    "  box-shadow: 0 4px 18px rgba(16, 42, 67, 0.35); }",
    ".launcher:hover { background: #083e70; }",
    ".launcher:focus-visible { outline: 3px solid #1b2733; outline-offset: 2px;",
    "  box-shadow: 0 0 0 6px #ffbf47; }",
    ".launcher svg { width: 24px; height: 24px; flex: none; fill: currentColor; }",
    ".right { right: 16px; } .left { left: 16px; }",
    ".panel { position: fixed; bottom: 80px; z-index: 2147483000; width: 400px;",
    "  height: min(640px, calc(100vh - 100px)); border-radius: 16px; overflow: hidden;",
    "  background: #fff; box-shadow: 0 10px 40px rgba(16, 42, 67, 0.35); }",
    ".panel iframe { display: block; width: 100%; height: 100%; border: 0; }",
    "@media (max-width: 520px) {",
    "  .panel { inset: 0; width: 100%; height: 100%; border-radius: 0; }",
    "  .launcher[aria-expanded='true'] { display: none; }",
    "}",
  ].join("\n");

  var SVG_NS = "http://www.w3.org/2000/svg";

  function chatIcon() {
    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(SVG_NS, "path");
    path.setAttribute(
      "d",
      "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2Zm3 6v2h10V9H7Zm0 4v2h7v-2H7Z"
    );
    svg.appendChild(path);
    return svg;
  }

  function applyStyles(root) {
    // A constructed stylesheet is not an inline <style>, so a strict host CSP allows it.
    if ("adoptedStyleSheets" in Document.prototype && "replaceSync" in CSSStyleSheet.prototype) {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } else {
      var style = document.createElement("style");
      style.textContent = CSS;
      root.appendChild(style);
    }
  }

  var host = document.createElement("div");
  host.setAttribute("data-childsafe-widget", "");
  var root = host.attachShadow({ mode: "open" });
  applyStyles(root);

  var launcher = document.createElement("button");
  launcher.type = "button";
  launcher.className = "launcher " + side;
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "childsafe-panel");
  launcher.appendChild(chatIcon());
  var text = document.createElement("span");
  text.textContent = label;
  launcher.appendChild(text);

  var panel = document.createElement("div");
  panel.id = "childsafe-panel";
  panel.className = "panel " + side;
  panel.setAttribute("role", "region");
  panel.setAttribute("aria-label", "Trò chuyện với trợ lý bảo vệ trẻ em");
  panel.hidden = true;

  var frame = null;
  var frameReady = false;

  function tellFrame(type) {
    if (frame && frame.contentWindow) frame.contentWindow.postMessage({ type: type }, chatOrigin);
  }

  function open() {
    if (!frame) {
      // Created on first open: a page whose visitors never open the chat loads nothing more.
      frame = document.createElement("iframe");
      frame.src = chatOrigin + "/embed";
      frame.title = "Trò chuyện với trợ lý bảo vệ trẻ em";
      frame.referrerPolicy = "no-referrer";
      frame.addEventListener("load", function () {
        frameReady = true;
        tellFrame("childsafe:focus");
      });
      panel.appendChild(frame);
    }
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    if (frameReady) {
      frame.focus();
      tellFrame("childsafe:focus");
    }
  }

  function close() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  function exit(url) {
    var target = FALLBACK_EXIT_URL;
    try {
      var parsed = new URL(String(url));
      if (parsed.protocol === "https:" || parsed.protocol === "http:") target = parsed.href;
    } catch (e) {
      /* keep the fallback */
    }
    host.remove();
    window.location.replace(target);
  }

  launcher.addEventListener("click", function () {
    if (panel.hidden) open();
    else close();
  });

  window.addEventListener("message", function (event) {
    if (!frame || event.source !== frame.contentWindow || event.origin !== chatOrigin) return;
    var data = event.data || {};
    if (data.type === "childsafe:close") close();
    else if (data.type === "childsafe:exit") exit(data.url);
  });

  root.appendChild(launcher);
  root.appendChild(panel);

  function mount() {
    document.body.appendChild(host);
  }

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
