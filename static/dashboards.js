// Dashboards: reordering widgets (drag and drop, and the keyboard "Move earlier/later" buttons),
// kebab menus, the widget editor's focus and Esc handling, and a retry card when a widget's
// request fails. Alpine CSP build: components are registered here, templates only name methods.
(function () {
  "use strict";

  document.addEventListener("alpine:init", function () {
    // <div x-data="widgetGrid"> around #widget-grid (slots) and the hidden order form.
    window.Alpine.data("widgetGrid", function () {
      return {
        dragged: null,
        startOrder: "",
        announcement: "",

        grid: function () {
          return document.getElementById("widget-grid");
        },
        order: function () {
          return Array.prototype.map.call(this.grid().querySelectorAll(":scope > .widget-slot"), function (s) {
            return s.getAttribute("data-widget-id");
          });
        },
        // Posts the order through the hidden htmx form (so htmx's headers and error handling apply).
        commit: function (slot) {
          var ids = this.order();
          var joined = ids.join(",");
          if (joined === this.startOrder) return;
          this.$refs.orderIds.value = joined;
          window.htmx.trigger(this.$refs.orderForm, "reorder");
          if (slot) {
            var title = slot.getAttribute("data-widget-title") || "Widget";
            this.announcement = title + " moved to position " + (ids.indexOf(slot.getAttribute("data-widget-id")) + 1) + " of " + ids.length;
          }
        },

        dragStart: function (e) {
          var handle = e.target.closest && e.target.closest(".drag-handle");
          if (!handle) return;
          var slot = handle.closest(".widget-slot");
          if (!slot) return;
          this.dragged = slot;
          this.startOrder = this.order().join(",");
          e.dataTransfer.effectAllowed = "move";
          e.dataTransfer.setData("text/plain", slot.getAttribute("data-widget-id"));
          try {
            e.dataTransfer.setDragImage(slot, 24, 24);
          } catch (err) {}
          slot.classList.add("is-dragging");
        },
        dragOver: function (e) {
          if (!this.dragged) return;
          e.preventDefault();
          e.dataTransfer.dropEffect = "move";
          var over = e.target.closest && e.target.closest(".widget-slot");
          if (!over || over === this.dragged || over.parentNode !== this.dragged.parentNode) return;
          // Moving towards the end inserts after the hovered slot, towards the start before it.
          var slots = Array.prototype.slice.call(this.grid().children);
          if (slots.indexOf(this.dragged) < slots.indexOf(over)) over.after(this.dragged);
          else over.before(this.dragged);
        },
        drop: function (e) {
          if (this.dragged) e.preventDefault();
        },
        dragEnd: function () {
          if (!this.dragged) return;
          var slot = this.dragged;
          slot.classList.remove("is-dragging");
          this.dragged = null;
          this.commit(slot);
        },

        move: function (e, step) {
          var button = e.target.closest("button");
          var slot = button && button.closest(".widget-slot");
          if (!slot) return;
          this.startOrder = this.order().join(",");
          var sibling = step < 0 ? slot.previousElementSibling : slot.nextElementSibling;
          var menu = button.closest("details");
          if (menu) menu.open = false;
          if (!sibling || !sibling.classList.contains("widget-slot")) return;
          if (step < 0) sibling.before(slot);
          else sibling.after(slot);
          // Moving a node drops its focus; give it back so arrows can be pressed again.
          var summary = slot.querySelector("details.menu > summary");
          if (summary) summary.focus();
          this.commit(slot);
        },
        moveEarlier: function (e) {
          this.move(e, -1);
        },
        moveLater: function (e) {
          this.move(e, 1);
        },
      };
    });
  });

  // (static/app.js closes open <details> menus on Esc and outside clicks.) Here: the custom-range
  // panel, removable form rows, and a menu that closes once one of its actions is chosen.
  document.addEventListener("click", function (e) {
    if (!e.target.closest) return;
    document.querySelectorAll("details.custom-range[open]").forEach(function (d) {
      if (!d.contains(e.target)) d.open = false;
    });
    var remover = e.target.closest("[data-remove-closest]");
    if (remover) {
      var row = remover.closest(remover.getAttribute("data-remove-closest"));
      if (row) row.remove();
    }
    var item = e.target.closest("details.menu .menu-item");
    if (item) item.closest("details").open = false;
  });

  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    var panel = document.querySelector("details.custom-range[open]");
    if (panel) {
      panel.open = false;
      panel.querySelector("summary").focus();
      return;
    }
    if (document.querySelector("details.menu[open]")) return;
    // Esc in the widget editor or the rename form cancels it.
    var form = e.target.closest && e.target.closest("#widget-editor form, form.rename-form");
    var cancel = form && form.querySelector("[data-cancel]");
    if (cancel) cancel.click();
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.htmx) return;
    document.body.addEventListener("htmx:afterSwap", function (e) {
      var target = e.detail.target;
      if (!target || target.id !== "widget-editor") return;
      var form = target.querySelector("form");
      if (form) {
        // First field with an error, else the first field.
        var field = form.querySelector("[aria-invalid='true']") || form.querySelector("input[name='metric']");
        target.scrollIntoView({ block: "nearest", behavior: "smooth" });
        if (field) field.focus({ preventScroll: true });
      } else {
        var add = document.querySelector("[data-testid='add-widget']");
        if (add) add.focus();
      }
    });
    // A widget whose request failed (network, 5xx) says so in its slot and offers a retry.
    function failed(e) {
      var slot = e.detail.elt && e.detail.elt.closest && e.detail.elt.closest(".widget-slot");
      if (!slot || !slot.querySelector(".is-loading")) return;
      var card = document.createElement("article");
      card.className = "card widget widget-error";
      var p = document.createElement("p");
      p.className = "widget-empty";
      p.textContent = "This widget could not be loaded. ";
      var retry = document.createElement("button");
      retry.type = "button";
      retry.className = "btn btn-small";
      retry.textContent = "Retry";
      retry.setAttribute("hx-get", slot.getAttribute("hx-get"));
      retry.setAttribute("hx-target", "closest .widget-slot");
      retry.setAttribute("hx-swap", "innerHTML");
      p.appendChild(retry);
      card.appendChild(p);
      slot.replaceChildren(card);
      window.htmx.process(card);
    }
    document.body.addEventListener("htmx:responseError", failed);
    document.body.addEventListener("htmx:sendError", failed);
  });
})();
