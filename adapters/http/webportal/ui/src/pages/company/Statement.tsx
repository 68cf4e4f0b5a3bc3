import { Box, Button, Card, HStack, SimpleGrid, Stat, Table, Text } from "@chakra-ui/react";
import { useState, type FormEvent } from "react";
import { api, call, type Schemas } from "../../api/client";
import { Loading } from "../../components/Loading";
import { Page } from "../../components/Page";
import { ProblemAlert } from "../../components/ProblemAlert";
import { TextField } from "../../components/TextField";
import { date, dateTime, price } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";
import { useCompany } from "./context";

// today in São Paulo as YYYY-MM-DD (the statement's days are São Paulo's)
function spDay(d = new Date()): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "America/Sao_Paulo" }).format(d);
}

export function Statement() {
  const { id } = useCompany();
  const today = spDay();
  const [range, setRange] = useState({ from: `${today.slice(0, 8)}01`, to: today });
  const [form, setForm] = useState(range);
  const st = useLoad(
    // two 200 answers (JSON and CSV): this asks for JSON
    () =>
      call(
        api.GET("/v1/companies/{id}/statement", { params: { path: { id }, query: { from: range.from, to: range.to, format: "json" } } }),
      ) as Promise<Schemas["StatementResponse"]>,
    [id, range.from, range.to],
  );
  const s = st.data;

  function submit(e: FormEvent) {
    e.preventDefault();
    setRange(form);
  }

  return (
    <Page title="Extrato">
      <form onSubmit={submit}>
        <HStack align="end" wrap="wrap">
          <TextField label="De" name="from" type="date" value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} error={st.error} maxW="48" />
          <TextField label="Até" name="to" type="date" value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} error={st.error} maxW="48" />
          <Button type="submit" colorPalette="teal">
            Ver período
          </Button>
        </HStack>
      </form>
      <Text fontSize="sm" color="gray.700">
        Dias inteiros no horário de Brasília.
      </Text>
      <ProblemAlert error={st.error} />
      {st.loading && !s ? (
        <Loading />
      ) : (
        s && (
          <>
            <SimpleGrid columns={{ base: 2, md: 4 }} gap="3">
              {(
                [
                  ["Bruto", s.gross],
                  [`Tarifa da plataforma (${(s.platform_fee_bp / 100).toLocaleString("pt-BR")}%)`, s.platform_fee],
                  ["Reembolsos", s.refunds],
                  ["Líquido", s.net],
                ] as const
              ).map(([k, v]) => (
                <Card.Root key={k} size="sm">
                  <Card.Body>
                    <Stat.Root>
                      <Stat.Label color="gray.700">{k}</Stat.Label>
                      <Stat.ValueText>{price(v)}</Stat.ValueText>
                    </Stat.Root>
                  </Card.Body>
                </Card.Root>
              ))}
            </SimpleGrid>
            <Text>
              De {date(`${s.from.slice(0, 10)}T12:00:00-03:00`, "America/Sao_Paulo")} a{" "}
              {date(`${s.to.slice(0, 10)}T12:00:00-03:00`, "America/Sao_Paulo")}
            </Text>
            {s.lines.length === 0 ? (
              <Text>Nenhuma movimentação no período.</Text>
            ) : (
              <Box overflowX="auto">
                <Table.Root size="sm" aria-label="Movimentações">
                  <Table.Header>
                    <Table.Row>
                      <Table.ColumnHeader>Data</Table.ColumnHeader>
                      <Table.ColumnHeader>Tipo</Table.ColumnHeader>
                      <Table.ColumnHeader>Pedido</Table.ColumnHeader>
                      <Table.ColumnHeader>Meio</Table.ColumnHeader>
                      <Table.ColumnHeader textAlign="end">Valor</Table.ColumnHeader>
                      <Table.ColumnHeader textAlign="end">Tarifa</Table.ColumnHeader>
                      <Table.ColumnHeader textAlign="end">Líquido</Table.ColumnHeader>
                    </Table.Row>
                  </Table.Header>
                  <Table.Body>
                    {s.lines.map((l) => (
                      <Table.Row key={l.refund_id ?? l.payment_id}>
                        <Table.Cell>{dateTime(l.at)}</Table.Cell>
                        <Table.Cell>{l.kind === "payment" ? "Pagamento" : "Reembolso"}</Table.Cell>
                        <Table.Cell>{l.order_id ? l.order_id.slice(0, 8) : l.appointment_id ? "Consulta" : "—"}</Table.Cell>
                        <Table.Cell>{l.method === "pix" ? "Pix" : l.method === "card" ? "Cartão" : "—"}</Table.Cell>
                        <Table.Cell textAlign="end">{price(l.amount)}</Table.Cell>
                        <Table.Cell textAlign="end">{price(l.fee)}</Table.Cell>
                        <Table.Cell textAlign="end">{price(l.net)}</Table.Cell>
                      </Table.Row>
                    ))}
                  </Table.Body>
                </Table.Root>
              </Box>
            )}
          </>
        )
      )}
    </Page>
  );
}
