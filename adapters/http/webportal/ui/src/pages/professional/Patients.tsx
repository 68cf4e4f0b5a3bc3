import { Link as CLink, Stack, Table, Text } from "@chakra-ui/react";
import { NavLink } from "react-router";
import { api, call, type Schemas } from "../../api/client";
import { Loading } from "../../components/Loading";
import { MoreButton } from "../../components/MoreButton";
import { Page } from "../../components/Page";
import { ProblemAlert } from "../../components/ProblemAlert";
import { dateTime } from "../../lib/format";
import { usePaged } from "../../lib/usePaged";

type Row = Schemas["PatientSummaryResponse"];

// Patients lists the patients I attended, with their last visit and open plans.
export default function Patients() {
  const paged = usePaged((cursor?: string) => call(api.GET("/v1/professionals/me/patients", { params: { query: { limit: 20, cursor } } })));
  const { error, loading } = paged;
  const rows: Row[] = paged.items;
  return (
    <Page title="Pacientes atendidos">
      <ProblemAlert error={error} />
      {loading ? (
        <Loading />
      ) : rows.length === 0 ? (
        <Text>Nenhum paciente atendido ainda.</Text>
      ) : (
        <Stack gap="3">
          <Table.Root size="sm" variant="outline">
            <Table.Header>
              <Table.Row>
                <Table.ColumnHeader>Paciente</Table.ColumnHeader>
                <Table.ColumnHeader>Última consulta</Table.ColumnHeader>
                <Table.ColumnHeader>Planos ativos</Table.ColumnHeader>
              </Table.Row>
            </Table.Header>
            <Table.Body>
              {rows.map((p) => (
                <Table.Row key={p.patient_id}>
                  <Table.Cell>
                    <CLink asChild color="teal.700">
                      <NavLink to={`/profissional/pacientes/${p.patient_id}`}>{p.name}</NavLink>
                    </CLink>
                  </Table.Cell>
                  <Table.Cell>{p.last_visit ? dateTime(p.last_visit) : "—"}</Table.Cell>
                  <Table.Cell>{p.active_plans}</Table.Cell>
                </Table.Row>
              ))}
            </Table.Body>
          </Table.Root>
          <MoreButton paged={paged} />
        </Stack>
      )}
    </Page>
  );
}
