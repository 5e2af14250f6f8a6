// The request form's "Piece to get feedback on" (issue #14): shown only while the ask is a
// case-study feedback one — the kind chosen, or, for "Same as the template", the template's.
// Without JavaScript the field is always shown and the server refuses a piece on other kinds.
(function () {
  "use strict";
  function sync(form) {
    var field = form.querySelector("[data-portfolio-field]");
    if (!field) return;
    var kind = form.querySelector("select[name='rq-kind']");
    var template = form.querySelector("select[name='rq-template']");
    var chosen = kind && kind.value;
    if (!chosen && template && template.selectedOptions.length) chosen = template.selectedOptions[0].getAttribute("data-kind");
    var show = chosen === "case_study_feedback" || field.querySelector(".errorlist");
    field.hidden = !show;
    if (!show) {
      var select = field.querySelector("select");
      if (select) select.value = "";
    }
  }
  function all() {
    document.querySelectorAll("form[data-request-form]").forEach(sync);
  }
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form[data-request-form]");
    if (form) sync(form);
  });
  document.addEventListener("DOMContentLoaded", all);
  document.addEventListener("htmx:afterSettle", all);
})();
