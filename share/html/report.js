// nprof's HTML report.  The profile is nprof's own JSON (the same as
// `nprof annotate -o FILE.json` writes), in the page; everything shown is
// computed from its stacks the way nprof computes the text report: a
// line's self is the samples whose innermost user line it is, its total
// the samples with it anywhere on the stack, each as a share of all samples.
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('nprof-data').textContent);
  var frames = D.frames, stacks = D.stacks, S = D.samples;
  var sources = {};
  (D.sources || []).forEach(function (s) { sources[s.path] = s.lines; });
  var state = { sel: 'all', internals: false, sortKey: 'self', sortAsc: false, zoom: null, query: '' };

  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === 'text') e.textContent = attrs[k];
      else if (k === 'cls') e.className = attrs[k];
      else e.setAttribute(k, attrs[k]);
    }
    (kids || []).forEach(function (c) { if (c) e.appendChild(c); });
    return e;
  }
  function basename(p) { return p ? p.slice(p.lastIndexOf('/') + 1) : ''; }

  // "%.1f%%" as C's printf gives it: the double's exact value rounded,
  // ties to even (toFixed alone rounds ties up).
  function pct(n, of) {
    if (!n || !of) return '';
    var x = 100 * n / of, s = x.toFixed(30), m = /^(\d+)\.(\d)(\d*)$/.exec(s);
    if (m && /^50*$/.test(m[3])) {
      var t = parseInt(m[1] + m[2], 10);
      if (t % 2) t++;
      return (t / 10).toFixed(1) + '%';
    }
    return x.toFixed(1) + '%';
  }
  function frameLabel(f) {
    if (f.kind !== 'native') return f.name + ' (' + basename(f.file) + ':' + f.line + ')';
    return f.lib ? f.name + ' (' + f.lib + ')' : f.name;
  }

  // ---- the samples of the selection, counted per stack
  function select() {
    var counts = new Float64Array(stacks.length), bad = 0, total = 0, procs = {};
    D.threads.forEach(function (t, i) { procs[i] = t.pid; });
    for (var i = 0; i < S.stack.length; i++) {
      var t = S.thread[i];
      if (state.sel !== 'all') {
        if (state.sel[0] === 't' && 't' + t !== state.sel) continue;
        if (state.sel[0] === 'p' && 'p' + procs[t] !== state.sel) continue;
      }
      total++;
      if (S.stack[i] < 0) bad++;
      else counts[S.stack[i]]++;
    }
    return { counts: counts, bad: bad, total: total };
  }

  // ---- per line and per function, as profile.c counts them
  function aggregate(sel) {
    var files = {}, funcs = {}, numba = 0, internalOnly = 0, other = 0, poolWait = 0;
    function file(path, internal) {
      return files[path] || (files[path] = { path: path, internal: internal, self: 0, lines: {},
                                             first: 0, last: 0 });
    }
    function func(name, path, internal) {
      var k = name + '\u0000' + path;
      return funcs[k] || (funcs[k] = { name: name, file: path, internal: internal, self: 0,
                                       total: 0, first: 0 });
    }
    for (var s = 1; s < stacks.length; s++) {
      var c = sel.counts[s];
      if (!c) continue;
      if (poolWaiting(s)) { poolWait += c; continue; }
      var seenL = {}, seenF = {}, user = null, internal = null, any = false;
      for (var k = s; k !== 0; k = stacks[k][0]) {
        var f = frames[stacks[k][1]];
        if (f.kind === 'native') continue;
        any = true;
        var isInt = f.kind === 'internal', fl = file(f.file, isInt), fn = func(f.name, f.file, isInt);
        var lk = f.file + ':' + f.line, fk = f.name + '\u0000' + f.file;
        var ln = fl.lines[f.line] || (fl.lines[f.line] = { self: 0, total: 0 });
        if (!seenL[lk]) { seenL[lk] = 1; ln.total += c; }
        if (!seenF[fk]) { seenF[fk] = 1; fn.total += c; }
        if (!fl.first || f.line < fl.first) fl.first = f.line;
        if (f.line > fl.last) fl.last = f.line;
        if (!fn.first || f.line < fn.first) fn.first = f.line;
        var hit = { fl: fl, fn: fn, line: f.line };
        if (isInt) { if (!internal) internal = hit; } else if (!user) user = hit;
      }
      if (!any) { other += c; continue; }
      numba += c;
      if (!user) { internalOnly += c; user = internal; }
      user.fl.lines[user.line].self += c;
      user.fl.self += c;
      user.fn.self += c;
    }
    other += sel.counts[0];
    return { files: files, funcs: funcs, numba: numba, other: other, internalOnly: internalOnly,
             poolWait: poolWait };
  }
  // The pool waiting, as profile.c tells it: a frame of the pool's own
  // code inside the innermost line frame (or with no line at all).
  function poolWaiting(s) {
    for (var k = s; k !== 0; k = stacks[k][0]) {
      var f = frames[stacks[k][1]];
      if (f.kind !== 'native') return false;
      if (f.pool) return true;
    }
    return false;
  }

  function findDef(lines, name, line) {
    var re = new RegExp('^[ \\t]*def[ \\t]+' + name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '[ \\t]*\\(');
    for (var n = Math.min(line, lines.length); n >= 1; n--) if (re.test(lines[n - 1])) return n;
    return 0;
  }

  // ---- header
  function header() {
    var h = document.getElementById('summary'), c = D.counts, N = c.samples;
    var rate = D.cpu_time && D.rate_requested > 0
      ? 'one per ' + +(1000 / D.rate_requested).toPrecision(3) + ' ms of ' +
        (D.all_threads ? "each thread's" : "the main thread's") + ' CPU time'
      : (D.rate_achieved > 0 ? D.rate_achieved.toFixed(1) + ' Hz' : '') +
        (D.rate_requested ? ' (' + D.rate_requested + ' Hz requested)' : '');
    var facts = [N + ' samples', (D.sampler || '?') + ' sampler', rate,
                 pct(c.other, N) + ' not in Numba code', (pct(c.bad, N) || '0.0%') + ' unreadable',
                 'wall time ' + D.wall_seconds.toFixed(1) + ' s'];
    if (c.pool_wait) facts.push(pct(c.pool_wait, N) + " waiting in Numba's thread pool");
    if (D.paused_seconds > 0) facts.push('paused ' + pct(D.paused_seconds, D.wall_seconds));
    if (D.lost) facts.push(D.lost + ' lost');
    h.appendChild(el('h1', { text: 'nprof profile' }, [el('span', { cls: 'cmd', text: D.command || '' })]));
    h.appendChild(el('div', { cls: 'facts', text: facts.filter(Boolean).join(' \u00b7 ') }));
    if (D.codegen) h.appendChild(el('div', { cls: 'facts', text: D.codegen }));
    var agg = aggregate(select()), best = null;
    Object.keys(agg.files).forEach(function (p) {
      var f = agg.files[p];
      if (f.internal) return;
      Object.keys(f.lines).forEach(function (n) {
        if (!best || f.lines[n].self > best.self) best = { self: f.lines[n].self, path: p, line: n };
      });
    });
    h.appendChild(el('div', { cls: 'cards' }, [
      card('samples', String(N)),
      card('in Numba code', pct(c.numba, N) || '0.0%'),
      best ? card('hottest line, self', pct(best.self, N) + ' \u00b7 ' + basename(best.path) + ':' + best.line, 'hot')
           : null,
      card('threads', String(D.threads.length))]));
  }
  function card(k, v, cls) {
    return el('div', { cls: 'card' + (cls ? ' ' + cls : '') }, [el('div', { cls: 'v', text: v }),
                                                                 el('div', { cls: 'k', text: k })]);
  }

  // ---- the annotated source
  function sourceView(agg, N) {
    var box = document.getElementById('source');
    box.textContent = '';
    var list = Object.keys(agg.files).map(function (p) { return agg.files[p]; })
      .filter(function (f) { return f.first && (!f.internal || state.internals); })
      .sort(function (a, b) { return a.internal - b.internal || b.self - a.self || (a.path < b.path ? -1 : 1); });
    if (!list.length) {
      box.appendChild(el('div', { cls: 'empty', text: agg.numba
        ? "Every Numba sample was in Numba's own code: tick \u201cNumba internals\u201d."
        : 'No samples were in Numba-compiled code with line info.' }));
      return;
    }
    var maxLine = 1;
    list.forEach(function (f) {
      Object.keys(f.lines).forEach(function (n) { maxLine = Math.max(maxLine, f.lines[n].total); });
    });
    list.forEach(function (f) {
      var lines = sources[f.path], start = f.first;
      if (lines) {
        var first = null;
        Object.keys(agg.funcs).forEach(function (k) {
          var fn = agg.funcs[k];
          if (fn.file === f.path && fn.first === f.first) first = fn;
        });
        var def = first ? findDef(lines, first.name, f.first) : 0;
        while (def > 1 && /^[ \t]*@/.test(lines[def - 2])) def--;
        if (def) start = def;
      }
      var tb = el('tbody');
      var hot = 0;
      Object.keys(f.lines).forEach(function (n) { if (f.lines[n].self > hot) hot = f.lines[n].self; });
      for (var n = start; n <= f.last; n++) {
        var l = f.lines[n], text = lines ? lines[n - 1] : undefined;
        if (!l && text === undefined) continue;
        var tr = el('tr', { 'data-line': n }, [
          bar('self', l ? l.self : 0, N, maxLine), bar('total', l ? l.total : 0, N, maxLine),
          el('td', { cls: 'n', text: String(n) }),
          el('td', { cls: 'code', text: text === undefined ? '<line ' + n + '>' : text })]);
        if (l && l.self && l.self === hot) tr.className = 'hot';
        tb.appendChild(tr);
      }
      box.appendChild(el('div', { cls: 'file', 'data-path': f.path }, [
        el('h3', { text: f.path }, [el('span', { cls: 'pct', text: pct(f.self, N) + ' self' }),
                                    f.internal ? el('span', { cls: 'internal', text: "Numba's own source" }) : null,
                                    lines ? null : el('span', { cls: 'internal', text: '(cannot read this file)' })]),
        el('table', { cls: 'src' }, [el('thead', {}, [el('tr', {}, [
          el('th', { text: 'self' }), el('th', { text: 'total' }), el('th', { cls: 'n', text: 'line' }),
          el('th', { text: '' })])]), tb])]));
    });
  }
  function bar(kind, n, N, max) {
    var td = el('td', { cls: 'bar ' + kind, title: n + ' samples' });
    if (n) {
      var s = el('span');
      s.style.width = Math.max(2, Math.round(84 * n / max)) + 'px';
      td.appendChild(el('b', { text: pct(n, N) }));
      td.appendChild(s);
    }
    return td;
  }

  // ---- the function table
  function funcView(agg, N) {
    var rows = Object.keys(agg.funcs).map(function (k) { return agg.funcs[k]; })
      .filter(function (f) { return !f.internal || state.internals; });
    rows.forEach(function (f) {
      var lines = sources[f.file], def = lines ? findDef(lines, f.name, f.first) : 0;
      f.line = def || f.first;
      f.loc = f.file + ':' + f.line;
    });
    var key = state.sortKey;
    rows.sort(function (a, b) {
      var x = a[key], y = b[key], c = x < y ? -1 : x > y ? 1 : 0;
      if (c) return state.sortAsc ? c : -c;
      return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
    });
    var cols = [['name', 'function', ''], ['self', 'self %', 'num'], ['total', 'total %', 'num'],
                ['selfN', 'self', 'num'], ['totalN', 'total', 'num'], ['loc', 'location', '']];
    var head = el('tr', {}, cols.map(function (c) {
      var th = el('th', { cls: c[2] + (c[0] === key ? ' sorted' + (state.sortAsc ? ' asc' : '') : ''),
                          'data-key': c[0], text: c[1] });
      th.addEventListener('click', function () {
        var k = c[0] === 'selfN' ? 'self' : c[0] === 'totalN' ? 'total' : c[0];
        if (state.sortKey === k) state.sortAsc = !state.sortAsc;
        else { state.sortKey = k; state.sortAsc = k === 'name' || k === 'loc'; }
        render(false);
      });
      return th;
    }));
    var tb = el('tbody', {}, rows.map(function (f) {
      return el('tr', { cls: f.internal ? 'internal' : '', 'data-self': f.self, 'data-total': f.total,
                        'data-name': f.name }, [
        el('td', { cls: 'name', text: f.name }), el('td', { cls: 'num', text: pct(f.self, N) }),
        el('td', { cls: 'num', text: pct(f.total, N) }), el('td', { cls: 'num', text: String(f.self) }),
        el('td', { cls: 'num', text: String(f.total) }), el('td', { cls: 'loc', text: f.loc })]);
    }));
    var box = document.getElementById('funcs');
    box.textContent = '';
    if (!rows.length) { box.appendChild(el('div', { cls: 'empty', text: 'No functions to list.' })); return; }
    box.appendChild(el('table', { cls: 'funcs' }, [el('thead', {}, [head]), tb]));
  }

  // ---- the icicle chart
  function tree(sel) {
    var root = { label: 'all samples', kind: 'root', count: sel.total, kids: {}, parent: null, depth: 0 };
    var nodes = new Array(stacks.length);
    nodes[0] = root;
    function node(s) {
      if (nodes[s]) return nodes[s];
      var parent = node(stacks[s][0]), f = frames[stacks[s][1]], label = frameLabel(f);
      var n = parent.kids[label];
      if (!n) n = parent.kids[label] = { label: label, kind: f.kind, name: f.name, count: 0, kids: {},
                                         parent: parent, depth: parent.depth + 1 };
      return (nodes[s] = n);
    }
    for (var s = 1; s < stacks.length; s++) {
      var c = sel.counts[s];
      if (!c) continue;
      for (var n = node(s); n !== root; n = n.parent) n.count += c;
    }
    function pseudo(label, c) {
      if (c) root.kids[label] = { label: label, kind: 'other', count: c, kids: {}, parent: root, depth: 1 };
    }
    pseudo('[no code nprof could name]', sel.counts[0]);
    pseudo('[unreadable]', sel.bad);
    return root;
  }
  function hue(name) {
    var h = 0;
    for (var i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
    return 8 + h % 38;
  }
  function flameView(root, N) {
    var box = document.getElementById('flame'), W = box.clientWidth || 1000, ROW = 23;
    box.textContent = '';
    var zoom = state.zoom && findPath(root, state.zoom) || root, maxDepth = 0, q = state.query.toLowerCase();
    var matched = 0, shown = 0;
    function place(n, x, w, depth, ancestor) {
      if (w < 1.5) return;
      shown++;
      maxDepth = Math.max(maxDepth, depth);
      var d = el('div', { cls: 'fl-node ' + n.kind + (ancestor ? ' ancestor' : ''), 'data-label': n.label,
                          'data-count': n.count, title: n.label + '\n' + n.count + ' samples, ' +
                          pct(n.count, N) + ' of all' });
      if (n.kind === 'user') d.style.setProperty('--h', hue(n.name));
      d.style.left = x + 'px';
      d.style.width = Math.max(1, w - 1) + 'px';
      d.style.top = depth * ROW + 'px';
      d.textContent = w > 30 ? n.label : '';
      if (q && n.kind !== 'root' && n.label.toLowerCase().indexOf(q) >= 0) {
        d.classList.add('match');
        matched++;
      }
      d.addEventListener('click', function () { state.zoom = pathOf(n); render(false); });
      d.addEventListener('mouseenter', function () {
        document.getElementById('flame-info').textContent = n.label + ' \u2014 ' + n.count + ' samples, ' +
          pct(n.count, N) + ' of all' + (zoom !== root ? ', ' + pct(n.count, zoom.count) + ' of the zoomed frame' : '');
      });
      box.appendChild(d);
      if (ancestor) return;
      var kids = Object.keys(n.kids).map(function (k) { return n.kids[k]; })
        .sort(function (a, b) { return b.count - a.count || (a.label < b.label ? -1 : 1); });
      var cx = x;
      kids.forEach(function (k) {
        var kw = w * k.count / n.count;
        place(k, cx, kw, depth + 1, false);
        cx += kw;
      });
    }
    var chain = [];
    for (var a = zoom.parent; a; a = a.parent) chain.unshift(a);
    chain.forEach(function (a, i) { place(a, 0, W, i, true); });
    if (zoom.count) place(zoom, 0, W, chain.length, false);
    box.style.height = (maxDepth + 1) * ROW + 4 + 'px';
    var info = document.getElementById('flame-info');
    info.textContent = q ? matched + ' frame' + (matched === 1 ? '' : 's') + ' match \u201c' + state.query + '\u201d'
      : zoom !== root ? 'Zoomed into ' + zoom.label + ' (' + pct(zoom.count, N) + ' of all); click a row above to zoom out.'
      : 'Click a frame to zoom into it; hover for its numbers.';
  }
  function pathOf(n) {
    var p = [];
    for (; n && n.parent; n = n.parent) p.unshift(n.label);
    return p;
  }
  function findPath(root, path) {
    var n = root;
    for (var i = 0; i < path.length && n; i++) n = n.kids[path[i]];
    return n;
  }

  function selector() {
    var s = document.getElementById('thread');
    s.appendChild(el('option', { value: 'all', text: 'All threads (' + D.counts.samples + ' samples)' }));
    if (D.processes.length > 1)
      D.processes.forEach(function (p) {
        s.appendChild(el('option', { value: 'p' + p.pid, text: 'Process ' + p.pid }));
      });
    D.threads.forEach(function (t, i) {
      var name = t.tid ? (t.name || 'thread') + ' (thread ' + t.tid + ')' : t.pid ? 'other threads' : 'unknown thread';
      s.appendChild(el('option', { value: 't' + i, text: name + ' \u2014 ' + t.samples + ' samples' }));
    });
    s.addEventListener('change', function () { state.sel = s.value; state.zoom = null; render(true); });
    document.getElementById('search').addEventListener('input', function (e) {
      state.query = e.target.value;
      render(false);
    });
    document.getElementById('internals').addEventListener('change', function (e) {
      state.internals = e.target.checked;
      render(true);
    });
  }

  // ---- one row per thread, when there are several: what the text
  // report's thread table shows; a click shows that thread alone.
  function threadView() {
    var box = document.getElementById('threads'), N = D.counts.samples;
    if (D.threads.length < 2) { box.parentNode.style.display = 'none'; return; }
    var head = el('tr', {}, ['thread', 'name', 'samples', 'share', 'waiting in pool', 'top line']
      .map(function (t, i) { return el('th', { cls: i === 1 || i === 5 ? '' : 'num', text: t }); }));
    var tb = el('tbody', {}, D.threads.map(function (t, i) {
      var top = t.top_line ? basename(t.top_line.file) + ':' + t.top_line.line + ' (' +
        pct(t.top_line.self, N) + ')' : t.pool_wait ? "none: waiting in Numba's thread pool"
        : 'none in Numba code';
      var tr = el('tr', { 'data-thread': 't' + i, title: 'show this thread alone' }, [
        el('td', { cls: 'num', text: t.tid ? String(t.tid) : '?' }), el('td', { text: t.name || '?' }),
        el('td', { cls: 'num', text: String(t.samples) }), el('td', { cls: 'num', text: pct(t.samples, N) }),
        el('td', { cls: 'num', text: pct(t.pool_wait || 0, N) }), el('td', { cls: 'loc', text: top })]);
      tr.addEventListener('click', function () {
        var s = document.getElementById('thread');
        s.value = 't' + i;
        s.dispatchEvent(new Event('change'));
      });
      return tr;
    }));
    box.appendChild(el('table', { cls: 'funcs threads' }, [el('thead', {}, [head]), tb]));
  }

  var cache = null;
  function render(again) {
    if (again || !cache) {
      var sel = select();
      cache = { sel: sel, agg: aggregate(sel), root: tree(sel) };
    }
    var N = cache.sel.total;
    flameView(cache.root, N);
    sourceView(cache.agg, N);
    funcView(cache.agg, N);
  }

  header();
  threadView();
  selector();
  render(true);
  window.addEventListener('resize', function () { render(false); });
  document.body.setAttribute('data-ready', '1');
})();
