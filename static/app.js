// LiteKPI client glue: htmx conventions and small Alpine components. No inline scripts (strict CSP).
//
// htmx conventions (htmx 2.x):
// - A form posts with hx-post to the same URL its plain <form action> names, and hx-target/hx-swap
//   name the form (or its section) itself, usually hx-swap="outerHTML". The server answers the
//   same markup it would render in the page: on success the updated section, on a validation
//   failure (400/422), a refusal (403/404) or a rate limit (429, with Retry-After) the SAME form
//   with the values kept and the message beside its input (.field-error) or on top (.form-error).
//   So 4xx answers are swapped in place like a 200, and htmx does not treat them as errors.
// - 204 swaps nothing; HX-Redirect / HX-Location headers move the whole page (e.g. after sign-in
//   or when a session expired: requireUser answers 204 + HX-Redirect to /login).
// - 5xx are not swapped: the form stays as it was and htmx raises htmx:responseError.
// - One URL serving a page and its partial sends Vary: HX-Request (src/http/render.ts).
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

// ── theme toggle ──
// The choice is stored under "litekpi-theme" ("light" | "dark"; absent = follow the system) and
// applied before first paint by static/theme.js; app.css keys the tokens on [data-theme].
document.addEventListener("alpine:init", function () {
  var KEY = "litekpi-theme";
  // <div x-data="themeToggle"><button data-theme-choice="dark" x-on:click="choose" x-bind:aria-pressed="isDark">
  window.Alpine.data("themeToggle", function () {
    return {
      theme: "system",
      init: function () {
        var stored = null;
        try {
          stored = localStorage.getItem(KEY);
        } catch (e) {}
        this.theme = stored === "light" || stored === "dark" ? stored : "system";
      },
      get isLight() {
        return this.theme === "light" ? "true" : "false";
      },
      get isDark() {
        return this.theme === "dark" ? "true" : "false";
      },
      get isSystem() {
        return this.theme === "system" ? "true" : "false";
      },
      choose: function (event) {
        var choice = event.currentTarget.getAttribute("data-theme-choice");
        this.theme = choice === "light" || choice === "dark" ? choice : "system";
        try {
          if (this.theme === "system") localStorage.removeItem(KEY);
          else localStorage.setItem(KEY, this.theme);
        } catch (e) {}
        if (this.theme === "system") document.documentElement.removeAttribute("data-theme");
        else document.documentElement.setAttribute("data-theme", this.theme);
        // Charts drawn on canvas read the tokens once; this tells them to redraw.
        document.dispatchEvent(new CustomEvent("litekpi:theme", { detail: { theme: this.theme } }));
      },
    };
  });
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
        if (!zone) return;
        var options = Array.prototype.slice.call(this.$el.options);
        var match = options.filter(function (o) { return o.value === zone; })[0];
        // Browsers report some zones by an older name than the server's list uses (Chrome:
        // Asia/Calcutta for Asia/Kolkata, Europe/Kiev for Europe/Kyiv): ask the browser what it
        // calls each listed zone and take the one that is ours.
        if (!match) {
          match = options.filter(function (o) {
            try {
              return new Intl.DateTimeFormat("en-US", { timeZone: o.value }).resolvedOptions().timeZone === zone;
            } catch (e) {
              return false;
            }
          })[0];
        }
        if (match) this.$el.value = match.value;
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
var MENUS = "details.confirm[open], details.switcher[open], details.menu[open]";
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
