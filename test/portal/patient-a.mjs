// Patient A: a person signs up through the page (the CEP fills the city), finds
// a verified professional with availability, books a slot from the week
// calendar (a slot taken meanwhile is refused in pt-BR and the calendar
// reloads), sees the appointment with the right professional and time,
// reschedules it and cancels it.
import { PASSWORD, cpf, email } from "./lib.mjs";

const SP = "America/Sao_Paulo";
// byLabel finds the control whose label begins with text (a consent's long
// label may mention "e-mail" or "CEP" too).
const byLabel = (page, text) => page.getByLabel(new RegExp("^" + text.replace(/[()]/g, "\\$&")));
const hhmm = (iso) => new Intl.DateTimeFormat("pt-BR", { timeZone: SP, hour: "2-digit", minute: "2-digit" }).format(new Date(iso));
const full = (iso) =>
  new Intl.DateTimeFormat("pt-BR", { timeZone: SP, day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit" }).format(new Date(iso));

// week is the query of the calendar's first week: today (São Paulo) and six days on.
function week() {
  const day = (d) => new Intl.DateTimeFormat("en-CA", { timeZone: SP, year: "numeric", month: "2-digit", day: "2-digit" }).format(d);
  const now = new Date();
  return `from=${day(now)}&to=${day(new Date(now.getTime() + 6 * 86400_000))}`;
}

export default async function (t) {
  const { page } = t;
  const proName = `Dra. Helena Prado ${Date.now() % 100000}`;
  let pro;
  await t.step("a verified professional with availability (through the API)", async () => {
    pro = await t.signUpProfessional({ name: proName, specialties: ["cardiology"], modes: ["in_person", "telemedicine"] });
    const weekly = [];
    for (const d of ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]) {
      weekly.push({ weekday: d, start: "08:00", end: "18:00", mode: "in_person", place: "Consultório 4, Av. Paulista 1000" });
    }
    await t.must("PUT", `/v1/professionals/${pro.id}/availability`, {
      time_zone: SP, slot_minutes: 30, buffer_minutes: 0, min_notice_hours: 0, horizon_days: 30, cancel_until_hours: 0, weekly, exceptions: [],
    }, pro.token);
  });

  const me = { name: "Beatriz Andrade Lima", email: email("paciente-a"), cpf: cpf() };
  await t.step("sign-up page: the CEP fills the city and the state; the account is created and signed in", async () => {
    await page.goto("/cadastro");
    await page.getByRole("heading", { level: 1, name: "Criar conta de paciente" }).waitFor();
    await byLabel(page, "Nome completo").fill(me.name);
    // a CPF with wrong check digits is refused on the page
    await byLabel(page, "CPF").fill("12345678900");
    await byLabel(page, "Data de nascimento").click();
    await page.getByText("CPF inválido: confira os dígitos.").waitFor();
    await byLabel(page, "CPF").fill(me.cpf);
    t.expect(/^\d{3}\.\d{3}\.\d{3}-\d{2}$/.test(await byLabel(page, "CPF").inputValue()), "the CPF is not masked");
    await byLabel(page, "Data de nascimento").fill("1988-07-21");
    await byLabel(page, "Celular com DDD").fill("11987651234");
    await byLabel(page, "E-mail").fill(me.email);
    await byLabel(page, "Senha").fill(PASSWORD);
    await byLabel(page, "CEP").fill("01310100");
    await page.getByText(/Endereço encontrado|CEP de SP/).waitFor();
    const city = await byLabel(page, "Cidade").inputValue();
    t.expect(city === "São Paulo", `the CEP lookup filled the city with "${city}"`);
    t.expect((await byLabel(page, "Estado (UF)").inputValue()) === "SP", "the CEP lookup did not fill the UF");
    await byLabel(page, "Rua").fill("Avenida Paulista");
    await byLabel(page, "Número").fill("1000");
    await byLabel(page, "Bairro").fill("Bela Vista");
    // consents are choices: accept telemedicine's and note care's
    await page.getByText(/^Li e estou ciente: /).first().click();
    await page.getByText(/^Aceito: .*telemedicina/i).first().click();
    await t.axe("signup");
    await t.shot("signup");
    await page.getByRole("button", { name: "Criar conta" }).click();
    await page.waitForURL((u) => u.pathname === "/paciente");
  });

  let first, second;
  await t.step("search finds the professional with next free times", async () => {
    await page.getByRole("link", { name: "Buscar" }).first().click();
    await page.getByRole("heading", { level: 1, name: "Buscar profissionais e exames" }).waitFor();
    await byLabel(page, "Especialidade").fill("cardiology");
    await byLabel(page, "Cidade").fill("São Paulo");
    await byLabel(page, "Estado (UF)").selectOption("SP");
    await page.getByRole("button", { name: "Buscar", exact: true }).click();
    const card = page.getByRole("article").or(page.locator("div")).filter({ has: page.getByRole("heading", { name: proName }) }).last();
    await page.getByRole("heading", { name: proName }).waitFor();
    const text = await card.innerText();
    t.expect(text.includes("Próximos horários:"), `the result shows no next free times: ${text}`);
    t.expect(text.includes("R$ 250,00"), `the result shows no price: ${text}`);
    await t.axe("search");
    await t.shot("search");
    await page.getByRole("link", { name: `Agendar com ${proName}` }).click();
    await page.getByRole("heading", { level: 1, name: `Agendar com ${proName}` }).waitFor();
  });

  await t.step("booking: a slot taken meanwhile is refused in pt-BR and the calendar reloads; then a slot is booked", async () => {
    const slots = page.getByRole("group", { name: "Horários livres da semana" }).getByRole("button");
    await slots.first().waitFor();
    await t.axe("book");
    await t.shot("book");
    // someone else books the first free slot through the API while this page shows it
    const free = await t.must("GET", `/v1/professionals/${pro.id}/slots?mode=in_person&${week()}`, null, undefined);
    const taken = free.items[0].start;
    t.expect((await slots.first().innerText()).startsWith(hhmm(taken)), `the first slot button is "${await slots.first().innerText()}", the API's first slot ${hhmm(taken)}`);
    await slots.first().click();
    const other = await t.signUpPatient();
    await t.must("POST", "/v1/appointments", { professional_id: pro.id, start: taken, mode: "in_person" }, other.token, 201, { "Idempotency-Key": crypto.randomUUID() });
    await page.getByRole("button", { name: "Confirmar agendamento" }).click();
    const alert = page.getByRole("alert").first();
    await alert.waitFor();
    const said = await alert.innerText();
    t.expect(/horário|ocupado|disponível|reservado/i.test(said), `the 409 says "${said}"`);
    await page.getByText("O calendário foi atualizado; escolha outro horário.").waitFor();
    await t.shot("book-conflict");
    await slots.first().waitFor();
    t.expect(!(await slots.first().innerText()).startsWith(hhmm(taken)) || (await slots.count()) > 0, "the calendar still offers the taken slot first");
    const again = await t.must("GET", `/v1/professionals/${pro.id}/slots?mode=in_person&${week()}`, null, undefined);
    first = again.items[0].start;
    second = again.items[1].start;
    t.expect(first !== taken, "the API still lists the taken slot");
    // the keyboard: focus the first time and choose it with Enter
    await slots.first().focus();
    await page.keyboard.press("Enter");
    await page.getByText(`Horário escolhido: ${full(first)}`).waitFor();
    await byLabel(page, "Motivo da consulta (opcional)").fill("Dor no peito ao correr");
    await page.getByRole("button", { name: "Confirmar agendamento" }).click();
    await page.getByRole("heading", { level: 1, name: "Agendamento confirmado" }).waitFor();
    const done = await page.getByRole("status").filter({ hasText: "Quando:" }).innerText();
    t.expect(done.includes(`Consulta com ${proName} confirmada`), `the confirmation says "${done}"`);
    t.expect(done.includes(`Quando: ${full(first)}`), `the confirmation says "${done}", want ${full(first)}`);
    t.expect(done.includes("Presencial") && done.includes("R$ 250,00"), `the confirmation says "${done}"`);
    await t.axe("booked");
    await t.shot("booked");
  });

  await t.step("my appointments: the booked one with the professional and time; reschedule; cancel", async () => {
    await page.getByRole("link", { name: "Ver minhas consultas" }).click();
    await page.getByRole("heading", { level: 1, name: "Minhas consultas" }).waitFor();
    const item = page.getByRole("article", { name: `Consulta com ${proName}` });
    await item.waitFor();
    let text = await item.innerText();
    t.expect(text.includes(full(first)) && text.includes("Confirmada"), `the appointment reads "${text}", want ${full(first)} confirmed`);
    await t.axe("appointments");
    await t.shot("appointments");

    await item.getByRole("button", { name: "Remarcar" }).click();
    const dialog = page.getByRole("alertdialog", { name: "Remarcar" });
    await dialog.waitFor();
    const times = dialog.getByRole("group", { name: "Horários livres da semana" }).getByRole("button");
    await times.first().waitFor();
    // the booked slot is no longer free: the first free one is the next
    t.expect((await times.first().innerText()).startsWith(hhmm(second)), `the first free time is "${await times.first().innerText()}", want ${hhmm(second)}`);
    await times.first().click();
    await dialog.getByText(`Novo horário: ${full(second)}`).waitFor();
    await t.axe("reschedule");
    await t.shot("reschedule");
    await dialog.getByRole("button", { name: "Confirmar novo horário" }).click();
    await dialog.waitFor({ state: "detached" });
    await item.getByText(full(second)).waitFor();

    await item.getByRole("button", { name: "Cancelar" }).click();
    const cancel = page.getByRole("alertdialog", { name: "Cancelar consulta" });
    await cancel.waitFor();
    t.expect((await cancel.innerText()).includes(full(second)), "the cancel dialog does not name the time");
    await t.axe("cancel");
    await t.shot("cancel");
    await byLabel(cancel, "Motivo").fill("Viagem de trabalho");
    await cancel.getByRole("button", { name: "Confirmar cancelamento" }).click();
    await cancel.waitFor({ state: "detached" });
    await item.getByText("Cancelada", { exact: true }).waitFor();
    text = await item.innerText();
    t.expect(text.includes(full(second)) && text.includes("Motivo do cancelamento: Viagem de trabalho") && !text.includes("Remarcar"), `after cancelling the appointment reads "${text}"`);
    await t.shot("cancelled");

    // the API agrees
    const tok = await t.token(me.email, PASSWORD, "patient");
    const list = await t.must("GET", "/v1/appointments", null, tok);
    t.expect(list.items.length === 1 && list.items[0].status === "cancelled" && list.items[0].professional_id === pro.id &&
      new Date(list.items[0].start).getTime() === new Date(second).getTime(), `the API lists ${JSON.stringify(list.items)}`);
  });

  await t.step("exams: search near a CEP finds a hospital's exam; its calendar books it", async () => {
    const hospital = await t.signUpCompany("hospital");
    const examName = `Hemograma completo ${Date.now() % 100000}`;
    const exam = await t.must("POST", `/v1/companies/${hospital.id}/exams`, {
      name: examName, duration_minutes: 20, capacity: 1, price: { amount: 4500, currency: "BRL" }, preparation: "Jejum de 8 horas.",
    }, hospital.token, 201);
    const weekly = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"].map((d) => ({ weekday: d, start: "07:00", end: "11:00", mode: "in_person" }));
    await t.must("PUT", `/v1/exams/${exam.id}/availability`, {
      time_zone: SP, slot_minutes: 20, buffer_minutes: 0, min_notice_hours: 0, horizon_days: 30, cancel_until_hours: 0, weekly, exceptions: [],
    }, hospital.token);
    await page.getByRole("link", { name: "Buscar" }).first().click();
    await byLabel(page, "O que você procura").selectOption("exams");
    await byLabel(page, "Exame").fill(examName);
    await byLabel(page, "Perto do CEP").fill("01310100");
    await page.getByRole("button", { name: "Buscar", exact: true }).click();
    await page.getByRole("heading", { name: examName }).waitFor();
    await t.axe("search-exams");
    await t.shot("search-exams");
    await page.getByRole("link", { name: `Agendar ${examName}` }).click();
    await page.getByRole("heading", { level: 1, name: `Agendar exame: ${examName}` }).waitFor();
    const free = await t.must("GET", `/v1/exams/${exam.id}/slots?${week()}`);
    const slots = page.getByRole("group", { name: "Horários livres da semana" }).getByRole("button");
    await slots.first().click();
    await t.axe("book-exam");
    await t.shot("book-exam");
    await page.getByRole("button", { name: "Confirmar agendamento" }).click();
    await page.getByRole("heading", { level: 1, name: "Agendamento confirmado" }).waitFor();
    const done = await page.getByRole("status").filter({ hasText: "Quando:" }).innerText();
    t.expect(done.includes(`Exame ${examName} confirmado`) && done.includes(`Quando: ${full(free.items[0].start)}`) && done.includes("R$ 45,00"),
      `the exam confirmation says "${done}", want ${full(free.items[0].start)}`);
    await t.shot("booked-exam");
  });
}
