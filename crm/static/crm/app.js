// Coffeechat: small progressive enhancements. Every action also works without this file.
(function () {
  "use strict";

  // Copy buttons: <button data-copy="#selector">
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source) return;
    var text = source.value !== undefined ? source.value : source.textContent;
    var done = function () {
      var label = button.textContent;
      button.textContent = "Copied ✓";
      setTimeout(function () { button.textContent = label; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { source.select(); document.execCommand("copy"); done(); });
    } else {
      source.select();
      document.execCommand("copy");
      done();
    }
  });

  // Confirm destructive forms: <form data-confirm="Are you sure?">
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
  }, true);

  // Bars whose length is data (<span data-bar-width="40">): the CSP forbids style attributes,
  // but a width set from script is allowed. On this page and in every htmx swap.
  function drawBars(root) {
    var bars = Array.prototype.slice.call(root.querySelectorAll("[data-bar-width]"));
    if (root.matches && root.matches("[data-bar-width]")) bars.push(root);
    bars.forEach(function (bar) {
      bar.style.width = Math.max(0, Math.min(100, Number(bar.getAttribute("data-bar-width")) || 0)) + "%";
    });
  }
  drawBars(document);
  document.addEventListener("htmx:load", function (event) { drawBars(event.target); });

  // Sign-up: the browser's time zone, so times are on the user's clock from the first page.
  document.querySelectorAll("input[data-browser-timezone]").forEach(function (input) {
    try { if (!input.value) input.value = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { /* keep UTC */ }
  });

  // An htmx request that fails (server error, an expired CSRF token, the network) swaps
  // nothing: say so instead of failing silently.
  function showRequestError(text) {
    var main = document.getElementById("main");
    if (!main) return;
    var box = document.getElementById("request-error");
    if (!box) {
      box = document.createElement("p");
      box.id = "request-error";
      box.className = "message error";
      box.setAttribute("role", "alert");
      main.insertBefore(box, main.firstChild);
    }
    box.textContent = text;
  }
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    showRequestError(status === 403
      ? "That did not go through: this page is out of date (you may have logged in again elsewhere). Reload the page and try again."
      : "That did not go through (the server answered " + status + "). Nothing was changed on this page; reload it and try again.");
  });
  document.addEventListener("htmx:sendError", function () {
    showRequestError("That did not go through: the server could not be reached. Check your connection and try again.");
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var box = document.getElementById("request-error");
    if (box && event.detail.successful) box.remove();
  });

  // Pipeline board drag-and-drop: a drop submits the card's own button for that move,
  // so only legal moves (the ones rendered as buttons) can happen.
  var dragged = null;
  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest(".board-card[draggable=true]");
    if (!card) return;
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.id);
    var legal = (card.getAttribute("data-legal") || "").split(" ");
    document.querySelectorAll(".column").forEach(function (col) {
      if (legal.indexOf(col.getAttribute("data-stage")) !== -1) col.classList.add("drop-ok");
    });
  });
  document.addEventListener("dragend", function () {
    dragged = null;
    document.querySelectorAll(".column.drop-ok, .column.drop-over").forEach(function (col) {
      col.classList.remove("drop-ok", "drop-over");
    });
  });
  document.addEventListener("dragover", function (event) {
    var col = event.target.closest(".column.drop-ok");
    if (col && dragged) { event.preventDefault(); col.classList.add("drop-over"); }
  });
  document.addEventListener("dragleave", function (event) {
    var col = event.target.closest(".column");
    if (col && !col.contains(event.relatedTarget)) col.classList.remove("drop-over");
  });
  document.addEventListener("drop", function (event) {
    var col = event.target.closest(".column.drop-ok");
    if (!col || !dragged) return;
    event.preventDefault();
    var stage = col.getAttribute("data-stage");
    var button = dragged.querySelector('button[data-move="' + stage + '"]');
    if (button) { button.click(); return; }
    // Scheduling (or marking a chat held before its time) asks for a moment: open that move's form.
    var details = dragged.querySelector('details[data-move-form="' + stage + '"]');
    if (details) { details.open = true; var first = details.querySelector("input[type=date]"); if (first) first.focus(); }
  });

  // Drop zones (<form data-dropzone>): files dropped on the box fill its file input and send the form.
  document.addEventListener("dragover", function (event) {
    var zone = event.target.closest && event.target.closest("[data-dropzone]");
    if (!zone) return;
    event.preventDefault();
    zone.classList.add("is-over");
  });
  document.addEventListener("dragleave", function (event) {
    var zone = event.target.closest && event.target.closest("[data-dropzone]");
    if (zone) zone.classList.remove("is-over");
  });
  document.addEventListener("drop", function (event) {
    var zone = event.target.closest && event.target.closest("[data-dropzone]");
    if (!zone) return;
    event.preventDefault();
    zone.classList.remove("is-over");
    var input = zone.querySelector("input[type=file]");
    if (!input || !event.dataTransfer || !event.dataTransfer.files.length) return;
    input.files = event.dataTransfer.files;
    if (zone.requestSubmit) zone.requestSubmit(); else zone.submit();
  });
})();
