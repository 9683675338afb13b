/* llmcourse slides: no library. Arrow keys, space, PageUp/PageDown, Home/End and swipes move;
   the slide number is the URL hash (#3), so a reload or a shared link opens the same slide;
   f = fullscreen, o = overview grid, s = speaker view (a second window of the same URL with
   ?speaker: current and next slide, notes, timer). Both windows follow each other through a
   BroadcastChannel named after the page, so either one can drive. */
(function () {
  "use strict";
  var W = 1280, H = 720;
  var root = document.documentElement;
  var deck = document.querySelector(".deck");
  if (!deck) return;
  var slides = Array.prototype.slice.call(deck.querySelectorAll("section.slide"));
  var counter = document.querySelector(".deck-counter");
  var speaker = new URLSearchParams(location.search).has("speaker") || location.hash === "#speaker";
  var channel = "BroadcastChannel" in window
    ? new BroadcastChannel("llmcourse-slides:" + location.pathname) : null;
  var current = -1;
  var view = null;  // the speaker view's parts

  function clamp(i) { return Math.max(0, Math.min(slides.length - 1, i)); }

  function fromHash() {
    var n = parseInt(location.hash.slice(1), 10);
    return isNaN(n) ? 0 : clamp(n - 1);
  }

  function go(index, quiet) {
    index = clamp(index);
    var changed = index !== current;
    current = index;
    slides.forEach(function (slide, i) {
      slide.classList.toggle("current", i === index);
      slide.setAttribute("aria-hidden", i === index || isOverview() ? "false" : "true");
    });
    if ("#" + (index + 1) !== location.hash) {
      // replaceState: moving through a deck should not fill the history with every slide
      history.replaceState(null, "", location.pathname + location.search + "#" + (index + 1));
    }
    if (counter) counter.textContent = (index + 1) + " / " + slides.length;
    if (speaker) renderSpeaker();
    if (isOverview()) slides[index].focus({ preventScroll: false });
    if (changed && !quiet && channel) channel.postMessage({ type: "go", index: index });
  }

  // -- fitting: a long slide is scaled down instead of overflowing --------------------------
  function fit(slide) {
    var body = slide.querySelector(".slide-body");
    if (!body) return;
    body.style.transform = "";
    var scale = Math.min(1, H / Math.max(body.scrollHeight, 1), W / Math.max(body.scrollWidth, 1));
    if (scale < 0.999) body.style.transform = "scale(" + scale.toFixed(4) + ")";
    slide.setAttribute("data-scale", scale.toFixed(4));
  }
  var fitQueued = false;
  function fitAll() {
    if (fitQueued) return;
    fitQueued = true;
    requestAnimationFrame(function () {
      fitQueued = false;
      slides.forEach(fit);
      if (speaker) renderSpeaker();
    });
  }

  function scaleStage() {
    root.style.setProperty("--deck-scale", Math.min(innerWidth / W, innerHeight / H).toFixed(4));
    if (view) {
      [view.current, view.next].forEach(function (frame) {
        frame.style.setProperty("--frame-scale", (frame.clientWidth / W).toFixed(4));
      });
    }
  }

  // -- overview -----------------------------------------------------------------------------
  function isOverview() { return root.classList.contains("deck-overview"); }
  function overview(on) {
    root.classList.toggle("deck-overview", on);
    slides.forEach(function (slide) {
      if (on) slide.setAttribute("tabindex", "0"); else slide.removeAttribute("tabindex");
    });
    go(current, true);
    if (on) slides[current].scrollIntoView({ block: "center" });
    else window.scrollTo(0, 0);
  }
  deck.addEventListener("click", function (event) {
    if (!isOverview()) return;
    var slide = event.target.closest(".slide");
    if (!slide) return;
    event.preventDefault();
    overview(false);
    go(slides.indexOf(slide));
  });

  // -- speaker view -------------------------------------------------------------------------
  function buildSpeaker() {
    root.classList.add("deck-speaker");
    var box = document.createElement("div");
    box.className = "speaker-view";
    box.innerHTML =
      '<div class="sv-main"><p class="sv-label">Current <span class="sv-count"></span></p>' +
      '<div class="sv-frame sv-current"></div></div>' +
      '<div class="sv-side"><div><p class="sv-label">Next</p><div class="sv-frame sv-next"></div></div>' +
      '<div class="sv-timer"><span class="sv-elapsed" role="timer">00:00</span>' +
      '<button type="button" class="sv-reset">Reset</button><span class="sv-clock"></span></div>' +
      '<div><p class="sv-label">Notes</p><div class="sv-notes" aria-live="polite"></div></div></div>';
    document.body.appendChild(box);
    view = {
      current: box.querySelector(".sv-current"), next: box.querySelector(".sv-next"),
      notes: box.querySelector(".sv-notes"), count: box.querySelector(".sv-count"),
      elapsed: box.querySelector(".sv-elapsed"), clock: box.querySelector(".sv-clock"),
      started: Date.now()
    };
    box.querySelector(".sv-reset").addEventListener("click", function () {
      view.started = Date.now();
      tick();
    });
    document.title = "Speaker view: " + document.title;
    setInterval(tick, 1000);
    tick();
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var s = Math.floor((Date.now() - view.started) / 1000);
    view.elapsed.textContent = (s >= 3600 ? Math.floor(s / 3600) + ":" : "") +
      pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60);
    var now = new Date();
    view.clock.textContent = pad(now.getHours()) + ":" + pad(now.getMinutes());
  }

  function show(frame, slide) {
    frame.textContent = "";
    if (slide) {
      frame.appendChild(slide.querySelector(".slide-inner").cloneNode(true));
    } else {
      var end = document.createElement("p");
      end.className = "sv-end";
      end.textContent = "End of the slides";
      frame.appendChild(end);
    }
  }

  function renderSpeaker() {
    if (!view) return;
    show(view.current, slides[current]);
    show(view.next, slides[current + 1]);
    var notes = slides[current].querySelector(".notes");
    view.notes.innerHTML = notes ? notes.innerHTML : "<p><em>No notes for this slide.</em></p>";
    view.count.textContent = (current + 1) + " / " + slides.length;
    scaleStage();
  }

  function openSpeaker() {
    var url = location.pathname + "?speaker#" + (current + 1);
    window.open(url, "llmcourse-speaker:" + location.pathname, "width=1200,height=720");
  }

  // -- input ----------------------------------------------------------------------------------
  function fullscreen() {
    if (document.fullscreenElement) document.exitFullscreen();
    else if (root.requestFullscreen) root.requestFullscreen().catch(function () {});
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (document.querySelector("dialog[open]")) return;  // the gallery lightbox has the keys
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(target.tagName))) return;
    switch (event.key) {
      case "ArrowRight": case "ArrowDown": case "PageDown": go(current + 1); break;
      case "ArrowLeft": case "ArrowUp": case "PageUp": go(current - 1); break;
      case " ": go(current + (event.shiftKey ? -1 : 1)); break;
      case "Home": go(0); break;
      case "End": go(slides.length - 1); break;
      case "Enter": if (!isOverview()) return; overview(false); go(current); break;
      case "Escape": if (!isOverview()) return; overview(false); break;
      case "o": case "O": if (!speaker) overview(!isOverview()); break;
      case "f": case "F": fullscreen(); break;
      case "s": case "S": if (!speaker) openSpeaker(); break;
      default: return;
    }
    event.preventDefault();
  });
  deck.addEventListener("focusin", function (event) {
    // Tabbing through the overview moves the selection with the focus
    var slide = isOverview() && event.target.closest(".slide");
    if (slide && slides.indexOf(slide) !== current) go(slides.indexOf(slide));
  });

  var touch = null;
  document.addEventListener("touchstart", function (event) {
    if (event.touches.length === 1) touch = { x: event.touches[0].clientX, y: event.touches[0].clientY };
  }, { passive: true });
  document.addEventListener("touchend", function (event) {
    if (!touch || isOverview()) return;
    var dx = event.changedTouches[0].clientX - touch.x, dy = event.changedTouches[0].clientY - touch.y;
    touch = null;
    if (Math.abs(dx) > 50 && Math.abs(dx) > Math.abs(dy)) go(current + (dx < 0 ? 1 : -1));
  }, { passive: true });

  if (channel) {
    channel.onmessage = function (event) {
      var data = event.data || {};
      if (data.type === "go") go(data.index, true);
      else if (data.type === "hello") channel.postMessage({ type: "go", index: current });
    };
  }
  window.addEventListener("hashchange", function () {
    if (location.hash !== "#speaker") go(fromHash());
  });
  window.addEventListener("resize", scaleStage);
  deck.addEventListener("load", fitAll, true);  // images change the height of their slide
  window.addEventListener("beforeprint", function () { slides.forEach(fit); });

  if (speaker) buildSpeaker();
  scaleStage();
  slides.forEach(fit);
  go(location.hash === "#speaker" ? 0 : fromHash(), true);
  if (speaker && channel && location.hash === "#speaker") channel.postMessage({ type: "hello" });
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(fitAll);
  root.classList.add("deck-ready");
})();
