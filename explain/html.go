package explain

import (
	"encoding/json"
	"html"
	"io"
	"strings"
)

// HTMLOptions control WriteHTML.
type HTMLOptions struct {
	// Sources, when set, puts the C lines around each step's location in
	// the page.
	Sources *Sources
	// Explorer, when set, is a link that opens this trace in the browser
	// explorer (dio-sim web), with the position in its fragment; each step
	// then links to it at that step (the fragment gets "&at=N").
	Explorer string
}

type htmlData struct {
	Name       string        `json:"name"`
	Version    string        `json:"version"`
	Scenario   string        `json:"scenario"`
	Seed       uint64        `json:"seed"`
	Strategy   string        `json:"strategy"`
	Lanes      []string      `json:"lanes"`
	Idle       []string      `json:"idle"`
	Fields     []string      `json:"fields"`
	Initial    []string      `json:"initial"`
	Steps      []htmlStep    `json:"steps"`
	Violations []htmlViol    `json:"violations"`
	Accounts   []htmlAccount `json:"accounts"`
	Explorer   string        `json:"explorer,omitempty"`
}

type htmlStep struct {
	N       int          `json:"n"`
	Actor   string       `json:"actor"`
	Lane    int          `json:"lane"`
	Outcome string       `json:"outcome"`
	Loc     string       `json:"loc"`
	Func    string       `json:"func"`
	Text    string       `json:"text"`
	Enabled []string     `json:"enabled"`
	Changes []htmlChange `json:"changes"`
	Reads   []htmlRead   `json:"reads"`
	Broke   []htmlViol   `json:"broke"`
	AtEnd   bool         `json:"atEnd"`
	Source  *Snippet     `json:"source,omitempty"`
	Note    string       `json:"note,omitempty"`
}

type htmlChange struct {
	F   int    `json:"f"` // index in fields
	Old string `json:"old"`
	New string `json:"new"`
}

type htmlRead struct {
	F   int    `json:"f"` // index in fields
	Val string `json:"val"`
}

type htmlViol struct {
	Prop   string `json:"prop"`
	Step   int    `json:"step"`
	Msg    string `json:"msg"`
	AtStep bool   `json:"atStep"` // visible right after the step (else: at the end of the run)
}

type htmlAccount struct {
	Prop  string   `json:"prop"`
	Step  int      `json:"step"`
	Title string   `json:"title"`
	Lines []string `json:"lines"`
	Cited []int    `json:"cited"`
}

// WriteHTML writes the story as one self-contained HTML page (inline CSS
// and JavaScript, nothing fetched): the accounts of what went wrong, a
// swimlane timeline with one column per actor, and for the selected step
// its location, statement, outcome, source lines, the state it changed and
// the whole state after it. Steps are selected by clicking or with the
// arrow keys. Once rendered, the page's body carries data-steps="N"; if
// its script fails it carries data-error and shows the error.
func (st *Story) WriteHTML(w io.Writer, opt HTMLOptions) error {
	d := htmlData{Name: st.Name, Version: st.Trace.Version, Scenario: st.Trace.Scenario.String(), Seed: st.Trace.Seed,
		Strategy: st.Trace.Strategy, Lanes: st.Lanes, Idle: st.Idle, Fields: st.Fields, Initial: st.Initial, Explorer: opt.Explorer}
	if d.Idle == nil {
		d.Idle = []string{}
	}
	viol := func(v []htmlViol) []htmlViol {
		if v == nil {
			return []htmlViol{}
		}
		return v
	}
	for _, v := range st.Violations {
		d.Violations = append(d.Violations, htmlViol{Prop: string(v.Prop), Step: v.Step, Msg: v.Msg, AtStep: st.BrokenAtStep(v)})
	}
	d.Violations = viol(d.Violations)
	for i := range st.Steps {
		s := &st.Steps[i]
		hs := htmlStep{N: s.N, Actor: s.Actor, Lane: s.Lane, Outcome: s.Outcome, Loc: s.Loc, Func: s.Func, Text: s.Text,
			Enabled: s.Enabled, AtEnd: s.AtEnd, Changes: []htmlChange{}}
		if hs.Enabled == nil {
			hs.Enabled = []string{}
		}
		for _, c := range s.Changes {
			hs.Changes = append(hs.Changes, htmlChange{F: st.field[c.Field], Old: c.Old, New: c.New})
		}
		hs.Reads = []htmlRead{}
		for _, r := range s.Reads {
			hs.Reads = append(hs.Reads, htmlRead{F: st.field[r.Name], Val: r.Val})
		}
		for _, v := range s.Broke {
			hs.Broke = append(hs.Broke, htmlViol{Prop: string(v.Prop), Step: v.Step, Msg: v.Msg, AtStep: st.BrokenAtStep(v)})
		}
		hs.Broke = viol(hs.Broke)
		if opt.Sources != nil {
			hs.Source, hs.Note = opt.Sources.Snippet(s.Loc)
		}
		d.Steps = append(d.Steps, hs)
	}
	if d.Steps == nil {
		d.Steps = []htmlStep{}
	}
	for _, a := range st.Accounts {
		d.Accounts = append(d.Accounts, htmlAccount{Prop: string(a.Prop), Step: a.Step, Title: a.Title, Lines: a.Lines, Cited: a.Cited})
	}
	if d.Accounts == nil {
		d.Accounts = []htmlAccount{}
	}
	js, err := json.Marshal(d)
	if err != nil {
		return err
	}
	title := "dio-sim: " + st.Trace.Version + " " + st.Trace.Scenario.Name
	if st.Name != "" {
		title = "dio-sim: " + st.Name
	}
	page := strings.NewReplacer(
		"{{TITLE}}", html.EscapeString(title),
		"{{CSS}}", pageCSS,
		"{{DATA}}", string(js),
		"{{JS}}", pageJS,
	).Replace(pageHTML)
	_, err = io.WriteString(w, page)
	return err
}

const pageHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{TITLE}}</title>
<style>
{{CSS}}
</style>
</head>
<body>
<div id="render-error" class="render-error" hidden></div>
<noscript><p class="render-error">This page needs JavaScript to draw the timeline.</p></noscript>
<div id="top">
<header id="head"></header>
<section id="accounts"></section>
</div>
<main id="main">
  <div id="timeline-wrap"><table id="timeline"></table></div>
  <aside id="panel">
    <div id="nav"><button id="prev" type="button" title="previous step (left or up arrow)">&larr; prev</button>
    <span id="pos"></span>
    <button id="next" type="button" title="next step (right or down arrow)">next &rarr;</button></div>
    <div id="detail"></div>
    <h3>State after this step</h3>
    <label class="all"><input type="checkbox" id="showall"> show every field (otherwise: only those that differ from the start)</label>
    <table id="state"></table>
  </aside>
</main>
<script type="application/json" id="trace-data">{{DATA}}</script>
<script>
{{JS}}
</script>
</body>
</html>
`

const pageCSS = `:root { --fg: #1d1f21; --muted: #6b7280; --bg: #fbfbfa; --line: #d9d9d6; --bad: #b42318; --badbg: #fdecea; --sel: #1d4ed8; --chg: #fff4cc; }
* { box-sizing: border-box; }
html, body { height: 100%; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg);
  display: flex; flex-direction: column; overflow: hidden; }
#top { flex: 0 0 auto; max-height: 45vh; overflow: auto; border-bottom: 1px solid var(--line); }
code, .loc, pre, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12.5px; }
header { padding: 12px 20px 4px; }
header h1 { font-size: 18px; margin: 0 0 4px; }
header .meta { color: var(--muted); }
header .viol { margin: 6px 0 0; padding: 0; list-style: none; }
header .viol li { color: var(--bad); }
a.step-link { color: var(--sel); cursor: pointer; text-decoration: underline; white-space: nowrap; }
.nw { white-space: nowrap; }
#accounts { padding: 0 20px; }
#accounts details { border: 1px solid var(--line); border-left: 4px solid var(--bad); background: #fff; margin: 8px 0; padding: 6px 12px; border-radius: 4px; }
#accounts summary { cursor: pointer; font-weight: 600; color: var(--bad); }
#accounts ul { margin: 6px 0; padding-left: 20px; }
#accounts .cited { color: var(--muted); }
main { flex: 1 1 auto; min-height: 0; display: grid; grid-template-columns: minmax(0, 1fr) 460px; gap: 16px; padding: 8px 20px 8px; }
#timeline-wrap { overflow: auto; min-height: 0; }
#timeline { border-collapse: collapse; width: 100%; table-layout: fixed; }
#timeline th { position: sticky; top: 0; background: var(--bg); z-index: 1; text-align: left; padding: 4px 6px; border-bottom: 2px solid var(--line); }
#timeline th.num, #timeline td.num { width: 44px; text-align: right; color: var(--muted); }
#timeline td { vertical-align: top; padding: 2px 6px; border-bottom: 1px solid #eee; }
#timeline td.lane { border-left: 2px solid hsl(var(--h), 45%, 85%); }
#timeline tr.step { cursor: pointer; }
#timeline tr.step:hover td { background: #f1f1ee; }
#timeline tr.step.sel td { background: #e7eefc; }
#timeline tr.step.broke td.num { color: var(--bad); font-weight: 700; }
#timeline tr.step.broke td.hit { background: var(--badbg); }
#timeline tr.step.sel.broke td.hit { background: #f9d6d2; }
.cell { border-left: 4px solid hsl(var(--h), 60%, 45%); padding-left: 6px; }
.cell .who { font-weight: 600; color: hsl(var(--h), 60%, 30%); }
.cell .loc { color: #374151; }
.cell .fn { color: var(--muted); }
.cell .txt { color: #333; }
.cell .chg { color: #166534; font-size: 12px; }
.cell .rd { color: #1e40af; font-size: 12px; }
.cell .bad { color: var(--bad); font-weight: 600; }
aside { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; overflow: auto; min-height: 0; }
#nav { display: flex; justify-content: space-between; align-items: center; margin-bottom: 6px; }
#nav button { font: inherit; padding: 2px 10px; cursor: pointer; }
#detail h2 { font-size: 16px; margin: 4px 0; }
#detail .bad { color: var(--bad); font-weight: 600; margin: 6px 0; }
#detail pre { background: #f6f6f3; border: 1px solid #eee; padding: 6px; overflow-x: auto; margin: 6px 0; }
#detail pre .cited { background: #fff4cc; display: inline-block; width: 100%; }
#detail .note { color: var(--muted); font-style: italic; }
#detail ul { margin: 4px 0; padding-left: 18px; }
h3 { font-size: 14px; margin: 12px 0 4px; }
.all { color: var(--muted); font-size: 12px; }
#state { border-collapse: collapse; width: 100%; margin-top: 4px; }
#state td { padding: 1px 6px; border-bottom: 1px solid #f0f0f0; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }
#state tr.chg td { background: var(--chg); }
#state td.was { color: var(--muted); }
.render-error { margin: 12px 20px; padding: 8px 12px; border: 2px solid var(--bad); color: var(--bad); background: var(--badbg); font-weight: 600; }
.help { color: var(--muted); font-size: 12px; }
`

const pageJS = `(function () {
  'use strict';
  function fail(msg) {
    document.body.setAttribute('data-error', String(msg));
    var box = document.getElementById('render-error');
    box.textContent = 'The page failed to render: ' + msg;
    box.hidden = false;
  }
  window.addEventListener('error', function (e) { fail(e.message || 'script error'); });
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  var data, states = [], rows = [], cur = 1;
  // Writes text into parent, turning "step N" into links that select step
  // N, and keeping an errno such as -EIOCBQUEUED on one line.
  function linked(parent, text) {
    var re = /step (\d+)|-E[A-Z]+/g, last = 0, m;
    while ((m = re.exec(text)) !== null) {
      parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      if (m[1] === undefined) {
        parent.appendChild(el('span', 'nw', m[0]));
      } else {
        var a = el('a', 'step-link', m[0]);
        a.setAttribute('data-step', m[1]);
        a.addEventListener('click', (function (n) { return function () { select(n, true); }; })(+m[1]));
        parent.appendChild(a);
      }
      last = m.index + m[0].length;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
    return parent;
  }
  function hue(lane) { return (lane * 137 + 200) % 360; }
  function header() {
    var h = document.getElementById('head');
    h.appendChild(el('h1', '', data.name ? 'dio-sim explain: ' + data.name : 'dio-sim explain'));
    h.appendChild(el('div', 'meta', 'version ' + data.version + ', scenario ' + data.scenario));
    h.appendChild(el('div', 'meta', data.steps.length + ' steps (seed ' + data.seed + ', strategy ' + data.strategy + '); lanes: ' +
      data.lanes.join(', ') + (data.idle.length ? '; never stepped: ' + data.idle.join(', ') : '')));
    var ul = el('ul', 'viol');
    if (data.violations.length === 0) { ul.appendChild(el('li', '', 'No property breaks in this trace.')); }
    data.violations.forEach(function (v) {
      ul.appendChild(linked(el('li'), v.prop + ' broke at step ' + v.step + ': ' + v.msg));
    });
    h.appendChild(ul);
    h.appendChild(el('div', 'help', 'Click a step, or use the arrow keys (left/up: back, right/down: forward, Home/End).'));
  }
  function accounts() {
    var s = document.getElementById('accounts');
    data.accounts.forEach(function (a, i) {
      var d = el('details');
      d.className = 'account';
      if (i === 0) { d.open = true; }
      d.appendChild(linked(el('summary'), a.title));
      var ul = el('ul');
      a.lines.forEach(function (l) { ul.appendChild(linked(el('li'), l)); });
      d.appendChild(ul);
      d.appendChild(linked(el('div', 'cited'), 'Steps to look at: ' + a.cited.map(function (n) { return 'step ' + n; }).join(', ')));
      s.appendChild(d);
    });
  }
  function short(t, n) { return t.length > n ? t.slice(0, n - 1) + '\u2026' : t; }
  function timeline() {
    var t = document.getElementById('timeline');
    var thead = el('thead'), tr = el('tr');
    tr.appendChild(el('th', 'num', 'step'));
    data.lanes.forEach(function (l, i) {
      var th = el('th', '', l);
      th.style.setProperty('--h', hue(i));
      th.style.color = 'hsl(' + hue(i) + ', 60%, 30%)';
      tr.appendChild(th);
    });
    thead.appendChild(tr);
    t.appendChild(thead);
    var tb = el('tbody');
    data.steps.forEach(function (s) {
      var r = el('tr', 'step');
      r.id = 'row-' + s.n;
      r.setAttribute('data-n', s.n);
      if (s.broke.length) { r.className += ' broke'; }
      r.appendChild(el('td', 'num', s.n));
      for (var i = 0; i < data.lanes.length; i++) {
        var td = el('td', 'lane');
        td.style.setProperty('--h', hue(i));
        if (i === s.lane) {
          td.className += ' hit';
          var c = el('div', 'cell');
          c.style.setProperty('--h', hue(i));
          c.appendChild(el('span', 'who', s.actor + ' '));
          c.appendChild(el('span', 'loc', s.loc));
          c.appendChild(el('span', 'fn', ' ' + s.func));
          if (s.outcome !== '-') { c.appendChild(el('div', 'bad', 'outcome: ' + s.outcome)); }
          var txt = el('div', 'txt', short(s.text, 110));
          txt.title = s.text;
          c.appendChild(txt);
          if (s.reads.length) {
            c.appendChild(el('div', 'rd', short('reads ' + s.reads.map(function (x) { return data.fields[x.f] + ' = ' + x.val; }).join(', '), 140)));
          }
          if (s.changes.length) {
            c.appendChild(el('div', 'chg', short('\u21d2 ' + s.changes.map(function (x) { return data.fields[x.f] + ': ' + x.old + '\u2192' + x.new; }).join(', '), 140)));
          }
          s.broke.forEach(function (v) { c.appendChild(el('div', 'bad', '\u2717 ' + v.prop + ' broke')); });
          td.appendChild(c);
        }
        r.appendChild(td);
      }
      r.addEventListener('click', function () { select(s.n, false); });
      tb.appendChild(r);
      rows.push(r);
    });
    t.appendChild(tb);
  }
  function computeStates() {
    var v = data.initial.slice();
    states.push(v.slice());
    data.steps.forEach(function (s) {
      s.changes.forEach(function (c) { v[c.f] = c.new; });
      states.push(v.slice());
    });
  }
  function detail(s) {
    var d = document.getElementById('detail');
    d.textContent = '';
    d.appendChild(el('h2', '', 'Step ' + s.n + ': ' + s.actor));
    var p = el('div', 'mono');
    p.appendChild(el('span', 'loc', s.loc));
    p.appendChild(document.createTextNode(' in ' + s.func));
    d.appendChild(p);
    d.appendChild(el('p', '', s.text));
    if (data.explorer) {
      var ex = el('a', 'step-link', 'open in the explorer at this step');
      ex.id = 'explorer-link';
      ex.href = data.explorer + '&at=' + s.n;
      d.appendChild(el('div', 'help')).appendChild(ex);
    }
    if (s.outcome !== '-') { d.appendChild(el('div', 'bad', 'Fault point outcome: ' + s.outcome)); }
    d.appendChild(el('div', 'help', 'could run: ' + s.enabled.join(', ')));
    if (s.note) { d.appendChild(el('div', 'note', s.note)); }
    if (s.source) {
      var pre = el('pre');
      s.source.lines.forEach(function (l) {
        var line = el('span', l.cited ? 'cited' : '', (l.cited ? '> ' : '  ') + (l.n ? String(l.n).padStart(5, ' ') : '     ') + '  ' + l.text);
        pre.appendChild(line);
        pre.appendChild(document.createTextNode('\n'));
      });
      d.appendChild(el('div', 'help', s.source.file));
      d.appendChild(pre);
    }
    if (s.reads.length) {
      d.appendChild(el('h3', '', 'Read'));
      var ulr = el('ul', 'mono reads');
      s.reads.forEach(function (x) { ulr.appendChild(el('li', '', data.fields[x.f] + ' = ' + x.val)); });
      d.appendChild(ulr);
    }
    if (s.changes.length) {
      d.appendChild(el('h3', '', 'Changed'));
      var ul = el('ul', 'mono');
      s.changes.forEach(function (c) { ul.appendChild(el('li', '', data.fields[c.f] + ': ' + c.old + ' \u2192 ' + c.new)); });
      d.appendChild(ul);
    } else {
      d.appendChild(el('div', 'help', 'This step changed no shared state.'));
    }
    s.broke.forEach(function (v) {
      d.appendChild(linked(el('div', 'bad'), '\u2717 ' + v.prop + (v.atStep ? ' broke here: ' : ' broken, seen when the run ended here: ') + v.msg));
    });
    if (s.atEnd) { d.appendChild(el('div', 'help', 'The run ends here: no actor can move.')); }
  }
  function stateTable(n) {
    var t = document.getElementById('state');
    var all = document.getElementById('showall').checked;
    t.textContent = '';
    var changed = {};
    if (n >= 1) { data.steps[n - 1].changes.forEach(function (c) { changed[c.f] = c.old; }); }
    var tb = el('tbody');
    data.fields.forEach(function (f, i) {
      var v = states[n][i];
      var isChg = Object.prototype.hasOwnProperty.call(changed, i);
      if (!all && !isChg && v === data.initial[i]) { return; }
      var r = el('tr', isChg ? 'chg' : '');
      r.appendChild(el('td', '', f));
      r.appendChild(el('td', '', v));
      r.appendChild(el('td', 'was', isChg ? 'was ' + changed[i] : ''));
      tb.appendChild(r);
    });
    t.appendChild(tb);
  }
  function select(n, scroll) {
    if (n < 1 || n > data.steps.length) { return; }
    if (rows[cur - 1]) { rows[cur - 1].classList.remove('sel'); }
    cur = n;
    var r = rows[n - 1];
    r.classList.add('sel');
    if (scroll && r.scrollIntoView) { r.scrollIntoView({ block: 'nearest' }); }
    document.getElementById('pos').textContent = 'step ' + n + ' of ' + data.steps.length;
    detail(data.steps[n - 1]);
    stateTable(n);
    document.body.setAttribute('data-selected', String(n));
  }
  function keys(e) {
    if (e.altKey || e.ctrlKey || e.metaKey) { return; }
    var k = e.key, to = null;
    if (k === 'ArrowRight' || k === 'ArrowDown' || k === 'j') { to = cur + 1; }
    else if (k === 'ArrowLeft' || k === 'ArrowUp' || k === 'k') { to = cur - 1; }
    else if (k === 'Home') { to = 1; }
    else if (k === 'End') { to = data.steps.length; }
    if (to === null) { return; }
    e.preventDefault();
    select(Math.max(1, Math.min(data.steps.length, to)), true);
  }
  // selftest drives the page as a learner would (keys, clicks) and
  // records the outcome in the body's data-selftest attribute.
  function selftest() {
    var n = data.steps.length, log = [];
    function key(k) { document.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true })); }
    function expect(what, want) {
      var got = +document.body.getAttribute('data-selected');
      if (got !== want) { log.push(what + ': selected ' + got + ', want ' + want); }
    }
    select(1, false);
    key('ArrowDown'); expect('ArrowDown', Math.min(2, n));
    key('ArrowRight'); expect('ArrowRight', Math.min(3, n));
    key('ArrowLeft'); expect('ArrowLeft', Math.min(2, n));
    key('ArrowUp'); expect('ArrowUp', 1);
    key('ArrowUp'); expect('ArrowUp at the first step', 1);
    key('End'); expect('End', n);
    key('ArrowDown'); expect('ArrowDown at the last step', n);
    key('Home'); expect('Home', 1);
    if (n >= 5) { rows[4].click(); expect('click on step 5', 5); }
    var link = document.querySelector('#accounts a.step-link');
    if (link) { link.click(); expect('click on a step link', +link.getAttribute('data-step')); }
    var shown = document.querySelectorAll('#state tr').length;
    document.getElementById('showall').click();
    if (document.querySelectorAll('#state tr').length !== data.fields.length) { log.push('show all: ' + document.querySelectorAll('#state tr').length + ' rows'); }
    document.getElementById('showall').click();
    if (document.querySelectorAll('#state tr').length !== shown) { log.push('hide again'); }
    document.body.setAttribute('data-selftest', log.length ? 'fail: ' + log.join('; ') : 'ok');
  }
  try {
    data = JSON.parse(document.getElementById('trace-data').textContent);
    header();
    accounts();
    computeStates();
    timeline();
    document.getElementById('prev').addEventListener('click', function () { select(cur - 1, true); });
    document.getElementById('next').addEventListener('click', function () { select(cur + 1, true); });
    document.getElementById('showall').addEventListener('change', function () { stateTable(cur); });
    document.addEventListener('keydown', keys);
    var m = /^#step-(\d+)$/.exec(window.location.hash || '');
    if (data.steps.length) { select(m ? +m[1] : 1, !!m); }
    document.body.setAttribute('data-steps', String(rows.length));
    if (window.location.hash === '#selftest') { selftest(); }
  } catch (e) {
    fail(e && e.message ? e.message : e);
  }
})();
`
