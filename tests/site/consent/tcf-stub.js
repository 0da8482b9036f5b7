// The IAB TCF v2 stub a consent manager's loader defines before its UI arrives:
// window.__tcfapi answers "ping" and event listeners, and queues the rest.
(function () {
  if (typeof window.__tcfapi === "function") return;
  var queue = [];
  window.__tcfapi = function (command, version, callback, parameter) {
    var shown = document.querySelector("#qc-cmp2-ui, .fc-dialog-container, #didomi-popup, div[id^='sp_message_container_']");
    var status = shown ? "visible" : "hidden";
    if (command === "ping") {
      if (callback) callback({ gdprApplies: true, cmpLoaded: true, cmpStatus: "loaded", displayStatus: status, apiVersion: "2.0", tcfPolicyVersion: 4 }, true);
    } else if (command === "addEventListener" || command === "getTCData") {
      if (callback) callback({ tcString: "", gdprApplies: true, eventStatus: shown ? "cmpuishown" : "tcloaded", cmpStatus: "loaded", listenerId: 1 }, true);
    } else {
      queue.push([command, version, callback, parameter]);
    }
  };
  window.__tcfapi.queue = queue;
  // the iframe locator other scripts look for
  if (!window.frames.__tcfapiLocator) {
    var f = document.createElement("iframe");
    f.style.display = "none";
    f.name = "__tcfapiLocator";
    (document.body || document.documentElement).appendChild(f);
  }
})();
