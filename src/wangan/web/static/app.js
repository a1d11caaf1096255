// Live countdowns of NVDB deadlines, and the print button. Everything else works without JavaScript.
(function () {
  "use strict";
  var root = document.documentElement;
  var units = (root.getAttribute("data-units") || "d,h,m,s").split(",");
  var sep = root.getAttribute("data-sep") || "";
  var leftTpl = root.getAttribute("data-left") || "{t}";
  var overdueTpl = root.getAttribute("data-overdue") || "-{t}";
  var SOON = 12 * 3600;

  function format(seconds) {
    var s = Math.abs(Math.trunc(seconds));
    var parts = [[Math.floor(s / 86400), units[0]], [Math.floor(s % 86400 / 3600), units[1]],
                 [Math.floor(s % 3600 / 60), units[2]], [s % 60, units[3]]];
    while (parts.length > 1 && parts[0][0] === 0) { parts.shift(); }
    return parts.map(function (p) { return p[0] + p[1]; }).join(sep);
  }

  var clocks = Array.prototype.slice.call(document.querySelectorAll(".clock[data-due]"));
  if (clocks.length) {
    // Count from the server's clock, not the browser's, so every reader sees the same deadline.
    var serverNow = Date.parse(clocks[0].getAttribute("data-now"));
    var skew = isNaN(serverNow) ? 0 : serverNow - Date.now();
    var tick = function () {
      var now = Date.now() + skew;
      clocks.forEach(function (el) {
        var due = Date.parse(el.getAttribute("data-due"));
        if (isNaN(due)) { return; }
        var left = (due - now) / 1000;
        var kind = left <= 0 ? "overdue" : (left < SOON ? "soon" : "ok");
        el.textContent = (left <= 0 ? overdueTpl : leftTpl).replace("{t}", format(left));
        el.className = "clock clock--" + kind;
      });
    };
    tick();
    window.setInterval(tick, 1000);
  }

  // After a refused form, bring its error summary into view and give it focus (screen readers too).
  var summary = document.querySelector(".alert--error[role=alert]");
  if (summary) {
    summary.setAttribute("tabindex", "-1");
    summary.focus();
  }

  // "Copy as text" of an editable document (the impact analysis report): what is on screen, edits included.
  Array.prototype.forEach.call(document.querySelectorAll(".js-copy"), function (button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(target.innerText).then(function () {
        var done = document.querySelector(".js-copied");
        if (done) { done.hidden = false; }
      });
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll(".js-print"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
