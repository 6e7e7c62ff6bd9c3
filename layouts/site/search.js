/* The web edition's search, from the files alone: assets/search-index.js sets
   window.PLANPRESS_SEARCH (url, title, place, text per page). Every word of the query must occur
   in a page (NFKC, lower case, katakana as hiragana, substring: Japanese needs no word splitting); a hit in the title
   ranks first. Results are built with textContent only. */
(function () {
  "use strict";
  var pages = window.PLANPRESS_SEARCH || [];
  var input = document.getElementById("search-query");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var query = (new URLSearchParams(window.location.search).get("q") || "").trim();
  if (input) { input.value = query; }
  if (!query) { return; }

  // Katakana as hiragana, so either spelling finds the other (one character for one: offsets hold).
  function normal(text) {
    return text.normalize("NFKC").toLowerCase().replace(/[\u30a1-\u30f6]/g, function (c) {
      return String.fromCharCode(c.charCodeAt(0) - 0x60);
    });
  }
  function count(text, word) {
    var found = 0, at = text.indexOf(word);
    while (at >= 0) { found += 1; at = text.indexOf(word, at + word.length); }
    return found;
  }
  var words = normal(query).split(/\s+/).filter(function (w) { return w.length > 0; });

  var hits = [];
  pages.forEach(function (page, order) {
    var title = normal(page.t), text = normal(page.x), score = 0;
    for (var i = 0; i < words.length; i += 1) {
      var inTitle = title.indexOf(words[i]) >= 0, times = count(text, words[i]);
      if (!inTitle && times === 0) { return; }
      score += (inTitle ? 1000 : 0) + times;
    }
    hits.push({ page: page, score: score, order: order });
  });
  hits.sort(function (a, b) { return b.score - a.score || a.order - b.order; });

  function snippet(page) {
    var text = page.x, lower = normal(text), at = lower.indexOf(words[0]);
    var start = Math.max(0, at - 40), end = Math.min(text.length, (at < 0 ? 0 : at) + 80);
    var piece = text.slice(start, end), paragraph = document.createElement("p");
    paragraph.className = "result-text";
    var rest = piece, lowerRest = normal(piece);
    while (rest.length > 0) {
      var next = -1, length = 0;
      words.forEach(function (w) {
        var i = lowerRest.indexOf(w);
        if (i >= 0 && (next < 0 || i < next)) { next = i; length = w.length; }
      });
      if (next < 0) { paragraph.appendChild(document.createTextNode(rest)); break; }
      paragraph.appendChild(document.createTextNode(rest.slice(0, next)));
      var mark = document.createElement("mark");
      mark.textContent = rest.slice(next, next + length);
      paragraph.appendChild(mark);
      rest = rest.slice(next + length);
      lowerRest = lowerRest.slice(next + length);
    }
    if (start > 0) { paragraph.insertBefore(document.createTextNode("…"), paragraph.firstChild); }
    if (end < text.length) { paragraph.appendChild(document.createTextNode("…")); }
    return paragraph;
  }

  hits.forEach(function (hit) {
    var item = document.createElement("li"), link = document.createElement("a"), place = document.createElement("p");
    link.href = hit.page.u;
    link.className = "result-title";
    link.textContent = hit.page.t;
    place.className = "result-place";
    place.textContent = hit.page.p;
    item.appendChild(link);
    item.appendChild(place);
    item.appendChild(snippet(hit.page));
    list.appendChild(item);
  });
  status.textContent = hits.length
    ? "「" + query + "」を含むページ：" + hits.length + "件"
    : "「" + query + "」を含むページはありません。言葉を短くするか、別の言葉で検索してください。";
})();
