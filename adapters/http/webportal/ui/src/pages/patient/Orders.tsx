import { Alert, Badge, Box, Button, Card, Field, Heading, HStack, Link, List, NativeSelect, Stack, Table, Text, Textarea } from "@chakra-ui/react";
import { useCallback, useState } from "react";
import { Link as RouterLink, useParams } from "react-router";
import { api, call, type Schemas } from "../../api/client";
import { Loading } from "../../components/Loading";
import { MoreButton } from "../../components/MoreButton";
import { Page } from "../../components/Page";
import { ProblemAlert } from "../../components/ProblemAlert";
import { dateTime, price } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";
import { usePaged } from "../../lib/usePaged";
import { byWhom, label, orderStatus } from "./labels";
import { PayOrder } from "./Pay";

type Order = Schemas["OrderResponse"];
type Status = Order["status"];

// Orders lists the patient's orders, newest first, by status.
export function Orders() {
  const [status, setStatus] = useState<"" | Status>("");
  const first = usePaged(
    (c?: string) => call(api.GET("/v1/me/orders", { params: { query: { status: status || undefined, limit: 20, cursor: c } } })),
    [status],
  );
  const orders = first.items;
  return (
    <Page title="Meus pedidos">
      <Field.Root maxW="xs">
        <Field.Label>Situação</Field.Label>
        <NativeSelect.Root>
          <NativeSelect.Field value={status} onChange={(e) => setStatus(e.target.value as Status | "")}>
            <option value="">Todas</option>
            {Object.entries(orderStatus).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </NativeSelect.Field>
          <NativeSelect.Indicator />
        </NativeSelect.Root>
      </Field.Root>
      <ProblemAlert error={first.error} />
      {first.loading && <Loading />}
      {first.loaded && orders.length === 0 && <Text>Nenhum pedido.</Text>}
      {orders.length > 0 && (
        <Table.Root size="sm">
          <Table.Header>
            <Table.Row>
              <Table.ColumnHeader>Pedido</Table.ColumnHeader>
              <Table.ColumnHeader>Itens</Table.ColumnHeader>
              <Table.ColumnHeader>Total</Table.ColumnHeader>
              <Table.ColumnHeader>Situação</Table.ColumnHeader>
            </Table.Row>
          </Table.Header>
          <Table.Body>
            {orders.map((o) => (
              <Table.Row key={o.id}>
                <Table.Cell>
                  <Link asChild color="teal.700">
                    <RouterLink to={`/paciente/pedidos/${o.id}`}>Pedido de {dateTime(o.created_at)}</RouterLink>
                  </Link>
                </Table.Cell>
                <Table.Cell>{o.items.map((i) => `${i.quantity}× ${i.name}`).join(", ")}</Table.Cell>
                <Table.Cell>{price(o.total)}</Table.Cell>
                <Table.Cell>
                  <Badge>{label(orderStatus, o.status)}</Badge>
                </Table.Cell>
              </Table.Row>
            ))}
          </Table.Body>
        </Table.Root>
      )}
      <MoreButton paged={first} />
    </Page>
  );
}

function Cancel({ order, onDone }: { order: Order; onDone: (o: Order) => void }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const go = async () => {
    setBusy(true);
    setError(undefined);
    try {
      onDone(await call(api.POST("/v1/orders/{id}/cancel", { params: { path: { id: order.id } }, body: { reason: reason.trim() || undefined } })));
      setOpen(false);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  if (!open)
    return (
      <Button alignSelf="start" variant="outline" colorPalette="red" onClick={() => setOpen(true)}>
        Cancelar pedido
      </Button>
    );
  return (
    <Card.Root borderColor="red.300">
      <Card.Body>
        <Stack gap="3">
          <Text>
            {order.status === "paid"
              ? "O pedido será cancelado e o valor pago, reembolsado."
              : "O pedido será cancelado e a reserva dos produtos, liberada."}
          </Text>
          <Field.Root>
            <Field.Label>Motivo (opcional)</Field.Label>
            <Textarea value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} />
          </Field.Root>
          <ProblemAlert error={error} />
          <HStack>
            <Button colorPalette="red" onClick={go} loading={busy}>
              Confirmar cancelamento
            </Button>
            <Button variant="ghost" onClick={() => setOpen(false)}>
              Voltar
            </Button>
          </HStack>
        </Stack>
      </Card.Body>
    </Card.Root>
  );
}

// OrderDetail tracks one order: its lines, totals, the timeline of statuses
// with times, payment while it waits for one, and cancelling where allowed.
export function OrderDetail() {
  const { id = "" } = useParams();
  const order = useLoad(() => call(api.GET("/v1/orders/{id}", { params: { path: { id } } })), [id]);
  const [paidNow, setPaidNow] = useState(false);
  const { reload } = order;
  const onPaid = useCallback(() => {
    setPaidNow(true);
    void reload();
  }, [reload]);
  const o = order.data;
  return (
    <Page title="Pedido">
      <ProblemAlert error={order.error} />
      {order.loading && !o && <Loading />}
      {o && (
        <>
          <HStack wrap="wrap" gap="3">
            <Text fontSize="lg">
              Situação: <strong data-testid="order-status">{label(orderStatus, o.status)}</strong>
            </Text>
            <Text>Feito em {dateTime(o.created_at)}</Text>
          </HStack>
          {paidNow && o.status !== "created" && (
            <Alert.Root status="success" role="status">
              <Alert.Indicator />
              <Alert.Title>Pagamento confirmado</Alert.Title>
            </Alert.Root>
          )}
          <Table.Root size="sm">
            <Table.Header>
              <Table.Row>
                <Table.ColumnHeader>Produto</Table.ColumnHeader>
                <Table.ColumnHeader>Quantidade</Table.ColumnHeader>
                <Table.ColumnHeader>Preço unitário</Table.ColumnHeader>
                <Table.ColumnHeader>Total</Table.ColumnHeader>
              </Table.Row>
            </Table.Header>
            <Table.Body>
              {o.items.map((i) => (
                <Table.Row key={i.sku}>
                  <Table.Cell>{i.name}</Table.Cell>
                  <Table.Cell>{i.quantity}</Table.Cell>
                  <Table.Cell>{price(i.unit_price)}</Table.Cell>
                  <Table.Cell>{price(i.total)}</Table.Cell>
                </Table.Row>
              ))}
            </Table.Body>
          </Table.Root>
          <Box>
            <Text>Subtotal: {price(o.subtotal)}</Text>
            <Text>
              {o.fulfilment.method === "delivery" ? "Entrega" : "Retirada na loja"}: {price(o.delivery_fee)}
            </Text>
            <Text fontWeight="bold">Total: {price(o.total)}</Text>
            {o.refunded.amount > 0 && <Text>Reembolsado: {price(o.refunded)}</Text>}
          </Box>
          <Heading as="h2" size="md">
            Acompanhamento
          </Heading>
          <List.Root ps="4" gap="1">
            {o.timeline.map((s, i) => (
              <List.Item key={i}>
                <strong>{label(orderStatus, s.status)}</strong> em {dateTime(s.at)}
                {s.by && byWhom[s.by] ? ` ${byWhom[s.by]}` : ""}
                {s.note ? ` — ${s.note}` : ""}
              </List.Item>
            ))}
          </List.Root>
          {o.status === "created" && <PayOrder order={o} onPaid={onPaid} />}
          {(o.status === "created" || o.status === "paid") && <Cancel order={o} onDone={(n) => order.setData(n)} />}
          <Link asChild color="teal.700">
            <RouterLink to="/paciente/pedidos">Voltar aos meus pedidos</RouterLink>
          </Link>
        </>
      )}
    </Page>
  );
}
