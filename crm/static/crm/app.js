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

  // A form being sent cannot be sent twice: its submit buttons are disabled until the answer
  // arrives (the server runs a form's one-time token once as well, config/idempotency.py).
  // Disabled just after the submit event, so the clicked button's own name and value are still
  // sent. htmx forms disable theirs with hx-disabled-elt; htmx cancels their native submit.
  function submitButtons(form) {
    return Array.prototype.slice.call(form.querySelectorAll("button:not([type=button]), input[type=submit]"))
      .concat(form.id ? Array.prototype.slice.call(document.querySelectorAll('[form="' + form.id + '"][type=submit]')) : []);
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || (form.getAttribute("method") || "").toLowerCase() !== "post") return;
    if (form.hasAttribute("data-sending")) { event.preventDefault(); return; }
    form.setAttribute("data-sending", "");
    rememberToken(form);
    setTimeout(function () {
      submitButtons(form).forEach(function (button) { button.disabled = true; button.setAttribute("aria-busy", "true"); });
    }, 0);
  });
  // Back to a form already sent, and send it again: whether the browser kept the page or
  // fetched it anew (with a new token), the form carries the token it was first sent with, so
  // the server shows that first result instead of making a second row. A form reached by a
  // link, not by Back, keeps its new token: a new contact is a new contact.
  function tokenKey(form) {
    var hidden = Array.prototype.slice.call(form.querySelectorAll("input[type=hidden]"))
      .filter(function (input) { return input.name !== "csrfmiddlewaretoken" && input.name !== "form_token"; })
      .map(function (input) { return input.name + "=" + input.value; });
    return "form-token " + location.pathname + " " + (form.getAttribute("action") || "") + " " + hidden.join("&");
  }
  function rememberToken(form) {
    var input = form.querySelector("input[name=form_token]");
    try { if (input) sessionStorage.setItem(tokenKey(form), input.value); } catch (e) { /* storage off: the server still runs it once per token */ }
  }
  var navigation = window.performance && performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
  if (navigation && navigation.type === "back_forward") {
    document.querySelectorAll("form").forEach(function (form) {
      var input = form.querySelector("input[name=form_token]");
      var sent = null;
      try { sent = input && sessionStorage.getItem(tokenKey(form)); } catch (e) { /* storage off */ }
      if (sent) input.value = sent;
    });
  }
  // Back to a page the browser kept in memory: its forms can be used again (the token makes a
  // resubmit show the first result, not a second row).
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-sending]").forEach(function (form) {
      form.removeAttribute("data-sending");
      submitButtons(form).forEach(function (button) { button.disabled = false; button.removeAttribute("aria-busy"); });
    });
  });

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
})();
