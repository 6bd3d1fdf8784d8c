// Language switcher: htmx may have pushed a new URL (filters, scenario) since the page was drawn,
// so send the URL in the address bar as `next`, keeping the scenario in the other language.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || form.id !== "language-switcher") {
      return;
    }
    var next = form.querySelector("input[name=next]");
    if (next) {
      next.value = window.location.pathname + window.location.search;
    }
  });
})();
