// The weekly availability grid from the keyboard: the grid is one tab stop, the arrow keys (and Home/End)
// move between cells, Space ticks. The cells stay native checkboxes, so without this script the grid still
// works, with one tab stop per cell.
document.querySelectorAll("table[data-keyboard-grid]").forEach(function (table) {
  var rows = Array.prototype.map.call(table.tBodies[0].rows, function (row) {
    return Array.prototype.slice.call(row.querySelectorAll("input[type=checkbox]"));
  });
  var cells = [].concat.apply([], rows);
  if (!cells.length) { return; }
  var start = cells.filter(function (cell) { return cell.checked; })[0] || cells[0];
  cells.forEach(function (cell) { cell.tabIndex = cell === start ? 0 : -1; });
  var moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
  table.addEventListener("keydown", function (event) {
    var r = -1, c = -1;
    rows.forEach(function (row, i) { var j = row.indexOf(event.target); if (j >= 0) { r = i; c = j; } });
    if (r < 0) { return; }
    var nr = r, nc = c, move = moves[event.key];
    if (move) {
      nr = Math.max(0, Math.min(rows.length - 1, r + move[0]));
      nc = Math.max(0, Math.min(rows[nr].length - 1, c + move[1]));
    } else if (event.key === "Home") {
      nc = 0;
    } else if (event.key === "End") {
      nc = rows[r].length - 1;
    } else {
      return;
    }
    event.preventDefault();
    event.target.tabIndex = -1;
    rows[nr][nc].tabIndex = 0;
    rows[nr][nc].focus();
  });
});
