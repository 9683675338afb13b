/* llmcourse theme: the sidebar toggle (remembered on wide screens, a menu on phones), the
   dark-mode toggle (remembered; otherwise the system setting), the table of contents (open
   beside the text on wide screens, collapsible on narrow ones, the current section marked).
   The inline script in <head> applies the remembered choices before the first paint. */
(function () {
  "use strict";
  var root = document.documentElement;
  var wide = window.matchMedia("(min-width: 50em)");
  var systemDark = window.matchMedia("(prefers-color-scheme: dark)");
  var tocWide = window.matchMedia("(min-width: 75em)");

  function remember(key, value) {
    try { window.localStorage.setItem(key, value); } catch (e) { /* private mode: not kept */ }
  }

  // -- sidebar --------------------------------------------------------------------------
  var sidebarButton = document.querySelector(".sidebar-toggle");
  function sidebarShown() {
    return wide.matches ? root.getAttribute("data-sidebar") !== "hidden"
                        : root.classList.contains("menu-open");
  }
  function syncSidebar() {
    if (sidebarButton) sidebarButton.setAttribute("aria-expanded", String(sidebarShown()));
  }
  if (sidebarButton) {
    sidebarButton.addEventListener("click", function () {
      if (wide.matches) {
        var hide = root.getAttribute("data-sidebar") !== "hidden";
        if (hide) root.setAttribute("data-sidebar", "hidden");
        else root.removeAttribute("data-sidebar");
        remember("llmcourse-sidebar", hide ? "hidden" : "shown");
      } else {
        root.classList.toggle("menu-open");
      }
      syncSidebar();
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !wide.matches && root.classList.contains("menu-open")) {
        root.classList.remove("menu-open");
        syncSidebar();
        sidebarButton.focus();
      }
    });
    wide.addEventListener("change", syncSidebar);
    syncSidebar();
  }

  // -- dark mode --------------------------------------------------------------------------
  var themeButton = document.querySelector(".theme-toggle");
  function isDark() {
    var chosen = root.getAttribute("data-theme");
    return chosen ? chosen === "dark" : systemDark.matches;
  }
  function syncTheme() {
    if (themeButton) themeButton.setAttribute("aria-pressed", String(isDark()));
  }
  if (themeButton) {
    themeButton.addEventListener("click", function () {
      var next = isDark() ? "light" : "dark";
      root.setAttribute("data-theme", next);
      remember("llmcourse-theme", next);
      syncTheme();
    });
    systemDark.addEventListener("change", syncTheme);
    syncTheme();
  }

  // -- table of contents ----------------------------------------------------------------
  var toc = document.getElementById("toc-details");
  if (!toc) return;
  tocWide.addEventListener("change", function (event) { toc.open = event.matches; });
  var links = Array.prototype.slice.call(toc.querySelectorAll("a[href^='#']"));
  var byId = {};
  var targets = links.map(function (link) {
    var id = decodeURIComponent(link.getAttribute("href").slice(1));
    byId[id] = link;
    return document.getElementById(id);
  }).filter(Boolean);
  if (!("IntersectionObserver" in window) || !targets.length) return;
  var current = null;
  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (!entry.isIntersecting) return;
      if (current) current.classList.remove("active");
      current = byId[entry.target.id];
      if (current) current.classList.add("active");
    });
  }, { rootMargin: "0px 0px -75% 0px" });
  targets.forEach(function (target) { observer.observe(target); });
})();
