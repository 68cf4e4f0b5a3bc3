import { Badge, Link, Table, Text } from "@chakra-ui/react";
import { Link as RouterLink } from "react-router";
import { api, call, type Schemas } from "../../api/client";
import { Loading } from "../../components/Loading";
import { MoreButton } from "../../components/MoreButton";
import { Page } from "../../components/Page";
import { ProblemAlert } from "../../components/ProblemAlert";
import { dateTime, price } from "../../lib/format";
import { usePaged } from "../../lib/usePaged";
import { label, paymentStatus } from "./labels";

type Payment = Schemas["PaymentResponse"];

// Payments lists the patient's payments (orders and appointments), newest first.
export function Payments() {
  const first = usePaged((c?: string) => call(api.GET("/v1/me/payments", { params: { query: { limit: 20, cursor: c } } })));
  const items: Payment[] = first.items;
  return (
    <Page title="Pagamentos">
      <ProblemAlert error={first.error} />
      {first.loading && <Loading />}
      {first.loaded && items.length === 0 && <Text>Nenhum pagamento.</Text>}
      {items.length > 0 && (
        <Table.Root size="sm">
          <Table.Header>
            <Table.Row>
              <Table.ColumnHeader>Data</Table.ColumnHeader>
              <Table.ColumnHeader>Referente a</Table.ColumnHeader>
              <Table.ColumnHeader>Forma</Table.ColumnHeader>
              <Table.ColumnHeader>Valor</Table.ColumnHeader>
              <Table.ColumnHeader>Situação</Table.ColumnHeader>
            </Table.Row>
          </Table.Header>
          <Table.Body>
            {items.map((p) => (
              <Table.Row key={p.id}>
                <Table.Cell>{dateTime(p.paid_at ?? p.created_at)}</Table.Cell>
                <Table.Cell>
                  {p.order_id ? (
                    <Link asChild color="teal.700">
                      <RouterLink to={`/paciente/pedidos/${p.order_id}`}>Pedido</RouterLink>
                    </Link>
                  ) : p.appointment_id ? (
                    "Consulta"
                  ) : (
                    "—"
                  )}
                </Table.Cell>
                <Table.Cell>{p.method === "pix" ? "Pix" : "Cartão"}</Table.Cell>
                <Table.Cell>
                  {price(p.amount)}
                  {p.refunded.amount > 0 && ` (reembolsado ${price(p.refunded)})`}
                </Table.Cell>
                <Table.Cell>
                  <Badge>{label(paymentStatus, p.status)}</Badge>
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
