// One browser scenario against a running example server, driven by ../e2e_test.go:
//
//	node scenario.mjs '{"chromium":"/usr/bin/chromium","page":"http://127.0.0.1:41000/",
//	  "api":"http://127.0.0.1:42000","mode":"cookie","shots":"/tmp/shots","name":"gin-cookie-cross",
//	  "unlisted":"http://127.0.0.1:43000/"}'
//
// It logs in through the page's form, calls /api/me, waits for the access token to expire and
// watches the page refresh once and retry, checks where the tokens are (never in storage or in
// document.cookie), logs out, and checks the cookies are gone and the refresh token is refused.
// With "unlisted", a page served from that origin (not in JWTKIT_CORS_ORIGINS) must read no
// answer at all. Screenshots go to "shots". Any failure exits with status 1 and says why.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const cfg = JSON.parse(process.argv[2]);
const password = "demo-password";
const wait = { timeout: 15_000 };

const browser = await chromium.launch({
  executablePath: cfg.chromium,
  headless: true,
  // A fresh temporary profile each launch (Playwright's default); no sandbox, since CI runs
  // as root in a container; nothing in the background that would reach the network.
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run"],
});
mkdirSync(cfg.shots, { recursive: true });
const shot = (page, what) => page.screenshot({ path: join(cfg.shots, `${cfg.name}-${what}.png`), fullPage: true });

let current;
try {
  await listed();
  if (cfg.unlisted) await unlisted();
} catch (err) {
  if (current) await shot(current, "failed").catch(() => {});
  console.error(`${cfg.name}: ${err.stack || err}`);
  if (current) console.error("page log:\n" + (await logLines(current).catch(() => [])).join("\n"));
  process.exitCode = 1;
} finally {
  await browser.close();
}

async function logLines(page) {
  return page.locator("#log li").allTextContents();
}

// waitLast waits until the page's request log ends with text.
async function waitLast(page, text) {
  await page.waitForFunction((t) => document.querySelector("#log li:last-child")?.textContent === t, text, wait);
}

async function login(page) {
  await page.fill("#username", "demo");
  await page.fill("#password", password);
  await page.click("#login-button");
}

async function listed() {
  const context = await browser.newContext();
  const page = await context.newPage();
  current = page;
  let obtained;
  page.on("response", async (res) => {
    if (res.url() === cfg.api + "/api/token/" && res.request().method() === "POST") obtained = await res.json();
  });

  await page.goto(cfg.page);
  await login(page);
  await page.waitForSelector('#session[data-state="in"]', wait);
  assert.match(await page.textContent("#mode"), new RegExp(`^${cfg.mode} `), "the page tells the mode from the login answer");

  // The refresh token: in the login answer in header mode; in cookie mode only in its cookie.
  let refresh;
  const jar = async () => Object.fromEntries((await context.cookies()).map((c) => [c.name, c]));
  if (cfg.mode === "header") {
    assert.ok(obtained?.refresh, "header mode answers the refresh token in the body");
    refresh = obtained.refresh;
    assert.deepEqual(Object.keys(await jar()), [], "header mode sets no cookie");
  } else {
    assert.deepEqual(Object.keys(obtained ?? {}), ["access"], "cookie mode leaves refresh out of the body");
    const cookies = await jar();
    const rc = cookies["__Secure-jwtkit-refresh"];
    assert.ok(rc, `the refresh cookie is stored (cookies: ${Object.keys(cookies)})`);
    assert.equal(rc.httpOnly, true);
    assert.equal(rc.secure, true);
    assert.equal(rc.sameSite, "Strict");
    assert.equal(rc.path, "/api/token/");
    assert.equal(cookies["jwtkit-csrf"]?.httpOnly, false, "scripts can read the CSRF cookie");
    refresh = rc.value;
  }

  await page.click("#me");
  // The first call may already meet an expired token on a slow machine; it ends in a 200 either way.
  await waitLast(page, "GET /api/me 200");
  assert.deepEqual(JSON.parse((await page.textContent("#result")).split("\n").slice(1).join("\n")),
    { user_id: 1, username: "demo" });

  // Let the access token expire (the server's JWTKIT_ACCESS_TTL is short, and it tolerates no
  // clock skew), then the same click: a 401, one refresh, one retry.
  const exp = Number(await page.getAttribute("#session", "data-exp"));
  await page.waitForTimeout(Math.max(0, exp * 1000 - Date.now()) + 300);
  const before = (await logLines(page)).length;
  await page.click("#me");
  await page.waitForFunction((n) => document.querySelectorAll("#log li").length >= n, before + 3, wait);
  assert.deepEqual((await logLines(page)).slice(before),
    ["GET /api/me 401", "POST /api/token/refresh/ 200", "GET /api/me 200"]);
  assert.ok(Number(await page.getAttribute("#session", "data-exp")) > exp, "the page holds a newer access token");

  // No token is where a script could find it later.
  const seen = await page.evaluate(() => ({
    cookie: document.cookie, local: localStorage.length, session: sessionStorage.length,
  }));
  assert.equal(seen.local, 0, "nothing in localStorage");
  assert.equal(seen.session, 0, "nothing in sessionStorage");
  assert.ok(!seen.cookie.includes(refresh), "document.cookie never holds the refresh token");
  assert.ok(!seen.cookie.includes("jwtkit-refresh"), "the refresh cookie is HttpOnly");
  if (cfg.mode === "header") assert.equal(seen.cookie, "", "header mode uses no cookie");
  else assert.match(seen.cookie, /^jwtkit-csrf=[A-Za-z0-9_-]{43}$/, "the CSRF cookie is the only readable one");
  await shot(page, "signed-in");

  await page.click("#logout");
  await waitLast(page, "POST /api/token/blacklist/ 200");
  await page.waitForSelector('#session[data-state="out"]', wait);
  assert.deepEqual(Object.keys(await jar()), [], "log out leaves no cookie");
  assert.equal(await page.evaluate(() => document.cookie), "");

  // Refresh fails: the page has nothing left to refresh with, and the token itself is revoked.
  await page.click("#refresh");
  await page.waitForFunction(() => / 4\d\d$/.test(document.querySelector("#log li:last-child")?.textContent ?? ""),
    undefined, wait);
  assert.match((await logLines(page)).at(-1), /^POST \/api\/token\/refresh\/ 4\d\d$/);
  const res = await fetch(cfg.api + "/api/token/refresh/", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ refresh }),
  });
  assert.equal(res.status, 401);
  assert.deepEqual(await res.json(), { detail: "Token is blacklisted", code: "token_not_valid" });
  await shot(page, "final");
  await context.close();
}

// A page on an origin the server does not list: every request fails in the browser, so no
// answer, not even the public health check, reaches the script.
async function unlisted() {
  const context = await browser.newContext();
  const page = await context.newPage();
  current = page;
  await page.goto(cfg.unlisted);
  await login(page);
  await waitLast(page, "POST /api/token/ blocked");
  await page.click("#health");
  await waitLast(page, "GET /api/health blocked");
  await page.click("#me");
  await waitLast(page, "GET /api/me blocked");
  assert.equal(await page.getAttribute("#session", "data-state"), "out");
  assert.deepEqual(await context.cookies(), [], "no cookie was set");
  await shot(page, "unlisted");
  await context.close();
}
