// The ONU page's optical graph: rx, tx and OLT-side rx over the kept history, with the alert
// thresholds drawn as dashed lines. The data is in the page (#optical-data); the chart is left on
// window.oltsyncChart so that a test can read what was drawn.

// An hour without a sample (the ONU offline, the OLT unread) is a break in the lines, not a
// straight line across it: a point without levels goes one second after the last sample before a
// gap longer than twice the usual interval (and 90 minutes).
function withGaps(d) {
  var steps = [];
  for (var i = 1; i < d.t.length; i++) steps.push(d.t[i] - d.t[i - 1]);
  if (!steps.length) return d;
  var usual = steps.slice().sort(function (a, b) { return a - b; })[Math.floor(steps.length / 2)];
  var out = { t: [], rx: [], tx: [], olt_rx: [], thresholds: d.thresholds };
  for (var j = 0; j < d.t.length; j++) {
    if (j > 0 && d.t[j] - d.t[j - 1] > Math.max(2 * usual, 5400)) {
      out.t.push(d.t[j - 1] + 1); out.rx.push(null); out.tx.push(null); out.olt_rx.push(null);
    }
    out.t.push(d.t[j]); out.rx.push(d.rx[j]); out.tx.push(d.tx[j]); out.olt_rx.push(d.olt_rx[j]);
  }
  return out;
}

(function () {
  var holder = document.getElementById("optical-chart");
  var source = document.getElementById("optical-data");
  if (!holder || !source) return;
  var d = withGaps(JSON.parse(source.textContent));
  var labels = JSON.parse(document.getElementById("optical-labels").textContent);
  var th = d.thresholds;
  var flat = function (v) { return d.t.map(function () { return v; }); };
  var dashed = function (label, colour) {
    return { label: label, stroke: colour, dash: [6, 4], width: 1, points: { show: false } };
  };
  var opts = {
    width: Math.min(holder.clientWidth || 900, 1100), height: 320,
    scales: { y: { range: function (u, min, max) {
      return [Math.min(min == null ? -35 : min, th.onu_rx_critical) - 1,
              Math.max(max == null ? 5 : max, 0) + 1];
    } } },
    axes: [{}, { label: "dBm" }],
    series: [
      {},
      { label: labels.rx, stroke: "#1f6feb", width: 2 },
      { label: labels.tx, stroke: "#8250df", width: 1 },
      { label: labels.olt_rx, stroke: "#1a7f37", width: 1 },
      dashed(labels.warning + " (rx " + th.onu_rx_warning + ")", "#bf8700"),
      dashed(labels.critical + " (rx " + th.onu_rx_critical + ")", "#cf222e")
    ]
  };
  var data = [d.t, d.rx, d.tx, d.olt_rx, flat(th.onu_rx_warning), flat(th.onu_rx_critical)];
  window.oltsyncChart = new uPlot(opts, data, holder);
})();
