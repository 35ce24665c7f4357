// Opens nprof's HTML report of a parallel run in headless Chromium and
// checks its thread table against the text report's: one row per thread
// with the same tid, samples and top line; the header names the share
// waiting in Numba's thread pool; clicking a row shows that thread alone
// (the selector follows).  Saves a screenshot.
// usage: node html-threads.js NODE_MODULES CHROMIUM PAGE EXPECTED.json PNG
//   EXPECTED: {"waiting": "3.7%", "threads": [[tid, samples, "file.py:12"], ...]}
const fs = require('fs');
const path = require('path');
const [modules, chromium, page_path, expected_path, png] = process.argv.slice(2);
const puppeteer = require(path.join(modules, 'puppeteer-core'));
const expected = JSON.parse(fs.readFileSync(expected_path, 'utf8'));

function check(ok, what) {
  if (!ok) throw new Error(what);
  console.log('ok: ' + what);
}

(async () => {
  const browser = await puppeteer.launch({
    executablePath: chromium, headless: true, args: ['--no-sandbox', '--disable-gpu'],
  });
  const errors = [];
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1440, height: 900 });
    page.on('pageerror', e => errors.push(e.message));
    page.on('console', m => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto('file://' + page_path);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 20000 });
    const facts = await page.$eval('#summary .facts', e => e.textContent);
    check(facts.includes(expected.waiting + " waiting in Numba's thread pool"),
          `the header says ${expected.waiting} waiting in Numba's thread pool: ${facts}`);
    const rows = await page.$$eval('#threads tbody tr', rs => rs.map(r =>
      [...r.querySelectorAll('td')].map(td => td.textContent)));
    check(rows.length === expected.threads.length, `${rows.length} thread rows, the text report ${expected.threads.length}`);
    expected.threads.forEach(([tid, samples, top], i) => {
      check(rows[i][0] === String(tid) && rows[i][2] === String(samples) && rows[i][5].startsWith(top),
            `row ${i}: thread ${rows[i][0]}, ${rows[i][2]} samples, top ${rows[i][5]} (text: ${tid}, ${samples}, ${top})`);
    });
    await page.evaluate(() => document.getElementById('threads').scrollIntoView());
    await page.screenshot({ path: png, fullPage: false });
    await page.click('#threads tbody tr:nth-child(2)');
    const sel = await page.$eval('#thread', s => s.value);
    check(sel === 't1', 'clicking the second row selects that thread: ' + sel);
    check(errors.length === 0, 'no page errors: ' + errors.join('; '));
  } finally {
    await browser.close();
  }
})().catch(e => { console.log('FAIL: ' + e.message); process.exit(1); });
