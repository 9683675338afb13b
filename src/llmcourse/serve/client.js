/* llmcourse serve: live reload and the error overlay. Injected by the dev server only, never
   written into a built site. Reloads this page only when it changed, keeping its scroll. */
(function () {
  "use strict";
  var cfg = window.__llmcourse || {};
  var here = location.pathname;
  var scrollKey = "llmcourse-scroll:" + here;
  var OVERLAY = "llmcourse-error-overlay";

  try {  // come back to where the reader was before our own reload
    var saved = sessionStorage.getItem(scrollKey);
    if (saved !== null) {
      sessionStorage.removeItem(scrollKey);
      var pos = JSON.parse(saved);
      var restore = function () { window.scrollTo(pos[0], pos[1]); };
      restore();
      window.addEventListener("load", restore);
    }
  } catch (e) { /* storage disabled: a plain reload is fine */ }

  function decoded(path) {
    try { return decodeURI(path); } catch (e) { return path; }
  }

  // Every spelling of a path that serves the same file: /a/ = /a/index.html, /a = /a.html.
  function forms(path) {
    var out = [];
    [path, decoded(path)].forEach(function (p) {
      out.push(p);
      if (/\/index\.html$/.test(p)) out.push(p.slice(0, -10));
      else if (/\/$/.test(p)) out.push(p + "index.html");
      else if (!/\.[^\/]*$/.test(p)) { out.push(p + ".html"); out.push(p + "/"); }
    });
    return out;
  }

  function anyOf(urls, path) {
    var f = forms(path);
    return (urls || []).some(function (u) { return f.indexOf(u) >= 0; });
  }

  function reload() {
    try {
      sessionStorage.setItem(scrollKey, JSON.stringify([window.scrollX, window.scrollY]));
    } catch (e) { /* ignore */ }
    location.reload();
  }

  function sameOriginPath(href) {
    var u = new URL(href, location.href);
    return u.origin === location.origin ? u.pathname : null;
  }

  // Stylesheets apply without a reload: a fresh <link> with a cache-busting query, the old
  // one removed once the new one has loaded (no flash of unstyled text).
  function swapCss(urls) {
    document.querySelectorAll('link[rel~="stylesheet"]').forEach(function (link) {
      var path = sameOriginPath(link.href);
      if (path === null || !anyOf(urls, path)) return;
      var u = new URL(link.href, location.href);
      u.searchParams.set("llmcourse", String(Date.now()));
      var fresh = link.cloneNode();
      fresh.href = u.href;
      fresh.onload = fresh.onerror = function () { link.remove(); };
      link.after(fresh);
    });
  }

  function usesAny(urls) {
    var found = false;
    document.querySelectorAll("img[src], script[src], source[src], video[src], audio[src]")
      .forEach(function (el) {
        var path = sameOriginPath(el.getAttribute("src"));
        if (path !== null && anyOf(urls, path)) found = true;
      });
    return found;
  }

  function hideOverlay() {
    var el = document.getElementById(OVERLAY);
    if (el) el.remove();
  }

  function showOverlay(messages) {
    hideOverlay();
    var box = document.createElement("div");
    box.id = OVERLAY;
    box.setAttribute("role", "alert");
    box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
      "background:rgba(20,20,24,.92);color:#fff;font:14px/1.5 ui-monospace,monospace;padding:2em";
    var title = document.createElement("h2");
    title.textContent = "Build failed: showing the last good version of the site";
    title.style.cssText = "color:#ff8a80;font:bold 18px system-ui,sans-serif;margin:0 0 1em";
    var pre = document.createElement("pre");
    pre.textContent = messages.join("\n");
    pre.style.cssText = "white-space:pre-wrap;margin:0";
    var hint = document.createElement("p");
    hint.textContent = "Fix the file and save: this page updates by itself.";
    hint.style.cssText = "color:#bbb;font-family:system-ui,sans-serif";
    box.append(title, pre, hint);
    document.body.appendChild(box);
  }

  if (!window.EventSource) return;
  var source = new EventSource(cfg.events);

  source.addEventListener("hello", function (e) {
    var data = JSON.parse(e.data);
    // A build finished between this page's response and this stream (or the server restarted).
    if (data.instance !== cfg.instance || data.build !== cfg.build) {
      if (data.build > 0 && !data.errors.length) return reload();
    }
    if (data.errors.length) showOverlay(data.errors); else hideOverlay();
  });

  source.addEventListener("reload", function (e) {
    var data = JSON.parse(e.data);
    cfg.build = data.build;
    hideOverlay();
    if (data.all || anyOf(data.urls, here)) return reload();
    swapCss(data.css);
    if (usesAny(data.assets)) reload();
  });

  source.addEventListener("failed", function (e) {
    showOverlay(JSON.parse(e.data).errors);
  });

  window.addEventListener("beforeunload", function () { source.close(); });
})();
