/* The labels page: show only the filters of the kind of label chosen. Without this file every
   filter shows and the server uses those of the chosen kind, so the page still works. */
(function () {
  "use strict";
  var form = document.querySelector("form.label-form");
  if (!form) {
    return;
  }
  function show() {
    var chosen = form.querySelector("input[name=kind]:checked");
    var kind = chosen ? chosen.value : "kit";
    Array.prototype.forEach.call(form.querySelectorAll("[data-kind]"), function (group) {
      var mine = group.getAttribute("data-kind") === kind;
      group.hidden = !mine;
      // Hidden filters are not sent: a module chosen earlier must not narrow a location print.
      Array.prototype.forEach.call(group.querySelectorAll("input, select"), function (el) {
        el.disabled = !mine;
      });
    });
  }
  // A roll has no used positions: its skip field is off (and not sent) while a roll is chosen.
  function roll() {
    var format = form.querySelector("select[name=format]");
    var skip = form.querySelector("input[name=skip]");
    var thermal = format.selectedOptions[0].hasAttribute("data-thermal");
    skip.disabled = thermal;
    if (thermal) {
      skip.value = "0";
    }
  }
  form.addEventListener("change", function (event) {
    if (event.target.name === "kind") {
      show();
    } else if (event.target.name === "format") {
      roll();
    }
  });
  show();
  roll();
}());
