"use strict";
// A dropdown list filter (admin/dropdown_filter.html) opens the list its chosen option
// names. One listener for the page, however many dropdown filters load this file.
if (!window.dropdownFiltersListening) {
  window.dropdownFiltersListening = true;
  document.addEventListener("change", function (event) {
    const select = event.target.closest("select[data-dropdown-filter]");
    if (select) {
      window.location.href = select.value;
    }
  });
}
