import { Badge, Button, Card, Heading, HStack, Link as CLink, Stack, Table, Text } from "@chakra-ui/react";
import { useState } from "react";
import { NavLink, useLocation, useNavigate, useParams } from "react-router";
import { api, call, type Schemas } from "../../api/client";
import { Loading } from "../../components/Loading";
import { MoreButton } from "../../components/MoreButton";
import { Page } from "../../components/Page";
import { ProblemAlert } from "../../components/ProblemAlert";
import { dateTime } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";
import { usePaged } from "../../lib/usePaged";
import { anyStatusLabel, historyKindLabel, patientName } from "./common";

type Entry = Schemas["HistoryEntryResponse"];

// linkOf is where a history entry opens on this side, when it has a page.
function linkOf(id: string, e: Entry): string | undefined {
  if (e.kind === "evaluation") return `/profissional/pacientes/${id}/avaliacao?id=${e.id}`;
  if (e.kind === "treatment_plan") return `/profissional/pacientes/${id}/plano?id=${e.id}`;
  if (e.kind === "prescription") return `/profissional/pacientes/${id}/receita?id=${e.id}`;
  return undefined;
}

// Patient is one patient's history within my care relationship, with what I can do next.
export default function Patient() {
  const { id = "" } = useParams();
  const navigate = useNavigate();
  // the name comes with the link from the agenda; otherwise from my patients list
  const known = (useLocation().state as { name?: string } | null)?.name;
  const name = useLoad(async () => known ?? (await patientName(id)), [id, known]);
  const [chatError, setChatError] = useState<unknown>();
  const history = usePaged(
    (cursor?: string) => call(api.GET("/v1/patients/{id}/history", { params: { path: { id }, query: { limit: 20, cursor } } })),
    [id],
  );

  async function chat() {
    setChatError(undefined);
    try {
      const c = await call(api.POST("/v1/conversations", { body: { patient_id: id } }));
      navigate(`/profissional/mensagens/${c.id}`);
    } catch (e) {
      setChatError(e);
    }
  }

  const rows: Entry[] = history.items;
  return (
    <Page title={name.data ?? "Paciente"}>
      <ProblemAlert error={name.error} />
      <Card.Root>
        <Card.Body>
          <HStack wrap="wrap" gap="3">
            <Button asChild colorPalette="teal">
              <NavLink to={`/profissional/pacientes/${id}/avaliacao`}>Nova avaliação</NavLink>
            </Button>
            <Button asChild colorPalette="teal" variant="outline">
              <NavLink to={`/profissional/pacientes/${id}/plano`}>Novo plano de tratamento</NavLink>
            </Button>
            <Button asChild colorPalette="teal" variant="outline">
              <NavLink to={`/profissional/pacientes/${id}/receita`}>Nova receita</NavLink>
            </Button>
            <Button variant="outline" onClick={() => void chat()}>
              Conversar com o paciente
            </Button>
          </HStack>
          <ProblemAlert error={chatError} />
        </Card.Body>
      </Card.Root>
      <Heading as="h2" size="lg">
        Histórico
      </Heading>
      <ProblemAlert error={history.error} />
      {history.loading ? (
        <Loading />
      ) : rows.length === 0 ? (
        <Text>Nenhum registro no histórico.</Text>
      ) : (
        <Stack gap="3">
          <Table.Root size="sm" variant="outline">
            <Table.Header>
              <Table.Row>
                <Table.ColumnHeader>Quando</Table.ColumnHeader>
                <Table.ColumnHeader>Tipo</Table.ColumnHeader>
                <Table.ColumnHeader>Resumo</Table.ColumnHeader>
                <Table.ColumnHeader>Situação</Table.ColumnHeader>
              </Table.Row>
            </Table.Header>
            <Table.Body>
              {rows.map((e) => {
                const to = linkOf(id, e);
                return (
                  <Table.Row key={`${e.kind}-${e.id}`}>
                    <Table.Cell>{dateTime(e.at)}</Table.Cell>
                    <Table.Cell>
                      {to ? (
                        <CLink asChild color="teal.700">
                          <NavLink to={to}>{historyKindLabel[e.kind] ?? e.kind}</NavLink>
                        </CLink>
                      ) : (
                        (historyKindLabel[e.kind] ?? e.kind)
                      )}
                    </Table.Cell>
                    <Table.Cell>{e.summary || "—"}</Table.Cell>
                    <Table.Cell>{e.status ? <Badge>{anyStatusLabel[e.status] ?? e.status}</Badge> : "—"}</Table.Cell>
                  </Table.Row>
                );
              })}
            </Table.Body>
          </Table.Root>
          <MoreButton paged={history} />
        </Stack>
      )}
    </Page>
  );
}
