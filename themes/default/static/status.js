// Certificate pages: a static page cannot know the reader's date, so say when it is past the
// certificate's term, or when the page is more than two days old. Texts come from the page.
(function () {
  "use strict";
  var main = document.getElementById("main");
  var notice = document.getElementById("stale");
  if (!main || !notice) {
    return;
  }
  var built = main.getAttribute("data-built");
  var validUntil = main.getAttribute("data-valid-until");
  var status = main.getAttribute("data-status");
  var today;
  try {
    // en-CA writes YYYY-MM-DD; the register's dates are days in Kazakhstan.
    today = new Intl.DateTimeFormat("en-CA", {
      timeZone: "Asia/Almaty", year: "numeric", month: "2-digit", day: "2-digit"
    }).format(new Date());
  } catch (e) {
    today = new Date().toISOString().slice(0, 10);
  }
  var ageInDays = (Date.parse(today) - Date.parse(built)) / 86400000;
  var text = null;
  if ((status === "valid" || status === "revoked") && today > validUntil) {
    text = notice.getAttribute("data-expired");
  } else if (ageInDays > 2) {
    text = notice.getAttribute("data-old");
  }
  if (text) {
    notice.textContent = text;
    notice.hidden = false;
  }
})();
