// Progressive enhancement only: every page is complete without this script.
// Filters for tables (SoA) and lists (FAQ); the forms stay hidden when scripts are off.
(function () {
  "use strict";

  // The site language's strings, from assets/strings.js when the site is not in English;
  // without it, the English each call gives. Keys are those of locales/*.yaml under `js.`.
  var strings = window.trustpressStrings || {};
  function t(key, english, values) {
    var text = (strings.strings && strings.strings[key]) || english;
    return text.replace(/\{(\w+)\}/g, function (match, name) {
      return values && Object.prototype.hasOwnProperty.call(values, name) ? String(typeof values[name] === "number" ? number(values[name]) : values[name]) : match;
    });
  }
  function number(value) {
    var digits = String(Math.abs(value));
    if (strings.group && digits.length > 3) digits = digits.replace(/\B(?=(\d{3})+(?!\d))/g, strings.group);
    return (value < 0 ? "-" : "") + digits;
  }

  function normalise(text) {
    return (text || "").toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  }

  function countLabel(shown, total) {
    return shown === total
      ? t("shown_all", "{total} shown", { total: number(total) })
      : t("shown_some", "{shown} of {total} shown", { shown: number(shown), total: number(total) });
  }

  document.querySelectorAll("form[data-filter-table]").forEach(function (form) {
    var table = document.getElementById(form.dataset.filterTable);
    if (!table) return;
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    function apply() {
      var q = normalise(form.elements.q.value.trim());
      var theme = form.elements.theme ? form.elements.theme.value : "";
      var state = form.elements.state ? form.elements.state.value : "";
      var shown = 0;
      rows.forEach(function (row) {
        var visible = (!q || normalise(row.textContent).indexOf(q) !== -1) &&
          (!theme || row.dataset.theme === theme) &&
          (!state || row.dataset.state === state);
        row.hidden = !visible;
        if (visible) shown++;
      });
      form.elements.count.value = countLabel(shown, rows.length);
    }
    form.addEventListener("input", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.hidden = false;
    apply();
  });

  // A table too wide for the screen scrolls inside its wrapper, and a keyboard scrolls it
  // once the wrapper has focus. The theme's tables are focusable regions in the templates;
  // tables written in markdown become one here, while they are too wide.
  var markdownTables = Array.prototype.slice.call(document.querySelectorAll(".prose .table-wrap:not([tabindex])"));
  function headingBefore(element) {
    for (var node = element.previousElementSibling; node; node = node.previousElementSibling) {
      if (/^H[1-6]$/.test(node.tagName)) {
        var heading = node.cloneNode(true);
        heading.querySelectorAll(".anchor").forEach(function (anchor) { anchor.remove(); });
        return heading.textContent.trim();
      }
    }
    return t("table", "Table");
  }
  function markScrollable() {
    markdownTables.forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth) {
        wrap.tabIndex = 0;
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", headingBefore(wrap));
      } else {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    });
  }
  if (markdownTables.length) {
    markScrollable();
    window.addEventListener("resize", markScrollable);
  }

  // Printing shows everything: open collapsed sections for the printout, then restore them.
  var openedForPrint = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (details) {
      details.open = true;
      openedForPrint.push(details);
    });
  });
  window.addEventListener("afterprint", function () {
    openedForPrint.forEach(function (details) { details.open = false; });
    openedForPrint = [];
  });

  document.querySelectorAll("form[data-filter-list]").forEach(function (form) {
    var list = document.getElementById(form.dataset.filterList);
    if (!list) return;
    var items = Array.prototype.slice.call(list.querySelectorAll(".faq-item"));
    var sections = Array.prototype.slice.call(list.querySelectorAll(".faq-category"));
    function apply() {
      var q = normalise(form.elements.q.value.trim());
      var category = form.elements.category.value;
      var shown = 0;
      items.forEach(function (item) {
        var words = q.split(/\s+/).filter(Boolean);
        var text = normalise(item.textContent);
        var visible = words.every(function (w) { return text.indexOf(w) !== -1; }) &&
          (!category || item.dataset.category === category);
        item.hidden = !visible;
        if (visible) shown++;
      });
      sections.forEach(function (section) {
        section.hidden = !section.querySelector(".faq-item:not([hidden])");
      });
      form.elements.count.value = countLabel(shown, items.length);
    }
    form.addEventListener("input", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.hidden = false;
    apply();
  });
})();

// The navigation collapses behind its menu button whenever its links would take more than
// one row: on a phone, and on any screen with a long organisation name or many sections.
(function () {
  "use strict";
  var header = document.querySelector(".site-header");
  var nav = header && header.querySelector(".site-nav");
  var toggle = nav && nav.querySelector(".nav-toggle");
  var list = nav && nav.querySelector("ul");
  if (!toggle || !list) return;
  toggle.hidden = false;
  function setOpen(open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    header.classList.toggle("nav-open", open);
  }
  function fit() {
    var open = header.classList.contains("nav-open");
    header.classList.remove("nav-collapsed");
    var items = list.children;
    var wraps = items.length > 1 && items[items.length - 1].offsetTop > items[0].offsetTop;
    var brand = header.querySelector(".brand");
    // The links beside the brand, or on one row of their own below it, both fit.
    header.classList.toggle("nav-collapsed", wraps || (brand && brand.offsetHeight > 64));
    if (!header.classList.contains("nav-collapsed")) setOpen(false);
    else setOpen(open);
  }
  toggle.addEventListener("click", function () {
    setOpen(toggle.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && header.classList.contains("nav-open")) {
      setOpen(false);
      toggle.focus();
    }
  });
  var pending = 0;
  window.addEventListener("resize", function () {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(fit);
  });
  fit();
})();
