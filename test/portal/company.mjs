// The partner company's journey, and the admin's: a pharmacy signs up through
// the portal, an admin verifies it through the admin pages (and registers an
// incident, looks at the erasure requests), the pharmacy signs in, builds its
// catalogue (form and file import), creates an API key and a webhook, moves an
// order placed and paid through the API from paid to delivered on its board,
// sees the payment in its statement, and checks and dispenses a prescription
// on the public verification page.
import { cnpj, email, PASSWORD } from "./lib.mjs";

export default async function (t) {
  const { page } = t;
  const trade = `Farmácia Portal ${Date.now() % 1_000_000}`;
  const admin = { name: "Paula Gerente", email: email("farmacia"), password: PASSWORD };
  // navigation inside the app keeps the in-memory session (a page.goto would sign out)
  const go = async (name) => {
    await page.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name, exact: true }).click();
  };
  const h1 = (name) => page.getByRole("heading", { level: 1, name }).waitFor();

  await t.step("company sign-up: CNPJ check, then awaiting verification", async () => {
    await page.goto("/cadastro/empresa");
    await h1("Cadastro de empresa parceira");
    await page.getByLabel("Tipo de empresa").selectOption("pharmacy");
    await page.getByLabel("Razão social").fill(`${trade} Ltda`);
    await page.getByLabel("Nome fantasia").fill(trade);
    await page.getByLabel("CNPJ").fill("11.111.111/1111-12");
    await page.getByLabel("Telefone").fill("+551133334444");
    await page.getByLabel("CEP").fill("01310100");
    t.expect((await page.getByLabel("CEP").inputValue()) === "01310-100", "CEP is not masked");
    await page.getByLabel("Rua").fill("Avenida Paulista");
    await page.getByLabel("Número").fill("1000");
    await page.getByLabel("Bairro").fill("Bela Vista");
    await page.getByLabel("Cidade").fill("São Paulo");
    await page.getByLabel("UF").selectOption("SP");
    await page.getByLabel("Nome completo").fill(admin.name);
    await page.getByLabel("E-mail de acesso").fill(admin.email);
    await page.getByLabel("Senha de acesso").fill(admin.password);
    await page.getByRole("button", { name: "Cadastrar empresa" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    t.expect(/CNPJ inválido/.test(await alert.innerText()), `wrong CNPJ says "${await alert.innerText()}"`);
    await t.axe("company-signup-error");
    await t.shot("company-signup-error");
    await page.getByLabel("CNPJ").fill(cnpj());
    t.expect(/^\d{2}\.\d{3}\.\d{3}\/\d{4}-\d{2}$/.test(await page.getByLabel("CNPJ").inputValue()), "CNPJ is not masked");
    await page.getByRole("button", { name: "Cadastrar empresa" }).click();
    await h1("Cadastro enviado");
    const st = await page.getByRole("status").innerText();
    t.expect(st.includes(trade) && st.includes("Aguardando verificação"), `after sign-up the page says "${st}"`);
    await t.axe("company-signup-done");
    await t.shot("company-signup-done");
  });

  await t.step("admin verifies the pharmacy through the admin pages", async () => {
    await t.login(t.admin.email, t.admin.password);
    await h1("Verificações");
    const card = page.getByRole("article", { name: trade });
    await card.waitFor();
    t.expect((await card.innerText()).includes("Farmácia"), "the queue does not show the company's kind");
    await t.axe("admin-verifications");
    await t.shot("admin-verifications");
    await card.getByRole("button", { name: `Verificar ${trade}` }).click();
    await page.getByText(`${trade} foi verificado(a).`).waitFor();
    await page.getByRole("article", { name: trade }).waitFor({ state: "detached" });
    await page.getByLabel("Situação das empresas").selectOption("verified");
    await page.getByRole("article", { name: trade }).getByText("Verificada").waitFor();
  });

  await t.step("admin registers an incident and sees the erasure requests", async () => {
    await go("Incidentes");
    await h1("Incidentes de segurança");
    await page.getByRole("button", { name: "Registrar incidente" }).click();
    await page.getByLabel(/^Título/).fill("Acesso indevido a relatório de pedidos");
    await page.getByLabel(/^Descrição/).fill("Um relatório de pedidos foi enviado ao destinatário errado.");
    await page.getByLabel("Titulares afetados").fill("12");
    await page.getByLabel("Risco", { exact: true }).selectOption("high");
    await page.getByLabel("Justificativa do risco").fill("Dados de pedidos de medicamentos podem revelar condições de saúde.");
    await page.getByText("Pedidos", { exact: true }).click();
    await page.getByRole("button", { name: "Registrar", exact: true }).click();
    await page.getByText(/Incidente "Acesso indevido a relatório de pedidos" registrado/).waitFor();
    const card = page.getByRole("article", { name: "Acesso indevido a relatório de pedidos" });
    t.expect((await card.innerText()).includes("Risco alto"), "the incident does not show its risk");
    await card.getByRole("button", { name: "Atualizar e ver comunicados" }).click();
    await card.getByLabel("Medidas tomadas").fill("Relatório recolhido; destinatário confirmou a exclusão.");
    await card.getByRole("button", { name: "Salvar" }).click();
    await card.getByText("Incidente atualizado.").waitFor();
    await t.axe("admin-incidents");
    await t.shot("admin-incidents");
    await go("Pedidos de apagamento");
    await h1("Pedidos de apagamento");
    await page.getByText(/Nenhum pedido de apagamento|Pedido/).first().waitFor();
    await t.axe("admin-erasures");
    await t.shot("admin-erasures");
    await page.getByRole("button", { name: "Sair" }).click();
    await page.waitForURL(/\/entrar/);
  });

  let companyId;
  await t.step("the pharmacy signs in: orders board and profile", async () => {
    await t.login(admin.email, admin.password);
    await h1("Pedidos");
    await page.getByText("Nenhum pedido ainda").waitFor();
    await go("Perfil");
    await h1("Perfil da empresa");
    await page.getByText(/Avenida Paulista, 1000/).waitFor();
    const text = await page.getByRole("main").innerText();
    t.expect(text.includes(trade) && text.includes("Verificada") && text.includes("Avenida Paulista, 1000"), `profile says "${text}"`);
    await t.axe("company-profile");
    await t.shot("company-profile");
    const tok = await t.token(admin.email, admin.password, "company_member");
    companyId = (await t.must("GET", "/v1/me", null, tok)).company_id;
  });

  await t.step("catalogue: create an item through the form", async () => {
    await go("Catálogo");
    await h1("Catálogo");
    await page.getByText("Nenhum item no catálogo").waitFor();
    await page.getByRole("button", { name: "Novo item" }).click();
    await page.getByLabel("SKU").fill("DIP-500");
    await page.getByLabel(/^Nome\s*\*?$/).fill("Dipirona Sódica 500 mg, 10 comprimidos");
    await page.getByLabel("Tipo").selectOption("medication");
    await page.getByLabel("Preço (R$)").fill("12,90");
    await page.getByLabel("Estoque").fill("40");
    await page.getByLabel("Princípio ativo").fill("dipirona sódica");
    await page.getByLabel("Concentração").fill("500 mg");
    await page.getByLabel("Forma", { exact: true }).fill("comprimido");
    await page.getByRole("button", { name: "Salvar item" }).click();
    await page.getByText("Item DIP-500 (Dipirona Sódica 500 mg, 10 comprimidos): criado.").waitFor();
    const row = page.getByRole("row", { name: /DIP-500/ });
    t.expect((await row.innerText()).includes("R$ 12,90"), `the item's row says "${await row.innerText()}"`);
  });

  await t.step("catalogue: import a CSV with one refused line", async () => {
    const csv = [
      "sku;name;kind;price;stock;requires_prescription;pickup;active_ingredient;concentration;form",
      "AMOX-500;Amoxicilina 500 mg, 21 cápsulas;medication;34,50;15;sim;sim;amoxicilina;500 mg;cápsula",
      "SORO-1;Soro fisiológico 500 ml;product;8,00;;não;sim;;;",
      "RUIM-1;Item sem preço;product;;5;não;sim;;;",
    ].join("\n");
    await page.getByLabel("Arquivo (.csv ou .jsonl)").setInputFiles({ name: "catalogo.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await page.getByRole("button", { name: "Importar", exact: true }).click();
    const res = page.getByText(/Importação concluída/);
    await res.waitFor();
    const said = await res.innerText();
    t.expect(said.includes("2 criados") && said.includes("1 recusados"), `the import says "${said}"`);
    const bad = page.getByRole("table", { name: "Resultado da importação por linha" }).getByRole("row", { name: /RUIM-1/ });
    t.expect(/Recusado/.test(await bad.innerText()), `the refused line says "${await bad.innerText()}"`);
    await page.getByRole("table", { name: "Itens do catálogo" }).getByRole("row", { name: /AMOX-500/ }).waitFor();
    await t.axe("company-catalog");
    await t.shot("company-catalog");
  });

  await t.step("catalogue: edit a price, remove an item", async () => {
    const items = page.getByRole("table", { name: "Itens do catálogo" });
    await page.getByRole("button", { name: "Editar Soro fisiológico 500 ml" }).click();
    t.expect((await page.getByLabel(/^Preço/).inputValue()) === "8,00", "the form does not show the item's price");
    await page.getByLabel(/^Preço/).fill("9,50");
    await page.getByRole("button", { name: "Salvar item" }).click();
    await page.getByText("Item SORO-1 (Soro fisiológico 500 ml): atualizado.").waitFor();
    await items.getByRole("row", { name: /SORO-1/ }).getByText("R$ 9,50").waitFor();
    await page.getByRole("button", { name: "Remover Soro fisiológico 500 ml" }).click();
    await page.getByRole("button", { name: "Confirmar remoção de SORO-1" }).click();
    await page.getByText("Item SORO-1 removido.").waitFor();
    // the notice comes with the answer; the list is read again after it
    await items.getByRole("row", { name: /SORO-1/ }).waitFor({ state: "detached", timeout: 10_000 }).catch(() => {
      throw new Error("the removed item is still listed");
    });
  });

  await t.step("integrations: an API key and a webhook, secrets shown once", async () => {
    await go("Integrações");
    await h1("Integrações");
    await page.getByLabel("Nome da chave").fill("ERP da loja");
    await page.getByText("Mover pedidos", { exact: true }).click();
    await page.getByRole("button", { name: "Criar chave" }).click();
    await page.getByText("Chave criada").waitFor();
    const secret = await page.getByLabel("Segredo").innerText();
    t.expect(secret.length > 20, `the key's secret is "${secret}"`);
    const keyRow = page.getByRole("table", { name: "Chaves de API" }).getByRole("row", { name: /ERP da loja/ });
    t.expect((await keyRow.innerText()).includes("Mover pedidos"), "the key's scopes are not listed");
    await page.getByRole("button", { name: "Já guardei" }).click();
    // the local profile lets a webhook target this server: a path it answers 404 to, so the ping fails
    const hookURL = `${t.base}/v1/receptor-de-teste`;
    await page.getByLabel("URL do endpoint (https)").fill(hookURL);
    await page.getByRole("button", { name: "Criar webhook" }).click();
    await page.getByText(`Webhook criado para ${hookURL}`).waitFor();
    t.expect((await page.getByLabel("Segredo").innerText()).length > 20, "the webhook's secret is not shown");
    await page.getByRole("button", { name: "Já guardei" }).click();
    const hook = page.getByRole("region", { name: `Webhook ${hookURL}` });
    await hook.getByRole("button", { name: "Enviar ping" }).click();
    const pinged = hook.getByText(/Ping enviado/);
    await pinged.waitFor();
    t.expect(/Falhou|Desistida/.test(await pinged.innerText()), `the ping says "${await pinged.innerText()}"`);
    await hook.getByRole("button", { name: "Ver entregas" }).click();
    const row = hook.getByRole("row", { name: /webhook\.ping|Falhou|Desistida/ }).first();
    await row.waitFor();
    t.expect(/HTTP 404/.test(await row.innerText()), `the delivery log says "${await row.innerText()}"`);
    await row.getByRole("button", { name: "Reenviar" }).click();
    await hook.getByText(/Entrega reenviada/).waitFor();
    await t.axe("company-integrations");
    await t.shot("company-integrations");
  });

  let orderId;
  await t.step("an order placed and paid through the API appears on the board", async () => {
    const patient = await t.signUpPatient();
    const order = await t.must("POST", "/v1/orders", { company_id: companyId, items: [{ sku: "DIP-500", quantity: 2 }], fulfilment: { method: "pickup" } }, patient.token, 201);
    orderId = order.id;
    const pay = await t.must("POST", `/v1/orders/${orderId}/payments`, { method: "pix" }, patient.token);
    await t.must("POST", `/dev/localpay/charges/${pay.charge_id}/pay`, null, undefined, 200);
    for (let i = 0; i < 50; i++) {
      const o = await t.must("GET", `/v1/orders/${orderId}`, null, patient.token);
      if (o.status === "paid") break;
      t.expect(i < 49, `the order stays ${o.status} after the Pix was paid`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await go("Pedidos");
    await h1("Pedidos");
    await page.getByRole("button", { name: "Atualizar" }).click();
    const col = page.getByRole("region", { name: "Novos (pagos)" });
    const card = col.getByRole("article", { name: `Pedido ${orderId.slice(0, 8)}` });
    await card.waitFor();
    const text = await card.innerText();
    t.expect(text.includes("2 × Dipirona Sódica 500 mg") && text.includes("Total R$ 25,80") && text.includes("Retirada na loja"), `the card says "${text}"`);
    await t.axe("company-board-paid");
    await t.shot("company-board-paid");
  });

  await t.step("the order moves accepted → preparing → ready → delivered", async () => {
    const card = page.getByRole("article", { name: `Pedido ${orderId.slice(0, 8)}` });
    const moves = [
      ["Aceitar", "Aceitos", "Aceito"],
      ["Iniciar preparo", "Em preparo", "Em preparo"],
      ["Pronto para retirada", "Prontos / em entrega", "Pronto para retirada"],
      ["Entregue ao paciente", "Concluídos", "Entregue"],
    ];
    for (const [button, column, status] of moves) {
      // with the keyboard: the board has no drag and drop
      await card.getByRole("button", { name: button }).focus();
      await page.keyboard.press("Enter");
      await page.getByRole("region", { name: column }).getByRole("article", { name: `Pedido ${orderId.slice(0, 8)}` }).getByText(status, { exact: true }).first().waitFor();
      await page.getByRole("status").filter({ hasText: `Pedido ${orderId.slice(0, 8)}: ${status}.` }).waitFor();
      const focused = await page.evaluate(() => document.activeElement?.id);
      t.expect(focused === `pedido-${orderId}`, `after "${button}" the focus is on "${focused}", not on the moved order`);
      const api = await t.must("GET", `/v1/orders/${orderId}`, null, await t.token(admin.email, admin.password, "company_member"));
      t.expect(orderStatusPT[api.status] === status, `the page shows ${status}, the API says ${api.status}`);
      await t.shot(`company-board-${api.status}`);
    }
    await t.axe("company-board-delivered");
  });

  await t.step("the statement shows the payment", async () => {
    await go("Extrato");
    await h1("Extrato");
    const row = page.getByRole("table", { name: "Movimentações" }).getByRole("row", { name: new RegExp(orderId.slice(0, 8)) });
    await row.waitFor();
    const text = await row.innerText();
    t.expect(text.includes("Pagamento") && text.includes("R$ 25,80") && text.includes("Pix"), `the statement's line says "${text}"`);
    await t.axe("company-statement");
    await t.shot("company-statement");
  });

  await t.step("members: add one", async () => {
    await go("Membros");
    await h1("Membros");
    await page.getByRole("row", { name: new RegExp(admin.name) }).waitFor();
    await page.getByLabel(/^Nome\s*\*?$/).fill("Carlos Balconista");
    await page.getByLabel(/^E-mail\s*\*?$/).fill(email("balcao"));
    await page.getByLabel("Senha inicial").fill(PASSWORD);
    await page.getByRole("button", { name: "Adicionar membro" }).click();
    await page.getByText("Carlos Balconista foi adicionado(a).").waitFor();
    await page.getByRole("row", { name: /Carlos Balconista/ }).getByText("Equipe").waitFor();
    await t.axe("company-members");
    await t.shot("company-members");
  });

  await t.step("public verification page: the prescriber and items; the pharmacy dispenses", async () => {
    const pro = await t.signUpProfessional();
    const patient = await t.signUpPatient();
    const until = new Date(Date.now() + 7 * 86400_000).toISOString();
    await t.must("POST", "/v1/me/record-shares", { professional_id: pro.id, until }, patient.token, 201);
    const rx = await t.must(
      "POST",
      `/v1/patients/${patient.id}/prescriptions`,
      { type: "simple", items: [{ drug: "Amoxicilina", concentration: "500 mg", form: "cápsula", quantity: "21 cápsulas", dosage: "1 cápsula de 8 em 8 horas por 7 dias" }] },
      pro.token,
      201,
    );
    // signed out: anyone may check
    const other = await t.person();
    await other.goto(`/verificar/${rx.verification_code}`);
    await other.getByRole("heading", { level: 1, name: "Verificação de receita" }).waitFor();
    await other.getByText("Receita válida", { exact: true }).waitFor();
    const text = await other.getByRole("main").innerText();
    t.expect(text.includes(pro.name) && /CRM \d+\/SP/.test(text) && text.includes("Amoxicilina") && text.includes("500 mg"), `the page says "${text}"`);
    t.expect(text.includes("Ainda não dispensada") && !text.includes("Maria Souza"), "dispensing state or the patient's name");
    await t.axeOf(other, "verify-valid");
    await t.shotOf(other, "verify-valid");
    await other.goto("/verificar/ABCD1234EFGH56");
    await other.getByText("Receita não encontrada").waitFor();
    await t.axeOf(other, "verify-unknown");
    await t.shotOf(other, "verify-unknown");
    await other.context().close();
    // the signed-in pharmacy (its session lives in this tab) marks it dispensed
    await page.goto(`/entrar?voltar=${encodeURIComponent(`/verificar/${rx.verification_code}`)}`);
    await page.getByLabel("E-mail").fill(admin.email);
    await page.getByLabel("Senha").fill(admin.password);
    await page.getByRole("button", { name: "Entrar" }).click();
    await page.getByText("Receita válida", { exact: true }).waitFor();
    await page.getByRole("button", { name: "Marcar como dispensada" }).click();
    await page.getByText("Receita válida, já dispensada").waitFor();
    t.expect((await page.getByRole("main").innerText()).includes("Não dispense de novo"), "the dispensed state is not said");
    await t.axe("verify-dispensed");
    await t.shot("verify-dispensed");
    // cancelled: the prescriber cancels another one
    const rx2 = await t.must("POST", `/v1/patients/${patient.id}/prescriptions`, { type: "simple", items: [{ drug: "Dipirona", dosage: "1 comprimido se dor" }] }, pro.token, 201);
    await t.must("POST", `/v1/prescriptions/${rx2.id}/cancel`, { reason: "Troca de medicamento" }, pro.token, 200);
    const r = await t.must("GET", `/v1/prescription-verifications/${rx2.verification_code}`);
    t.expect(r.valid === false && r.reason === "cancelled", `a cancelled prescription verifies as ${JSON.stringify(r)}`);
    const third = await t.person();
    await third.goto(`/verificar/${rx2.verification_code}`);
    await third.getByText("Receita inválida", { exact: true }).waitFor();
    t.expect((await third.getByRole("main").innerText()).includes("A receita foi cancelada por quem a emitiu"), "the cancelled state is not said");
    t.expect((await third.getByRole("button", { name: "Marcar como dispensada" }).count()) === 0, "a cancelled prescription offers to dispense");
    await t.axeOf(third, "verify-cancelled");
    await t.shotOf(third, "verify-cancelled");
    await third.context().close();
  });

  await t.step("a hospital publishes an exam and its weekly hours", async () => {
    const hospital = await t.signUpCompany("hospital");
    const p = await t.person();
    await t.loginOn(p, hospital.email, hospital.password);
    await p.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Catálogo", exact: true }).click();
    await p.getByRole("heading", { level: 2, name: "Exames" }).waitFor();
    await p.getByLabel(/^Nome do exame/).fill("Hemograma completo");
    await p.getByLabel(/^Preço \(R\$\)/).last().fill("45,00");
    await p.getByLabel(/^Duração/).fill("15");
    await p.getByRole("button", { name: "Publicar exame" }).click();
    await p.getByRole("heading", { level: 3, name: /Hemograma completo · R\$ 45,00 · 15 min/ }).waitFor();
    await p.getByLabel("Dia 1").selectOption("tuesday");
    await p.getByRole("button", { name: "Publicar agenda" }).click();
    await p.getByText("Agenda do exame publicada (horário de Brasília).").waitFor();
    await t.axeOf(p, "hospital-exams");
    await t.shotOf(p, "hospital-exams");
    await p.context().close();
  });
}

const orderStatusPT = {
  accepted: "Aceito",
  preparing: "Em preparo",
  ready_for_pickup: "Pronto para retirada",
  delivered: "Entregue",
};
