/* llmcourse lecture media: light YouTube embeds (the player loads on click), the gallery
   lightbox (a <dialog>: arrows, swipe, Escape, focus back to the thumbnail) and a copy button
   on code blocks. No library; everything works as plain links without this script. */
(function () {
  "use strict";

  // -- YouTube: swap the thumbnail link for the youtube-nocookie player on click ----------
  function play(link) {
    var box = link.parentNode;
    var frame = document.createElement("iframe");
    var title = link.querySelector(".yt-embed-title");
    frame.src = link.getAttribute("data-yt-player");
    frame.title = title ? title.textContent : "YouTube video";
    frame.allow = "accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; " +
      "picture-in-picture; web-share";
    frame.setAttribute("allowfullscreen", "");
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    box.replaceChild(frame, link);
    box.classList.add("yt-embed-playing");
    frame.focus();
  }

  // -- lightbox ----------------------------------------------------------------------------
  var dialog, image, caption, counter, items = [], current = 0, opener = null, startX = null,
    swiped = false;

  function buildDialog() {
    dialog = document.createElement("dialog");
    dialog.className = "lightbox";
    dialog.setAttribute("aria-label", "Image viewer");
    dialog.innerHTML =
      '<figure class="lightbox-figure"><img class="lightbox-image" alt="">' +
      '<figcaption class="lightbox-caption"></figcaption></figure>' +
      '<p class="lightbox-counter" aria-live="polite"></p>' +
      '<button type="button" class="lightbox-prev" aria-label="Previous image">&#8249;</button>' +
      '<button type="button" class="lightbox-next" aria-label="Next image">&#8250;</button>' +
      '<button type="button" class="lightbox-close" aria-label="Close">&#215;</button>';
    document.body.appendChild(dialog);
    image = dialog.querySelector(".lightbox-image");
    image.draggable = false;  // a drag would swallow the swipe's pointerup
    caption = dialog.querySelector(".lightbox-caption");
    counter = dialog.querySelector(".lightbox-counter");
    dialog.querySelector(".lightbox-prev").addEventListener("click", function () { show(current - 1); });
    dialog.querySelector(".lightbox-next").addEventListener("click", function () { show(current + 1); });
    dialog.querySelector(".lightbox-close").addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("click", function (event) {
      if (swiped) { swiped = false; return; }  // the end of a swipe is no click
      if (event.target === dialog) dialog.close();  // a click on the backdrop
    });
    dialog.addEventListener("keydown", function (event) {
      if (event.key === "ArrowRight") { show(current + 1); event.preventDefault(); }
      else if (event.key === "ArrowLeft") { show(current - 1); event.preventDefault(); }
    });
    dialog.addEventListener("pointerdown", function (event) { startX = event.clientX; });
    dialog.addEventListener("pointerup", function (event) {
      if (startX === null) return;
      var dx = event.clientX - startX;
      startX = null;
      swiped = Math.abs(dx) > 10;
      if (Math.abs(dx) > 40) show(current + (dx < 0 ? 1 : -1));
    });
    dialog.addEventListener("close", function () {
      image.removeAttribute("src");
      if (opener) opener.focus();  // Escape, the close button or the backdrop
    });
  }

  function show(index) {
    current = (index + items.length) % items.length;
    var link = items[current];
    var thumb = link.querySelector("img");
    var figcaption = link.parentNode.querySelector("figcaption");
    image.src = link.href;
    image.alt = thumb ? thumb.alt : "";
    caption.textContent = figcaption ? figcaption.textContent : (thumb ? thumb.alt : "");
    counter.textContent = (current + 1) + " / " + items.length;
  }

  function openLightbox(link) {
    if (!dialog) buildDialog();
    var gallery = link.closest(".gallery");
    items = Array.prototype.slice.call(gallery.querySelectorAll("a.gallery-link[data-lightbox]"));
    opener = link;
    show(items.indexOf(link));
    dialog.showModal();
  }

  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey ||
        event.shiftKey || event.altKey) return;  // new tab / window: let the browser do it
    var target = event.target.closest ? event.target : event.target.parentNode;
    var video = target.closest("a.yt-embed-link");
    if (video) { event.preventDefault(); play(video); return; }
    var thumb = target.closest("a.gallery-link[data-lightbox]");
    if (thumb && typeof HTMLDialogElement === "function") {
      event.preventDefault();
      openLightbox(thumb);
    }
  });

  // -- copy buttons on code blocks ---------------------------------------------------------
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {  // plain http: the old way
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = document.execCommand("copy");
      document.body.removeChild(area);
      if (ok) resolve(); else reject(new Error("copy failed"));
    });
  }

  function addCopyButton(pre) {
    var code = pre.querySelector("code") || pre;
    var wrap = document.createElement("div");
    wrap.className = "code-block";
    if (pre.getAttribute("data-lang")) wrap.setAttribute("data-lang", pre.getAttribute("data-lang"));
    pre.parentNode.insertBefore(wrap, pre);
    wrap.appendChild(pre);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-code";
    button.textContent = "Copy";
    button.setAttribute("aria-live", "polite");
    var timer = null;
    button.addEventListener("click", function () {
      copyText(code.innerText.replace(/\n$/, "")).then(function () {
        button.textContent = "Copied";
      }, function () {
        button.textContent = "Press Ctrl+C";
        var range = document.createRange();
        range.selectNodeContents(code);
        window.getSelection().removeAllRanges();
        window.getSelection().addRange(range);
      });
      clearTimeout(timer);
      timer = setTimeout(function () { button.textContent = "Copy"; }, 2000);
    });
    wrap.appendChild(button);
  }

  var blocks = document.querySelectorAll("main pre");
  for (var i = 0; i < blocks.length; i++) {
    if (!blocks[i].classList.contains("mermaid") && !blocks[i].classList.contains("math-error")) {
      addCopyButton(blocks[i]);
    }
  }
})();
