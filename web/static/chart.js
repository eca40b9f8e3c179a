// The ONU page's optical graph: rx, tx and OLT-side rx over the kept history, with the alert
// thresholds drawn as dashed lines. The data is in the page (#optical-data); the chart is left on
// window.oltsyncChart so that a test can read what was drawn.
(function () {
  var holder = document.getElementById("optical-chart");
  var source = document.getElementById("optical-data");
  if (!holder || !source) return;
  var d = JSON.parse(source.textContent);
  var labels = JSON.parse(holder.dataset.labels);
  var th = d.thresholds;
  var flat = function (v) { return d.t.map(function () { return v; }); };
  var dashed = function (label, colour) {
    return { label: label, stroke: colour, dash: [6, 4], width: 1, points: { show: false } };
  };
  var opts = {
    width: Math.min(holder.clientWidth || 900, 1100), height: 320,
    scales: { y: { range: function (u, min, max) {
      return [Math.min(min == null ? -35 : min, th.onu_rx_critical) - 1, Math.max(max == null ? 5 : max, 0) + 1];
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
