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

  // An Undo that lasts a few seconds (<div data-expires-in="10">): when the server would refuse
  // it, the button goes and the message says the delete is final. The server decides either way.
  function expireUndos(root) {
    var boxes = Array.prototype.slice.call(root.querySelectorAll("[data-expires-in]"));
    if (root.matches && root.matches("[data-expires-in]")) boxes.push(root);
    boxes.forEach(function (box) {
      var seconds = Math.max(0, Number(box.getAttribute("data-expires-in")) || 0);
      setTimeout(function () {
        var form = box.querySelector("form");
        if (!form || !box.isConnected) return;
        form.remove();
        var status = box.querySelector("[role=status]");
        if (status) status.textContent = status.getAttribute("data-final-text") || "Deleted for good.";
      }, seconds * 1000);
    });
  }
  expireUndos(document);
  document.addEventListener("htmx:load", function (event) { expireUndos(event.target); });
  // The main menu and the contact filters fold behind one button on a phone. Browsers that
  // cannot unfold a closed <details> from CSS (no ::details-content) get them opened here on
  // wide screens.
  var folds = document.querySelectorAll(".nav-menu, .filter-fold");
  var supportsContent = window.CSS && CSS.supports && CSS.supports("selector(::details-content)");
  if (folds.length && !supportsContent && window.matchMedia) {
    var wide = window.matchMedia("(min-width: 700px)");
    var follow = function () { if (wide.matches) folds.forEach(function (fold) { fold.open = true; }); };
    follow();
    if (wide.addEventListener) wide.addEventListener("change", follow);
  }

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

  // A move on the board swaps the board in place (hx-target="#board-area"): keep its sideways
  // scroll and the stages the user unfolded, and put the focus on the card that moved.
  var boardState = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (!event.detail.target || event.detail.target.id !== "board-area") return;
    var board = document.getElementById("board");
    boardState = {
      left: board ? board.scrollLeft : 0,
      open: Array.prototype.map.call(document.querySelectorAll("#board details.stage-fold"), function (d) { return [d.id, d.open]; })
    };
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (!event.detail.target || event.detail.target.id !== "board-area" || !boardState) return;
    var board = document.getElementById("board");
    boardState.open.forEach(function (pair) {
      var fold = document.getElementById(pair[0]);
      if (fold && pair[1]) fold.open = true;
    });
    if (board) board.scrollLeft = boardState.left;
    var status = document.getElementById("board-status");
    var moved = status && status.getAttribute("data-moved") && document.getElementById(status.getAttribute("data-moved"));
    if (moved) {
      var fold = moved.closest("details");
      if (fold) fold.open = true;
      var link = moved.querySelector("a");
      if (link) link.focus({ preventScroll: true });
      // The page stays where it was, unless the card landed out of sight: then just enough to show it.
      var box = moved.getBoundingClientRect();
      if (box.bottom < 0 || box.top > window.innerHeight) moved.scrollIntoView({ block: "nearest" });
    }
    boardState = null;
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

  // Contacts bulk bar: show the value field of the chosen action (without this file every field
  // shows and the server reads the one the action needs), a select-all box for the page, and
  // a count of the ticked rows. Row checkboxes belong to the bar's form (form="bulk-form").
  function bulkBoxes() { return Array.prototype.slice.call(document.querySelectorAll('input[name="ids"][form="bulk-form"]')); }
  function syncBulkBar() {
    var form = document.getElementById("bulk-form");
    if (!form) return;
    var action = form.querySelector("[data-bulk-action]").value;
    form.querySelectorAll("[data-bulk-for]").forEach(function (field) {
      var on = field.getAttribute("data-bulk-for").split(" ").indexOf(action) !== -1;
      field.hidden = !on;
      field.querySelectorAll("input, select").forEach(function (input) { input.disabled = !on; });
    });
    var boxes = bulkBoxes();
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    var count = document.getElementById("bulk-count");
    var scope = form.querySelector('[name="scope"]');
    if (count) count.textContent = scope && scope.value === "filter" ? "(all matching the filter)" : "(" + ticked + " ticked)";
    var all = document.querySelector("[data-select-all]");
    if (all) {
      all.closest("[data-select-all-box]").hidden = boxes.length === 0;
      all.checked = boxes.length > 0 && ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    }
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-select-all]")) {
      bulkBoxes().forEach(function (box) { box.checked = event.target.checked; });
    }
    if (event.target.closest("#bulk-form") || event.target.matches("[data-select-all], input[form=\"bulk-form\"]")) syncBulkBar();
  });
  document.addEventListener("htmx:load", syncBulkBar);
  syncBulkBar();
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
