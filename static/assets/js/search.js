/* llmcourse search: the sidebar box queries the Pagefind index of this site (pagefind.js,
   same origin, loaded on first use). Each result links to the heading where the words were
   found (Pagefind's sub-results carry the heading anchors), with the page itself as fallback. */
(function () {
  "use strict";
  var input = document.getElementById("site-search-input");
  var box = document.getElementById("site-search-results");
  if (!input || !box) return;
  var loading = null, serial = 0, timer = null;

  function load() {
    if (!loading) {
      loading = import(input.getAttribute("data-bundle") + "pagefind.js").then(function (pagefind) {
        return pagefind.options({ baseUrl: input.getAttribute("data-baseurl") })
          .then(function () { pagefind.init(); return pagefind; });
      });
      loading.catch(function () { loading = null; });
    }
    return loading;
  }

  function best(data) {
    // The heading with the most matches; the page itself when no heading holds any
    var subs = (data.sub_results || []).filter(function (s) { return s.locations && s.locations.length; });
    subs.sort(function (a, b) { return b.locations.length - a.locations.length; });
    return subs[0] || { url: data.url, title: data.meta.title, excerpt: data.excerpt };
  }

  function item(data) {
    var top = best(data);
    var li = document.createElement("li");
    li.className = "search-result";
    var link = document.createElement("a");
    link.href = top.url;
    link.className = "search-result-title";
    link.textContent = data.meta.title || data.url;
    li.appendChild(link);
    if (top.title && top.title !== data.meta.title) {
      var where = document.createElement("span");
      where.className = "search-result-section";
      where.textContent = " › " + top.title;
      link.appendChild(where);
    }
    var excerpt = document.createElement("p");
    excerpt.className = "search-result-excerpt";
    excerpt.innerHTML = top.excerpt || data.excerpt;  // Pagefind escapes the text; only <mark> is markup
    li.appendChild(excerpt);
    return li;
  }

  function show(query, results) {
    box.textContent = "";
    var status = document.createElement("p");
    status.className = "search-status";
    status.textContent = results.length ? results.length + (results.length === 1 ? " result" : " results")
      : "No results for “" + query + "”";
    box.appendChild(status);
    var list = document.createElement("ol");
    list.className = "search-result-list";
    results.forEach(function (data) { list.appendChild(item(data)); });
    box.appendChild(list);
    box.hidden = false;
  }

  function run() {
    var query = input.value.trim();
    var mine = ++serial;
    if (!query) { box.hidden = true; box.textContent = ""; return; }
    load().then(function (pagefind) { return pagefind.search(query); })
      .then(function (search) {
        return Promise.all(search.results.slice(0, 10).map(function (r) { return r.data(); }));
      })
      .then(function (results) { if (mine === serial) show(query, results); })
      .catch(function () {
        if (mine !== serial) return;
        box.textContent = "Search is not available here (the index is built by llmcourse build).";
        box.hidden = false;
      });
  }

  input.addEventListener("focus", load, { once: true });
  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 120); });
  // This script itself is loaded on the box's first focus (see partials/search.html), so the
  // focus, and maybe some typing, came before it: catch up.
  if (document.activeElement === input) load();
  if (input.value.trim()) run();
  input.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { input.value = ""; run(); }
    else if (event.key === "Enter") {
      var first = box.querySelector(".search-result-title");
      if (first) location.href = first.href;
    }
  });
})();
