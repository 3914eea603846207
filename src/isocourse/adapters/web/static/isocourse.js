// isocourse: small enhancements on top of pages that work without JavaScript.
(function () {
  "use strict";

  // Move focus to the error summary after a form comes back with errors.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }

    // Ask before a change that cannot be undone: <button data-confirm="...">.
    document.querySelectorAll("[data-confirm]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        if (!window.confirm(button.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });

    // Live totals: <output data-sum="name1 name2" data-weights="2 1">, summing the chosen
    // values of the named radio groups times their weights (the GAGS calculator).
    document.querySelectorAll("output[data-sum]").forEach(function (output) {
      var names = output.getAttribute("data-sum").split(" ");
      var weights = (output.getAttribute("data-weights") || "").split(" ").map(Number);
      function update() {
        var total = 0;
        names.forEach(function (name, i) {
          var checked = document.querySelector("input[name='" + name + "']:checked");
          if (checked) { total += Number(checked.value) * (weights[i] || 1); }
        });
        output.textContent = String(total);
      }
      names.forEach(function (name) {
        document.querySelectorAll("input[name='" + name + "']").forEach(function (input) {
          input.addEventListener("change", update);
        });
      });
      update();
    });
  });
})();
