/* Site search, as you type. lunr.js (assets/vendor/lunr/) reads the index that the build writes to
   assets/search-index.js. Both load on first use, as scripts rather than fetched files, so search
   works from disk (file://) as well as online. Result links are relative to the page. Without
   JavaScript the search form stays hidden and the navigation does the job. */
(function () {
  "use strict";
  /* Not search, but this is the one script every page loads: a page's own map, wider than a
     small screen, opens scrolled to the page's own box (without JavaScript it opens at its left). */
  Array.prototype.forEach.call(document.querySelectorAll(".map-scroll"), function (box) {
    var current = box.querySelector(".current");
    if (!current || box.scrollWidth <= box.clientWidth) return;
    var at = current.getBoundingClientRect(), area = box.getBoundingClientRect();
    box.scrollLeft += at.left - area.left - (area.width - at.width) / 2;
  });
  var form = document.querySelector("form.search");
  if (!form) return;
  var root = form.getAttribute("data-root") || "";
  /* Every word shown comes from the page, in its language: data-messages holds the messages
     (a message by number is a mapping of CLDR plural forms, chosen with Intl.PluralRules). */
  var language = form.getAttribute("data-language") || "en";
  var messages = JSON.parse(form.getAttribute("data-messages") || "{}");
  /* The page gives the addresses of lunr and of its language's index, relative to itself. */
  var indexPath = form.getAttribute("data-index");
  /* lunr, then the scripts for the page's language (lunr-languages), in order */
  var scripts = (form.getAttribute("data-lunr") || "").split(" ").filter(Boolean);
  var input = form.querySelector("input[type=search]");
  var list = form.querySelector(".search-results");
  var status = form.querySelector(".search-status");
  var index = null;
  var docs = null;
  var loading = false;
  var openWhenLoaded = false;  /* Enter was pressed before the index had loaded */
  var MAX = 10;

  form.hidden = false;

  function load(path, done) {
    var script = document.createElement("script");
    script.src = path;
    script.onload = done;
    script.onerror = function () { status.textContent = say("search_failed"); };
    document.head.appendChild(script);
  }

  function ensureIndex() {
    if (index || loading) return;
    loading = true;
    var next = function (i) {
      if (i < scripts.length) { load(scripts[i], function () { next(i + 1); }); return; }
      load(indexPath, function () {
        index = window.lunr.Index.load(window.SEARCH_INDEX.index);
        docs = window.SEARCH_INDEX.docs;
        show();
      });
    };
    next(0);
  }

  function say(key, values) {
    var message = messages[key] || "";
    if (typeof message === "object") {
      message = message[new Intl.PluralRules(language).select(values.count)] || message.other;
    }
    return message.replace(/\{(\w+)\}/g, function (all, name) {
      var value = values && values[name];
      return typeof value === "number" ? value.toLocaleString(language) : all;
    });
  }

  function words(text) {
    return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  }

  /* Where the language's index folds accents (lunr-languages' accentFold), a word typed without
     its accent ("deportacion") is also looked for with one on each vowel in turn ("deportación"):
     the Snowball stemmer gives "deportación" and "deportaciones" one stem and "deportacion" another. */
  function variants(term) {
    var folds = index.pipeline.toJSON().some(function (label) { return /^accentFold/.test(label); });
    if (!folds || /[\u00e1\u00e9\u00ed\u00f3\u00fa]/.test(term)) return [term];
    var acute = { a: "\u00e1", e: "\u00e9", i: "\u00ed", o: "\u00f3", u: "\u00fa" };
    var found = [term];
    for (var i = 0; i < term.length; i++) {
      if (acute[term.charAt(i)]) found.push(term.slice(0, i) + acute[term.charAt(i)] + term.slice(i + 1));
    }
    return found;
  }

  /* A word being typed is looked for as it is, not stemmed; where the index folds accents, also
     folded as the index's words are ("cárce" finds "carcel", which the index holds for "cárcel"). */
  function typed(term) {
    var fold = index.pipeline.toJSON().filter(function (label) { return /^accentFold/.test(label); })[0];
    if (!fold) return [term];
    return [].concat(window.lunr.Pipeline.registeredFunctions[fold](new window.lunr.Token(term, {}))).map(String);
  }

  function query(terms) {
    var lunr = window.lunr;
    /* a word the language's pipeline drops (a stop word such as "de") matches nothing; with no
       word left, nothing is found (a query of no clauses would match every page) */
    terms = terms.filter(function (term) { return index.pipeline.runString(term).length; });
    if (!terms.length) return [];
    return index.query(function (q) {
      terms.forEach(function (term) {
        variants(term).forEach(function (variant, i) { if (i) q.term(variant, { boost: 5 }); });
        q.term(term, { boost: 10 });  /* the whole word, stemmed as the index is */
        typed(term).forEach(function (form) {  /* a word being typed */
          q.term(form, { wildcard: lunr.Query.wildcard.TRAILING, usePipeline: false });
        });
      });
    });
  }

  function close() {
    list.hidden = true;
  }

  function show() {
    var terms = words(input.value);
    list.textContent = "";
    if (!terms.length) { status.textContent = ""; close(); return; }
    if (!index) { status.textContent = say("search_loading"); ensureIndex(); return; }
    var results = query(terms);
    results.slice(0, MAX).forEach(function (result) {
      var doc = docs[result.ref];
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = root + result.ref;
      var title = document.createElement("span");
      title.className = "result-title";
      title.textContent = doc.title;
      var kind = document.createElement("span");
      kind.className = "result-kind";
      kind.textContent = doc.kind;
      var snippet = document.createElement("span");
      snippet.className = "result-snippet";
      snippet.textContent = doc.snippet;
      link.append(kind, title, snippet);
      item.appendChild(link);
      list.appendChild(item);
    });
    if (openWhenLoaded) {
      openWhenLoaded = false;
      if (results.length) { window.location.href = list.querySelector("a").href; return; }
    }
    var shown = Math.min(results.length, MAX);
    status.textContent = results.length === 0 ? say("search_none") :
      (results.length > MAX ? say("search_first", { shown: MAX, count: results.length }) :
        say("search_count", { count: shown })) + " " + say("search_keys");
    list.hidden = results.length === 0;
  }

  function links() { return Array.prototype.slice.call(list.querySelectorAll("a")); }

  input.addEventListener("focus", ensureIndex);
  input.addEventListener("input", function () { openWhenLoaded = false; show(); });
  /* Enter opens the first result; pressed while the index is still loading, once it has loaded. */
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var first = links()[0];
    if (first) window.location.href = first.href;
    else if (!index && words(input.value).length) { openWhenLoaded = true; ensureIndex(); }
  });
  form.addEventListener("keydown", function (event) {
    var all = links();
    var at = all.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && all.length) {
      all[Math.min(at + 1, all.length - 1)].focus();
      event.preventDefault();
    } else if (event.key === "ArrowUp" && at >= 0) {
      (at === 0 ? input : all[at - 1]).focus();
      event.preventDefault();
    } else if (event.key === "Escape") {
      if (list.hidden) { input.value = ""; status.textContent = ""; }
      close();
      input.focus();
    }
  });
  form.addEventListener("focusout", function (event) {
    if (!form.contains(event.relatedTarget)) close();
  });
  input.addEventListener("click", function () { if (input.value) show(); });
})();
