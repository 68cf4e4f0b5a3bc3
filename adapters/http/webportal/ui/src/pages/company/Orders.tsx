import { Badge, Box, Button, Card, Heading, HStack, List, SimpleGrid, Stack, Text } from "@chakra-ui/react";
import { useCallback, useEffect, useLayoutEffect, useState, type FormEvent } from "react";
import { api, call, type Schemas } from "../../api/client";
import { Loading } from "../../components/Loading";
import { Page } from "../../components/Page";
import { ProblemAlert } from "../../components/ProblemAlert";
import { TextField } from "../../components/TextField";
import { dateTime, price } from "../../lib/format";
import { useCompany } from "./context";
import { centsToReais, orderStatus, reais } from "./labels";

type Order = Schemas["OrderResponse"];
type Status = Order["status"];

// The board's columns, in the order an order moves through them.
const columns: { title: string; statuses: Status[] }[] = [
  { title: "Novos (pagos)", statuses: ["paid"] },
  { title: "Aceitos", statuses: ["accepted"] },
  { title: "Em preparo", statuses: ["preparing"] },
  { title: "Prontos / em entrega", statuses: ["ready_for_pickup", "out_for_delivery"] },
  { title: "Concluídos", statuses: ["delivered"] },
  { title: "Aguardando pagamento", statuses: ["created"] },
  { title: "Cancelados e reembolsados", statuses: ["cancelled", "refunded"] },
];

const REFRESH_MS = 15_000;

// The orders board: every order of the company by state, with the actions its
// state allows; refreshed every 15 s while open.
export function Orders() {
  const { id } = useCompany();
  const [orders, setOrders] = useState<Order[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const [updatedAt, setUpdatedAt] = useState<Date>();

  const merge = useCallback((fresh: Order[], replace: boolean) => {
    setOrders((old) => {
      const byId = new Map((replace ? [] : old).map((o) => [o.id, o]));
      if (replace) for (const o of old) byId.set(o.id, o);
      for (const o of fresh) byId.set(o.id, o);
      return [...byId.values()].sort((a, b) => b.created_at.localeCompare(a.created_at));
    });
  }, []);

  const refresh = useCallback(async () => {
    try {
      const r = await call(api.GET("/v1/companies/{id}/orders", { params: { path: { id }, query: { limit: 100 } } }));
      merge(r.items, true);
      setCursor((c) => c ?? r.next_cursor);
      setError(undefined);
      setUpdatedAt(new Date());
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  }, [id, merge]);

  useEffect(() => {
    void refresh();
    const t = setInterval(() => void refresh(), REFRESH_MS);
    return () => clearInterval(t);
  }, [refresh]);

  async function more() {
    try {
      const r = await call(
        api.GET("/v1/companies/{id}/orders", { params: { path: { id }, query: { limit: 100, cursor } } }),
      );
      merge(r.items, false);
      setCursor(r.next_cursor || undefined);
    } catch (e) {
      setError(e);
    }
  }

  const [notice, setNotice] = useState("");
  // a moved order changes column: announce its new state and keep the
  // keyboard on its card
  const changed = (o: Order) => {
    merge([o], false);
    setNotice(`Pedido ${o.id.slice(0, 8)}: ${orderStatus[o.status] ?? o.status}.`);
    setFocusId(o.id);
  };
  const [focusId, setFocusId] = useState<string>();
  useLayoutEffect(() => {
    if (!focusId) return;
    document.getElementById(`pedido-${focusId}`)?.focus();
    setFocusId(undefined);
  }, [focusId]);

  return (
    <Page
      title="Pedidos"
      actions={
        <HStack>
          {updatedAt && (
            <Text fontSize="sm" color="gray.700">
              Atualizado às {updatedAt.toLocaleTimeString("pt-BR", { hour: "2-digit", minute: "2-digit", second: "2-digit" })}
            </Text>
          )}
          <Button size="sm" variant="outline" onClick={() => void refresh()}>
            Atualizar
          </Button>
        </HStack>
      }
    >
      <div role="status">{notice && <Text fontWeight="semibold">{notice}</Text>}</div>
      <ProblemAlert error={error} />
      {loading ? (
        <Loading />
      ) : orders.length === 0 ? (
        <Text>Nenhum pedido ainda. Os pedidos dos pacientes aparecem aqui assim que são feitos.</Text>
      ) : (
        <SimpleGrid columns={{ base: 1, md: 2, xl: 3 }} gap="4" alignItems="start">
          {columns.map((c) => {
            const list = orders.filter((o) => c.statuses.includes(o.status));
            return (
              <Box as="section" key={c.title} aria-label={c.title} bg="gray.100" p="3" borderRadius="md">
                <Heading as="h2" size="md" mb="3">
                  {c.title} ({list.length})
                </Heading>
                {list.length === 0 ? (
                  <Text fontSize="sm" color="gray.700">
                    Nenhum pedido.
                  </Text>
                ) : (
                  <Stack gap="3">
                    {list.map((o) => (
                      <OrderCard key={o.id} order={o} onChange={changed} />
                    ))}
                  </Stack>
                )}
              </Box>
            );
          })}
        </SimpleGrid>
      )}
      {cursor && (
        <Button variant="outline" onClick={() => void more()}>
          Carregar pedidos mais antigos
        </Button>
      )}
    </Page>
  );
}

type Move = "accept" | "prepare" | "ready" | "dispatch" | "deliver";
const moveLabel: Record<Move, string> = {
  accept: "Aceitar",
  prepare: "Iniciar preparo",
  ready: "Pronto para retirada",
  dispatch: "Saiu para entrega",
  deliver: "Entregue ao paciente",
};

function movesOf(o: Order): Move[] {
  switch (o.status) {
    case "paid":
      return ["accept"];
    case "accepted":
      return ["prepare"];
    case "preparing":
      return [o.fulfilment.method === "delivery" ? "dispatch" : "ready"];
    case "ready_for_pickup":
    case "out_for_delivery":
      return ["deliver"];
    default:
      return [];
  }
}

function OrderCard({ order: o, onChange }: { order: Order; onChange: (o: Order) => void }) {
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [form, setForm] = useState<"cancel" | "refund" | "buyer" | null>(null);
  const [reason, setReason] = useState("");
  const [amount, setAmount] = useState("");
  const [buyer, setBuyer] = useState({ name: "", doc: "" });
  const short = o.id.slice(0, 8);
  const canCancel = ["paid", "accepted", "preparing"].includes(o.status);
  const canRefund = !!o.paid_at && o.status !== "refunded" && o.status !== "cancelled" && o.refunded.amount < o.total.amount;
  // a prescription is dispensed when the order leaves: the buyer's name and document may be asked
  const needsBuyer = !!o.prescription;

  async function run(what: string, p: () => Promise<Order>) {
    setBusy(what);
    setError(undefined);
    try {
      const n = await p();
      setForm(null);
      onChange(n);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(undefined);
    }
  }

  function move(m: Move) {
    const path = { params: { path: { id: o.id } } };
    if ((m === "ready" || m === "dispatch") && needsBuyer && form !== "buyer") {
      setForm("buyer");
      return;
    }
    const body = buyer.name || buyer.doc ? { buyer_name: buyer.name, buyer_document: buyer.doc } : {};
    void run(m, () => {
      switch (m) {
        case "accept":
          return call(api.POST("/v1/orders/{id}/accept", path));
        case "prepare":
          return call(api.POST("/v1/orders/{id}/prepare", path));
        case "ready":
          return call(api.POST("/v1/orders/{id}/ready", { ...path, body }));
        case "dispatch":
          return call(api.POST("/v1/orders/{id}/dispatch", { ...path, body }));
        case "deliver":
          return call(api.POST("/v1/orders/{id}/deliver", path));
      }
    });
  }

  function cancel(e: FormEvent) {
    e.preventDefault();
    void run("cancel", () => call(api.POST("/v1/orders/{id}/cancel", { params: { path: { id: o.id } }, body: { reason } })));
  }

  function refund(e: FormEvent) {
    e.preventDefault();
    const cents = reais(amount);
    if (cents === undefined || cents <= 0) {
      setError(new Error("Informe o valor do reembolso em reais, por exemplo 12,90."));
      return;
    }
    void run("refund", async () => {
      await call(
        api.POST("/v1/orders/{id}/refunds", {
          params: { path: { id: o.id }, header: { "Idempotency-Key": crypto.randomUUID() } },
          body: { amount: cents, reason: reason || undefined },
        }),
      );
      return call(api.GET("/v1/orders/{id}", { params: { path: { id: o.id } } }));
    });
  }

  const a = o.fulfilment.address;
  return (
    <Card.Root size="sm" as="article" aria-label={`Pedido ${short}`} id={`pedido-${o.id}`} tabIndex={-1}>
      <Card.Body>
        <Stack gap="2">
          <HStack justify="space-between" wrap="wrap">
            <Heading as="h3" size="sm">
              Pedido {short}
            </Heading>
            <Badge colorPalette={o.status === "cancelled" || o.status === "refunded" ? "red" : "teal"}>
              {orderStatus[o.status] ?? o.status}
            </Badge>
          </HStack>
          <Text fontSize="sm" color="gray.700">
            Feito em {dateTime(o.created_at)}
          </Text>
          <List.Root fontSize="sm" ps="4">
            {o.items.map((l) => (
              <List.Item key={l.sku}>
                {l.quantity} × {l.name} — {price(l.total)}
                {l.requires_prescription && " (com receita)"}
              </List.Item>
            ))}
          </List.Root>
          <Text fontSize="sm">
            {o.fulfilment.method === "delivery" ? `Entrega (taxa ${price(o.fulfilment.fee)})` : "Retirada na loja"}
            {o.fulfilment.recipient && ` · para ${o.fulfilment.recipient}`}
          </Text>
          {a && (
            <Text fontSize="sm">
              {a.street}, {a.number}
              {a.complement ? ` (${a.complement})` : ""} · {a.district} · {a.city}/{a.uf} · CEP {a.cep}
            </Text>
          )}
          {o.prescription && <Text fontSize="sm">Receita: código {o.prescription.verification_code}</Text>}
          <Text fontWeight="semibold">Total {price(o.total)}</Text>
          {o.refunded.amount > 0 && <Text fontSize="sm">Reembolsado: {price(o.refunded)}</Text>}
          <ProblemAlert error={error} />
          <HStack wrap="wrap" gap="2">
            {movesOf(o).map((m) => (
              <Button key={m} size="sm" colorPalette="teal" loading={busy === m} onClick={() => move(m)}>
                {moveLabel[m]}
              </Button>
            ))}
            {canCancel && (
              <Button size="sm" variant="outline" colorPalette="red" onClick={() => setForm(form === "cancel" ? null : "cancel")}>
                Cancelar pedido
              </Button>
            )}
            {canRefund && (
              <Button
                size="sm"
                variant="outline"
                onClick={() => {
                  setAmount(centsToReais(o.total.amount - o.refunded.amount));
                  setForm(form === "refund" ? null : "refund");
                }}
              >
                Reembolsar
              </Button>
            )}
          </HStack>
          {form === "buyer" && (
            <Stack gap="2">
              <Text fontSize="sm">Receita de controle especial: informe quem retira ou recebe.</Text>
              <TextField label="Nome do comprador" name="buyer_name" size="sm" value={buyer.name} onChange={(e) => setBuyer({ ...buyer, name: e.target.value })} error={error} />
              <TextField label="Documento do comprador" name="buyer_document" size="sm" value={buyer.doc} onChange={(e) => setBuyer({ ...buyer, doc: e.target.value })} error={error} />
              <Button size="sm" colorPalette="teal" loading={!!busy} onClick={() => move(o.fulfilment.method === "delivery" ? "dispatch" : "ready")}>
                Confirmar
              </Button>
            </Stack>
          )}
          {form === "cancel" && (
            <form onSubmit={cancel}>
              <Stack gap="2">
                <TextField label="Motivo do cancelamento" name="reason" size="sm" required value={reason} onChange={(e) => setReason(e.target.value)} error={error} />
                <Button type="submit" size="sm" colorPalette="red" loading={busy === "cancel"}>
                  Confirmar cancelamento
                </Button>
              </Stack>
            </form>
          )}
          {form === "refund" && (
            <form onSubmit={refund}>
              <Stack gap="2">
                <TextField label="Valor a reembolsar (R$)" name="amount" size="sm" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} error={error} />
                <TextField label="Motivo (opcional)" name="reason" size="sm" value={reason} onChange={(e) => setReason(e.target.value)} error={error} />
                <Button type="submit" size="sm" colorPalette="teal" loading={busy === "refund"}>
                  Confirmar reembolso
                </Button>
              </Stack>
            </form>
          )}
        </Stack>
      </Card.Body>
    </Card.Root>
  );
}
