/* The check-in page: refresh the counts every few seconds, and read the
   invitation's QR code with the camera where the browser can do it on its
   own (BarcodeDetector); everything works without this script. */
(function () {
  "use strict";

  var POLL_MS = 5000;

  // -- Counts ---------------------------------------------------------------
  var counts = document.getElementById("check-in-counts");
  if (counts && counts.dataset.url && window.fetch) {
    var refresh = function () {
      if (document.hidden) {
        return;
      }
      fetch(counts.dataset.url, { credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          return response.ok ? response.text() : null;
        })
        .then(function (html) {
          if (html) {
            counts.innerHTML = html;
          }
        })
        .catch(function () {
          /* offline for a moment: the next poll tries again */
        });
    };
    window.setInterval(refresh, POLL_MS);
    document.addEventListener("visibilitychange", refresh);
  }

  // -- QR code with the camera (no library: only where the browser reads it)
  var form = document.getElementById("check-in-form");
  var scan = document.getElementById("check-in-scan");
  var scanner = document.getElementById("check-in-scanner");
  if (!form || !scan || !scanner || !("BarcodeDetector" in window)) {
    return;
  }
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    return;
  }
  var input = document.getElementById("check-in-code");
  var video = scanner.querySelector("video");
  var status = document.getElementById("check-in-scanner-status");
  var stop = document.getElementById("check-in-scan-stop");
  var stream = null;
  var detector = null;

  function codeOf(text) {
    // The QR holds the page's URL with ?code=; a bare code is taken as is.
    try {
      var code = new URL(text, window.location.href).searchParams.get("code");
      if (code) {
        return code;
      }
    } catch (error) {
      /* not a URL */
    }
    return text;
  }

  function stopCamera() {
    if (stream) {
      stream.getTracks().forEach(function (track) {
        track.stop();
      });
      stream = null;
    }
    video.srcObject = null;
    scanner.hidden = true;
    scan.hidden = false;
  }

  function look() {
    if (!stream) {
      return;
    }
    detector
      .detect(video)
      .then(function (codes) {
        if (codes.length && codes[0].rawValue) {
          input.value = codeOf(codes[0].rawValue);
          stopCamera();
          form.requestSubmit ? form.requestSubmit() : form.submit();
          return;
        }
        window.setTimeout(look, 150);
      })
      .catch(function () {
        window.setTimeout(look, 300);
      });
  }

  function startCamera() {
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false })
      .then(function (media) {
        stream = media;
        video.hidden = false;
        video.srcObject = media;
        scanner.hidden = false;
        scan.hidden = true;
        return video.play();
      })
      .then(look)
      .catch(function () {
        // Refused or no camera: say so, and leave the typed code.
        stopCamera();
        video.hidden = true;
        scanner.hidden = false;
        status.textContent = scan.dataset.denied || status.textContent;
      });
  }

  window.BarcodeDetector.getSupportedFormats()
    .then(function (formats) {
      if (formats.indexOf("qr_code") === -1) {
        return;
      }
      detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      scan.hidden = false;
      scan.addEventListener("click", startCamera);
      stop.addEventListener("click", stopCamera);
      window.addEventListener("pagehide", stopCamera);
    })
    .catch(function () {
      /* no QR reading here: the button stays hidden */
    });
})();
