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
    // Scheduling needs a date: open the card's date form instead.
    var details = dragged.querySelector("details.schedule");
    if (details) { details.open = true; var first = details.querySelector("input[type=date]"); if (first) first.focus(); }
  });
})();
