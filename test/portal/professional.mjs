// The professional side: sign up through the page, get verified (admin, API),
// sign in, publish availability in the editor (the preview shows the slots),
// see a patient's booking in the agenda at the right time, write a detailed
// evaluation (an out-of-range vital sign is refused on its field first), sign
// it, build and edit a treatment plan, issue a prescription and open its
// public verification page.
import { cpf, email, PASSWORD } from "./lib.mjs";

const ZONE = "America/Sao_Paulo";
const hm = (iso) => new Intl.DateTimeFormat("pt-BR", { timeZone: ZONE, hour: "2-digit", minute: "2-digit" }).format(new Date(iso));
const ymd = (d) => new Intl.DateTimeFormat("en-CA", { timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit" }).format(d);

export default async function (t) {
  const { page } = t;
  const me = { name: "Dra. Helena Prado", email: email("profissional"), cpf: cpf(), crm: String(100000 + Math.floor(Math.random() * 800000)) };
  let proId;

  await t.step("sign up through the page", async () => {
    await page.goto("/cadastro/profissional");
    await page.getByRole("heading", { level: 1, name: "Cadastro de profissional de saúde" }).waitFor();
    await page.getByLabel("Nome completo").fill(me.name);
    await page.getByLabel("CPF").fill(me.cpf);
    t.expect((await page.getByLabel("CPF").inputValue()).includes("."), "the CPF is not masked");
    await page.getByLabel("Telefone").fill("+5511912345678");
    await page.getByLabel("E-mail").fill(me.email);
    await page.getByLabel("Senha").fill(PASSWORD);
    await page.getByLabel("Profissão").selectOption("physician");
    await page.getByLabel("Registro no CRM").fill(me.crm);
    await page.getByLabel("UF do conselho").selectOption("SP");
    await page.getByLabel("Especialidades").fill("cardiologia, clínica geral");
    await page.getByLabel("Valor da consulta (R$)").fill("250,00");
    await page.getByLabel("CEP").fill("01310100");
    await page.getByLabel("Rua").fill("Avenida Paulista");
    await page.getByLabel("Número").fill("1578");
    await page.getByLabel("Bairro").fill("Bela Vista");
    await page.getByLabel("Cidade").fill("São Paulo");
    await page.getByLabel("UF", { exact: true }).selectOption("SP");
    await page.getByText("Telemedicina", { exact: true }).click();
    await t.axe("signup-form");
    await t.shot("signup-form");
    await page.getByRole("button", { name: "Cadastrar" }).click();
    const status = page.getByRole("status").filter({ hasText: "aguardando verificação" });
    await status.waitFor();
    const text = await status.innerText();
    t.expect(text.includes(`CRM ${me.crm}/SP`), `the confirmation says "${text}"`);
    await t.axe("signup-done");
    await t.shot("signup-done");
  });

  await t.step("the platform verifies the registration", async () => {
    const admin = await t.adminToken();
    const list = await t.must("GET", "/v1/admin/professionals?status=pending_verification&limit=100", null, admin);
    const mine = list.items.find((p) => p.council?.number === me.crm);
    t.expect(mine, "the new professional is not among the pending ones");
    proId = mine.id;
    t.expect(mine.price.amount === 25000 && mine.modes.includes("telemedicine") && mine.specialties.includes("clinica-geral"), `what was sent: ${JSON.stringify(mine)}`);
    await t.must("POST", `/v1/admin/professionals/${proId}/verify`, null, admin, 200);
  });

  await t.step("sign in: the agenda is empty", async () => {
    await t.login(me.email, PASSWORD);
    t.expect(new URL(page.url()).pathname === "/profissional", `landed on ${page.url()}`);
    await page.getByRole("heading", { level: 1, name: "Agenda" }).waitFor();
    await page.getByText("horário de Brasília").first().waitFor();
    await page.getByText("Nenhuma consulta agendada.").first().waitFor();
    await t.axe("agenda-empty");
    await t.shot("agenda-empty");
  });

  await t.step("availability editor: every day 08:00-12:00, preview shows the slots", async () => {
    await page.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Disponibilidade" }).click();
    await page.getByRole("heading", { level: 1, name: "Disponibilidade" }).waitFor();
    await page.getByText("Nenhum horário livre nos próximos 14 dias.").waitFor();
    for (const d of ["segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado", "domingo"]) {
      await page.getByRole("button", { name: `Adicionar horário na ${d}` }).click();
    }
    await page.getByLabel("Fim (Segunda-feira, faixa 1)").fill("11:00");
    await page.getByLabel("Modalidade (Quarta-feira, faixa 1)").selectOption("telemedicine");
    await page.getByLabel("Duração da consulta (minutos)").fill("30");
    await t.axe("availability-form");
    await page.getByRole("button", { name: "Salvar disponibilidade" }).click();
    await page.getByRole("status").filter({ hasText: "Disponibilidade salva." }).waitFor();
    const preview = page.getByRole("list", { name: "Prévia dos horários" });
    await preview.waitFor();
    const text = await preview.innerText();
    t.expect(/08:30 \((Presencial|Telemedicina)\)/.test(text) && text.includes("11:30"), `preview says: ${text.slice(0, 300)}`);
    // the preview is what the API offers
    const tomorrow = new Date(Date.now() + 86400_000);
    const slots = await t.must("GET", `/v1/professionals/${proId}/slots?from=${ymd(tomorrow)}&to=${ymd(tomorrow)}`);
    t.expect(slots.items.length === (new Date(`${ymd(tomorrow)}T12:00:00Z`).getUTCDay() === 1 ? 6 : 8), `tomorrow has ${slots.items.length} slots`);
    t.expect(text.includes(`${hm(slots.items[0].start)} (`), "the preview misses tomorrow's first slot");
    // a day off four days ahead: the preview drops that day
    const off = ymd(new Date(Date.now() + 4 * 86400_000));
    const offLabel = new Intl.DateTimeFormat("pt-BR", { timeZone: "UTC", weekday: "long", day: "2-digit", month: "long" }).format(new Date(`${off}T12:00:00Z`));
    t.expect(text.includes(offLabel), `the preview lacks ${offLabel} before the day off`);
    await page.getByRole("button", { name: "Adicionar exceção" }).click();
    await page.getByLabel("Data (exceção 1)").fill(off);
    await page.getByRole("button", { name: "Salvar disponibilidade" }).click();
    await page.getByRole("status").filter({ hasText: "Disponibilidade salva." }).waitFor();
    await page.waitForFunction((label) => !document.querySelector("[aria-label='Prévia dos horários']")?.textContent?.includes(label), offLabel);
    await t.axe("availability-saved");
    await t.shot("availability-saved");
  });

  let appt;
  const patient = await t.signUpPatient({ name: "Carla Menezes" });
  await t.step("a patient books through the API", async () => {
    const tomorrow = new Date(Date.now() + 86400_000);
    const slots = await t.must("GET", `/v1/professionals/${proId}/slots?from=${ymd(tomorrow)}&to=${ymd(new Date(Date.now() + 3 * 86400_000))}`);
    const slot = slots.items[2];
    appt = await t.must(
      "POST",
      "/v1/appointments",
      { professional_id: proId, start: slot.start, mode: slot.mode, reason: "Check-up anual" },
      patient.token,
      201,
    );
  });

  // agendaCard opens the agenda on the booking's day and finds its card.
  const agendaCard = async () => {
    await page.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Agenda" }).click();
    await page.getByRole("heading", { level: 1, name: "Agenda" }).waitFor();
    const days = Math.round((new Date(`${ymd(new Date(appt.start))}T12:00:00Z`) - new Date(`${ymd(new Date())}T12:00:00Z`)) / 86400_000);
    for (let i = 0; i < days; i++) await page.getByRole("button", { name: "Próximo dia" }).click();
    const card = page.getByRole("group", { name: /^Consulta das/ }).filter({ hasText: "Carla Menezes" });
    await card.first().waitFor();
    return card;
  };
  await t.step("the agenda shows the booking at its time, with the patient", async () => {
    const card = await agendaCard();
    const text = await card.first().innerText();
    const want = `${hm(appt.start)}–${hm(appt.end)} · Carla Menezes`;
    t.expect(text.includes(want), `the agenda card says "${text}", wanted "${want}"`);
    t.expect(text.includes("Confirmada") && /Presencial|Telemedicina/.test(text) && text.includes("Check-up anual"), `card: ${text}`);
    await t.axe("agenda-booked");
    await t.shot("agenda-booked");
    // week view shows it too
    await page.getByRole("button", { name: "Semana", exact: true }).click();
    await page.getByText(want).waitFor();
    await t.shot("agenda-week");
    await page.getByRole("button", { name: "Dia", exact: true }).click();
    await card.first().getByRole("link", { name: "Abrir paciente" }).click();
    await page.getByRole("heading", { level: 1, name: "Carla Menezes" }).waitFor();
    await page.getByRole("cell", { name: "Consulta" }).first().waitFor();
    await page.getByText("Confirmada").first().waitFor();
    await t.axe("patient");
    await t.shot("patient");
  });

  await t.step("detailed evaluation: out-of-range vital sign refused on its field, then saved and signed", async () => {
    const card = await agendaCard();
    await card.first().getByRole("link", { name: "Registrar avaliação" }).click();
    await page.getByRole("heading", { level: 1, name: "Nova avaliação" }).waitFor();
    await page.getByText("vinculada à consulta").waitFor();
    await page.getByLabel("Tipo de avaliação").selectOption("detailed");
    await page.getByLabel("Queixa principal").fill("Cansaço aos esforços.");
    await page.getByLabel("Avaliação / hipótese diagnóstica").fill("Hipertensão arterial a investigar.");
    await page.getByLabel("CID-10").fill("I10");
    await page.getByLabel("Peso (kg)").fill("72,5");
    await page.getByLabel("Altura (cm)").fill("168");
    const sys = page.getByLabel("Pressão sistólica (mmHg)");
    await sys.fill("500");
    await page.getByLabel("Pressão diastólica (mmHg)").fill("85");
    t.expect(await page.getByText("Aceito: de 40 a 300 mmHg").isVisible(), "the systolic range is not shown");
    await page.getByRole("button", { name: "Salvar avaliação" }).click();
    await page.getByRole("alert").waitFor();
    t.expect((await sys.getAttribute("aria-invalid")) === "true", "the systolic field is not marked invalid");
    const fieldMsg = await page.locator("[data-part='error-text']").filter({ hasText: "300" }).first().innerText();
    t.expect(/entre 40 e 300/.test(fieldMsg), `the systolic field says "${fieldMsg}"`);
    await t.axe("evaluation-error");
    await t.shot("evaluation-error");
    await sys.fill("140");
    await page.getByRole("button", { name: "Salvar avaliação" }).click();
    await page.getByRole("heading", { level: 1, name: "Avaliação" }).waitFor();
    await page.getByText("Não assinada").waitFor();
    const body = await page.locator("main").innerText();
    t.expect(body.includes("Pressão sistólica 140 mmHg") && body.includes("IMC 25,7"), `the evaluation shows: ${body.slice(0, 600)}`);
    await page.getByRole("button", { name: "Assinar avaliação" }).click();
    await page.getByRole("status").filter({ hasText: "Avaliação assinada." }).waitFor();
    await page.getByText(/Assinada em \d{2}\/\d{2}\/\d{4}/).first().waitFor();
    await t.axe("evaluation-signed");
    await t.shot("evaluation-signed");
    // amend: a new version, the old one listed
    await page.getByRole("button", { name: "Corrigir (nova versão)" }).click();
    await page.getByLabel("Conduta").fill("Losartana 50 mg e caminhadas; retorno em 30 dias.");
    await page.getByLabel("Motivo da correção").fill("Conduta acrescentada.");
    await page.getByRole("button", { name: "Salvar nova versão" }).click();
    await page.getByRole("status").filter({ hasText: "Nova versão salva." }).waitFor();
    await page.getByText(/versão 2/).first().waitFor();
    const versions = await page.getByRole("table").innerText();
    t.expect(versions.includes("Conduta acrescentada.") && /\n1\t/.test(versions), `versions: ${versions}`);
    await t.axe("evaluation-amended");
    await t.shot("evaluation-amended");
    // signing completed the booking: the agenda says so
    const done = await agendaCard();
    await done.first().getByText("Realizada").waitFor();
    await t.shot("agenda-completed");
    await done.first().getByRole("link", { name: "Abrir paciente" }).click();
    await page.getByRole("heading", { level: 1, name: "Carla Menezes" }).waitFor();
  });

  await t.step("treatment plan: build it, then edit it", async () => {
    await page.getByRole("link", { name: "Novo plano de tratamento" }).click();
    await page.getByRole("heading", { level: 1, name: "Novo plano de tratamento" }).waitFor();
    await page.getByLabel("Título do plano").fill("Controle da pressão");
    await page.getByLabel("Objetivos (um por linha)").fill("Pressão abaixo de 130/80");
    await page.getByRole("button", { name: "Adicionar item" }).click();
    await page.getByLabel("Nome (item 1)").fill("Losartana 50 mg");
    await page.getByLabel("Dose (item 1)").fill("1 comprimido");
    await page.getByLabel("Frequência (item 1)").fill("1 vez ao dia");
    await page.getByLabel("Categorias para ofertas de parceiros (item 1)").fill("drug:losartan");
    await page.getByRole("button", { name: "Adicionar item" }).click();
    await page.getByLabel("Tipo (item 2)").selectOption("exercise");
    await page.getByLabel("Nome (item 2)").fill("Caminhada");
    await page.getByLabel("Frequência (item 2)").fill("5 vezes por semana");
    await page.getByLabel("Intensidade (item 2)").selectOption("moderate");
    await t.axe("plan-form");
    await t.shot("plan-form");
    await page.getByRole("button", { name: "Salvar plano" }).click();
    await page.getByRole("heading", { level: 1, name: "Editar plano de tratamento" }).waitFor();
    await page.getByRole("status").filter({ hasText: "Plano salvo." }).waitFor();
    await page.getByText("Versão 1,").waitFor();
    t.expect((await page.getByLabel("Nome (item 1)").inputValue()) === "Losartana 50 mg", "the saved plan lost its first item");
    await page.getByLabel("Título do plano").fill("Controle da pressão arterial");
    await page.getByRole("button", { name: "Salvar plano" }).click();
    await page.getByText("Versão 2,").waitFor();
    t.expect((await page.getByLabel("Título do plano").inputValue()) === "Controle da pressão arterial", "the edit was not kept");
    const plans = await t.must("GET", `/v1/patients/${patient.id}/treatment-plans`, null, patient.token);
    const plan = plans.items.find((p) => p.title === "Controle da pressão arterial");
    t.expect(plan && plan.items.length === 2 && plan.items[0].tags.includes("drug:losartan"), `the patient sees ${JSON.stringify(plans.items)}`);
    await t.axe("plan-saved");
    await t.shot("plan-saved");
  });

  let code;
  await t.step("prescription: issue, code, PDF", async () => {
    await page.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Pacientes" }).click();
    await page.getByRole("heading", { level: 1, name: "Pacientes atendidos" }).waitFor();
    const row = page.getByRole("row").filter({ hasText: "Carla Menezes" });
    await row.waitFor();
    // the row says what the API says (last_visit counts completed visits already ended)
    const api = await t.must("GET", "/v1/professionals/me/patients", null, await t.token(me.email, PASSWORD, "professional"));
    const mine = api.items.find((x) => x.patient_id === patient.id);
    const cells = (await row.innerText()).split("\t").map((c) => c.trim());
    const last = mine.last_visit ? new Intl.DateTimeFormat("pt-BR", { timeZone: ZONE, day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit" }).format(new Date(mine.last_visit)) : "—";
    t.expect(cells[1] === last && cells[2] === String(mine.active_plans) && mine.active_plans === 1, `the row says ${JSON.stringify(cells)}; the API ${JSON.stringify(mine)}`);
    await t.axe("patients");
    await t.shot("patients");
    await page.getByRole("link", { name: "Carla Menezes" }).click();
    await page.getByRole("link", { name: "Nova receita" }).click();
    await page.getByRole("heading", { level: 1, name: "Nova receita" }).waitFor();
    await page.getByLabel("Medicamento (item 1)").fill("Losartana potássica");
    await page.getByLabel("Concentração (item 1)").fill("50 mg");
    await page.getByLabel("Posologia (item 1)").fill("1 comprimido ao dia");
    await page.getByLabel("Quantidade (item 1)").fill("30 comprimidos");
    await t.axe("prescription-form");
    await page.getByRole("button", { name: "Emitir e assinar receita" }).click();
    await page.getByRole("heading", { level: 1, name: "Receita" }).waitFor();
    code = (await page.getByTestId("codigo").innerText()).trim();
    t.expect(/^[A-Z0-9-]{6,}$/.test(code), `verification code "${code}"`);
    const text = await page.locator("main").innerText();
    t.expect(text.includes("Emitida") && text.includes(`CRM ${me.crm}/SP`) && text.includes("Losartana potássica 50 mg"), `the prescription says: ${text.slice(0, 500)}`);
    await page.getByRole("button", { name: "Preparar PDF" }).click();
    const link = page.getByRole("link", { name: "Baixar PDF da receita" });
    await link.waitFor();
    t.expect((await link.getAttribute("href")).startsWith("blob:"), "the PDF link is not a blob URL");
    const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
    t.expect(download.suggestedFilename() === `receita-${code}.pdf`, `downloaded ${download.suggestedFilename()}`);
    await t.axe("prescription");
    await t.shot("prescription");
  });

  await t.step("video: a telemedicine booking inside its window can be joined from the agenda", async () => {
    // another professional (API), whose agenda has a 10-minute slot starting within minutes
    const pro2 = await t.signUpProfessional({ name: "Dr. Rui Tavares" });
    const now = new Date();
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat("en-US", { timeZone: ZONE, weekday: "long", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
        .formatToParts(now)
        .map((p) => [p.type, p.value]),
    );
    const startMin = Math.floor((Number(parts.hour) * 60 + Number(parts.minute)) / 10) * 10;
    const endMin = Math.min(startMin + 120, 24 * 60);
    const hhmm = (m) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
    await t.must("PUT", `/v1/professionals/${pro2.id}/availability`, {
      time_zone: ZONE, slot_minutes: 10, buffer_minutes: 0, min_notice_hours: 0, horizon_days: 30, cancel_until_hours: 0,
      weekly: [{ weekday: parts.weekday.toLowerCase(), start: hhmm(startMin), end: hhmm(endMin), mode: "telemedicine" }], exceptions: [],
    }, pro2.token);
    const slots = await t.must("GET", `/v1/professionals/${pro2.id}/slots?from=${ymd(now)}&to=${ymd(now)}&mode=telemedicine`);
    t.expect(slots.items.length > 0, "no slot starting within minutes");
    const slot = slots.items[0];
    t.expect(new Date(slot.start) - now < 15 * 60_000, `the first slot starts at ${slot.start}`);
    await t.must("POST", "/v1/appointments", { professional_id: pro2.id, start: slot.start, mode: "telemedicine" }, patient.token, 201);
    const p2 = await t.person();
    await t.loginOn(p2, pro2.email, pro2.password);
    const card = p2.getByRole("group", { name: /^Consulta das/ }).filter({ hasText: "Carla Menezes" });
    await card.waitFor();
    t.expect((await card.innerText()).includes(`${hm(slot.start)}–${hm(slot.end)} · Carla Menezes`), "the telemedicine booking's time");
    await card.getByRole("button", { name: "Iniciar videochamada" }).click();
    const join = p2.getByRole("link", { name: "abrir a videochamada em nova aba" });
    await join.waitFor();
    const href = await join.getAttribute("href");
    t.expect(href && href.includes("/chamada/") && (await join.getAttribute("target")) === "_blank", `join link ${href}`);
    await t.axeOf(p2, "agenda-video");
    await t.shotOf(p2, "agenda-video");
  });
  await t.step("the public verification page says what was issued", async () => {
    await page.getByRole("link", { name: "Abrir a página pública de verificação" }).click();
    t.expect(new URL(page.url()).pathname === `/verificar/${code}`, `went to ${page.url()}`);
    await page.getByRole("heading", { level: 1 }).waitFor();
    await page.getByText("Losartana potássica").first().waitFor();
    await page.getByRole("main").getByText(me.name).first().waitFor(); // the answer is on the page, not only its heading
    const v = await page.locator("main").innerText();
    t.expect(v.includes(me.name) && v.includes(me.crm) && /válida/i.test(v), `the verification page says: ${v.slice(0, 500)}`);
    await t.axe("verify");
    await t.shot("verify");
  });

}
