/* Scanner-friendly forms (no inline scripts: CSP). A handheld scanner types a code and Enter.
   In a form marked data-scan, Enter moves to the next field instead of submitting the form
   half-filled; Enter in the last field submits. Without this file Enter simply submits and
   the page answers with the missing fields marked, so the form still works. */
(function () {
  "use strict";

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      var tag = el.tagName;
      return !el.disabled && el.type !== "hidden" && tag !== "BUTTON" && tag !== "FIELDSET" &&
        tag !== "TEXTAREA" && el.type !== "submit" && el.offsetParent !== null;
    });
  }

  document.addEventListener("keydown", function (event) {
    // isComposing: Enter also confirms a Chinese input method's candidate; leave it alone.
    if (event.key !== "Enter" || event.isComposing || event.ctrlKey || event.metaKey) {
      return;
    }
    var target = event.target;
    var form = target.form;
    if (!form || !form.hasAttribute("data-scan")) {
      return;
    }
    var list = fields(form);
    var index = list.indexOf(target);
    if (index < 0 || index === list.length - 1) {
      return;
    }
    event.preventDefault();
    var next = list[index + 1];
    next.focus();
    if (typeof next.select === "function" && (next.type === "text" || next.type === "number")) {
      next.select();
    }
  });

  // After a refused submission, put the cursor in the first field that needs fixing.
  document.addEventListener("DOMContentLoaded", function () {
    var invalid = document.querySelector("form[data-scan] [aria-invalid=true]");
    if (invalid) {
      invalid.focus();
    }
  });
})();
