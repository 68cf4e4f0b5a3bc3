// Patient side B: dashboard, health history, a treatment plan's purchase
// options into the cart, an order paid with Pix (settled by the local
// simulator while the page polls), payments, the privacy centre, the
// notifications and the chat with live delivery from the professional.
export default async function (t) {
  const { page } = t;
  // the plan starts today in the patient's zone (the browser's)
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: "America/Sao_Paulo" }).format(new Date());
  const todayBR = today.split("-").reverse().join("/");

  // --- setup through the API ---
  const pat = await t.signUpPatient();
  const pro = await t.signUpProfessional();
  const until = new Date(Date.now() + 30 * 864e5).toISOString();
  // the professional attends the patient (a record share: an appointment
  // cannot be completed through the API before it starts)
  await t.must("POST", "/v1/me/record-shares", { professional_id: pro.id, until }, pat.token, 201);
  await t.must("POST", `/v1/patients/${pat.id}/evaluations`, {
    kind: "detailed", chief_complaint: "Cansaço e dores musculares", assessment: "Deficiência de vitamina D", icd10: ["E55"], plan: "Suplementação", sign: true,
  }, pro.token, 201);
  await t.must("POST", `/v1/patients/${pat.id}/prescriptions`, { type: "simple", items: [{
    drug: "Colecalciferol", active_ingredient: "Colecalciferol", concentration: "2.000 UI", form: "cápsula",
    dosage: "1 cápsula ao dia", quantity: "60 cápsulas", route: "oral" }] }, pro.token, 201);
  const planTitle = "Reposição de vitamina D";
  const plan = await t.must("POST", `/v1/patients/${pat.id}/treatment-plans`, {
    title: planTitle, start: today, status: "active", goals: ["Normalizar a vitamina D em 3 meses"],
    items: [{ kind: "medication", name: "Vitamina D 2.000 UI", dosage: "1 cápsula", frequency: "1x ao dia", tags: ["drug:colecalciferol"] }],
  }, pro.token, 201);
  const pharm = await t.signUpCompany("pharmacy");
  const sku = "VITD-2000";
  const product = "Vitamina D3 2.000 UI 60 cápsulas";
  await t.must("PUT", `/v1/companies/${pharm.id}/catalog/${sku}`, {
    name: product, kind: "medication", tags: ["drug:colecalciferol"], active_ingredient: "Colecalciferol", concentration: "2.000 UI", form: "cápsula",
    requires_prescription: false, price: { amount: 3990, currency: "BRL" }, stock: 10, fulfilment: { pickup: true },
  }, pharm.token, 201);
  // the professional reads the record: an entry of the access log
  await t.must("GET", `/v1/patients/${pat.id}/history`, null, pro.token, 200);
  // another professional opens the record in an emergency: the patient is notified
  const er = await t.signUpProfessional({ name: "Dra. Ana Pronto" });
  await t.must("POST", `/v1/patients/${pat.id}/break-the-glass`, { reason: "Paciente inconsciente no pronto-socorro." }, er.token);

  await t.login(pat.email, pat.password);
  // the session lives in memory: move through the menu, never page.goto
  const menu = (name) => page.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name, exact: true }).click();

  await t.step("dashboard", async () => {
    await menu("Início");
    await page.getByRole("heading", { level: 1, name: "Início" }).waitFor();
    await page.getByRole("link", { name: planTitle }).waitFor();
    // each panel loads on its own: wait for what each must say
    await page.getByText("Nenhuma consulta agendada.").waitFor();
    await page.getByText("Nenhum pedido em andamento.").waitFor();
    await t.axe("dashboard");
    await t.shot("dashboard");
  });

  await t.step("history shows the evaluation", async () => {
    await menu("Histórico");
    await page.getByRole("heading", { level: 1, name: "Histórico de saúde" }).waitFor();
    await page.getByRole("cell", { name: /Avaliação/ }).first().waitFor();
    await page.getByRole("cell", { name: /Plano de tratamento/ }).first().waitFor();
    await page.getByRole("cell", { name: /Receita/ }).first().waitFor();
    const [dl] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Baixar PDF da receita" }).click()]);
    t.expect(/^receita-.*\.pdf$/.test(dl.suggestedFilename()), `the prescription downloads as ${dl.suggestedFilename()}`);
    const head = await new Promise(async (res, rej) => {
      const st = await dl.createReadStream();
      st.once("data", (c) => res(c.subarray(0, 5).toString()));
      st.once("error", rej);
    });
    t.expect(head === "%PDF-", `the prescription download starts with ${head}`);
    await t.axe("history");
    await t.shot("history");
  });

  let orderId;
  await t.step("plan: purchase options into the cart", async () => {
    await menu("Planos");
    await page.getByRole("heading", { level: 1, name: "Planos de tratamento" }).waitFor();
    await t.axe("plans");
    await t.shot("plans");
    await page.getByRole("link", { name: planTitle }).click();
    await page.getByRole("heading", { level: 1, name: planTitle }).waitFor();
    await page.getByRole("cell", { name: "R$ 39,90" }).first().waitFor();
    t.expect((await page.locator("main").innerText()).includes(`Início em ${todayBR}`), `the plan does not start on ${todayBR}`);
    await page.getByRole("button", { name: "Marcar feito hoje: Vitamina D 2.000 UI" }).click();
    await page.getByRole("cell", { name: "Feito hoje" }).waitFor();
    await page.getByRole("cell", { name: "1 vez", exact: true }).waitFor();
    await t.axe("plan");
    await t.shot("plan");
    await page.getByRole("button", { name: `Adicionar ao carrinho: ${product} de Parceira` }).click();
    await page.getByRole("status").filter({ hasText: "foi adicionado ao carrinho" }).waitFor();
    await page.getByRole("link", { name: "Ver carrinho (1)" }).click();
    await page.getByRole("heading", { level: 1, name: "Carrinho" }).waitFor();
    await page.getByText(product).first().waitFor(); // the lines render after the page's own loads
    const cart = await page.locator("main").innerText();
    t.expect(cart.includes(product) && cart.includes("R$ 39,90"), `cart says: ${cart}`);
    await t.axe("cart");
    await t.shot("cart");
    await page.getByRole("button", { name: "Fazer pedido em Parceira" }).click();
    await page.waitForURL(/\/paciente\/pedidos\/[0-9a-f-]{36}$/);
    orderId = page.url().split("/").pop();
    await page.getByTestId("order-status").filter({ hasText: "Aguardando pagamento" }).waitFor();
  });

  await t.step("pay with Pix; the simulator settles it; the page says paid", async () => {
    await page.getByRole("button", { name: "Gerar código Pix" }).click();
    const code = await page.getByTestId("pix-code").innerText();
    t.expect(code.startsWith("000201"), `Pix code shown: ${code}`);
    await t.axe("order-pix");
    await t.shot("order-pix");
    const pays = await t.must("GET", "/v1/me/payments", null, pat.token, 200);
    const pay = pays.items.find((p) => p.order_id === orderId);
    t.expect(pay && pay.charge_id, "no pending payment for the order");
    await t.must("POST", `/dev/localpay/charges/${pay.charge_id}/pay`, null, undefined, 200);
    await page.getByRole("status").filter({ hasText: "Pagamento confirmado" }).waitFor({ timeout: 30_000 });
    await page.getByTestId("order-status").filter({ hasText: "Pago" }).waitFor();
    const text = await page.locator("main").innerText();
    t.expect(/Pago em \d{2}\/\d{2}\/\d{4}/.test(text), `the timeline has no paid step: ${text}`);
    await t.axe("order-paid");
    await t.shot("order-paid");
  });

  await t.step("orders and payments list it", async () => {
    await menu("Pedidos");
    await page.getByRole("heading", { level: 1, name: "Meus pedidos" }).waitFor();
    const row = page.getByRole("row").filter({ hasText: product });
    await row.waitFor();
    t.expect((await row.innerText()).includes("Pago"), "orders list does not say paid");
    await t.axe("orders");
    await t.shot("orders");
    await menu("Pagamentos");
    await page.getByRole("heading", { level: 1, name: "Pagamentos" }).waitFor();
    const prow = page.getByRole("row").filter({ hasText: "R$ 39,90" });
    await prow.waitFor();
    const ptext = await prow.innerText();
    t.expect(ptext.includes("Pix") && ptext.includes("Pago"), `payment row says: ${ptext}`);
    await t.axe("payments");
    await t.shot("payments");
  });

  await t.step("cancel an order waiting for payment", async () => {
    await t.must("POST", "/v1/orders", { company_id: pharm.id, items: [{ sku, quantity: 2 }], fulfilment: { method: "pickup" } }, pat.token, 201, {
      "Idempotency-Key": `pb-cancel-${Date.now()}`,
    });
    await menu("Pedidos");
    await page.getByLabel("Situação").selectOption("created");
    const row = page.getByRole("row").filter({ hasText: `2× ${product}` });
    await row.waitFor();
    t.expect((await row.innerText()).includes("R$ 79,80"), "the second order's total is not R$ 79,80");
    await row.getByRole("link").click();
    await page.getByTestId("order-status").filter({ hasText: "Aguardando pagamento" }).waitFor();
    await page.getByRole("button", { name: "Cancelar pedido" }).click();
    await page.getByLabel("Motivo (opcional)").fill("Comprei em outro lugar.");
    await t.axe("order-cancel");
    await page.getByRole("button", { name: "Confirmar cancelamento" }).click();
    await page.getByTestId("order-status").filter({ hasText: "Cancelado" }).waitFor();
    const text = await page.locator("main").innerText();
    t.expect(/Cancelado em \d{2}\/\d{2}\/\d{4}, \d{2}:\d{2} por você/.test(text), `the timeline has no cancellation by the patient: ${text}`);
    t.expect(!text.includes("Gerar código Pix"), "a cancelled order still offers payment");
    await t.shot("order-cancelled");
  });

  await t.step("pay an order by card (the local provider's test token)", async () => {
    await t.must("POST", "/v1/orders", { company_id: pharm.id, items: [{ sku, quantity: 3 }], fulfilment: { method: "pickup" } }, pat.token, 201, {
      "Idempotency-Key": `pb-card-${Date.now()}`,
    });
    await menu("Pedidos");
    await page.getByLabel("Situação").selectOption("created");
    const row = page.getByRole("row").filter({ hasText: `3× ${product}` });
    await row.waitFor();
    await row.getByRole("link").click();
    await page.getByTestId("order-status").filter({ hasText: "Aguardando pagamento" }).waitFor();
    await page.getByRole("tab", { name: "Cartão" }).click();
    await page.getByLabel("Token do cartão").fill("tok_visa");
    await t.axe("order-card");
    await page.getByRole("button", { name: "Pagar com cartão" }).click();
    await page.getByRole("status").filter({ hasText: "Pagamento confirmado" }).waitFor({ timeout: 30_000 });
    await page.getByTestId("order-status").filter({ hasText: "Pago" }).waitFor();
    await t.shot("order-card-paid");
  });

  await t.step("privacy centre", async () => {
    const term = await t.must("GET", "/v1/consent-terms/telemedicine");
    await menu("Privacidade");
    await page.getByRole("heading", { level: 1, name: "Privacidade" }).waitFor();
    await page.getByRole("button", { name: `Retirar autorização: ${term.title}` }).click();
    await page.getByRole("button", { name: `Autorizar: ${term.title}` }).waitFor();
    let mine = await t.must("GET", "/v1/me/consents", null, pat.token, 200);
    t.expect(!mine.states.find((s) => s.purpose === "telemedicine").effective, "telemedicine still granted after withdrawing");
    await page.getByRole("button", { name: `Autorizar: ${term.title}` }).click();
    await page.getByRole("button", { name: `Retirar autorização: ${term.title}` }).waitFor();
    mine = await t.must("GET", "/v1/me/consents", null, pat.token, 200);
    t.expect(mine.states.find((s) => s.purpose === "telemedicine").effective, "telemedicine not granted again");
    // the professional's access
    await page.getByRole("row").filter({ hasText: pro.name }).first().waitFor();
    // the emergency access, marked so
    const emergency = page.getByRole("row").filter({ hasText: "Dra. Ana Pronto" }).first();
    await emergency.waitFor();
    t.expect((await emergency.innerText()).includes("Emergência"), "the emergency access is not marked");
    // the share made in the setup, by the professional's name
    await page.getByRole("row").filter({ hasText: "Compartilhado por você" }).filter({ hasText: pro.name }).waitFor();
    await page.getByRole("button", { name: "Pedir exportação" }).click();
    await page.getByRole("row").filter({ hasText: /Na fila|Em preparação|Pronto para baixar/ }).first().waitFor();
    // the worker builds the archive; the page shows it ready and downloads it
    for (let i = 0; i < 60; i++) {
      if (await page.getByRole("button", { name: /Baixar ZIP/ }).count()) break;
      await new Promise((r) => setTimeout(r, 500));
      await page.getByRole("button", { name: "Atualizar situação" }).first().click();
    }
    const [zip] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: /Baixar ZIP/ }).click()]);
    t.expect(/^meus-dados-.*\.zip$/.test(zip.suggestedFilename()), `the export downloads as ${zip.suggestedFilename()}`);
    await t.axe("privacy");
    await t.shot("privacy");
  });

  await t.step("notifications", async () => {
    let notes;
    for (let i = 0; i < 40; i++) {
      notes = await t.must("GET", "/v1/me/notifications?unread=true", null, pat.token, 200);
      if (notes.items.length > 0) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    t.expect(notes.items.length > 0, "the emergency access notified nobody");
    const n = notes.items[0];
    await menu("Notificações");
    await page.getByRole("heading", { level: 1, name: "Notificações" }).waitFor();
    await page.getByText(n.title).first().waitFor();
    await t.axe("notifications");
    await t.shot("notifications");
    await page.getByRole("button", { name: `Marcar como lida: ${n.title}` }).first().click();
    await page.getByRole("button", { name: `Marcar como lida: ${n.title}` }).first().waitFor({ state: "detached" }).catch(() => undefined);
    const after = await t.must("GET", "/v1/me/notifications", null, pat.token, 200);
    t.expect(after.items.find((x) => x.id === n.id)?.read_at, "the notification was not marked read");
  });

  await t.step("chat: start, send, attach, live reply", async () => {
    await menu("Mensagens");
    await page.getByRole("heading", { level: 1, name: "Mensagens" }).waitFor();
    await page.getByText("Nenhuma conversa.").waitFor();
    await t.axe("chat-list");
    await t.shot("chat-list");
    await page.getByLabel("Profissional").selectOption(pro.id);
    await page.getByRole("button", { name: "Abrir conversa" }).click();
    await page.waitForURL(/\/paciente\/mensagens\/[0-9a-f-]{36}$/);
    const convId = page.url().split("/").pop();
    await page.getByRole("status").filter({ hasText: "Conectado" }).waitFor();
    await page.getByLabel("Mensagem").fill("Bom dia, doutor. Comecei a vitamina D hoje.");
    await page.getByRole("button", { name: "Enviar" }).click();
    const thread = page.getByRole("list", { name: "Mensagens" });
    await thread.getByText("Bom dia, doutor. Comecei a vitamina D hoje.").waitFor();
    // an attachment (a 1x1 PNG)
    const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");
    await page.getByLabel(/Anexo/).setInputFiles({ name: "exame.png", mimeType: "image/png", buffer: png });
    await page.getByLabel("Mensagem").fill("Segue o exame.");
    await page.getByRole("button", { name: "Enviar" }).click();
    await page.getByRole("button", { name: /Baixar anexo: exame\.png/ }).waitFor();
    // the professional answers through the API: it appears without a reload
    const reply = "Ótimo, Maria. Vamos reavaliar em 3 meses.";
    await t.must("POST", `/v1/conversations/${convId}/messages`, { text: reply }, pro.token, 201);
    await thread.getByText(reply).waitFor({ timeout: 10_000 });
    const bubble = await thread.getByRole("listitem").filter({ hasText: reply }).innerText();
    t.expect(bubble.includes(pro.name), `the reply does not name the professional: ${bubble}`);
    await t.axe("chat-room");
    await t.shot("chat-room");
  });
}
