// tizilim search: reads the static index under search/ (built by tizilim) and fetches only
// the files a query needs. No framework, no dependencies.
//
// The folding rules are those of src/site/search/fold.rs; tests/fixtures/search-vectors.json,
// generated from the Rust side, proves they are the same.
(function (root) {
  "use strict";

  // ---- Folding: every spelling of a name meets in one Latin skeleton. ----
  var SKELETON = {};
  function map(letters, latin) {
    Array.from(letters).forEach(function (c) { SKELETON[c] = latin; });
  }
  map("аәäáàâ", "a"); map("б", "b"); map("в", "v"); map("гғğ", "g"); map("д", "d");
  map("еёэéèê", "e"); map("ж", "j"); map("з", "z"); map("ийіыıíìî", "i"); map("кқ", "k");
  map("л", "l"); map("м", "m"); map("нңñ", "n"); map("оөöóòô", "o"); map("п", "p"); map("р", "r");
  map("с", "s"); map("т", "t"); map("уұүūüúùû", "u"); map("ф", "f"); map("хһ", "h"); map("ц", "ts");
  map("чç", "ch"); map("шщş", "sh"); map("ъь'’ʼ", ""); map("ю", "iu"); map("я", "ia");

  function finish(token) {
    return token.replace(/zh/g, "j").replace(/kh/g, "h").replace(/q/g, "k").replace(/y/g, "i").replace(/w/g, "u");
  }
  function tokens(text) {
    var out = [], current = "";
    Array.from(text.toLowerCase()).forEach(function (c) {
      if (/[a-z0-9]/.test(c)) {
        current += c;
      } else if (Object.prototype.hasOwnProperty.call(SKELETON, c)) {
        current += SKELETON[c];
      } else if (current) {
        out.push(finish(current));
        current = "";
      }
    });
    if (current) { out.push(finish(current)); }
    return out;
  }
  function withinOneEdit(a, b) {
    a = Array.from(a); b = Array.from(b);
    if (Math.abs(a.length - b.length) > 1) { return false; }
    var p = 0;
    while (p < a.length && p < b.length && a[p] === b[p]) { p++; }
    if (p === a.length && p === b.length) { return true; }
    var ra = a.slice(p).join(""), rb = b.slice(p).join("");
    return (ra.length === rb.length && ra.slice(1) === rb.slice(1)) ||
      ra.slice(1) === rb || ra === rb.slice(1) ||
      (ra.length >= 2 && rb.length >= 2 && ra[0] === rb[1] && ra[1] === rb[0] && ra.slice(2) === rb.slice(2));
  }
  // The lenient keys of a certificate number (src/register/ident.rs, lenient_keys): (a) without
  // a leading № (or "No." / "No "), Cyrillic look-alikes folded to Latin, slugged, without
  // dashes; (b) its slug without dashes.
  var TRANSLIT = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "i", "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n", "ң": "n", "о": "o",
    "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "u", "ү": "u", "ф": "f", "х": "kh",
    "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "і": "i", "ь": "",
    "э": "e", "ю": "yu", "я": "ya", "ä": "a", "ğ": "g", "ı": "i", "ñ": "n", "ö": "o", "ş": "s", "ū": "u", "ü": "u"
  };
  var LOOKALIKE = { "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "і": "i" };
  function own(object, key) {
    return object && Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
  }
  // The permalink slug of a certificate number (src/register/ident.rs, slug).
  function slug(number) {
    var out = "", dash = false;
    Array.from(number.toLowerCase()).forEach(function (c) {
      var piece;
      if (/[a-z0-9]/.test(c)) {
        piece = c;
      } else if (own(TRANSLIT, c) !== undefined) {
        piece = TRANSLIT[c];
        if (piece === "") { return; }
      } else {
        dash = true;
        return;
      }
      if (dash && out) { out += "-"; }
      dash = false;
      out += piece;
    });
    return out;
  }
  function numberKeys(text) {
    var trimmed = text.trim();
    var unsigned = trimmed.charAt(0) === "№" ? trimmed.slice(1) : /^no[. \t\n\f\r]/i.test(trimmed) ? trimmed.slice(3) : trimmed;
    var folded = Array.from(unsigned.toLowerCase()).map(function (c) { return own(LOOKALIKE, c) || c; }).join("");
    var byLook = slug(folded).replace(/-/g, ""), bySlug = slug(text).replace(/-/g, "");
    return byLook === bySlug ? [byLook] : [byLook, bySlug];
  }
  function bucketHash(text) {
    var h = 0x811c9dc5;
    new TextEncoder().encode(text).forEach(function (b) { h = Math.imul(h ^ b, 0x01000193) >>> 0; });
    return h >>> 0;
  }
  var folding = { tokens: tokens, withinOneEdit: withinOneEdit, slug: slug, numberKeys: numberKeys, bucketHash: bucketHash };
  root.tizilimFold = folding;
  if (typeof document === "undefined") {
    return;
  }

  // ---- The index: its files, each fetched once. ----
  // Every index file also exists packed (NAME.json.gz): fetched when this browser can unpack
  // it (and the JSON if the packed one cannot be had). Only bytes that start as gzip does are
  // unpacked here: a server may have unpacked them already (Content-Encoding: gzip).
  function openIndex(url) {
    var cache = Object.create(null);
    var packed = typeof DecompressionStream === "function";
    function parse(response) {
      return response.arrayBuffer().then(function (buffer) {
        var bytes = new Uint8Array(buffer);
        if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) { return JSON.parse(new TextDecoder().decode(bytes)); }
        return new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).json();
      });
    }
    function load(source) {
      return fetch(source).then(function (r) {
        if (!r.ok) { throw new Error(source + ": " + r.status); }
        return parse(r);
      });
    }
    function get(url) {
      if (!own(cache, url)) {
        cache[url] = packed ? load(url + ".gz").catch(function () { return load(url); }) : load(url);
      }
      return cache[url];
    }
    // Professions come as columns (codes, counts, file hashes of 8 characters): made rows here.
    var meta = get(url).then(function (m) {
      if (m.v !== 3) { throw new Error("search: index format " + m.v + ", this script reads format 3 (a theme older than the program?)"); }
      var p = m.professions;
      m.professions = p.codes.map(function (code, i) { return { code: code, count: p.counts[i], f: p.f.substr(i * 8, 8) }; });
      return m;
    });
    function file(m, name, hash) { return m.base + name + "." + hash + ".json"; }
    // The certificates whose number `query` names leniently: [{doc, slug, number}], each once.
    function certificates(m, query) {
      var keys = numberKeys(query).filter(function (key) { return key.length >= 2; });
      return Promise.all(keys.map(function (key) {
        var bucket = bucketHash(key) % m.certs.length;
        return get(file(m, "c-" + bucket, m.certs[bucket])).then(function (entries) { return own(entries, key) || []; });
      })).then(function (lists) {
        var seen = Object.create(null), out = [];
        lists.forEach(function (list) {
          list.forEach(function (e) {
            if (!seen[e[1]]) { seen[e[1]] = true; out.push({ doc: e[0], slug: e[1], number: e[2] }); }
          });
        });
        return out;
      });
    }
    return { meta: meta, get: get, file: file, certificates: certificates };
  }
  root.tizilimIndex = openIndex;

  var form = document.getElementById("search-form");
  if (!form) { return; }
  var strings = JSON.parse(document.getElementById("search-strings").textContent);
  var index = openIndex(form.getAttribute("data-index"));
  var get = index.get, meta = index.meta, file = index.file;
  function deltas(text) {
    var out = [], previous = 0;
    if (!text) { return out; }
    text.split(".").forEach(function (part, i) {
      previous = i === 0 ? parseInt(part, 36) : previous + parseInt(part, 36);
      out.push(previous);
    });
    return out;
  }
  function idSet(value) {
    if (value.ids !== undefined) { return deltas(value.ids); }
    var bytes = atob(value.bits), out = [];
    for (var i = 0; i < bytes.length; i++) {
      var byte = bytes.charCodeAt(i);
      for (var bit = 0; bit < 8; bit++) { if (byte & (1 << bit)) { out.push(i * 8 + bit); } }
    }
    return out;
  }
  function facetIds(m, kind, code) {
    var list = kind === "r" ? m.regions : kind === "s" ? m.statuses : m.professions;
    var at = list.map(function (e) { return e.code; }).indexOf(code);
    if (at < 0) { return Promise.resolve([]); }
    var entry = list[at];
    var name = "f-" + kind + "-" + (kind === "p" ? at : entry.code);
    // A profession's set comes with its counts by region × status.
    return get(file(m, name, entry.f)).then(function (value) {
      var ids = idSet(value);
      ids.matrix = value.matrix || null;
      return ids;
    });
  }

  // Each word of the query → {scores: {doc id: score}, matrix}: 3 whole word, 2 beginning of a
  // word, 1 one typo away (words of 5+ letters). Regions and professions named in the query
  // count as words. `matrix` (counts by region × status) when one common word alone matched.
  function wordMatches(m, word, known) {
    var keys = Object.keys(m.shards).filter(function (k) {
      return k.indexOf(word) === 0 || word.indexOf(k) === 0;
    }).slice(0, 12);
    // Words in very many names have a file each (the set of their centers), not postings.
    var common = (m.stop_files ? m.stop : []).map(function (w, i) { return [w, i]; })
      .filter(function (c) { return c[0].indexOf(word) === 0; }).slice(0, 8);
    return Promise.all([
      Promise.all(keys.map(function (k) { return get(file(m, "t-" + k, m.shards[k])); })),
      Promise.all(common.map(function (c) { return get(file(m, "w-" + c[1], m.stop_files[c[1]])); }))
    ]).then(function (fetched) {
      var shards = fetched[0];
      var scores = {};
      var sources = 0;
      function add(ids, codes, score) {
        if (ids.length) { sources++; }
        ids.forEach(function (id, i) {
          if (!(scores[id] >= score)) { scores[id] = score; }
          if (codes) { known[id] = parseInt(codes.substr(i * m.fw, m.fw), 36); }
        });
      }
      common.forEach(function (c, i) { add(idSet(fetched[1][i]), null, c[0] === word ? 3 : 2); });
      var matrix = common.length === 1 ? fetched[1][0].matrix : null;
      var fuzzy = [];
      shards.forEach(function (shard) {
        Object.keys(shard).forEach(function (token) {
          if (token === word) {
            add(deltas(shard[token][0]), shard[token][1], 3);
          } else if (token.indexOf(word) === 0) {
            add(deltas(shard[token][0]), shard[token][1], 2);
          } else if (word.length >= 5 && (withinOneEdit(token, word) || withinOneEdit(token.slice(0, word.length), word))) {
            fuzzy.push(token);
          }
        });
      });
      var exactOrPrefix = Object.keys(scores).length > 0;
      if (!exactOrPrefix) {
        shards.forEach(function (shard) {
          fuzzy.forEach(function (token) { var hit = own(shard, token); if (hit) { add(deltas(hit[0]), hit[1], 1); } });
        });
      }
      var named = [];
      m.regions.forEach(function (r) { if (r.words.some(function (w) { return w === word || (word.length >= 3 && w.indexOf(word) === 0); })) { named.push(["r", r.code]); } });
      // Professions whose name has the word (or, from 4 letters, a word beginning so).
      var professions = {};
      shards.forEach(function (shard) {
        Object.keys(shard).forEach(function (token) {
          if (shard[token][2] && (token === word || (word.length >= 4 && token.indexOf(word) === 0))) {
            deltas(shard[token][2]).forEach(function (i) { professions[i] = true; });
          }
        });
      });
      Object.keys(professions).forEach(function (i) { if (m.professions[i]) { named.push(["p", m.professions[i].code]); } });
      // At most 24 sets (a profession's is about 2.5 KB packed at 100,000 centers): a word
      // in many profession names ("оператор") finds the centers of each, within the budget.
      return Promise.all(named.slice(0, 24).map(function (n) { return facetIds(m, n[0], n[1]); })).then(function (sets) {
        sets.forEach(function (ids) {
          if (ids.length) { sources++; }
          ids.forEach(function (id) { if (!(scores[id] >= 2)) { scores[id] = 2; } });
        });
        return { scores: scores, matrix: sources === 1 ? matrix : null };
      });
    });
  }

  // A full BIN or certificate number → that record; six or more digits → BINs beginning so.
  function identifiers(m, query) {
    var digits = query.replace(/\s+/g, "");
    var found = [];
    var work = [];
    if (/^\d{6,12}$/.test(digits) && m.bins[digits.slice(0, 4)]) {
      work.push(get(file(m, "b-" + digits.slice(0, 4), m.bins[digits.slice(0, 4)])).then(function (bins) {
        Object.keys(bins).forEach(function (bin) {
          if (bin.indexOf(digits) === 0) { found.push({ doc: bins[bin], score: bin === digits ? 1000 : 500, exact: bin === digits }); }
        });
      }));
    }
    work.push(index.certificates(m, query).then(function (certificates) {
      certificates.forEach(function (c) {
        found.push({ doc: c.doc, score: 1000, exact: true, certificate: { slug: c.slug, number: c.number } });
      });
    }));
    return Promise.all(work).then(function () { return found; });
  }

  function chunkOf(m, doc) {
    var n = Math.floor(doc / m.chunk), k = Math.floor(n / m.dir);
    return get(file(m, "dir-" + k, m.dirs[k])).then(function (names) {
      return get(file(m, "d-" + n, names[n % m.dir]));
    }).then(function (records) { return records[doc % m.chunk]; });
  }

  // The whole query: {query, region, status, profession} → ranked results.
  function search(params) {
    return meta.then(function (m) {
      var query = (params.q || "").trim();
      var known = {};
      var words = tokens(query);
      var codeMatch = m.professions.filter(function (p) { return query.length >= 4 && p.code.indexOf(query) === 0; });
      return Promise.all([
        query ? identifiers(m, query) : Promise.resolve([]),
        Promise.all(words.map(function (w) { return wordMatches(m, w, known); })),
        codeMatch.length ? Promise.all(codeMatch.map(function (p) { return facetIds(m, "p", p.code); })) : Promise.resolve(null),
        Promise.all([["r", params.region], ["s", params.status], ["p", params.profession]].filter(function (f) { return f[1]; }).map(function (f) { return facetIds(m, f[0], f[1]); }))
      ]).then(function (parts) {
        var exact = parts[0], perWord = parts[1], byCode = parts[2], filters = parts[3];
        var professionSet = params.profession ? filters[filters.length - 1] : null;
        var scores = {};
        var certificateOf = {};
        if (byCode) {
          byCode.forEach(function (ids) { ids.forEach(function (id) { scores[id] = 3; }); });
        } else if (perWord.length) {
          Object.keys(perWord[0].scores).forEach(function (id) {
            var total = 0;
            for (var i = 0; i < perWord.length; i++) {
              if (!(id in perWord[i].scores)) { return; }
              total += perWord[i].scores[id];
            }
            scores[id] = total;
          });
        }
        exact.forEach(function (e) {
          scores[e.doc] = Math.max(scores[e.doc] || 0, e.score);
          if (e.certificate) { certificateOf[e.doc] = e.certificate; }
        });
        var ids = Object.keys(scores).map(Number);
        if (!query) {
          ids = null;
        }
        filters.forEach(function (set) {
          if (ids === null) {
            ids = set.slice();
          } else {
            var keep = {};
            set.forEach(function (id) { keep[id] = true; });
            ids = ids.filter(function (id) { return keep[id]; });
          }
        });
        ids = ids || [];
        ids.sort(function (a, b) { return (scores[b] || 0) - (scores[a] || 0) || a - b; });
        var exactHits = exact.filter(function (e) { return e.exact; });
        // Counts by region × status, where the index says them: the register's, or a
        // profession's, without a query; one common word's alone, without a profession filter.
        var matrix = !query ? (professionSet ? professionSet.matrix : m.matrix)
          : !byCode && !exact.length && perWord.length === 1 && !professionSet ? perWord[0].matrix : null;
        return {
          meta: m, params: params, ids: ids, scores: scores, known: known, certificateOf: certificateOf,
          exact: exactHits.length === 1 ? exactHits[0] : null, matrix: matrix
        };
      });
    });
  }

  // One result as the page shows it.
  function describe(result, doc) {
    var m = result.meta;
    return chunkOf(m, doc).then(function (r) {
      var lang = document.documentElement.lang;
      var names = { kk: r[1], ru: r[2], en: r[3] };
      var order = lang === "ru" ? ["ru", "kk", "en"] : lang === "en" ? ["en", "ru", "kk"] : ["kk", "ru", "en"];
      var name = order.map(function (l) { return names[l]; }).filter(Boolean)[0] || r[0];
      var certificate = result.certificateOf[doc];
      return {
        bin: r[0], name: name, region: m.regions[r[4]] ? m.regions[r[4]].name : "", status: m.statuses[r[5]].code,
        city: r[6] || "", certificate: certificate ? certificate.number : null,
        url: certificate ? m.certificates + certificate.slug + "/" : m.centers + r[0] + "/"
      };
    });
  }

  // ---- The page. ----
  var list = document.querySelector("[data-results]");
  var summary = document.getElementById("search-summary");
  var more = document.getElementById("search-more");
  var PAGE = 10;
  var shown = 0, current = null;

  function badge(status) {
    var span = document.createElement("span");
    span.className = "status status-" + status;
    var mark = document.createElement("span");
    mark.className = "status-mark";
    mark.setAttribute("aria-hidden", "true");
    mark.textContent = status === "valid" ? "✓" : status === "not-yet-valid" ? "…" : status === "reissued" ? "↻" : "✕";
    span.appendChild(mark);
    span.appendChild(document.createTextNode(" " + strings["status_" + status.replace(/-/g, "_")]));
    return span;
  }
  function item(d) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = d.url;
    a.textContent = d.name;
    li.appendChild(a);
    var details = document.createElement("p");
    details.className = "sub";
    details.textContent = (d.certificate ? strings.certificate + " " + d.certificate + " · " : "") +
      strings.bin + " " + d.bin + " · " + d.region + (d.city ? ", " + d.city : "") + " · ";
    details.appendChild(badge(d.status));
    li.appendChild(details);
    return li;
  }
  function showMore() {
    var next = current.ids.slice(shown, shown + PAGE);
    shown += next.length;
    more.hidden = shown >= current.ids.length;
    var result = current;
    return Promise.all(next.map(function (doc) { return describe(result, doc); })).then(function (items) {
      if (result !== current) { return; }
      items.forEach(function (d) { list.appendChild(item(d)); });
    });
  }
  // Region and status counts among the results: from the index where it says them, else
  // from the display records (when they are few enough to fetch).
  function counts(result) {
    var m = result.meta, params = result.params;
    var matrix = result.matrix;
    if (matrix) {
      // A region × status table says it exactly.
      var regionIndex = m.regions.map(function (r) { return r.code; }).indexOf(params.region);
      var statusIndex = m.statuses.map(function (x) { return x.code; }).indexOf(params.status);
      var byRegion = Object.create(null), byStatus = Object.create(null);
      m.regions.forEach(function (r, i) {
        byRegion[r.code] = m.statuses.reduce(function (n, x, j) {
          return n + (statusIndex < 0 || statusIndex === j ? matrix[i][j] : 0);
        }, 0);
      });
      m.statuses.forEach(function (x, j) {
        byStatus[x.code] = m.regions.reduce(function (n, r, i) {
          return n + (regionIndex < 0 || regionIndex === i ? matrix[i][j] : 0);
        }, 0);
      });
      return Promise.resolve({ region: byRegion, status: byStatus });
    }
    var unknown = result.ids.filter(function (id) { return !(id in result.known); });
    var chunks = {};
    unknown.forEach(function (id) { chunks[Math.floor(id / m.chunk)] = true; });
    if (Object.keys(chunks).length > 10) { return Promise.resolve(null); }
    return Promise.all(unknown.map(function (id) {
      return chunkOf(m, id).then(function (r) { result.known[id] = r[4] * 8 + r[5]; });
    })).then(function () {
      var region = Object.create(null), status = Object.create(null);
      result.ids.forEach(function (id) {
        var code = result.known[id];
        var r = m.regions[Math.floor(code / 8)], s = m.statuses[code % 8];
        region[r.code] = (region[r.code] || 0) + 1;
        status[s.code] = (status[s.code] || 0) + 1;
      });
      return { region: region, status: status };
    });
  }
  function label(select, countsOf) {
    Array.from(select.options).forEach(function (option) {
      if (!option.value) { return; }
      if (!option.getAttribute("data-label")) { option.setAttribute("data-label", option.textContent); }
      var n = countsOf ? own(countsOf, option.value) || 0 : null;
      option.textContent = option.getAttribute("data-label") + (n === null ? "" : " (" + n + ")");
    });
  }
  function read() {
    var p = new URLSearchParams(window.location.search);
    return { q: p.get("q") || "", region: p.get("region") || "", status: p.get("status") || "", profession: p.get("profession") || "" };
  }
  function write(params) {
    var p = new URLSearchParams();
    ["q", "region", "status", "profession"].forEach(function (k) { if (params[k]) { p.set(k, params[k]); } });
    var search = p.toString();
    return window.location.pathname + (search ? "?" + search : "");
  }
  function fill(params) {
    form.elements.q.value = params.q;
    form.elements.region.value = params.region;
    form.elements.status.value = params.status;
    form.elements.profession.value = params.profession;
  }
  function run(params, navigate) {
    list.textContent = "";
    shown = 0;
    if (!params.q && !params.region && !params.status && !params.profession) {
      summary.textContent = "";
      more.hidden = true;
      label(form.elements.region, null);
      label(form.elements.status, null);
      return Promise.resolve();
    }
    return search(params).then(function (result) {
      if (navigate && result.exact && !params.region && !params.status && !params.profession) {
        return describe(result, result.exact.doc).then(function (d) { window.location.replace(d.url); });
      }
      current = result;
      summary.textContent = result.ids.length ? strings.results.replace("{n}", result.ids.length) : strings.no_results;
      return Promise.all([counts(result), showMore()]).then(function (done) {
        if (result !== current) { return; }
        label(form.elements.region, done[0] && done[0].region);
        label(form.elements.status, done[0] && done[0].status);
      });
    });
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var params = { q: form.elements.q.value.trim(), region: form.elements.region.value, status: form.elements.status.value, profession: form.elements.profession.value };
    window.history.pushState(null, "", write(params));
    run(params, true);
  });
  ["region", "status", "profession"].forEach(function (name) {
    form.elements[name].addEventListener("change", function () {
      var params = { q: form.elements.q.value.trim(), region: form.elements.region.value, status: form.elements.status.value, profession: form.elements.profession.value };
      window.history.pushState(null, "", write(params));
      run(params, false);
    });
  });
  more.addEventListener("click", function () { showMore(); });
  window.addEventListener("popstate", function () { var p = read(); fill(p); run(p, false); });

  // For tests and integrators: the same search, as data.
  root.tizilimSearch = {
    folding: folding,
    query: function (params) {
      return search(params).then(function (result) {
        return Promise.all([
          Promise.all(result.ids.slice(0, 10).map(function (doc) { return describe(result, doc); })),
          counts(result)
        ]).then(function (done) {
          return { total: result.ids.length, top: done[0], counts: done[1] };
        });
      });
    }
  };
  var initial = read();
  fill(initial);
  root.tizilimReady = run(initial, true);
})(typeof window !== "undefined" ? window : globalThis);
