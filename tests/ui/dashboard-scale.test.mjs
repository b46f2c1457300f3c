// dashboard-scale.test.mjs: the centre's dashboard at national scale (`kijun demo-scale`:
// 1,000 evaluated organisations, two fiscal years). Prints how long after navigation the
// dashboard is usable (the page's own mark once the heatmap, charts and board are drawn),
// measured in Chromium over full page loads; printed, not asserted. KIJUN_UI_SCALE=0
// skips it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { freshSqlite, kijunOk, launch, login, newPage, screenshot, startServer } from './harness.mjs';

const BIN = process.env.KIJUN_BIN || 'build/kijun';

test('the dashboard at national scale (sqlite)', { skip: process.env.KIJUN_UI_SCALE === '0' }, async () => {
  const dsn = freshSqlite();
  let t0 = Date.now();
  const gen = spawnSync(BIN, ['--db', dsn, 'demo-scale', '--years', '2'], { encoding: 'utf8' });
  assert.equal(gen.status, 0, gen.stderr);
  const fy = Number(/FY\d+ to FY(\d+)/.exec(gen.stdout)[1]);
  console.log(`# demo-scale: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  kijunOk(dsn, ['user', 'add', '--name', 'ui-centre', '--org', 'NCO', '--role', 'centre_analyst', '--password-stdin'],
    { input: 'dashboard-viewer-Pw-1\n' });
  t0 = Date.now();
  kijunOk(dsn, ['eval', 'refresh', '--fy', String(fy)]);
  console.log(`# evaluation of FY${fy} computed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const srv = await startServer(dsn);
  const browser = await launch();
  try {
    const page = await newPage(browser, srv.url);
    await login(page, 'ui-centre', 'dashboard-viewer-Pw-1');
    const runs = [];
    for (let i = 0; i < 3; i++) {
      await page.goto(`/#/dashboard?fy=${fy}`);
      await page.reload();
      await page.waitForFunction((y) => document.body.dataset.ready === `dashboard-${y}`, fy);
      // Milliseconds after navigation: the data in hand, the page built, laid out and usable.
      runs.push(await page.evaluate(() => Object.fromEntries(['data', 'built', 'ready'].map((m) =>
        [m, Math.round(performance.getEntriesByName(`kj:dashboard-${m}`)[0].startTime)]))));
    }
    const rows = await page.locator('#heatmap tbody tr').count();
    assert.ok(rows >= 1000, `${rows} organisations in the heatmap`);
    runs.sort((a, b) => a.ready - b.ready);
    console.log(`# dashboard with ${rows} organisations usable ${runs.map((r) => r.ready).join(', ')} ms after navigation `
      + `(median ${runs[1].ready} ms: data at ${runs[1].data}, built at ${runs[1].built})`);
    await screenshot(page, '90-dashboard-national-scale');
  } finally {
    await browser.close();
    await srv.stop();
  }
});
