// LTI Client Side postMessages + Platform Storage (see lti/platform_storage.py). At login ("put"): store the
// state and the nonce in the platform's frame, then go on to the platform. At launch ("get"): read them back,
// and only when they are this launch's, post it again to the tool with the values read.
(function () {
  var el = document.getElementById("lti-storage");
  if (!el) { return; }
  var d = el.dataset, origin = d.origin, seq = 0, waiting = {};
  function frame(name) {
    var parent = window.parent !== window ? window.parent : window.opener;
    if (!parent) { return null; }
    if (!name || name === "_parent") { return parent; }
    try { return parent.frames[name] || null; } catch (e) { return null; }
  }
  var peer = frame(d.target);
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.origin !== origin || !data || typeof data !== "object") { return; }
    var done = waiting[data.message_id];
    if (done) { delete waiting[data.message_id]; done(data); }
  });
  function ask(target, message) {
    return new Promise(function (resolve) {
      if (!target) { resolve(null); return; }
      var id = "peerlearn-" + (++seq) + "-" + Math.random().toString(36).slice(2);
      message.message_id = id;
      var timer = setTimeout(function () { delete waiting[id]; resolve(null); }, 3000);
      waiting[id] = function (data) { clearTimeout(timer); resolve(data); };
      target.postMessage(message, origin);
    });
  }
  function storageFrame() {
    // The platform may name another frame for the storage messages in its capabilities.
    return ask(peer, { subject: "lti.capabilities" }).then(function (reply) {
      var supported = (reply && reply.supported_messages) || [];
      var put = supported.filter(function (m) { return m.subject === "lti.put_data"; })[0];
      if (!put) { return null; }
      return put.frame ? frame(put.frame) : peer;
    });
  }
  function ok(reply, key, value) {
    return !!reply && !reply.error && reply.key === key && reply.value === value;
  }
  if (d.mode === "put") {
    var go = function () { window.location.replace(d.next); };
    storageFrame().then(function (target) {
      if (!target) { go(); return; }  // no platform storage: the state cookie is all there is
      return ask(target, { subject: "lti.put_data", key: d.stateKey, value: d.state }).then(function () {
        return ask(target, { subject: "lti.put_data", key: d.nonceKey, value: d.nonce });
      }).then(go);
    }, go);
  } else if (d.mode === "get") {
    var fail = function () { document.getElementById("lti-storage-failed").hidden = false; };
    storageFrame().then(function (target) {
      if (!target) { fail(); return; }
      return ask(target, { subject: "lti.get_data", key: d.stateKey }).then(function (state) {
        return ask(target, { subject: "lti.get_data", key: d.nonceKey }).then(function (nonce) {
          if (!ok(state, d.stateKey, d.state) || !ok(nonce, d.nonceKey, d.nonce)) { fail(); return; }
          var form = document.getElementById("lti-storage-form");
          form.elements["lti_storage_state"].value = state.value;
          form.elements["lti_storage_nonce"].value = nonce.value;
          form.submit();
        });
      });
    }, fail);
  }
})();
