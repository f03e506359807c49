// Draws the process analytics charts with Chart.js (served by Munis, never a
// CDN). The figures come from the page's JSON script tag; no inline script
// (our Content-Security-Policy forbids it). The tables beside the charts hold
// the same numbers for anyone without JavaScript.
(function () {
  'use strict';

  var dataTag = document.getElementById('analytics-charts');
  if (!dataTag || !window.Chart) {
    return;
  }
  var palette = ['#1d4e89', '#c45f00', '#2e7d32', '#8e24aa', '#00838f', '#6d4c41', '#ad1457', '#546e7a'];

  function coloured(datasets) {
    return datasets.map(function (dataset, index) {
      var colour = palette[index % palette.length];
      return Object.assign({}, dataset, { backgroundColor: colour, borderColor: colour });
    });
  }

  function draw(id, figures, stacked) {
    var canvas = document.getElementById(id);
    if (!canvas) {
      return;
    }
    new window.Chart(canvas, {
      type: 'bar',
      data: { labels: figures.labels, datasets: coloured(figures.datasets) },
      options: {
        animation: false,
        responsive: true,
        scales: {
          x: { stacked: stacked },
          y: { stacked: stacked, beginAtZero: true }
        }
      }
    });
    canvas.dataset.state = 'ready';
  }

  JSON.parse(dataTag.textContent).forEach(function (flow) {
    draw(flow.id + '-throughput', flow.throughput, true);
    draw(flow.id + '-time', flow.time, false);
    draw(flow.id + '-backlog', flow.backlog, false);
  });
})();
