import { Button, Link as CLink, Stack, Table, Text } from "@chakra-ui/react";
import { useState } from "react";
import { NavLink } from "react-router";
import { api, call, type Schemas } from "../../api/client";
import { Loading } from "../../components/Loading";
import { Page } from "../../components/Page";
import { ProblemAlert } from "../../components/ProblemAlert";
import { dateTime } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";

type Row = Schemas["PatientSummaryResponse"];

// Patients lists the patients I attended, with their last visit and open plans.
export default function Patients() {
  const [more, setMore] = useState<Row[]>([]);
  const [cursor, setCursor] = useState<string>();
  const [moreError, setMoreError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const { data, error, loading } = useLoad(async () => {
    const page = await call(api.GET("/v1/professionals/me/patients", { params: { query: { limit: 20 } } }));
    setCursor(page.next_cursor || undefined);
    setMore([]);
    return page.items;
  }, []);

  async function loadMore() {
    setBusy(true);
    setMoreError(undefined);
    try {
      const page = await call(api.GET("/v1/professionals/me/patients", { params: { query: { limit: 20, cursor } } }));
      setMore((m) => [...m, ...page.items]);
      setCursor(page.next_cursor || undefined);
    } catch (e) {
      setMoreError(e);
    } finally {
      setBusy(false);
    }
  }

  const rows = [...(data ?? []), ...more];
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
          <ProblemAlert error={moreError} />
          {cursor && (
            <Button alignSelf="start" variant="outline" loading={busy} onClick={() => void loadMore()}>
              Carregar mais
            </Button>
          )}
        </Stack>
      )}
    </Page>
  );
}
