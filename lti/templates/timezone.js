// Seeds the time-zone picker from the browser (Intl) when the learner has not chosen one yet. A file, not an
// inline script: the pages' Content-Security-Policy allows scripts from this origin only.
document.querySelectorAll("select[data-seed-timezone]").forEach(function (select) {
  if (select.value) { return; }
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return; }
  if (zone === "Etc/UTC" || zone === "Etc/GMT") { zone = "UTC"; }
  var option = Array.prototype.filter.call(select.options, function (o) { return o.value === zone; })[0];
  if (option) {
    option.selected = true;
    select.setAttribute("data-seeded", "browser");
  }
});
