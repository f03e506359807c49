// Sends a form's big files in chunks to the resumable-upload API
// (/api/v1/uploads/, documents.resumable) before the form itself goes, so a
// dropped connection or a reload costs one chunk, not the whole file.
//
// For each chosen file above the form's data-resumable-threshold: start an
// upload session (or resume the one this tab started for the same file, found
// in sessionStorage), send the chunks in order, retry a failed chunk with a
// growing pause after asking the server where the upload stands, then put the
// session's id in the hidden <name>_upload field, empty the file input and
// send the form as the person sent it. Without this script the form sends the
// files itself. Messages come translated in the form's data-msg-* attributes.
// Our own static file, no inline script (Content-Security-Policy).
(function () {
  'use strict';

  var RETRIES = 6; // failed attempts in a row before the upload is given up
  var FIRST_PAUSE = 1000; // ms; doubled after each failure
  var LONGEST_PAUSE = 30000;
  var STORE_PREFIX = 'munis-upload:';

  function fill(template, values) {
    return String(template || '').replace(/%\((\w+)\)s/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  function sizeLabel(bytes) {
    var units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'];
    var value = bytes;
    var unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit += 1;
    }
    try {
      return new Intl.NumberFormat(document.documentElement.lang || undefined, {
        style: 'unit', unit: units[unit], unitDisplay: 'short', maximumFractionDigits: 1
      }).format(value);
    } catch (error) {
      return (Math.round(value * 10) / 10) + ' ' + ['B', 'KB', 'MB', 'GB'][unit];
    }
  }

  function pause(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  function storeKey(file) {
    return STORE_PREFIX + [file.name, file.size, file.lastModified].join(':');
  }

  function remembered(key) {
    try { return window.sessionStorage.getItem(key); } catch (error) { return null; }
  }

  function remember(key, id) {
    try {
      if (id) { window.sessionStorage.setItem(key, id); } else { window.sessionStorage.removeItem(key); }
    } catch (error) { /* private mode: the upload just does not survive a reload */ }
  }

  // An answer the upload cannot get past by trying again.
  function Refused(reason) { this.reason = reason; }
  // The session is gone (expired, cancelled): start a new one.
  function Restart() {}
  // Too many failures in a row: the connection is down.
  function Stopped() {}

  async function problemReason(response) {
    var problem = {};
    try { problem = await response.json(); } catch (error) { /* not JSON */ }
    var fields = problem.fields || {};
    for (var name in fields) {
      if (Object.prototype.hasOwnProperty.call(fields, name) && fields[name].length) {
        return fields[name][0];
      }
    }
    return problem.title || ('HTTP ' + response.status);
  }

  function Form(form) {
    this.form = form;
    this.base = form.dataset.resumableUploads;
    this.threshold = Number(form.dataset.resumableThreshold);
    this.max = Number(form.dataset.uploadMax);
    this.busy = false;
    this.ready = false;
    form.addEventListener('submit', this.onSubmit.bind(this));
    this.fileInputs().forEach(function (input) {
      var hidden = this.hiddenFor(input);
      if (!hidden) {
        return;
      }
      input.addEventListener('change', function () {
        hidden.value = '';
        this.status(input).hidden = true;
      }.bind(this));
      if (hidden.value) {
        this.showKept(input, hidden);
      }
    }, this);
  }

  Form.prototype.fileInputs = function () {
    return Array.prototype.slice.call(this.form.querySelectorAll('input[type=file]'));
  };

  Form.prototype.hiddenFor = function (input) {
    return this.form.querySelector('input[type=hidden][name="' + input.name + '_upload"]');
  };

  Form.prototype.csrfToken = function () {
    var field = this.form.querySelector('input[name=csrfmiddlewaretoken]');
    return field ? field.value : '';
  };

  Form.prototype.request = function (method, path, options) {
    options = options || {};
    var headers = Object.assign({ Accept: 'application/json', 'X-CSRFToken': this.csrfToken() }, options.headers);
    return fetch(this.base + path, {
      method: method, credentials: 'same-origin', headers: headers, body: options.body
    });
  };

  // The status line under a file input: a progress bar and a message.
  Form.prototype.status = function (input) {
    var box = input.parentNode.querySelector('.upload-status');
    if (!box) {
      box = document.createElement('div');
      box.className = 'upload-status';
      box.setAttribute('role', 'status');
      box.setAttribute('aria-live', 'polite');
      var bar = document.createElement('progress');
      bar.max = 1;
      bar.value = 0;
      var text = document.createElement('span');
      box.append(bar, ' ', text);
      input.insertAdjacentElement('afterend', box);
    }
    return box;
  };

  Form.prototype.say = function (input, message, share, isError) {
    var box = this.status(input);
    box.hidden = false;
    box.classList.toggle('error', Boolean(isError));
    var bar = box.querySelector('progress');
    if (share === null) {
      bar.hidden = true;
    } else {
      bar.hidden = false;
      bar.value = share;
    }
    box.querySelector('span').textContent = message;
  };

  // The form came back (e.g. another field was wrong) still naming an upload: say so, or drop a stale id.
  Form.prototype.showKept = async function (input, hidden) {
    var data = this.form.dataset;
    try {
      var response = await this.request('GET', hidden.value + '/');
      if (response.ok) {
        var session = await response.json();
        if (session.complete && new Date(session.expires_at) > new Date()) {
          this.say(input, fill(data.msgUploaded, { name: session.name }), 1, false);
          return;
        }
      }
      if (response.ok || response.status === 404) {
        hidden.value = ''; // unfinished, expired or gone: the file must be chosen again
      }
    } catch (error) { /* offline: the server will say what it thinks of the id */ }
  };

  Form.prototype.onSubmit = function (event) {
    if (this.ready) {
      return; // the second, real submit, after the uploads
    }
    if (this.busy) {
      event.preventDefault();
      return;
    }
    var data = this.form.dataset;
    var big = [];
    var refused = false;
    this.fileInputs().forEach(function (input) {
      var file = input.files && input.files[0];
      if (!file) {
        return;
      }
      if (file.size > this.max) {
        this.say(input, fill(data.msgTooLarge, { name: file.name, size: sizeLabel(file.size) }), null, true);
        refused = true;
      } else if (file.size > this.threshold && this.hiddenFor(input)) {
        big.push({ input: input, file: file });
      }
    }, this);
    if (refused) {
      event.preventDefault();
      return;
    }
    if (!big.length) {
      return;
    }
    event.preventDefault();
    this.uploadThenSubmit(big, event.submitter || null);
  };

  Form.prototype.buttons = function (disabled) {
    this.form.querySelectorAll('button[type=submit], input[type=submit]').forEach(function (button) {
      button.disabled = disabled;
    });
  };

  Form.prototype.uploadThenSubmit = async function (big, submitter) {
    this.busy = true;
    this.buttons(true);
    try {
      for (var i = 0; i < big.length; i += 1) {
        var session = await this.upload(big[i].input, big[i].file);
        this.hiddenFor(big[i].input).value = session.id;
        big[i].input.value = '';
      }
    } catch (error) {
      this.busy = false;
      this.buttons(false);
      var input = big[i].input;
      var name = big[i].file.name;
      var data = this.form.dataset;
      if (error instanceof Refused) {
        this.say(input, fill(data.msgRefused, { name: name, reason: error.reason }), null, true);
      } else {
        this.say(input, fill(data.msgStopped, { name: name }), null, true);
      }
      return;
    }
    this.busy = false;
    this.buttons(false);
    this.ready = true;
    if (submitter && this.form.requestSubmit) {
      this.form.requestSubmit(submitter);
    } else if (this.form.requestSubmit) {
      this.form.requestSubmit();
    } else {
      this.form.submit();
    }
  };

  // Upload one file; resolves with its complete session.
  Form.prototype.upload = async function (input, file) {
    var key = storeKey(file);
    for (var attempt = 0; attempt < 2; attempt += 1) {
      var session = await this.sessionFor(input, file, key);
      try {
        await this.sendChunks(input, file, session);
        return session;
      } catch (error) {
        if (!(error instanceof Restart)) {
          throw error;
        }
        remember(key, null);
      }
    }
    throw new Stopped();
  };

  // The session this tab started for the same file, where it stands; else a new one.
  Form.prototype.sessionFor = async function (input, file, key) {
    var data = this.form.dataset;
    this.say(input, fill(data.msgUploading, { name: file.name }), 0, false);
    var known = remembered(key);
    if (known) {
      var found = await this.withRetries(input, function () { return this.request('GET', known + '/'); });
      if (found.ok) {
        return found.json();
      }
      remember(key, null);
    }
    var started = await this.withRetries(input, function () {
      return this.request('POST', '', {
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: file.name, size: file.size })
      });
    });
    if (!started.ok) {
      throw new Refused(await problemReason(started));
    }
    var session = await started.json();
    remember(key, session.id);
    return session;
  };

  // Run a request until it gets an answer that is not a network error or a 5xx.
  Form.prototype.withRetries = async function (input, send) {
    for (var failures = 0; ; failures += 1) {
      var response = null;
      try {
        response = await send.call(this);
      } catch (error) { /* network error */ }
      if (response && response.status < 500) {
        return response;
      }
      if (failures >= RETRIES) {
        throw new Stopped();
      }
      this.say(input, this.form.dataset.msgRetrying, null, false);
      await pause(Math.min(FIRST_PAUSE * Math.pow(2, failures), LONGEST_PAUSE));
    }
  };

  Form.prototype.sendChunks = async function (input, file, session) {
    var data = this.form.dataset;
    var offset = session.offset;
    var failures = 0;
    while (offset < file.size) {
      var end = Math.min(offset + session.chunk_size, file.size);
      var response = null;
      try {
        response = await this.request('PUT', session.id + '/', {
          headers: {
            'Content-Type': 'application/octet-stream',
            'Content-Range': 'bytes ' + offset + '-' + (end - 1) + '/' + file.size
          },
          body: file.slice(offset, end)
        });
      } catch (error) { /* network error: resumed below */ }
      if (response && response.ok) {
        offset = (await response.json()).offset;
        failures = 0;
        this.say(input, fill(data.msgUploading, { name: file.name }), offset / file.size, false);
        continue;
      }
      if (response && response.status === 409) {
        var problem = {};
        try { problem = await response.json(); } catch (error) { /* not JSON */ }
        if (typeof problem.offset === 'number' && problem.offset !== offset) {
          offset = problem.offset; // the server has more (or less) than we thought: go on from there
          continue;
        }
      } else if (response && (response.status === 404 || response.status === 410)) {
        throw new Restart();
      } else if (response && response.status < 500) {
        throw new Refused(await problemReason(response));
      }
      failures += 1;
      if (failures > RETRIES) {
        throw new Stopped();
      }
      this.say(input, data.msgRetrying, offset / file.size, false);
      await pause(Math.min(FIRST_PAUSE * Math.pow(2, failures - 1), LONGEST_PAUSE));
      offset = await this.offsetOf(session, offset);
    }
    this.say(input, fill(data.msgUploaded, { name: file.name }), 1, false);
  };

  // Where the server says the upload stands (after a failure), or ``fallback`` if it cannot say.
  Form.prototype.offsetOf = async function (session, fallback) {
    try {
      var response = await this.request('GET', session.id + '/');
      if (response.ok) {
        return (await response.json()).offset;
      }
      if (response.status === 404) {
        throw new Restart();
      }
    } catch (error) {
      if (error instanceof Restart) {
        throw error;
      }
    }
    return fallback;
  };

  document.querySelectorAll('form[data-resumable-uploads]').forEach(function (form) {
    new Form(form);
  });
})();
