// Loads each profile given into speedscope's own page (its npm package's
// dist/release/index.html) in headless Chromium, the way speedscope's CLI
// does (#localProfilePath= a script that hands the file over), and fails
// unless speedscope imported it: its title names the profile, and no page
// error, console error or alert ("Unrecognized format") came.
// usage: node speedscope-import.js NODE_MODULES CHROMIUM TMPDIR PROFILE...
const fs = require('fs');
const path = require('path');
const [modules, chromium, tmp, ...profiles] = process.argv.slice(2);
const puppeteer = require(path.join(modules, 'puppeteer-core'));
const index = path.join(modules, 'speedscope', 'dist', 'release', 'index.html');

async function check(browser, profile) {
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', e => problems.push('page error: ' + e.message));
  page.on('console', m => { if (m.type() === 'error') problems.push('console error: ' + m.text()); });
  page.on('dialog', async d => { problems.push('alert: ' + d.message()); await d.dismiss(); });
  const name = path.basename(profile);
  const loader = path.join(tmp, name + '.load.js');
  const b64 = fs.readFileSync(profile).toString('base64');
  fs.writeFileSync(loader, `speedscope.loadFileFromBase64(${JSON.stringify(name)}, ${JSON.stringify(b64)})`);
  await page.goto('file://' + index + '#localProfilePath=' + loader);
  try {
    await page.waitForFunction(() => document.title !== 'speedscope' && document.title.includes('speedscope'),
                               { timeout: 30000 });
  } catch (e) {
    problems.push('speedscope never showed the profile (title: ' + await page.title() + ')');
  }
  const title = await page.title();
  await page.close();
  return { title, problems };
}

(async () => {
  const browser = await puppeteer.launch({
    executablePath: chromium, headless: true,
    args: ['--no-sandbox', '--allow-file-access-from-files', '--disable-gpu'],
  });
  let failed = 0;
  for (const profile of profiles) {
    const { title, problems } = await check(browser, profile);
    if (problems.length) {
      failed++;
      console.log('FAIL ' + profile + ': ' + problems.join('; '));
    } else {
      console.log('OK ' + profile + ': ' + title);
    }
  }
  await browser.close();
  process.exit(failed ? 1 : 0);
})().catch(e => { console.log('FAIL: ' + e.stack); process.exit(1); });
