// <button data-print>: open the browser's print dialog (CSP: no inline handlers).
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-print]");
  if (button) {
    window.print();
  }
});
