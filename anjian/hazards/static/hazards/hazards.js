// The hazard forms (no inline handlers: the CSP forbids them).
// - A deadline is given either as a date or as working days: show only the input of the chosen way.
// - The sub-grade list shows only the sub-grades of the chosen level.
(function () {
  "use strict";

  function fieldBlock(name) {
    var input = document.querySelector('[name="' + name + '"]');
    return input ? input.closest(".mb-3") : null;
  }

  function showDeadlineMode() {
    var checked = document.querySelector('[data-deadline-mode]:checked, [name="deadline_mode"]:checked');
    if (!checked) { return; }
    var byDays = checked.value === "working_days";
    var date = fieldBlock("deadline");
    var days = fieldBlock("working_days");
    if (date) { date.hidden = byDays; }
    if (days) { days.hidden = !byDays; }
  }

  function filterSubGrades() {
    var level = document.querySelector('[name="level"]:checked');
    var select = document.querySelector('select[name="sub_grade"]');
    if (!level || !select) { return; }
    Array.prototype.forEach.call(select.options, function (option) {
      var optionLevel = option.getAttribute("data-level");
      option.hidden = Boolean(optionLevel) && optionLevel !== level.value;
    });
    var selected = select.options[select.selectedIndex];
    if (selected && selected.hidden) { select.value = ""; }
  }

  document.addEventListener("change", function (event) {
    var name = event.target && event.target.name;
    if (name === "deadline_mode") { showDeadlineMode(); }
    if (name === "level") { filterSubGrades(); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    showDeadlineMode();
    filterSubGrades();
  });
})();
