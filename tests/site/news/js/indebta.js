/* Indebta theme scripts (global.js, v2.4.1) */
(function () {
  "use strict";
  var RB = (window.RB = window.RB || {});
  var PLACEHOLDER = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";

  function qs(sel, root) { return (root || document).querySelector(sel); }
  function qsa(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function getCookie(name) {
    var m = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return m ? decodeURIComponent(m[1]) : null;
  }
  function esc(s) {
    return String(s).replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; });
  }

  /* lazy images: data-src swapped in when the image comes near the viewport */
  var lazyObserver = null;
  RB.lazyImages = function (root) {
    var imgs = qsa("img.lazy-img[data-src]", root);
    if (!("IntersectionObserver" in window)) {
      imgs.forEach(function (img) { img.src = img.getAttribute("data-src"); img.removeAttribute("data-src"); });
      return;
    }
    if (!lazyObserver) {
      lazyObserver = new IntersectionObserver(function (entries, obs) {
        entries.forEach(function (entry) {
          if (!entry.isIntersecting) return;
          var img = entry.target;
          img.src = img.getAttribute("data-src");
          img.removeAttribute("data-src");
          img.classList.add("lazy-loaded");
          obs.unobserve(img);
        });
      }, { rootMargin: "120px 0px" });
    }
    imgs.forEach(function (img) { lazyObserver.observe(img); });
  };

  /* header widgets */
  RB.headerWidgets = function () {
    qsa(".dropdown-trigger").forEach(function (a) {
      a.addEventListener("click", function (e) {
        e.preventDefault();
        a.parentNode.classList.toggle("dropdown-activated");
      });
    });
    var sizes = ["", "font-size-m", "font-size-l"], cur = 0;
    qsa(".font-resizer-trigger").forEach(function (a) {
      a.addEventListener("click", function (e) {
        e.preventDefault();
        if (sizes[cur]) document.body.classList.remove(sizes[cur]);
        cur = (cur + 1) % sizes.length;
        if (sizes[cur]) document.body.classList.add(sizes[cur]);
      });
    });
    qsa(".mobile-menu-trigger").forEach(function (a) {
      a.addEventListener("click", function (e) {
        e.preventDefault();
        document.body.classList.toggle("collapse-activated");
      });
    });
    qsa(".search-trigger, .share-action, .newsletter-submit, .is-btn").forEach(function (a) {
      a.addEventListener("click", function (e) { e.preventDefault(); });
    });
  };

  /* in-article "Continue reading" (reveals the rest of the story in place) */
  RB.readMore = function () {
    qsa(".rb-read-more-trigger").forEach(function (btn) {
      btn.addEventListener("click", function (e) {
        e.preventDefault();
        var target = document.getElementById(btn.getAttribute("data-target"));
        if (!target) return;
        target.classList.add("is-expanded");
        target.removeAttribute("aria-hidden");
        var wrap = btn.closest(".read-more-wrap");
        if (wrap) wrap.parentNode.removeChild(wrap);
        var fade = qs(".entry-content.is-collapsed");
        if (fade) fade.classList.remove("is-collapsed");
      });
    });
  };

  /* the rest of the story is loaded after the page (paywall-meter style partial) */
  RB.storyRest = function () {
    var holder = document.getElementById("story-rest");
    if (!holder) return;
    fetch(holder.getAttribute("data-src"), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.text(); })
      .then(function (html) {
        var tpl = document.createElement("template");
        tpl.innerHTML = html.trim();
        holder.parentNode.insertBefore(tpl.content, holder);
        holder.parentNode.removeChild(holder);
      })
      .catch(function () { holder.removeAttribute("aria-busy"); });
  };

  /* sidebar video playlist */
  RB.videos = [
    { title: "Netflix misses Q3 earnings estimates, meme stock trade returns as Beyond Meat rallies 1,300%", img: "img/video-1.svg", dur: "12:04" },
    { title: "How subsea cables power the global internet", img: "img/video-2.svg", dur: "8:31" },
    { title: "Google and Anthropic reportedly in cloud deal talks, Netflix falls after earnings miss", img: "img/video-3.svg", dur: "10:47" },
    { title: "Why Manhattan Condos Are Selling At A Loss", img: "img/video-4.svg", dur: "14:12" }
  ];
  RB.playlist = function () {
    qsa(".yt-playlist[data-autoload]").forEach(function (box) {
      var html = "";
      RB.videos.forEach(function (v, i) {
        html += '<div class="yt-playlist-item' + (i === 0 ? " is-active" : "") + '">' +
          '<div class="yt-thumb"><img class="lazy-img" loading="lazy" src="' + PLACEHOLDER + '" data-src="' + v.img + '" alt="" width="320" height="180"><span class="yt-duration">' + v.dur + "</span></div>" +
          '<div class="yt-info"><h5 class="yt-title">' + esc(v.title) + "</h5>" +
          '<a class="yt-watch" href="/videos/watch-' + (i + 1) + '" rel="nofollow">Watch full video on YouTube</a></div></div>';
      });
      box.innerHTML = html;
      RB.lazyImages(box);
    });
  };

  /* "You Might Also Like": fetched only when the block scrolls into view */
  RB.related = function () {
    qsa(".ajax-related[data-source]").forEach(function (block) {
      var load = function () {
        fetch(block.getAttribute("data-source"))
          .then(function (r) { return r.json(); })
          .then(function (data) {
            var html = "";
            data.posts.forEach(function (p) {
              html += '<div class="p-wrap p-grid p-grid-small-1"><div class="feat-holder"><a class="p-flink" href="' + p.url + '">' +
                '<img class="lazy-img featured-img" loading="lazy" width="330" height="220" src="' + PLACEHOLDER + '" data-src="' + p.thumb + '" alt=""></a></div>' +
                '<div class="p-content"><div class="p-categories"><a class="p-category" href="/category/news/">' + esc(p.cat) + "</a></div>" +
                '<h4 class="entry-title"><a class="p-url" href="' + p.url + '">' + esc(p.title) + "</a></h4>" +
                '<div class="p-meta"><span class="meta-label">By</span> <a href="/author/newsroom/">' + esc(p.author) + "</a></div></div></div>";
            });
            qs(".block-inner", block).innerHTML = html;
            RB.lazyImages(block);
          });
      };
      if (!("IntersectionObserver" in window)) { load(); return; }
      var io = new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; })) { io.disconnect(); load(); }
      });
      io.observe(block);
    });
  };

  /* GDPR bar */
  RB.privacyBar = function () {
    if (getCookie("RB_PRIVACY") === "1") return;
    var bar = document.createElement("div");
    bar.id = "rb-privacy";
    bar.className = "privacy-bar privacy-bottom";
    bar.innerHTML = '<div class="privacy-inner"><div class="privacy-content">By using this site, you agree to the ' +
      '<a href="/privacy-policy/">Privacy Policy</a> and <a href="/terms-conditions/">Terms of Use</a>.</div>' +
      '<div class="privacy-dismiss"><a id="privacy-trigger" href="#" class="privacy-dismiss-btn is-btn"><span>Accept</span></a></div></div>';
    document.body.appendChild(bar);
    requestAnimationFrame(function () { bar.classList.add("activated"); });
    qs("#privacy-trigger", bar).addEventListener("click", function (e) {
      e.preventDefault();
      document.cookie = "RB_PRIVACY=1; path=/; max-age=" + 60 * 60 * 24 * 180 + "; SameSite=Lax";
      bar.parentNode.removeChild(bar);
    });
  };

  /* sign-in popup (magnific-popup style) */
  RB.loginPopup = function () {
    var form = document.getElementById("rb-user-popup-form");
    if (!form || document.body.classList.contains("logged-in")) return;
    var bg = document.createElement("div");
    bg.className = "mfp-bg mfp-ready";
    var wrap = document.createElement("div");
    wrap.className = "mfp-wrap mfp-ready";
    wrap.setAttribute("tabindex", "-1");
    var container = document.createElement("div");
    container.className = "mfp-container mfp-inline-holder";
    var content = document.createElement("div");
    content.className = "mfp-content";
    form.classList.remove("mfp-hide");
    content.appendChild(form);
    container.appendChild(content);
    wrap.appendChild(container);
    document.body.appendChild(bg);
    document.body.appendChild(wrap);
    document.body.style.overflow = "hidden";
    document.documentElement.classList.add("mfp-open");
    function close() {
      form.classList.add("mfp-hide");
      document.body.appendChild(form);
      if (wrap.parentNode) wrap.parentNode.removeChild(wrap);
      if (bg.parentNode) bg.parentNode.removeChild(bg);
      document.body.style.overflow = "";
      document.documentElement.classList.remove("mfp-open");
      document.removeEventListener("keydown", onKey);
    }
    function onKey(e) { if (e.key === "Escape") close(); }
    qs(".mfp-close", form).addEventListener("click", close);
    wrap.addEventListener("click", function (e) { if (e.target === wrap || e.target === container) close(); });
    document.addEventListener("keydown", onKey);
    qs("#popup-form").addEventListener("submit", function (e) { e.preventDefault(); });
  };

  document.addEventListener("DOMContentLoaded", function () {
    document.documentElement.classList.remove("no-js");
    RB.headerWidgets();
    RB.readMore();
    RB.lazyImages();
  });

  window.addEventListener("load", function () {
    RB.storyRest();
    RB.playlist();
    RB.related();
    setTimeout(RB.privacyBar, 800);
    setTimeout(RB.loginPopup, 1500);
  });
})();
