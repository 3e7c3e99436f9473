// The verification page: "was this center accredited, for this profession, on that date?"
// It reads the center's per-record JSON (timelines computed by tizilim), finds the interval
// that holds the date, and says so with the theme's sentences (the same as `tizilim status`).
(function () {
  "use strict";
  var form = document.getElementById("verify-form");
  if (!form) {
    return;
  }
  var strings = JSON.parse(document.getElementById("verify-strings").textContent);
  var professions = JSON.parse(document.getElementById("verify-professions").textContent);
  var api = form.getAttribute("data-api");
  var asOf = form.getAttribute("data-as-of");
  var answer = document.getElementById("verify-answer");
  var text = document.getElementById("verify-text");
  var link = document.getElementById("verify-link");
  var picker = document.getElementById("verify-date-pick");

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : whole;
    });
  }
  function t(key) {
    return Object.prototype.hasOwnProperty.call(strings, key) ? strings[key] : "[" + key + "]";
  }
  function dmy(iso) {
    return iso ? iso.slice(8, 10) + "." + iso.slice(5, 7) + "." + iso.slice(0, 4) : "";
  }
  // YYYY-MM-DD or DD.MM.YYYY (day and month may have one digit) → {iso: YYYY-MM-DD}, or
  // {error: "verify_bad_date"} for another form, {error: "verify_no_such_date"} for a day
  // that is not in the calendar (31.02.2024).
  function parseDate(value) {
    var m = /^\s*(\d{4})-(\d{2})-(\d{2})\s*$/.exec(value);
    var y, mo, d;
    if (m) {
      y = +m[1]; mo = +m[2]; d = +m[3];
    } else {
      m = /^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$/.exec(value);
      if (!m) { return { error: "verify_bad_date" }; }
      d = +m[1]; mo = +m[2]; y = +m[3];
    }
    var date = new Date(Date.UTC(y, mo - 1, d));
    date.setUTCFullYear(y);
    if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) {
      return { error: "verify_no_such_date" };
    }
    return { iso: date.toISOString().slice(0, 10) };
  }
  function getJson(url) {
    return fetch(url).then(function (r) { return r.ok ? r.json() : null; }).catch(function () { return null; });
  }
  // The search index (search.js, loaded before this script) finds a certificate number
  // however it is typed, by the same lenient keys as `tizilim status`.
  var index = window.tizilimIndex(form.getAttribute("data-index"));
  // A BIN, or a certificate number, → the center's record.
  function loadCenter(query) {
    var digits = query.replace(/\s+/g, "");
    var byBin = /^\d{12}$/.test(digits) ? getJson(api + "centers/" + digits + ".json") : Promise.resolve(null);
    return byBin.then(function (center) {
      if (center) { return center; }
      return index.meta.then(function (m) { return index.certificates(m, query); }).then(function (found) {
        if (found.length !== 1) { return null; }
        return getJson(api + "certificates/" + found[0].slug + ".json").then(function (certificate) {
          return certificate ? getJson(api + "centers/" + certificate.bin + ".json") : null;
        });
      }).catch(function () { return null; });
    });
  }
  function holds(interval, date) {
    return (interval.from === null || interval.from <= date) && (interval.to === null || date <= interval.to);
  }
  function find(list, test) {
    for (var i = 0; i < list.length; i++) { if (test(list[i])) { return list[i]; } }
    return null;
  }
  // The same verdict as tizilim's (src/verify.rs), from the record's timelines.
  function verdict(center, date, code) {
    var interval = find(center.timeline, function (i) { return holds(i, date); });
    var number = interval.certificate;
    var certificate = find(center.certificates, function (c) { return c.number === number; });
    var own = certificate ? find(certificate.timeline, function (i) { return holds(i, date); }) : null;
    var profession = null;
    if (code) {
      var validThen = function (c) {
        var i = find(c.timeline, function (x) { return holds(x, date); });
        return i && i.status === "valid";
      };
      var covering = find(center.certificates.slice().reverse(), function (c) {
        return validThen(c) && Object.prototype.hasOwnProperty.call(c.scope, code);
      });
      var later = covering ? null : find(center.certificates, function (c) {
        return c.issued_on > date && Object.prototype.hasOwnProperty.call(c.scope, code);
      });
      profession = {
        code: code, name: Object.prototype.hasOwnProperty.call(professions, code) ? professions[code] : "", inScope: !!covering,
        certificate: covering ? covering.number : "", levels: covering ? covering.scope[code] : "", later: later
      };
    }
    var beforeDate = null, afterDate = null;
    center.changes.forEach(function (c) {
      if (c.date <= date) { beforeDate = c.date; }
      if (c.date > date && afterDate === null) { afterDate = c.date; }
    });
    return {
      date: date, status: interval.status, certificate: number || "",
      issuedOn: certificate ? certificate.issued_on : null, validUntil: certificate ? certificate.valid_until : null,
      since: own ? own.from : null,
      first: !number && center.certificates.length ? center.certificates[0] : null,
      profession: profession,
      before: center.changes.filter(function (c) { return c.date === beforeDate; }),
      after: center.changes.filter(function (c) { return c.date === afterDate; })
    };
  }
  var MAIN = {
    "valid": "verify_yes", "revoked": "verify_no_revoked", "expired": "verify_no_expired",
    "terminated": "verify_no_terminated", "reissued": "verify_no_reissued"
  };
  function sentences(v) {
    var date = dmy(v.date);
    var main = v.status === "not-yet-valid" ? (v.first ? "verify_no_yet" : "verify_no_certificate") : MAIN[v.status];
    var lines = [fill(t(main), {
      date: date, certificate: v.first ? v.first.number : v.certificate, from: dmy(v.issuedOn),
      until: dmy(v.validUntil), since: dmy(v.since), issued: v.first ? dmy(v.first.issued_on) : ""
    })];
    var p = v.profession;
    if (p) {
      var name = p.code + " " + p.name;
      if (p.inScope) {
        var levels = p.levels ? fill(t("verify_levels"), { levels: p.levels }) : "";
        lines.push(fill(t("verify_scope_yes"), { profession: name, certificate: p.certificate, levels: levels }));
      } else {
        lines.push(fill(t(v.status === "valid" ? "verify_scope_no" : "verify_scope_none"), { profession: name, date: date }));
        if (p.later) {
          lines.push(fill(t("verify_scope_later"), { certificate: p.later.number, issued: dmy(p.later.issued_on) }));
        }
      }
    }
    [["verify_before", v.before], ["verify_after", v.after]].forEach(function (pair) {
      var changes = pair[1];
      if (changes.length) {
        var list = changes.map(function (c) {
          return fill(t("verify_change"), { change: t("change_" + c.change), certificate: c.certificate });
        });
        lines.push(fill(t(pair[0]), { when: dmy(changes[0].date), changes: list.join("; ") }));
      }
    });
    if (v.date > asOf) {
      lines.push(fill(t("verify_future"), { date: date, as_of: dmy(asOf) }));
    }
    return lines;
  }
  function show(lines, state) {
    text.textContent = "";
    lines.forEach(function (line) {
      var p = document.createElement("p");
      p.textContent = line;
      text.appendChild(p);
    });
    answer.className = "verify-answer" + (state ? " verify-" + state : "");
    answer.hidden = false;
  }
  function run(params) {
    var query = (params.get("bin") || "").trim();
    var typedDate = (params.get("date") || "").trim();
    var parsed = parseDate(typedDate);
    var date = parsed.iso;
    var code = params.get("profession") || "";
    form.elements.bin.value = query;
    form.elements.date.value = params.get("date") || "";
    form.elements.profession.value = code;
    link.href = window.location.pathname + "?" + params.toString();
    if (!query) { answer.hidden = true; return; }
    if (!date) { show([fill(t(parsed.error), { date: typedDate })], "error"); return; }
    picker.value = date;
    loadCenter(query).then(function (center) {
      if (!center) {
        show([fill(t("verify_not_found"), { query: query })], "error");
        return;
      }
      var v = verdict(center, date, code);
      show(sentences(v), v.status === "valid" && (!v.profession || v.profession.inScope) ? "yes" : "no");
    });
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var params = new URLSearchParams();
    params.set("bin", form.elements.bin.value.trim());
    params.set("date", form.elements.date.value.trim());
    if (form.elements.profession.value) { params.set("profession", form.elements.profession.value); }
    window.history.pushState(null, "", window.location.pathname + "?" + params.toString());
    run(params);
  });
  picker.addEventListener("change", function () {
    if (picker.value) { form.elements.date.value = dmy(picker.value); }
  });
  document.getElementById("verify-print").addEventListener("click", function () { window.print(); });
  window.addEventListener("popstate", function () { run(new URLSearchParams(window.location.search)); });
  run(new URLSearchParams(window.location.search));
})();
