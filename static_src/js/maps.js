// Maps (core.maps) drawn with Leaflet, which Munis serves itself (never a CDN). Everything comes from data
// attributes that core/templatetags/maps.py writes; there is no inline script (our Content-Security-Policy
// forbids it). Without JavaScript, or without Leaflet, a point picker stays what it is in the HTML: two text
// fields, latitude and longitude; a map of many points stays hidden and the page's list stands in for it.
(function () {
  'use strict';

  var L = window.L;
  if (!L) {
    return;
  }

  // The design system's tag colours, as a marker's fill.
  var COLOURS = {
    grey: '#505a5f', green: '#00703c', turquoise: '#28a197', blue: '#1d70b8', 'light-blue': '#5694ca',
    purple: '#4c2c92', pink: '#d53880', red: '#d4351c', orange: '#f47738', yellow: '#ffdd00'
  };
  var HEX = /^#(?:[0-9a-f]{3}){1,2}$/i;

  // "%(name)s" in a translated message, as Python writes it.
  function format(message, values) {
    return (message || '').replace(/%\((\w+)\)s/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : all;
    });
  }

  function degrees(value) {
    return value.toFixed(6);
  }

  // The map with the settings' tiles (none when MUNIS_MAP_TILES is empty), opening at their centre.
  function baseMap(element, data) {
    var center = (data.mapCenter || '0,0').split(',').map(Number);
    var maxZoom = Number(data.mapMaxZoom) || 19;
    var map = L.map(element, { center: center, zoom: Number(data.mapZoom) || 13, maxZoom: maxZoom });
    if (data.mapTiles) {
      // The pages send no Referer elsewhere (SECURE_REFERRER_POLICY); tile servers such as OpenStreetMap's refuse
      // tiles without one. They get our origin, never the page's address (which may name a case).
      L.tileLayer(data.mapTiles, {
        maxZoom: maxZoom, attribution: data.mapAttribution || '', referrerPolicy: 'strict-origin'
      }).addTo(map);
    }
    return map;
  }

  function getJson(url, accept) {
    return fetch(url, { credentials: 'same-origin', headers: { Accept: accept || 'application/json' } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error('HTTP ' + response.status);
        }
        return response.json();
      });
  }

  // --- the location a JPEG photo carries in its EXIF (GPS tags), read in the browser ------------------------
  // Only the first part of the file is read, and nothing leaves the device: the person decides whether the
  // pin goes there. Anything that is not a well-formed JPEG with GPS tags answers null.

  function exifLocation(buffer) {
    var view = new DataView(buffer);
    try {
      if (view.getUint16(0) !== 0xFFD8) {
        return null;
      }
      var at = 2;
      while (at + 4 <= view.byteLength) {
        var marker = view.getUint16(at);
        if ((marker & 0xFF00) !== 0xFF00 || marker === 0xFFDA) {
          return null; // not a marker, or the image data begins: no metadata after it
        }
        var length = view.getUint16(at + 2);
        if (marker === 0xFFE1 && view.getUint32(at + 4) === 0x45786966 && view.getUint16(at + 8) === 0) {
          return tiffLocation(view, at + 10); // "Exif\0\0", then a TIFF structure
        }
        at += 2 + length;
      }
    } catch (error) {
      // a RangeError: the structure points outside what was read
    }
    return null;
  }

  function tiffLocation(view, tiff) {
    var order = view.getUint16(tiff);
    var little = order === 0x4949;
    if ((!little && order !== 0x4D4D) || view.getUint16(tiff + 2, little) !== 42) {
      return null;
    }
    function u16(offset) { return view.getUint16(tiff + offset, little); }
    function u32(offset) { return view.getUint32(tiff + offset, little); }
    // An IFD's entries by tag: each 12 bytes, the value (or where it is) in the last four.
    function entries(ifd) {
      var found = {};
      for (var i = 0, count = u16(ifd); i < count; i++) {
        var entry = ifd + 2 + i * 12;
        found[u16(entry)] = entry;
      }
      return found;
    }
    var gpsPointer = entries(u32(4))[0x8825];
    if (gpsPointer === undefined) {
      return null;
    }
    var gps = entries(u32(gpsPointer + 8));
    function angle(tag, refTag, negative) {
      if (gps[tag] === undefined || gps[refTag] === undefined) {
        return NaN;
      }
      var values = u32(gps[tag] + 8); // three RATIONALs: degrees, minutes, seconds
      var total = 0;
      for (var i = 0; i < 3; i++) {
        total += u32(values + i * 8) / u32(values + i * 8 + 4) / Math.pow(60, i);
      }
      var ref = String.fromCharCode(view.getUint8(tiff + gps[refTag] + 8));
      return ref === negative ? -total : total;
    }
    var lat = angle(2, 1, 'S');
    var lng = angle(4, 3, 'W');
    if (!isFinite(lat) || !isFinite(lng) || Math.abs(lat) > 90 || Math.abs(lng) > 180 || (lat === 0 && lng === 0)) {
      return null; // 0,0 is what a camera without a fix writes
    }
    return [lat, lng];
  }

  // --- the point picker -------------------------------------------------------------------------------------

  function pointPicker(root) {
    var data = root.dataset;
    var tools = root.querySelector('[data-picker-tools]');
    var latInput = root.querySelector('[data-picker-latitude]');
    var lngInput = root.querySelector('[data-picker-longitude]');
    var status = root.querySelector('[data-picker-status]');
    var mapElement = root.querySelector('[data-picker-map]');
    tools.hidden = false;
    var map = baseMap(mapElement, data);
    var icon = L.icon({
      iconUrl: data.markerIcon, iconRetinaUrl: data.markerIcon2x, shadowUrl: data.markerShadow,
      iconSize: [25, 41], iconAnchor: [12, 41], shadowSize: [41, 41]
    });
    var pin = null;

    function say(message) {
      status.textContent = message;
    }

    function typed() {
      var lat = parseFloat(latInput.value.replace(',', '.'));
      var lng = parseFloat(lngInput.value.replace(',', '.'));
      if (!isFinite(lat) || !isFinite(lng) || Math.abs(lat) > 90 || Math.abs(lng) > 180) {
        return null;
      }
      return L.latLng(lat, lng);
    }

    function fill(latlng) {
      latlng = latlng.wrap();
      latInput.value = degrees(latlng.lat);
      lngInput.value = degrees(latlng.lng);
      [latInput, lngInput].forEach(function (input) {
        input.dispatchEvent(new Event('input', { bubbles: true }));
      });
      say(format(data.msgPlaced, { latitude: latInput.value, longitude: lngInput.value }));
    }

    // Put the pin at latlng; fill the fields unless they are where it came from; bring it into view if asked.
    function place(latlng, options) {
      if (pin) {
        pin.setLatLng(latlng);
      } else {
        pin = L.marker(latlng, { icon: icon, draggable: true, keyboard: false, alt: data.msgPin, title: data.msgPin });
        pin.on('dragend', function () { fill(pin.getLatLng()); });
        pin.addTo(map);
      }
      if (options.fill) {
        fill(latlng);
      }
      if (options.show) {
        map.setView(latlng, Math.max(map.getZoom(), 16));
      }
    }

    map.on('click', function (event) {
      place(event.latlng, { fill: true });
    });
    mapElement.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' && event.target === mapElement) {
        event.preventDefault(); // the map is inside a form: Enter here places the pin, it does not send the form
        place(map.getCenter(), { fill: true });
      }
    });
    [latInput, lngInput].forEach(function (input) {
      input.addEventListener('change', function () {
        var latlng = typed();
        if (latlng) {
          place(latlng, { show: true });
        }
      });
    });

    var start = typed();
    if (start) {
      place(start, { show: true });
    }

    // Use my location
    root.querySelector('[data-picker-locate]').addEventListener('click', function () {
      if (!navigator.geolocation || !window.isSecureContext) {
        say(data.msgLocationUnsupported);
        return;
      }
      say(data.msgLocating);
      navigator.geolocation.getCurrentPosition(function (position) {
        place(L.latLng(position.coords.latitude, position.coords.longitude), { fill: true, show: true });
      }, function (error) {
        say(error.code === error.PERMISSION_DENIED ? data.msgLocationDenied : data.msgLocationUnavailable);
      }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
    });

    // The address search: a list of buttons, each putting the pin on one place found.
    var searchInput = root.querySelector('[data-picker-search-input]');
    var results = root.querySelector('[data-picker-results]');
    var searches = 0;
    function search() {
      var query = searchInput.value.trim();
      if (!query) {
        searchInput.focus();
        return;
      }
      var mine = ++searches;
      var url = new URL(data.searchUrl, window.location.href);
      url.searchParams.set('q', query);
      results.hidden = true;
      results.replaceChildren();
      say(data.msgSearching);
      getJson(url).then(function (places) {
        if (mine !== searches) {
          return; // a later search answers instead
        }
        places = (Array.isArray(places) ? places : []).filter(function (found) {
          return found && typeof found.label === 'string' && isFinite(found.lat) && isFinite(found.lng);
        });
        if (!places.length) {
          say(format(data.msgNoneFound, { query: query }));
          return;
        }
        places.forEach(function (found) {
          var item = document.createElement('li');
          var button = document.createElement('button');
          button.type = 'button';
          button.className = 'govuk-button govuk-button--secondary govuk-!-margin-bottom-0';
          button.textContent = found.label;
          button.addEventListener('click', function () {
            place(L.latLng(Number(found.lat), Number(found.lng)), { fill: true, show: true });
            say(format(data.msgChosen, { label: found.label }));
          });
          item.appendChild(button);
          results.appendChild(item);
        });
        results.hidden = false;
        say(format(data.msgFound, { count: places.length }));
      }).catch(function () {
        if (mine === searches) {
          say(data.msgSearchFailed);
        }
      });
    }
    if (searchInput) {
      root.querySelector('[data-picker-search]').addEventListener('click', search);
      searchInput.addEventListener('keydown', function (event) {
        if (event.key === 'Enter') {
          event.preventDefault(); // search, do not send the form the picker is in
          search();
        }
      });
    }

    // The photo's location: offered as a button, never used without the person's choice.
    var photoInput = data.photoInput ? document.getElementById(data.photoInput) : null;
    var photoButton = root.querySelector('[data-picker-photo]');
    var photoPlace = null;
    if (photoInput) {
      photoInput.addEventListener('change', function () {
        var file = photoInput.files && photoInput.files[0];
        photoPlace = null;
        photoButton.hidden = true;
        if (!file) {
          return;
        }
        file.slice(0, 256 * 1024).arrayBuffer().then(function (buffer) {
          if (!photoInput.files || photoInput.files[0] !== file) {
            return; // another photo was chosen meanwhile
          }
          var found = exifLocation(buffer);
          if (!found) {
            say(format(data.msgPhotoNone, { name: file.name }));
            return;
          }
          photoPlace = L.latLng(found[0], found[1]);
          photoButton.hidden = false;
          say(format(data.msgPhotoFound, { name: file.name, latitude: degrees(found[0]), longitude: degrees(found[1]) }));
        }).catch(function () {});
      });
      photoButton.addEventListener('click', function () {
        if (photoPlace) {
          place(photoPlace, { fill: true, show: true });
        }
      });
    }

    // The area the service covers, as an outline; the map opens on it when no place is chosen yet.
    var boundary = null;
    if (data.boundaryScript) {
      var script = document.getElementById(data.boundaryScript);
      boundary = Promise.resolve(script ? JSON.parse(script.textContent) : null);
    } else if (data.boundaryUrl) {
      boundary = getJson(data.boundaryUrl, 'application/geo+json, application/json');
    }
    if (boundary) {
      boundary.then(function (geojson) {
        if (!geojson) {
          return;
        }
        var outline = L.geoJSON(geojson, {
          interactive: false, style: { color: '#0b0c0c', weight: 3, dashArray: '8 6', fill: false }
        }).addTo(map);
        if (!pin && outline.getBounds().isValid()) {
          map.fitBounds(outline.getBounds());
        }
      }).catch(function () {});
    }
    root.dataset.state = 'ready';
  }

  // --- the map of many points -------------------------------------------------------------------------------

  function safeUrl(url) {
    try {
      var parsed = new URL(url, window.location.href);
      return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
    } catch (error) {
      return null;
    }
  }

  function popup(properties) {
    var box = document.createElement('div');
    var title = document.createElement('p');
    title.className = 'govuk-body govuk-!-margin-bottom-1';
    var href = safeUrl(properties.url);
    var name = document.createElement(href ? 'a' : 'span');
    if (href) {
      name.className = 'govuk-link';
      name.href = href;
    }
    name.textContent = properties.title || '';
    title.appendChild(name);
    box.appendChild(title);
    if (properties.status) {
      var tag = document.createElement('strong');
      tag.className = 'govuk-tag' + (COLOURS[properties.colour] ? ' govuk-tag--' + properties.colour : '');
      tag.textContent = properties.status;
      box.appendChild(tag);
    }
    return box;
  }

  function pointsMap(root) {
    var data = root.dataset;
    var status = root.querySelector('[data-points-status]');
    root.hidden = false;
    var map = baseMap(root.querySelector('[data-points-map-canvas]'), data);
    getJson(data.pointsUrl, 'application/geo+json, application/json').then(function (collection) {
      var markers = [];
      ((collection && collection.features) || []).forEach(function (feature) {
        var geometry = feature && feature.geometry;
        if (!geometry || geometry.type !== 'Point' || !Array.isArray(geometry.coordinates)) {
          return;
        }
        var properties = feature.properties || {};
        var colour = COLOURS[properties.colour] || (HEX.test(properties.colour || '') ? properties.colour : COLOURS.blue);
        var label = properties.status ? properties.title + ' (' + properties.status + ')' : String(properties.title || '');
        var dot = document.createElement('span');
        dot.className = 'munis-map-dot';
        dot.style.backgroundColor = colour;
        var marker = L.marker([geometry.coordinates[1], geometry.coordinates[0]], {
          icon: L.divIcon({ html: dot, className: 'munis-map-marker', iconSize: [22, 22], iconAnchor: [11, 11],
                            popupAnchor: [0, -11] }),
          title: label
        });
        marker.on('add', function () {
          marker.getElement().setAttribute('aria-label', label);
        });
        marker.bindPopup(popup(properties));
        markers.push(marker);
      });
      var group = L.featureGroup(markers).addTo(map);
      if (markers.length) {
        map.fitBounds(group.getBounds(), { padding: [30, 30], maxZoom: 16 });
      } else {
        status.textContent = data.msgEmpty;
      }
      root.dataset.state = 'ready';
    }).catch(function () {
      status.textContent = data.msgFailed;
      root.dataset.state = 'failed';
    });
  }

  document.querySelectorAll('[data-point-picker]').forEach(pointPicker);
  document.querySelectorAll('[data-points-map]').forEach(pointsMap);
})();
