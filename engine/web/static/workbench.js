// taxrules workbench: small conveniences over pages that work without this script.
// Rows of a list are added and removed in place (without it, the same buttons ask the
// server), decimals get a hint as they are typed, findings are filtered by check.
(function () {
  "use strict";

  function domId(name) {
    return "f-" + name.replace(/[^A-Za-z0-9_]+/g, "-").replace(/^-+|-+$/g, "");
  }

  function replacePrefix(value, oldPrefix, newPrefix, separators) {
    if (value === oldPrefix) return newPrefix;
    for (const sep of separators) {
      if (value.startsWith(oldPrefix + sep)) return newPrefix + value.slice(oldPrefix.length);
    }
    return value;
  }

  // Give each row of a list its index again, after one was removed.
  function renumber(list, rowsBox) {
    const rows = rowsBox.querySelectorAll(":scope > fieldset.row");
    rows.forEach(function (row, index) {
      const oldName = row.dataset.row;
      const newName = list + "[" + index + "]";
      if (oldName === newName) return;
      const oldId = domId(oldName), newId = domId(newName);
      const nodes = [row].concat(Array.from(row.querySelectorAll("*")));
      nodes.forEach(function (node) {
        ["name", "data-row", "data-field"].forEach(function (attr) {
          const v = node.getAttribute(attr);
          if (v !== null) node.setAttribute(attr, replacePrefix(v, oldName, newName, [".", "["]));
        });
        if (node.classList && node.classList.contains("remove-row")) node.value = newName;
        ["id", "for"].forEach(function (attr) {
          const v = node.getAttribute(attr);
          if (v !== null) node.setAttribute(attr, replacePrefix(v, oldId, newId, ["-"]));
        });
        const described = node.getAttribute("aria-describedby");
        if (described !== null) {
          node.setAttribute("aria-describedby", described.split(" ").map(function (part) {
            return replacePrefix(part, oldId, newId, ["-"]);
          }).join(" "));
        }
      });
      const legend = row.querySelector(":scope > legend");
      if (legend) legend.textContent = legend.textContent.replace(/\d+/, String(index + 1));
    });
    const box = rowsBox.closest("fieldset.list");
    const empty = box && box.querySelector(".no-rows");
    if (empty) empty.hidden = rows.length > 0;
  }

  document.addEventListener("click", function (event) {
    const add = event.target.closest("button.add-row");
    if (add) {
      const list = add.dataset.list;
      const box = add.closest("fieldset.list");
      const template = box && box.querySelector('template[data-template="' + CSS.escape(list) + '"]');
      const rowsBox = box && box.querySelector('[data-rows="' + CSS.escape(list) + '"]');
      if (!template || !rowsBox) return;
      event.preventDefault();
      const index = rowsBox.querySelectorAll(":scope > fieldset.row").length;
      const html = template.innerHTML.split("__index__").join(String(index)).split("__number__").join(String(index + 1));
      rowsBox.insertAdjacentHTML("beforeend", html);
      renumber(list, rowsBox);
      const added = rowsBox.lastElementChild;
      const first = added && added.querySelector("input, select");
      if (first) first.focus();
      return;
    }
    const remove = event.target.closest("button.remove-row");
    if (remove) {
      const row = remove.closest("fieldset.row");
      const rowsBox = row && row.parentElement;
      const box = row && row.closest("fieldset.list");
      if (!row || !rowsBox || !box) return;
      event.preventDefault();
      const next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      renumber(box.dataset.list, rowsBox);
      const target = (next && next.querySelector("input, select")) || box.querySelector("button.add-row");
      if (target) target.focus();
    }
  });

  // Decimals: the engine reads exact numbers with a dot; say so while typing.
  const NUMBER = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;
  function checkDecimal(input) {
    const live = document.getElementById(input.id + "-live");
    if (!live) return;
    const bad = input.value.trim() !== "" && !NUMBER.test(input.value);
    live.hidden = !bad;
    live.textContent = bad ? input.dataset.invalidMessage || "" : "";
    if (bad) input.setAttribute("aria-invalid", "true");
    else if (!input.closest(".has-error")) input.removeAttribute("aria-invalid");
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches('input[data-kind="decimal"]')) checkDecimal(event.target);
  });
  document.addEventListener("focusout", function (event) {
    if (event.target.matches && event.target.matches('input[data-kind="decimal"]')) checkDecimal(event.target);
  });

  // Findings: show one check at a time.
  document.querySelectorAll("form.filter[data-filter-for]").forEach(function (form) {
    const table = document.getElementById(form.dataset.filterFor);
    const select = form.querySelector("select");
    const shown = form.querySelector(".shown");
    if (!table || !select) return;
    form.hidden = false;
    function apply() {
      const rows = table.querySelectorAll("tbody tr");
      let count = 0;
      rows.forEach(function (row) {
        const visible = !select.value || row.dataset.check === select.value;
        row.hidden = !visible;
        if (visible) count += 1;
      });
      if (shown) shown.textContent = shown.dataset.template.replace("{0}", count).replace("{1}", rows.length);
    }
    select.addEventListener("change", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
    apply();
  });

  // After a submission: the errors first, else the question being asked.
  window.addEventListener("DOMContentLoaded", function () {
    const errors = document.getElementById("errors");
    if (errors) { errors.focus(); return; }
    const question = document.querySelector("[data-question] select, [data-question] input");
    if (question) question.focus({ preventScroll: false });
  });
})();
