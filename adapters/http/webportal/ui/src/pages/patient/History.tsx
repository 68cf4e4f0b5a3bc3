import { Badge, Button, Field, HStack, NativeSelect, Stack, Table, Text } from "@chakra-ui/react";
import { useState } from "react";
import { api, call, must, type Schemas } from "../../api/client";
import { Loading } from "../../components/Loading";
import { MoreButton } from "../../components/MoreButton";
import { Page } from "../../components/Page";
import { ProblemAlert } from "../../components/ProblemAlert";
import { dateTime } from "../../lib/format";
import { usePaged } from "../../lib/usePaged";
import { saveBlob } from "./download";
import { entryStatus, historyKind, label } from "./labels";
import { usePatientId } from "./me";

type Entry = Schemas["HistoryEntryResponse"];
type Kind = NonNullable<Entry["kind"]>;

const ext: Record<string, string> = {
  "application/pdf": "pdf",
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/webp": "webp",
  "application/dicom": "dcm",
};

// Download fetches a document or a prescription's PDF with the session's
// token (the API streams it) and saves it.
function Download({ entry }: { entry: Entry }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const go = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const r =
        entry.kind === "prescription"
          ? await api.GET("/v1/prescriptions/{id}/pdf", { params: { path: { id: entry.id } }, parseAs: "blob" })
          : await api.GET("/v1/documents/{id}/content", { params: { path: { id: entry.id } }, parseAs: "blob" });
      if (!r.response.ok) {
        // the body of a failure is problem+json
        must(r);
      }
      const blob = r.data as unknown as Blob;
      const base = entry.kind === "prescription" ? "receita" : "documento";
      saveBlob(blob, `${base}-${entry.id.slice(0, 8)}.${ext[blob.type.split(";")[0]] ?? "bin"}`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack gap="1">
      <Button size="sm" variant="outline" onClick={go} loading={busy}>
        {entry.kind === "prescription" ? "Baixar PDF da receita" : "Baixar documento"}
      </Button>
      <ProblemAlert error={error} />
    </Stack>
  );
}

// History is the patient's health timeline: evaluations, prescriptions,
// documents, plans and appointments, newest first.
export function History() {
  const pid = usePatientId();
  const [kind, setKind] = useState<"" | Kind>("");
  const first = usePaged(
    async (c?: string) =>
      pid.data
        ? call(
            api.GET("/v1/patients/{id}/history", {
              params: { path: { id: pid.data }, query: { kind: kind || undefined, limit: 20, cursor: c } },
            }),
          )
        : undefined,
    [pid.data, kind],
  );
  const items: Entry[] = first.items;
  return (
    <Page title="Histórico de saúde">
      <ProblemAlert error={pid.error ?? first.error} />
      <HStack>
        <Field.Root maxW="xs">
          <Field.Label>Mostrar</Field.Label>
          <NativeSelect.Root>
            <NativeSelect.Field value={kind} onChange={(e) => setKind(e.target.value as Kind | "")}>
              <option value="">Tudo</option>
              {Object.entries(historyKind).map(([k, v]) => (
                <option key={k} value={k}>
                  {v}
                </option>
              ))}
            </NativeSelect.Field>
            <NativeSelect.Indicator />
          </NativeSelect.Root>
        </Field.Root>
      </HStack>
      {(pid.loading || first.loading) && <Loading />}
      {first.loaded && items.length === 0 && <Text>Nenhum registro no seu histórico.</Text>}
      {items.length > 0 && (
        <Table.Root size="sm">
          <Table.Header>
            <Table.Row>
              <Table.ColumnHeader>Data</Table.ColumnHeader>
              <Table.ColumnHeader>Tipo</Table.ColumnHeader>
              <Table.ColumnHeader>Resumo</Table.ColumnHeader>
              <Table.ColumnHeader>Arquivo</Table.ColumnHeader>
            </Table.Row>
          </Table.Header>
          <Table.Body>
            {items.map((e) => (
              <Table.Row key={`${e.kind}-${e.id}`}>
                <Table.Cell>{dateTime(e.at)}</Table.Cell>
                <Table.Cell>
                  {label(historyKind, e.kind)} {e.status && <Badge>{label(entryStatus, e.status)}</Badge>}
                </Table.Cell>
                <Table.Cell>{e.summary || "—"}</Table.Cell>
                <Table.Cell>
                  {e.kind === "prescription" || e.kind === "document" ? <Download entry={e} /> : "—"}
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
