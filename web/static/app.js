// Progressive enhancement only: every page works without this file.
// Changing a facet checkbox or the sort order submits the search form at once,
// starting again at page 1.
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLElement && field.hasAttribute("data-autosubmit") && field.form) {
    field.form.submit();
  }
});
