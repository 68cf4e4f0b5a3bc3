// The portal's shell: the public pages load under the server's Content
// Security Policy with no console error, pass axe, work with the keyboard, and
// a sign-in lands on the side of the account. Also measures first contentful
// paint (a fresh load of the welcome page, and of a patient's dashboard).
export default async function (t) {
  const { page } = t;
  const fcp = async () =>
    page.evaluate(() => {
      const e = performance.getEntriesByName("first-contentful-paint")[0];
      return e ? Math.round(e.startTime) : -1;
    });

  await t.step("welcome page", async () => {
    const res = await page.goto("/");
    t.expect(res.status() === 200, `GET / answered ${res.status()}`);
    t.expect((res.headers()["content-security-policy"] || "").includes("script-src 'self'"), "no strict CSP on the page");
    await page.getByRole("heading", { level: 1, name: "Bem-vindo ao multisaude" }).waitFor();
    t.log(`METRIC fcp_welcome_ms=${await fcp()}`);
    await t.axe("welcome");
    await t.shot("welcome");
  });

  await t.step("keyboard: skip link and menu", async () => {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => document.activeElement?.textContent?.trim());
    t.expect(focused === "Pular para o conteúdo", `first Tab focuses "${focused}", not the skip link`);
    await page.keyboard.press("Enter");
    t.expect(page.url().endsWith("#conteudo"), "skip link does not move to the content");
  });

  await t.step("login errors in pt-BR", async () => {
    await page.goto("/entrar");
    await page.getByLabel("E-mail").fill("ninguem@portal.test");
    await page.getByLabel("Senha").fill("senha-errada-123");
    await page.getByRole("button", { name: "Entrar" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    const text = await alert.innerText();
    t.expect(/senha|e-mail|credenciais/i.test(text), `login error says "${text}"`);
    await t.axe("login-error");
    await t.shot("login-error");
  });

  await t.step("a patient lands on the patient side; the dashboard paints fast", async () => {
    const p = await t.signUpPatient();
    const started = Date.now();
    await t.login(p.email, p.password);
    t.expect(new URL(page.url()).pathname.startsWith("/paciente"), `landed on ${page.url()}`);
    await page.getByRole("heading", { level: 1 }).waitFor();
    t.log(`METRIC login_to_dashboard_ms=${Date.now() - started}`);
    // a fresh load (cold tab): the session is in memory only, so the page asks to sign in again
    await page.goto("/paciente");
    await page.waitForURL(/\/entrar\?voltar=/);
    t.log(`METRIC fcp_cold_load_ms=${await fcp()}`);
    await t.login(p.email, p.password);
    t.expect(new URL(page.url()).pathname === "/paciente", `after sign-in went to ${page.url()}, not back to /paciente`);
  });

  await t.step("an unknown page says so", async () => {
    await page.goto("/pagina-que-nao-existe");
    await page.getByRole("heading", { level: 1, name: "Página não encontrada" }).waitFor();
  });
}
