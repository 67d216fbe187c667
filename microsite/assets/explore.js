/* The table of everyone (explore.html): filter by kind, connection and words, sort by a column,
   and keep the view in the address (#kind=...&relation=...&q=...&sort=...) so it can be shared.
   Without JavaScript the page is the plain table. Every word shown comes from the page itself. */
(function () {
  "use strict";
  var form = document.querySelector(".table-filter");
  var table = document.querySelector("table.explore");
  if (!form || !table) return;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var status = document.getElementById("filter-status");
  var fields = { kind: form.elements.kind, relation: form.elements.relation, q: form.elements.q };
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var sort = { key: "", descending: false };
  var collator = new Intl.Collator(document.documentElement.lang || undefined, { sensitivity: "base" });

  headers.forEach(function (th) {
    var key = th.getAttribute("data-sort");
    if (!key) return;
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(button);
    button.addEventListener("click", function () {
      sort = { key: key, descending: sort.key === key ? !sort.descending : key === "sources" };
      update(true);
    });
  });

  function words(text) {
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").split(/\s+/).filter(Boolean);
  }

  // What typed words are looked for in: the row as it reads, without its citations' previews.
  var texts = rows.map(function (row) {
    var copy = row.cloneNode(true);
    Array.prototype.forEach.call(copy.querySelectorAll(".tip"), function (tip) { tip.remove(); });
    return words(copy.textContent).join(" ");
  });

  function value(row, key) {
    if (key === "sources") return Number(row.getAttribute("data-sources"));
    if (key === "kind") return row.cells[1].textContent.trim().toLowerCase();
    return row.getAttribute("data-name");
  }

  function apply() {
    var kind = fields.kind.value, relation = fields.relation.value, wanted = words(fields.q.value);
    var shown = 0;
    rows.forEach(function (row, i) {
      var text = texts[i];
      var ok = (!kind || row.getAttribute("data-kind") === kind)
        && (!relation || (" " + row.getAttribute("data-relations") + " ").indexOf(" " + relation + " ") >= 0)
        && wanted.every(function (w) { return text.indexOf(w) >= 0; });
      row.hidden = !ok;
      if (ok) shown += 1;
    });
    var ordered = rows.slice();
    if (sort.key) {
      ordered.sort(function (a, b) {
        var x = value(a, sort.key), y = value(b, sort.key);
        /* names and kinds in the page's language's order, accents folded ("Cárcel" before "Centro") */
        var order = typeof x === "string" ? collator.compare(x, y) : x < y ? -1 : x > y ? 1 : 0;
        if (sort.descending) order = -order;
        return order || rows.indexOf(a) - rows.indexOf(b);
      });
    }
    ordered.forEach(function (row) { body.appendChild(row); });
    headers.forEach(function (th) {
      var key = th.getAttribute("data-sort");
      if (!key) return;
      if (key === sort.key) th.setAttribute("aria-sort", sort.descending ? "descending" : "ascending");
      else th.removeAttribute("aria-sort");
    });
    status.textContent = form.getAttribute("data-status").replace("{shown}", shown).replace("{total}", rows.length);
  }

  function toAddress() {
    var parts = [];
    ["kind", "relation", "q"].forEach(function (name) {
      if (fields[name].value) parts.push(name + "=" + encodeURIComponent(fields[name].value));
    });
    if (sort.key) parts.push("sort=" + sort.key + (sort.descending ? "-desc" : ""));
    var hash = parts.length ? "#" + parts.join("&") : "";
    if (location.hash !== hash) {
      history.replaceState(null, "", hash || location.pathname + location.search);
    }
  }

  function fromAddress() {
    var hash = location.hash.slice(1);
    if (hash.indexOf("=") < 0) return false;  // an ordinary anchor (#main), not a view
    var params = {};
    hash.split("&").forEach(function (pair) {
      var at = pair.indexOf("=");
      if (at > 0) {
        try { params[pair.slice(0, at)] = decodeURIComponent(pair.slice(at + 1)); } catch (e) { /* a mangled address: ignore that part */ }
      }
    });
    ["kind", "relation"].forEach(function (name) {
      var select = fields[name], wanted = params[name] || "";
      select.value = Array.prototype.some.call(select.options, function (o) { return o.value === wanted; }) ? wanted : "";
    });
    fields.q.value = params.q || "";
    var s = (params.sort || "").split("-");
    sort = headers.some(function (th) { return th.getAttribute("data-sort") === s[0]; })
      ? { key: s[0], descending: s[1] === "desc" } : { key: "", descending: false };
    return true;
  }

  function update(record) {
    apply();
    if (record) toAddress();
  }

  form.addEventListener("input", function () { update(true); });
  form.addEventListener("change", function () { update(true); });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  window.addEventListener("hashchange", function () { if (fromAddress()) update(false); });
  fromAddress();
  form.hidden = false;
  update(false);
})();
