// The product's day, across the three sides, each person in their own browser:
// a patient signs up and books a professional found by search; the professional
// sees the booking in the agenda, writes an evaluation and a treatment plan; the
// patient orders the plan's purchase option from a pharmacy and pays with Pix
// (settled by the local simulator); the pharmacy accepts, prepares and hands it
// over on its board; the patient's order page then says it was delivered.
import { PASSWORD, cpf, email } from "./lib.mjs";

const SP = "America/Sao_Paulo";
const ymd = (d) => new Intl.DateTimeFormat("en-CA", { timeZone: SP }).format(d);
const full = (iso) =>
  new Intl.DateTimeFormat("pt-BR", { timeZone: SP, day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit" }).format(new Date(iso));
const byLabel = (p, text) => p.getByLabel(new RegExp("^" + text.replace(/[()]/g, "\\$&")));
const menu = (p, name) => p.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name, exact: true }).click();

export default async function (t) {
  const patientPage = t.page;
  const stamp = Date.now() % 100000;
  const proName = `Dr. Marcos Teixeira ${stamp}`;
  const product = `Losartana Potássica 50 mg 30 comprimidos ${stamp}`;
  const me = { name: `Juliana Castro ${stamp}`, email: email("jornada"), cpf: cpf() };

  // --- what the other sides publish beforehand (their pages have their own journeys) ---
  const pro = await t.signUpProfessional({ name: proName, specialties: ["cardiology"], modes: ["in_person"] });
  const weekly = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"].map((weekday) => ({
    weekday, start: "07:00", end: "22:00", mode: "in_person", place: "Consultório 2, Av. Paulista 1000",
  }));
  await t.must("PUT", `/v1/professionals/${pro.id}/availability`, {
    time_zone: SP, slot_minutes: 30, buffer_minutes: 0, min_notice_hours: 0, horizon_days: 30, cancel_until_hours: 0, weekly, exceptions: [],
  }, pro.token);
  const pharmacy = await t.signUpCompany("pharmacy");
  await t.must("PUT", `/v1/companies/${pharmacy.id}/catalog/LOS-50`, {
    name: product, kind: "medication", tags: ["drug:losartan"], active_ingredient: "Losartana potássica", concentration: "50 mg",
    form: "comprimido", requires_prescription: false, price: { amount: 2490, currency: "BRL" }, stock: 20, fulfilment: { pickup: true },
  }, pharmacy.token, 201);

  let booked;
  await t.step("patient: signs up through the page", async () => {
    const p = patientPage;
    await p.goto("/cadastro");
    await byLabel(p, "Nome completo").fill(me.name);
    await byLabel(p, "CPF").fill(me.cpf);
    await byLabel(p, "Data de nascimento").fill("1985-02-14");
    await byLabel(p, "Celular com DDD").fill("11987650000");
    await byLabel(p, "E-mail").fill(me.email);
    await byLabel(p, "Senha").fill(PASSWORD);
    await byLabel(p, "CEP").fill("01310100");
    await p.getByText(/Endereço encontrado|CEP de SP/).waitFor();
    await byLabel(p, "Rua").fill("Avenida Paulista");
    await byLabel(p, "Número").fill("1500");
    await byLabel(p, "Bairro").fill("Bela Vista");
    const accepts = p.getByText(/^Aceito: /);
    for (let i = 0; i < (await accepts.count()); i++) await accepts.nth(i).click();
    await p.getByRole("button", { name: "Criar conta" }).click();
    await p.waitForURL((u) => u.pathname === "/paciente");
    await t.shot("patient-signed-up");
  });

  await t.step("patient: finds the professional and books the first free time", async () => {
    const p = patientPage;
    await menu(p, "Buscar");
    await byLabel(p, "Especialidade").fill("cardiology");
    await byLabel(p, "Cidade").fill("São Paulo");
    await p.getByRole("button", { name: "Buscar", exact: true }).click();
    await p.getByRole("link", { name: `Agendar com ${proName}` }).click();
    const slots = p.getByRole("group", { name: "Horários livres da semana" }).getByRole("button");
    await slots.first().click();
    await p.getByRole("button", { name: "Confirmar agendamento" }).click();
    await p.getByRole("heading", { level: 1, name: "Agendamento confirmado" }).waitFor();
    const tok = await t.token(me.email, PASSWORD, "patient");
    const list = await t.must("GET", "/v1/appointments", null, tok);
    t.expect(list.items.length === 1 && list.items[0].professional_id === pro.id && list.items[0].status === "confirmed",
      `the API lists ${JSON.stringify(list.items)}`);
    booked = list.items[0];
    const said = await p.getByRole("status").filter({ hasText: "Quando:" }).innerText();
    t.expect(said.includes(proName) && said.includes(`Quando: ${full(booked.start)}`), `the confirmation says "${said}", booked ${booked.start}`);
    await t.axe("patient-booked");
    await t.shot("patient-booked");
  });

  const proPage = await t.person();
  await t.step("professional: the agenda shows the booking; writes an evaluation and signs it", async () => {
    const p = proPage;
    await t.loginOn(p, pro.email, pro.password);
    await p.getByRole("heading", { level: 1, name: "Agenda" }).waitFor();
    const days = Math.round((new Date(`${ymd(new Date(booked.start))}T12:00:00Z`) - new Date(`${ymd(new Date())}T12:00:00Z`)) / 86400_000);
    for (let i = 0; i < days; i++) await p.getByRole("button", { name: "Próximo dia" }).click();
    const card = p.getByRole("group", { name: /^Consulta das/ }).filter({ hasText: me.name });
    await card.first().waitFor();
    const text = await card.first().innerText();
    const hm = new Intl.DateTimeFormat("pt-BR", { timeZone: SP, hour: "2-digit", minute: "2-digit" }).format(new Date(booked.start));
    t.expect(text.includes(hm) && text.includes("Confirmada"), `the agenda card says "${text}", want ${hm} confirmed`);
    await t.axeOf(p, "professional-agenda");
    await t.shotOf(p, "professional-agenda");
    await card.first().getByRole("link", { name: "Registrar avaliação" }).click();
    await p.getByRole("heading", { level: 1, name: "Nova avaliação" }).waitFor();
    await p.getByLabel("Tipo de avaliação").selectOption("detailed");
    await p.getByLabel("Queixa principal").fill("Dor de cabeça frequente.");
    await p.getByLabel("Avaliação / hipótese diagnóstica").fill("Hipertensão arterial sistêmica.");
    await p.getByLabel("CID-10").fill("I10");
    await p.getByLabel("Pressão sistólica (mmHg)").fill("150");
    await p.getByLabel("Pressão diastólica (mmHg)").fill("95");
    await p.getByRole("button", { name: "Salvar avaliação" }).click();
    await p.getByRole("heading", { level: 1, name: "Avaliação" }).waitFor();
    await p.getByRole("button", { name: "Assinar avaliação" }).click();
    await p.getByRole("status").filter({ hasText: "Avaliação assinada." }).waitFor();
    await t.shotOf(p, "professional-evaluation-signed");
  });

  const planTitle = `Controle da pressão ${stamp}`;
  await t.step("professional: builds a treatment plan with a medication partners can offer", async () => {
    const p = proPage;
    await menu(p, "Pacientes");
    await p.getByRole("link", { name: me.name }).click();
    await p.getByRole("link", { name: "Novo plano de tratamento" }).click();
    await p.getByLabel("Título do plano").fill(planTitle);
    await p.getByLabel("Objetivos (um por linha)").fill("Pressão abaixo de 130/80");
    await p.getByRole("button", { name: "Adicionar item" }).click();
    await p.getByLabel("Nome (item 1)").fill("Losartana 50 mg");
    await p.getByLabel("Dose (item 1)").fill("1 comprimido");
    await p.getByLabel("Frequência (item 1)").fill("1 vez ao dia");
    await p.getByLabel("Categorias para ofertas de parceiros (item 1)").fill("drug:losartan");
    await p.getByRole("button", { name: "Salvar plano" }).click();
    await p.getByRole("status").filter({ hasText: "Plano salvo." }).waitFor();
    await t.axeOf(p, "professional-plan");
    await t.shotOf(p, "professional-plan");
  });

  let orderId;
  await t.step("patient: the plan's purchase option into the cart, an order, Pix paid", async () => {
    const p = patientPage;
    await menu(p, "Planos");
    await p.getByRole("link", { name: planTitle }).click();
    await p.getByRole("heading", { level: 1, name: planTitle }).waitFor();
    await p.getByRole("cell", { name: "R$ 24,90" }).first().waitFor();
    await t.shot("patient-plan-options");
    await p.getByRole("button", { name: `Adicionar ao carrinho: ${product} de Parceira` }).click();
    await p.getByRole("link", { name: "Ver carrinho (1)" }).click();
    await p.getByRole("button", { name: "Fazer pedido em Parceira" }).click();
    await p.waitForURL(/\/paciente\/pedidos\/[0-9a-f-]{36}$/);
    orderId = p.url().split("/").pop();
    await p.getByRole("button", { name: "Gerar código Pix" }).click();
    const code = await p.getByTestId("pix-code").innerText();
    t.expect(code.startsWith("000201"), `the Pix code shown is "${code}"`);
    const tok = await t.token(me.email, PASSWORD, "patient");
    const pay = (await t.must("GET", "/v1/me/payments", null, tok)).items.find((x) => x.order_id === orderId);
    t.expect(pay && pay.amount?.amount === 2490, `the payment is ${JSON.stringify(pay)}`);
    await t.must("POST", `/dev/localpay/charges/${pay.charge_id}/pay`, null, undefined, 200); // the payer's bank
    await p.getByRole("status").filter({ hasText: "Pagamento confirmado" }).waitFor({ timeout: 30_000 });
    await p.getByTestId("order-status").filter({ hasText: "Pago" }).waitFor();
    await t.axe("patient-order-paid");
    await t.shot("patient-order-paid");
  });

  const shopPage = await t.person();
  await t.step("pharmacy: the paid order on the board, accepted, prepared, handed over", async () => {
    const p = shopPage;
    await t.loginOn(p, pharmacy.email, pharmacy.password);
    await p.getByRole("heading", { level: 1, name: "Pedidos" }).waitFor();
    await p.getByRole("button", { name: "Atualizar" }).click();
    const name = `Pedido ${orderId.slice(0, 8)}`;
    const card = p.getByRole("region", { name: "Novos (pagos)" }).getByRole("article", { name });
    await card.waitFor();
    const text = await card.innerText();
    t.expect(text.includes(product) && text.includes("Total R$ 24,90"), `the board's card says "${text}"`);
    await t.shotOf(p, "pharmacy-board-paid");
    for (const [button, column, status] of [
      ["Aceitar", "Aceitos", "Aceito"],
      ["Iniciar preparo", "Em preparo", "Em preparo"],
      ["Pronto para retirada", "Prontos / em entrega", "Pronto para retirada"],
      ["Entregue ao paciente", "Concluídos", "Entregue"],
    ]) {
      await p.getByRole("article", { name }).getByRole("button", { name: button }).click();
      await p.getByRole("region", { name: column }).getByRole("article", { name }).getByText(status, { exact: true }).first().waitFor();
    }
    await t.axeOf(p, "pharmacy-board-delivered");
    await t.shotOf(p, "pharmacy-board-delivered");
  });

  await t.step("patient: the order page says delivered", async () => {
    const p = patientPage;
    await menu(p, "Pedidos");
    await p.getByRole("row").filter({ hasText: product }).getByRole("link").first().click();
    await p.getByTestId("order-status").filter({ hasText: "Entregue" }).waitFor();
    const text = await p.locator("main").innerText();
    t.expect(/Entregue em \d{2}\/\d{2}\/\d{4}/.test(text), `the order's timeline has no delivered step: ${text}`);
    await t.axe("patient-order-delivered");
    await t.shot("patient-order-delivered");
  });
}
