/* rightscheck HTML report: filter the findings by pack, kind and severity, and sort them by file.
   Static code: it reads the page's data-* attributes and never inserts markup, so nothing scanned
   can become code. Without JavaScript every finding is simply shown. */
(function () {
  "use strict";
  var table = document.getElementById("findings-table");
  var toolbar = document.getElementById("toolbar");
  if (!table || !toolbar) { return; }
  var rows = Array.prototype.slice.call(table.querySelectorAll("tbody.finding"));
  var chips = Array.prototype.slice.call(toolbar.querySelectorAll("button.chip"));
  var status = document.getElementById("shown");
  var none = document.getElementById("no-match");
  var sortButton = document.getElementById("sort-file");
  /* maps without a prototype: a pack named "constructor" must not look switched off */
  function noneOff() { return { pack: Object.create(null), kind: Object.create(null), severity: Object.create(null) }; }
  var off = noneOff();
  var order = 0; /* 0: as reported, 1: file A to Z, -1: file Z to A */

  function apply() {
    var shown = 0;
    rows.forEach(function (row) {
      var hide = off.pack[row.dataset.pack] === true || off.kind[row.dataset.kind] === true ||
        off.severity[row.dataset.severity] === true;
      row.hidden = Boolean(hide);
      if (!hide) { shown += 1; }
    });
    status.textContent = "Showing " + shown + " of " + rows.length + " finding" + (rows.length === 1 ? "" : "s");
    none.hidden = shown > 0;
  }

  chips.forEach(function (chip) {
    chip.addEventListener("click", function () {
      var on = chip.getAttribute("aria-pressed") !== "true";
      chip.setAttribute("aria-pressed", on ? "true" : "false");
      off[chip.dataset.filter][chip.dataset.value] = !on;
      apply();
    });
  });

  document.getElementById("show-all").addEventListener("click", function () {
    off = noneOff();
    chips.forEach(function (chip) { chip.setAttribute("aria-pressed", "true"); });
    apply();
  });

  sortButton.addEventListener("click", function () {
    order = order === 1 ? -1 : 1;
    var sorted = rows.slice().sort(function (a, b) {
      var pa = a.dataset.path, pb = b.dataset.path;
      var byPath = pa < pb ? -1 : (pa > pb ? 1 : 0);
      return byPath * order || Number(a.dataset.order) - Number(b.dataset.order);
    });
    sorted.forEach(function (row) { table.appendChild(row); });
    sortButton.textContent = order === 1 ? "File: A to Z" : "File: Z to A";
    table.querySelector("th.c-file").setAttribute("aria-sort", order === 1 ? "ascending" : "descending");
  });

  toolbar.hidden = false;
  apply();
}());
