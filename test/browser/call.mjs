// Two headless Chromium pages (fake camera and microphone) open the built-in
// video provider's call page of one room, each with its own invitation, and
// must both reach the ICE state "connected". Run by call_test.go, which starts
// the server and passes the settings as JSON in CALL_TEST (see there).
// Prints one JSON line with each page's final state; exits 1 on failure.
import { chromium } from 'playwright-core';

const cfg = JSON.parse(process.env.CALL_TEST || '{}');
const flags = [
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

const result = { ok: false, pages: [] };
const browser = await chromium.launch({ executablePath: cfg.chromium, headless: true, args: flags, timeout: 60000 });
try {
  const pages = [];
  for (const [i, url] of cfg.urls.entries()) {
    const context = await browser.newContext({ viewport: { width: 960, height: 720 } });
    await context.grantPermissions(['camera', 'microphone'], { origin: new URL(url).origin });
    const page = await context.newPage();
    const log = [];
    page.on('console', (m) => log.push(`${m.type()}: ${m.text()}`.slice(0, 300)));
    page.on('pageerror', (e) => log.push(`pageerror: ${e.message}`.slice(0, 300)));
    await page.goto(url, { waitUntil: 'load' });
    pages.push({ i, page, log });
  }
  // both join, the second a moment later, as people do; the first with the
  // keyboard only (Tab to the button, Enter)
  await pages[0].page.keyboard.press('Tab');
  result.keyboardFocus = await pages[0].page.evaluate(() => document.activeElement && document.activeElement.id);
  await pages[0].page.keyboard.press('Enter');
  await pages[0].page.waitForTimeout(300);
  await pages[1].page.getByRole('button', { name: 'Entrar na chamada' }).click();
  const connected = 'body[data-ice="connected"], body[data-ice="completed"]';
  const waits = pages.map((p) => p.page.waitForSelector(connected, { timeout: cfg.timeoutMs || 30000 }).then(() => true, () => false));
  const ok = await Promise.all(waits);
  // the remote video plays frames of the other side's fake camera
  const playing = await Promise.all(pages.map((p) => p.page.waitForFunction(() => {
    const v = document.getElementById('remote');
    return v.srcObject && v.videoWidth > 0 && v.readyState >= 2;
  }, null, { timeout: 10000 }).then(() => true, () => false)));
  for (const p of pages) {
    const shot = `${cfg.outDir}/page-${p.i + 1}.png`;
    await p.page.screenshot({ path: shot });
    const state = await p.page.evaluate(() => ({
      ice: document.body.dataset.ice,
      state: document.body.dataset.state,
      status: document.getElementById('status').textContent,
      videoWidth: document.getElementById('remote').videoWidth,
    }));
    result.pages.push({ ...state, connected: ok[p.i], remotePlaying: playing[p.i], screenshot: shot, log: p.log.slice(-20) });
  }
  // the second mutes, then hangs up: the first is told and waits again
  const second = pages[1].page;
  await second.getByRole('button', { name: 'Desativar microfone' }).click();
  result.muted = await second.evaluate(() => document.getElementById('mute').getAttribute('aria-pressed') === 'true');
  await second.getByRole('button', { name: 'Encerrar' }).click();
  result.hangup = await pages[0].page.waitForSelector('body[data-state="waiting"]', { timeout: 10000 }).then(() => true, () => false);
  result.ok = ok.every(Boolean) && playing.every(Boolean) && result.keyboardFocus === 'join' && result.muted && result.hangup;
} catch (e) {
  result.error = String(e && e.stack || e).slice(0, 2000);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
process.exit(result.ok ? 0 : 1);
