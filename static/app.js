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

// ── small shared components: copy ──
// Registered on alpine:init, so app.js must load before the Alpine script (see views/layout.tsx).
document.addEventListener("alpine:init", function () {
  // <div x-data="copy"><code x-ref="source">…</code><button x-on:click="copy"><span x-text="label">Copy</span></button></div>
  window.Alpine.data("copy", function () {
    return {
      copied: false,
      failed: false,
      get label() {
        return this.copied ? "Copied" : this.failed ? "Press Ctrl+C" : "Copy";
      },
      copy: function () {
        var self = this;
        var source = this.$refs.source;
        var text = source.textContent.trim();
        var done = function () {
          self.copied = true;
          self.failed = false;
          clearTimeout(self.timer);
          self.timer = setTimeout(function () {
            self.copied = false;
          }, 2000);
        };
        // Without a secure context (plain http on a LAN) there is no clipboard API: select the
        // text and try the old command, else leave it selected for the keyboard.
        var fallback = function () {
          var range = document.createRange();
          range.selectNodeContents(source);
          var selection = window.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
          var ok = false;
          try {
            ok = document.execCommand("copy");
          } catch (e) {}
          if (ok) done();
          else self.failed = true;
        };
        if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, fallback);
        else fallback();
      },
    };
  });
});

/* ── products & settings ── */
document.addEventListener("alpine:init", function () {
  // The new-product form preselects the browser's own time zone when the list has it.
  window.Alpine.data("timezoneSelect", function () {
    return {
      init: function () {
        if (this.$el.dataset.detect !== "1") return;
        var zone = "";
        try {
          zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
        } catch (e) {}
        var options = Array.prototype.slice.call(this.$el.options);
        if (options.some(function (o) { return o.value === zone; })) this.$el.value = zone;
      },
    };
  });
  // Delete product: the button stays disabled until the product's name is typed.
  window.Alpine.data("typeToConfirm", function () {
    return {
      typed: "",
      expected: "",
      init: function () {
        this.expected = this.$el.dataset.expected || "";
      },
      get blocked() {
        return this.typed.trim() !== this.expected;
      },
    };
  });
});
// Confirmations and the product switcher are <details> menus: Esc closes the open one and returns
// focus to its button; a click elsewhere closes it.
var MENUS = "details.confirm[open], details.switcher[open]";
document.addEventListener("keydown", function (event) {
  if (event.key !== "Escape") return;
  var open = document.querySelector(MENUS);
  if (!open) return;
  open.removeAttribute("open");
  var summary = open.querySelector("summary");
  if (summary) summary.focus();
});
document.addEventListener("click", function (event) {
  document.querySelectorAll(MENUS).forEach(function (menu) {
    if (!menu.contains(event.target)) menu.removeAttribute("open");
  });
});
