// The journeys' toolkit: a Chromium page on the server under test, API calls
// for setting up what a journey does not do through pages, accessibility
// checks (axe-core) and screenshots kept as artefacts.
import { chromium } from "playwright-core";
import { AxeBuilder } from "@axe-core/playwright";
import { randomInt } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

export const PASSWORD = "Portal-Teste-2026!";

function digitsOf(n) {
  let s = "";
  for (let i = 0; i < n; i++) s += String(randomInt(10));
  return s;
}

// cpf builds a valid CPF (check digits right, not all digits equal).
export function cpf() {
  for (;;) {
    const base = digitsOf(9);
    if (/^(\d)\1+$/.test(base)) continue;
    const dig = (s, w) => {
      let sum = 0;
      for (let i = 0; i < s.length; i++) sum += Number(s[i]) * (w - i);
      const r = (sum * 10) % 11;
      return r === 10 ? "0" : String(r);
    };
    const d1 = dig(base, 10);
    return base + d1 + dig(base + d1, 11);
  }
}

// cnpj builds a valid numeric CNPJ.
export function cnpj() {
  const base = digitsOf(8) + "0001";
  const dig = (s) => {
    let sum = 0,
      w = 2;
    for (let i = s.length - 1; i >= 0; i--) {
      sum += Number(s[i]) * w;
      w = w === 9 ? 2 : w + 1;
    }
    const r = sum % 11;
    return r < 2 ? "0" : String(11 - r);
  };
  const d1 = dig(base);
  return base + d1 + dig(base + d1);
}

export function email(prefix) {
  return `${prefix}-${digitsOf(10)}@portal.test`;
}

export const saoPaulo = () => ({
  cep: "01310-100",
  street: "Avenida Paulista",
  number: "1000",
  complement: "ap 12",
  district: "Bela Vista",
  city: "São Paulo",
  uf: "SP",
});

export async function newContext(opts) {
  const browser = await chromium.launch({
    executablePath: opts.chromium,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const context = await browser.newContext({ baseURL: opts.base, locale: "pt-BR", timezoneId: "America/Sao_Paulo", viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(15_000);
  return { browser, context };
}

// makeT is what a journey receives.
export function makeT({ page, base, shots, journey, log, browser }) {
  mkdirSync(shots, { recursive: true });
  const consoleErrors = [];
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(m.text());
  });
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  let shotN = 0;
  const t = {
    page,
    base,
    admin: { email: process.env.ADMIN_EMAIL, password: process.env.ADMIN_PASSWORD },
    consoleErrors,
    log,
    expect(cond, message) {
      if (!cond) throw new Error(`expectation failed: ${message}`);
    },
    async step(name, fn) {
      log(`step: ${name}`);
      try {
        return await fn();
      } catch (e) {
        await t.shot(`FAILED-${name}`).catch(() => undefined);
        throw new Error(`step "${name}": ${e.message}`, { cause: e });
      }
    },
    async shot(name) {
      return t.shotOf(page, name);
    },
    // axe fails on serious or critical violations of WCAG 2 A/AA rules.
    async axe(name) {
      return t.axeOf(page, name);
    },
    async api(method, path, body, token, headers = {}) {
      const h = { ...headers };
      if (body !== undefined && body !== null) h["Content-Type"] = "application/json";
      if (token) h.Authorization = `Bearer ${token}`;
      const res = await fetch(base + path, { method, headers: h, body: body == null ? undefined : JSON.stringify(body) });
      const text = await res.text();
      let json;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = text;
      }
      return { status: res.status, json, headers: res.headers };
    },
    async must(method, path, body, token, want, headers) {
      const r = await t.api(method, path, body, token, headers);
      const ok = want ? r.status === want : r.status >= 200 && r.status < 300;
      if (!ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.json)}`);
      return r.json;
    },
    async token(emailAddr, password, kind) {
      const body = { grant_type: "password", email: emailAddr, password };
      if (kind) body.account_kind = kind;
      return (await t.must("POST", "/v1/auth/token", body)).access_token;
    },
    async adminToken() {
      return t.token(t.admin.email, t.admin.password, "admin");
    },
    async grant(token, ...purposes) {
      for (const p of purposes) {
        const term = await t.must("GET", `/v1/consent-terms/${p}`);
        await t.must("POST", "/v1/me/consents", { purpose: p, decision: "granted", term_version: term.version }, token, 201, {
          "X-Consent-Channel": "portal",
        });
      }
    },
    async signUpPatient(extra = {}) {
      const body = { name: "Maria Souza", email: email("paciente"), password: PASSWORD, cpf: cpf(), birth_date: "1990-04-12", phone: "+5511987654321", address: saoPaulo(), ...extra };
      const out = await t.must("POST", "/v1/patients", body, undefined, 201);
      const token = await t.token(body.email, PASSWORD, "patient");
      await t.grant(token, "telemedicine", "partner_sharing");
      return { id: out.id, email: body.email, password: PASSWORD, name: body.name, token };
    },
    async signUpProfessional(extra = {}, { verify = true } = {}) {
      const profession = extra.profession ?? "physician";
      const council = { physician: "CRM", nutritionist: "CRN", physiotherapist: "CREFITO", physical_educator: "CREF", psychologist: "CRP" }[profession];
      const body = {
        name: "Dr. João Lima", email: email("profissional"), password: PASSWORD, cpf: cpf(), phone: "+5511912345678", profession,
        council: { type: council, number: String(randomInt(10000, 999999)), uf: "SP" }, specialties: ["cardiology"], bio: "Atendimento humanizado.",
        price: { amount: 25000, currency: "BRL" }, modes: ["in_person", "telemedicine"], address: saoPaulo(), ...extra,
      };
      const out = await t.must("POST", "/v1/professionals", body, undefined, 201);
      if (verify) await t.must("POST", `/v1/admin/professionals/${out.id}/verify`, null, await t.adminToken(), 200);
      const token = verify ? await t.token(body.email, PASSWORD, "professional") : undefined;
      return { id: out.id, email: body.email, password: PASSWORD, name: body.name, token };
    },
    async signUpCompany(type, { verify = true } = {}) {
      const body = {
        legal_name: "Empresa Parceira Ltda", trade_name: "Parceira", cnpj: cnpj(), type, address: saoPaulo(), phone: "+551133334444",
        admin: { name: "Ana Admin", email: email("empresa"), password: PASSWORD },
      };
      const out = await t.must("POST", "/v1/companies", body, undefined, 201);
      if (verify) await t.must("POST", `/v1/admin/companies/${out.id}/verify`, null, await t.adminToken(), 200);
      const token = verify ? await t.token(body.admin.email, PASSWORD, "company_member") : undefined;
      return { id: out.id, accountId: out.admin_account_id, email: body.admin.email, password: PASSWORD, token };
    },
    // login signs in through the portal's page and waits to leave it.
    // person opens a second browser (its own context: its own session), for
    // journeys where several people act; it returns a page like t.page, whose
    // console errors count too. login(p, ...) signs in on that page.
    async person() {
      const context = await browser.newContext({ baseURL: base, locale: "pt-BR", timezoneId: "America/Sao_Paulo", viewport: { width: 1280, height: 900 } });
      context.setDefaultTimeout(15_000);
      const p = await context.newPage();
      p.on("console", (m) => {
        if (m.type() === "error") consoleErrors.push(m.text());
      });
      p.on("pageerror", (e) => consoleErrors.push(String(e)));
      return p;
    },
    async shotOf(p, name) {
      shotN++;
      const file = join(shots, `${journey}-${String(shotN).padStart(2, "0")}-${name.replace(/[^\w.-]+/g, "_")}.png`);
      await p.screenshot({ path: file, fullPage: true });
      log(`screenshot: ${file}`);
      return file;
    },
    async axeOf(p, name) {
      // a dialog fading in or a button changing colour is measured mid-way
      // otherwise (contrast of a half-transparent text): let them finish first
      // (spinners run forever: only finite ones are awaited)
      await p.evaluate(() =>
        Promise.all(
          document
            .getAnimations()
            .filter((a) => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
            .map((a) => a.finished.catch(() => undefined)),
        ),
      );
      const r = await new AxeBuilder({ page: p }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
      const bad = r.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
      log(`axe ${name}: ${r.passes.length} rules passed, ${bad.length} serious/critical, ${r.violations.length - bad.length} minor`);
      if (bad.length) {
        const lines = bad.map((v) => `${v.impact} ${v.id}: ${v.help}\n    ${v.nodes.slice(0, 5).map((n) => n.target.join(" ")).join("\n    ")}`);
        throw new Error(`axe on ${name}:\n${lines.join("\n")}`);
      }
    },
    async loginOn(p, emailAddr, password) {
      await p.goto("/entrar");
      await p.getByLabel("E-mail").fill(emailAddr);
      await p.getByLabel("Senha", { exact: false }).first().fill(password);
      await p.getByRole("button", { name: "Entrar" }).click();
      await p.waitForURL((u) => !u.pathname.startsWith("/entrar"));
    },
    async login(emailAddr, password) {
      return t.loginOn(page, emailAddr, password);
    },
  };
  return t;
}
