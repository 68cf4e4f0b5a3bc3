import { Badge, Box, Button, Table, Text } from "@chakra-ui/react";
import { useState } from "react";
import { api, call } from "../../api/client";
import { Loading } from "../../components/Loading";
import { Page } from "../../components/Page";
import { ProblemAlert } from "../../components/ProblemAlert";
import { dateTime } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";

const statusLabel: Record<string, string> = {
  pending: "Pendente",
  running: "Em andamento",
  done: "Concluído",
};
const subjectLabel: Record<string, string> = { patient: "Paciente", professional: "Profissional", company_member: "Membro de empresa" };

// Erasure requests (LGPD art. 18): IDs and progress only, newest first.
export function Erasures() {
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const list = useLoad(() => call(api.GET("/v1/admin/erasure-requests", { params: { query: { cursor, limit: 20 } } })), [cursor]);
  return (
    <Page title="Pedidos de apagamento">
      <Text>Pedidos de anonimização, bloqueio e eliminação de dados (LGPD, art. 18), mais recentes primeiro.</Text>
      <ProblemAlert error={list.error} />
      {list.loading && !list.data ? (
        <Loading />
      ) : list.data?.items.length === 0 ? (
        <Text>Nenhum pedido de apagamento.</Text>
      ) : (
        <Box overflowX="auto">
          <Table.Root size="sm" aria-label="Pedidos de apagamento">
            <Table.Header>
              <Table.Row>
                <Table.ColumnHeader>Pedido</Table.ColumnHeader>
                <Table.ColumnHeader>Titular</Table.ColumnHeader>
                <Table.ColumnHeader>Situação</Table.ColumnHeader>
                <Table.ColumnHeader>Etapas</Table.ColumnHeader>
                <Table.ColumnHeader>Tentativas</Table.ColumnHeader>
                <Table.ColumnHeader>Criado em</Table.ColumnHeader>
                <Table.ColumnHeader>Concluído em</Table.ColumnHeader>
              </Table.Row>
            </Table.Header>
            <Table.Body>
              {list.data?.items.map((e) => (
                <Table.Row key={e.id}>
                  <Table.Cell>{e.id.slice(0, 8)}</Table.Cell>
                  <Table.Cell>
                    {subjectLabel[e.subject_kind] ?? e.subject_kind} {e.subject_id.slice(0, 8)}
                  </Table.Cell>
                  <Table.Cell>
                    <Badge>{statusLabel[e.status] ?? e.status}</Badge>
                  </Table.Cell>
                  <Table.Cell>
                    {e.done_steps} de {e.steps}
                  </Table.Cell>
                  <Table.Cell>{e.attempts}</Table.Cell>
                  <Table.Cell>{dateTime(e.created_at)}</Table.Cell>
                  <Table.Cell>{e.completed_at ? dateTime(e.completed_at) : "—"}</Table.Cell>
                </Table.Row>
              ))}
            </Table.Body>
          </Table.Root>
        </Box>
      )}
      {cursors.length > 0 && (
        <Button variant="outline" alignSelf="start" onClick={() => setCursors(cursors.slice(0, -1))}>
          Página anterior
        </Button>
      )}
      {list.data?.next_cursor && (
        <Button variant="outline" alignSelf="start" onClick={() => setCursors([...cursors, list.data!.next_cursor!])}>
          Próxima página
        </Button>
      )}
    </Page>
  );
}
