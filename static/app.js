// LiteKPI client glue: htmx conventions and small Alpine components. No inline scripts (strict CSP).
document.addEventListener("DOMContentLoaded", function () {
  if (window.htmx) {
    // Our 422/400 form-error partials are meant to be swapped in place of the form.
    htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "4..", swap: true, error: false },
      { code: "5..", swap: false, error: true },
    ];
  }
});
