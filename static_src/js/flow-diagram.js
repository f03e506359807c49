// Draws a flow's BPMN diagram with bpmn-js's NavigatedViewer (served by Munis,
// never a CDN), puts the number of open tasks on each step, and marks where one
// case stands. Data comes from the page's JSON script tag; no inline script
// (our Content-Security-Policy forbids it).
(function () {
  'use strict';

  var container = document.getElementById('flow-diagram');
  var stateTag = document.getElementById('flow-diagram-state');
  if (!container || !stateTag || !window.BpmnJS) {
    return;
  }
  var state = JSON.parse(stateTag.textContent);

  function fail() {
    container.dataset.state = 'failed';
    var message = document.createElement('p');
    message.className = 'error';
    message.textContent = container.dataset.error;
    container.replaceChildren(message);
  }

  function badge(entry) {
    var el = document.createElement('span');
    el.className = 'munis-count';
    el.textContent = String(entry.count);
    el.title = entry.label;
    el.setAttribute('aria-label', entry.label);
    return el;
  }

  var viewer = new window.BpmnJS({ container: container });

  fetch(state.xmlUrl, { credentials: 'same-origin', headers: { Accept: 'application/xml' } })
    .then(function (response) {
      if (!response.ok) {
        throw new Error('HTTP ' + response.status);
      }
      return response.text();
    })
    .then(function (xml) {
      return viewer.importXML(xml);
    })
    .then(function () {
      var canvas = viewer.get('canvas');
      var overlays = viewer.get('overlays');
      canvas.zoom('fit-viewport', 'auto');
      state.done.forEach(function (id) { canvas.addMarker(id, 'munis-done'); });
      state.current.forEach(function (id) { canvas.addMarker(id, 'munis-current'); });
      state.counts.forEach(function (entry) {
        overlays.add(entry.id, 'munis-count', { position: { top: -10, right: 10 }, html: badge(entry) });
      });
      container.dataset.state = 'ready';
    })
    .catch(fail);
})();
