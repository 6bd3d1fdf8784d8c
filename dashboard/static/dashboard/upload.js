// Upload form: a progress bar while the file is sent, and the server's error shown in place.
(function () {
  "use strict";

  function uploadForm(element) {
    return element && element.closest ? element.closest("form[data-upload-form]") : null;
  }

  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = uploadForm(event.target);
    if (!form || !event.detail.lengthComputable || !event.detail.total) {
      return;
    }
    var bar = form.querySelector("progress");
    if (bar) {
      bar.hidden = false;
      bar.value = Math.round((event.detail.loaded / event.detail.total) * 100);
    }
  });

  function isFormError(detail) {
    var status = detail.xhr.status;
    return (status === 400 || status === 413) && uploadForm(detail.elt) !== null;
  }

  // In DEBUG, django-htmx's script replaces the whole page with any 400 response; a 400 from
  // the upload form is the form itself with its message, so keep that handler out of it.
  document.addEventListener(
    "htmx:beforeOnLoad",
    function (event) {
      if (isFormError(event.detail)) {
        event.stopPropagation();
      }
    },
    true
  );

  // htmx drops 4xx responses by default; the upload view answers 400/413 with the form and
  // the reader's message, which the user needs to see.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (isFormError(event.detail)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
