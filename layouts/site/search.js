/* The web edition's search, from the files alone: assets/search-index.js sets
   window.PLANPRESS_SEARCH (url, title, place, text per page, as the pages show them). Every word
   of the query must occur in a page (NFKC, lower case, katakana as hiragana, substring: Japanese
   needs no word splitting); a hit in the title ranks first. Titles and excerpts are shown as
   printed, the matches found in the folded text mapped back to it. Results are built with
   textContent only. */
(function () {
  "use strict";
  var pages = window.PLANPRESS_SEARCH || [];
  var input = document.getElementById("search-query");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var query = (new URLSearchParams(window.location.search).get("q") || "").trim();
  if (input) { input.value = query; }
  if (!query) { return; }

  // One character (with the marks that combine with it) as matched: NFKC, lower case, katakana as
  // hiragana, every dash as "-" and every wave dash as "~" (the pages print 17−3 with a minus sign
  // and 令和5年〜 with a wave dash; a keyboard types - and ～).
  function fold(text) {
    return text.normalize("NFKC").toLowerCase().replace(/[\u30a1-\u30f6]/g, function (c) {
      return String.fromCharCode(c.charCodeAt(0) - 0x60);
    }).replace(/[\u2010-\u2015\u2212\u2e3a\u2e3b\ufe58]/g, "-").replace(/[\u301c\u223c\u223e]/g, "~");
  }
  // The text as matched, and for each of its code units where in ``text`` the character it comes
  // from starts and ends (NFKC changes lengths: ㎡ is m2, ｶﾞ is ガ).
  function folded(text) {
    var out = "", from = [], to = [], at = 0;
    (text.match(/[\s\S][\u0300-\u036f\u3099\u309a\uff9e\uff9f]*/gu) || []).forEach(function (unit) {
      var piece = fold(unit);
      for (var i = 0; i < piece.length; i += 1) { from.push(at); to.push(at + unit.length); }
      out += piece;
      at += unit.length;
    });
    return { text: out, from: from, to: to };
  }
  function count(text, word) {
    var found = 0, at = text.indexOf(word);
    while (at >= 0) { found += 1; at = text.indexOf(word, at + word.length); }
    return found;
  }
  // A Japanese keyboard types 17-3 as 17ー3 (the long vowel mark): between digits it is a dash.
  var words = fold(query).replace(/(\d)ー(?=\d)/g, "$1-").split(/\s+/).filter(function (w) { return w.length > 0; });

  var hits = [];
  pages.forEach(function (page, order) {
    var title = folded(page.t).text, text = folded(page.x), score = 0;
    for (var i = 0; i < words.length; i += 1) {
      var inTitle = title.indexOf(words[i]) >= 0, times = count(text.text, words[i]);
      if (!inTitle && times === 0) { return; }
      score += (inTitle ? 1000 : 0) + times;
    }
    hits.push({ page: page, score: score, order: order, text: text });
  });
  hits.sort(function (a, b) { return b.score - a.score || a.order - b.order; });

  // Where the words occur in the shown text: [start, end) pairs, in order, none overlapping.
  function places(found) {
    var spans = [], kept = [];
    words.forEach(function (w) {
      for (var at = found.text.indexOf(w); at >= 0; at = found.text.indexOf(w, at + w.length)) {
        spans.push([found.from[at], found.to[at + w.length - 1]]);
      }
    });
    spans.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    spans.forEach(function (span) {
      if (!kept.length || span[0] >= kept[kept.length - 1][1]) { kept.push(span); }
    });
    return kept;
  }

  function snippet(page, found) {
    var text = page.x, spans = places(found), first = found.text.indexOf(words[0]);
    var at = first < 0 ? 0 : found.from[first];
    var start = Math.max(0, at - 40), end = Math.min(text.length, at + 80), position = start;
    var paragraph = document.createElement("p");
    paragraph.className = "result-text";
    if (start > 0) { paragraph.appendChild(document.createTextNode("…")); }
    spans.forEach(function (span) {
      if (span[0] < position || span[1] > end) { return; }
      paragraph.appendChild(document.createTextNode(text.slice(position, span[0])));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(span[0], span[1]);
      paragraph.appendChild(mark);
      position = span[1];
    });
    paragraph.appendChild(document.createTextNode(text.slice(position, end)));
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
    item.appendChild(snippet(hit.page, hit.text));
    list.appendChild(item);
  });
  status.textContent = hits.length
    ? "「" + query + "」を含むページ：" + hits.length + "件"
    : "「" + query + "」を含むページはありません。言葉を短くするか、別の言葉で検索してください。";
})();
