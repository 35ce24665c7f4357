// Opens nprof's HTML report in headless Chromium and checks what a reader
// sees: no page error; the hot line's row shows the text report's self %;
// sorting the function table by a column orders its rows; clicking a
// frame of the icicle chart zooms it to the chart's full width; the
// search box highlights matching frames.  Saves a screenshot.
// usage: node html-check.js NODE_MODULES CHROMIUM PAGE HOT_LINE SELF_PCT PNG
const path = require('path');
const [modules, chromium, page_path, hotLine, selfPct, png] = process.argv.slice(2);
const puppeteer = require(path.join(modules, 'puppeteer-core'));

function check(ok, what) {
  if (!ok) throw new Error(what);
  console.log('ok: ' + what);
}

(async () => {
  const browser = await puppeteer.launch({
    executablePath: chromium, headless: true, args: ['--no-sandbox', '--disable-gpu'],
  });
  const errors = [], requests = [];
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1440, height: 900 });
    page.on('pageerror', e => errors.push(e.message));
    page.on('console', m => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('request', r => { if (!r.url().startsWith('file:')) requests.push(r.url()); });
    await page.goto('file://' + page_path);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 20000 });
    await page.screenshot({ path: png, fullPage: false });

    const row = await page.$eval(`#source tr[data-line="${hotLine}"]`, tr => ({
      self: tr.querySelector('td.self b') ? tr.querySelector('td.self b').textContent : '',
      hot: tr.classList.contains('hot'),
    }));
    check(row.self === selfPct, `line ${hotLine} shows self ${row.self}, the text report ${selfPct}`);
    check(row.hot, `line ${hotLine} is marked as the hot line`);

    await page.click('#funcs th[data-key="name"]');
    let names = await page.$$eval('#funcs tbody tr', rs => rs.map(r => r.dataset.name));
    check(names.join('\n') === [...names].sort().join('\n'), 'sorting by function name orders the rows: ' + names);
    await page.click('#funcs th[data-key="total"]');
    let totals = await page.$$eval('#funcs tbody tr', rs => rs.map(r => +r.dataset.total));
    check(totals.every((t, i) => i === 0 || totals[i - 1] >= t), 'sorting by total orders the rows: ' + totals);
    await page.click('#funcs th[data-key="total"]');
    totals = await page.$$eval('#funcs tbody tr', rs => rs.map(r => +r.dataset.total));
    check(totals.every((t, i) => i === 0 || totals[i - 1] <= t), 'a second click reverses it: ' + totals);

    const chart = await page.$eval('#flame', e => e.clientWidth);
    const target = await page.$$eval('.fl-node.user', ns => {
      const n = ns.filter(n => n.getBoundingClientRect().width > 4)
        .sort((a, b) => a.getBoundingClientRect().width - b.getBoundingClientRect().width)[0];
      return n ? { label: n.dataset.label, width: n.getBoundingClientRect().width } : null;
    });
    check(target, 'the chart has a frame of user code');
    await page.evaluate(label => {
      [...document.querySelectorAll('.fl-node')].find(n => n.dataset.label === label && !n.classList.contains('ancestor')).click();
    }, target.label);
    const zoomed = await page.$$eval('.fl-node', (ns, label) => {
      const n = ns.find(n => n.dataset.label === label && !n.classList.contains('ancestor'));
      return n ? n.getBoundingClientRect().width : 0;
    }, target.label);
    check(zoomed >= chart - 2 && zoomed > target.width,
          `clicking "${target.label}" (${target.width.toFixed(0)} px) zooms it to the chart's width (${zoomed.toFixed(0)} of ${chart} px)`);
    await page.click('.fl-node.ancestor');
    await page.type('#search', 'kernel');
    const matches = await page.$$eval('.fl-node.match', ns => ns.map(n => n.dataset.label));
    check(matches.length > 0 && matches.every(l => l.includes('kernel')), 'search highlights ' + matches.length + ' kernel frames');
    const other = await page.$$eval('.fl-node.match', ns => ns.filter(n => !n.dataset.label.includes('kernel')).length);
    check(other === 0, 'and nothing else');
    await page.evaluate(() => { document.getElementById('search').value = ''; document.getElementById('search').dispatchEvent(new Event('input')); });
    check(requests.length === 0, 'the page asked the network for nothing: ' + requests);
    check(errors.length === 0, 'no page errors: ' + errors.join('; '));
  } finally {
    await browser.close();
  }
})().catch(e => { console.log('FAIL: ' + e.message); process.exit(1); });
