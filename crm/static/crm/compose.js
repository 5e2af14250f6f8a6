// Coffeechat: the editable message box (crm/_compose.html). "Open in e-mail" sends what the
// user has written, not the first draft: its mailto: link follows the subject and body.
(function () {
  "use strict";

  function mailto(box) {
    var link = box.querySelector("a[data-mailto]");
    if (!link) return;
    var subject = box.querySelector("[data-compose-subject]");
    var body = box.querySelector("[data-compose-body]");
    link.href = "mailto:" + encodeURIComponent(link.getAttribute("data-mailto")).replace("%40", "@") +
      "?subject=" + encodeURIComponent(subject ? subject.value : "") +
      "&body=" + encodeURIComponent(body ? body.value : "");
  }

  document.addEventListener("input", function (event) {
    var box = event.target.closest("[data-compose]");
    if (box) mailto(box);
  });
})();
