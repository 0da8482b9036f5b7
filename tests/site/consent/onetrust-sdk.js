// Stands in for OneTrust's otSDKStub.js + otBannerSdk.js: defines window.OneTrust
// and OnetrustActiveGroups, then injects the banner into #onetrust-consent-sdk.
(function () {
  var groupsAll = ",C0001,C0002,C0003,C0004,";
  window.OnetrustActiveGroups = window.OptanonActiveGroups = groupsAll;
  var sdk = document.getElementById("onetrust-consent-sdk");
  function choose(all) {
    window.OnetrustActiveGroups = window.OptanonActiveGroups = all ? groupsAll : ",C0001,";
    document.cookie = "OptanonAlertBoxClosed=" + new Date().toISOString() + "; path=/";
    document.documentElement.setAttribute("data-pk-fixture-choice", all ? "accept" : "reject");
    var b = document.getElementById("onetrust-banner-sdk"), f = sdk.querySelector(".onetrust-pc-dark-filter");
    if (b) b.style.display = "none";
    if (f) f.style.display = "none";
  }
  window.OneTrust = {
    IsAlertBoxClosed: function () { return document.cookie.indexOf("OptanonAlertBoxClosed") >= 0; },
    RejectAll: function () { choose(false); },
    AllowAll: function () { choose(true); },
    Close: function () { choose(false); },
    ToggleInfoDisplay: function () {},
  };
  function render() {
    sdk.innerHTML =
      '<div class="onetrust-pc-dark-filter ot-fade-in"></div>' +
      '<div id="onetrust-banner-sdk" class="otFlat ot-bnr-w-logo" tabindex="0" role="region" aria-label="Cookie banner">' +
      '<div role="dialog" aria-modal="true" aria-label="Privacy"><div class="ot-sdk-container"><div class="ot-sdk-row">' +
      '<div id="onetrust-group-container"><div id="onetrust-policy"><h2 id="onetrust-policy-title">We value your privacy</h2>' +
      '<div id="onetrust-policy-text">We and our partners store and access information on your device, such as cookies, and process personal data such as unique identifiers for personalised advertising and content, audience measurement and product development. <a href="#">Cookie policy</a></div></div></div>' +
      '<div id="onetrust-button-group-parent"><div id="onetrust-button-group">' +
      '<button id="onetrust-pc-btn-handler">Cookie Settings</button>' +
      '<button id="onetrust-reject-all-handler">Reject All</button>' +
      '<button id="onetrust-accept-btn-handler">Accept All Cookies</button>' +
      '</div></div></div></div></div></div>';
    document.getElementById("onetrust-reject-all-handler").onclick = function () { choose(false); };
    document.getElementById("onetrust-accept-btn-handler").onclick = function () { choose(true); };
  }
  setTimeout(render, 300);
})();
