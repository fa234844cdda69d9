// anjian's own script. No inline handlers anywhere: the CSP forbids them, so behaviour hangs on
// data- attributes here.
(function () {
  "use strict";

  // <form data-confirm="…">: ask before a destructive POST (templates/components/_confirm_button.html).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // <select data-autosubmit>: submit its form on change (the language switch); the button stays
  // for browsers without JavaScript.
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.hasAttribute && field.hasAttribute("data-autosubmit") && field.form) {
      if (typeof field.form.requestSubmit === "function") {
        field.form.requestSubmit();
      } else {
        field.form.submit();
      }
    }
  });
})();
