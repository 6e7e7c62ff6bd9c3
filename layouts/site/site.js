/* Regions that scroll sideways (a wide table or diagram on a narrow screen): the keyboard stops at
   one only while it has something to scroll, not at every table of a page. The pages mark every
   such region focusable (tabindex="0"), so that without this script each stays reachable; this
   takes the mark off the regions whose content fits, and puts it back when the window narrows or
   the text grows (zoom, the fonts arriving). A focused region keeps it until focus leaves. */
(function () {
  "use strict";
  var regions = Array.prototype.slice.call(document.querySelectorAll('[role="region"][tabindex="0"]'));
  function update() {
    regions.forEach(function (region) {
      if (region.scrollWidth > region.clientWidth) {
        region.setAttribute("tabindex", "0");
      } else if (region !== document.activeElement) {
        region.removeAttribute("tabindex");
      }
    });
  }
  update();
  if (window.ResizeObserver) {
    var observer = new ResizeObserver(update);
    regions.forEach(function (region) { observer.observe(region); });
  }
  window.addEventListener("resize", update);
  if (document.fonts) { document.fonts.ready.then(update); }
})();
