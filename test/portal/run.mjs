// Runs one journey file: node run.mjs <journey>.mjs. Environment: BASE_URL,
// CHROMIUM, SHOTS (folder for screenshots), ADMIN_EMAIL, ADMIN_PASSWORD.
import { basename, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { makeT, newContext } from "./lib.mjs";

const file = process.argv[2];
const journey = basename(file, ".mjs");
const log = (s) => console.log(`[${journey}] ${s}`);
const { browser, context } = await newContext({ base: process.env.BASE_URL, chromium: process.env.CHROMIUM });
const page = await context.newPage();
const t = makeT({ page, base: process.env.BASE_URL, shots: process.env.SHOTS, journey, log, browser });
let code = 0;
try {
  const mod = await import(pathToFileURL(resolve(file)).href);
  await mod.default(t);
  // A page that threw or logged errors is a failure even when the steps passed
  // (a 4xx the journey provokes on purpose is logged by the browser as a
  // failed resource: those are not counted).
  const errors = t.consoleErrors.filter((e) => !/Failed to load resource/.test(e));
  if (errors.length) throw new Error(`errors in the browser console:\n${errors.join("\n")}`);
  log("PASS");
} catch (e) {
  console.error(`[${journey}] FAIL: ${e.stack || e}`);
  code = 1;
} finally {
  await browser.close();
}
process.exit(code);
