import { Badge, Box, Button, Card, Heading, HStack, Link as CLink, SimpleGrid, Stack, Table, Text } from "@chakra-ui/react";
import { useEffect, useState } from "react";
import { NavLink, useNavigate, useParams, useSearchParams } from "react-router";
import { api, call, must, type Schemas } from "../../api/client";
import { Loading } from "../../components/Loading";
import { Page } from "../../components/Page";
import { ProblemAlert } from "../../components/ProblemAlert";
import { TextField } from "../../components/TextField";
import { dateTime } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";
import { SelectField } from "./SelectField";

type Item = Schemas["PrescriptionItem"];
type Rx = Schemas["PrescriptionResponse"];

const itemFields: { key: keyof Item; label: string; required?: boolean }[] = [
  { key: "drug", label: "Medicamento", required: true },
  { key: "active_ingredient", label: "Princípio ativo" },
  { key: "concentration", label: "Concentração" },
  { key: "form", label: "Forma farmacêutica" },
  { key: "dosage", label: "Posologia", required: true },
  { key: "quantity", label: "Quantidade" },
  { key: "route", label: "Via de administração" },
  { key: "instructions", label: "Orientações" },
];
const statusLabel: Record<string, string> = { issued: "Emitida", dispensed: "Dispensada", cancelled: "Cancelada" };

function Issued({ rx }: { rx: Rx }) {
  const [url, setUrl] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  useEffect(() => () => void (url && URL.revokeObjectURL(url)), [url]);

  async function pdf() {
    setBusy(true);
    setError(undefined);
    try {
      const blob = must(await api.GET("/v1/prescriptions/{id}/pdf", { params: { path: { id: rx.id } }, parseAs: "blob" })) as Blob;
      setUrl(URL.createObjectURL(blob));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const code = rx.verification_code;
  return (
    <Card.Root>
      <Card.Body>
        <Stack gap="3">
          <HStack wrap="wrap">
            <Text fontWeight="bold">Receita {rx.type === "special_control" ? "de controle especial" : "simples"}</Text>
            <Badge colorPalette={rx.status === "cancelled" ? "red" : "green"}>{statusLabel[rx.status] ?? rx.status}</Badge>
          </HStack>
          <Text>Emitida em {dateTime(rx.issued_at)} por {rx.prescriber.name} ({rx.prescriber.council_type} {rx.prescriber.council_number}/{rx.prescriber.council_uf}).</Text>
          {rx.valid_until && <Text>Válida até {dateTime(rx.valid_until)}.</Text>}
          {code && (
            <Text>
              Código de verificação: <strong data-testid="codigo">{code}</strong>
            </Text>
          )}
          <Table.Root size="sm" variant="outline">
            <Table.Header>
              <Table.Row>
                <Table.ColumnHeader>Medicamento</Table.ColumnHeader>
                <Table.ColumnHeader>Posologia</Table.ColumnHeader>
                <Table.ColumnHeader>Quantidade</Table.ColumnHeader>
              </Table.Row>
            </Table.Header>
            <Table.Body>
              {rx.items.map((i, n) => (
                <Table.Row key={n}>
                  <Table.Cell>{[i.drug, i.concentration, i.form].filter(Boolean).join(" ")}</Table.Cell>
                  <Table.Cell>{i.dosage}</Table.Cell>
                  <Table.Cell>{i.quantity || "—"}</Table.Cell>
                </Table.Row>
              ))}
            </Table.Body>
          </Table.Root>
          <ProblemAlert error={error} />
          <HStack wrap="wrap" gap="3">
            {code && (
              <CLink asChild color="teal.700">
                <NavLink to={`/verificar/${encodeURIComponent(code)}`}>Abrir a página pública de verificação</NavLink>
              </CLink>
            )}
            {url ? (
              <CLink href={url} download={`receita-${code ?? rx.id}.pdf`} color="teal.700" fontWeight="bold">
                Baixar PDF da receita
              </CLink>
            ) : (
              <Button size="sm" variant="outline" loading={busy} onClick={() => void pdf()}>
                Preparar PDF
              </Button>
            )}
          </HStack>
        </Stack>
      </Card.Body>
    </Card.Root>
  );
}

// PrescriptionPage issues (and signs) a prescription, or shows one (?id=).
export default function PrescriptionPage() {
  const { id: patientId = "" } = useParams();
  const [params] = useSearchParams();
  const rxId = params.get("id");
  const navigate = useNavigate();
  const [type, setType] = useState<Rx["type"]>("simple");
  const [address, setAddress] = useState("");
  const [items, setItems] = useState<Item[]>([{ drug: "", dosage: "" }]);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const existing = useLoad(async () => (rxId ? call(api.GET("/v1/prescriptions/{id}", { params: { path: { id: rxId } } })) : undefined), [rxId]);

  async function issue() {
    setBusy(true);
    setError(undefined);
    try {
      const rx = await call(
        api.POST("/v1/patients/{id}/prescriptions", {
          params: { path: { id: patientId } },
          body: {
            type,
            patient_address: address.trim() || undefined,
            items: items.map((i) => Object.fromEntries(Object.entries(i).map(([k, v]) => [k, (v as string).trim()]).filter(([, v]) => v)) as Item),
          },
        }),
      );
      navigate(`/profissional/pacientes/${patientId}/receita?id=${rx.id}`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  if (rxId) {
    return (
      <Page title="Receita">
        <ProblemAlert error={existing.error} />
        {existing.loading && <Loading />}
        {existing.data && <Issued rx={existing.data} />}
        <CLink asChild color="teal.700">
          <NavLink to={`/profissional/pacientes/${patientId}`}>Voltar ao paciente</NavLink>
        </CLink>
      </Page>
    );
  }

  return (
    <Page title="Nova receita">
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void issue();
        }}
      >
        <Stack gap="5">
          <SimpleGrid columns={{ base: 1, md: 2 }} gap="4">
            <SelectField
              label="Tipo de receita"
              name="type"
              value={type}
              onChange={(v) => setType(v as Rx["type"])}
              options={[
                { value: "simple", label: "Simples" },
                { value: "special_control", label: "Controle especial" },
              ]}
              error={error}
            />
            <TextField label="Endereço do paciente" name="patient_address" value={address} onChange={(e) => setAddress(e.target.value)} error={error} help="Exigido na receita de controle especial." />
          </SimpleGrid>
          {items.map((it, i) => (
            <Card.Root key={i}>
              <Card.Body>
                <Stack gap="3">
                  <HStack justify="space-between">
                    <Heading as="h2" size="sm">
                      Medicamento {i + 1}
                    </Heading>
                    {items.length > 1 && (
                      <Button size="sm" variant="outline" colorPalette="red" onClick={() => setItems(items.filter((_, j) => j !== i))}>
                        Remover medicamento {i + 1}
                      </Button>
                    )}
                  </HStack>
                  <SimpleGrid columns={{ base: 1, md: 2 }} gap="3">
                    {itemFields.map((x) => (
                      <TextField
                        key={x.key}
                        label={`${x.label} (item ${i + 1})`}
                        name={`items[${i}].${x.key}`}
                        required={x.required}
                        value={it[x.key] ?? ""}
                        onChange={(e) => setItems(items.map((y, j) => (j === i ? { ...y, [x.key]: e.target.value } : y)))}
                        error={error}
                      />
                    ))}
                  </SimpleGrid>
                </Stack>
              </Card.Body>
            </Card.Root>
          ))}
          <Box>
            <Button variant="outline" colorPalette="teal" onClick={() => setItems([...items, { drug: "", dosage: "" }])}>
              Adicionar medicamento
            </Button>
          </Box>
          <ProblemAlert error={error} />
          <Box>
            <Button type="submit" colorPalette="teal" loading={busy}>
              Emitir e assinar receita
            </Button>
          </Box>
        </Stack>
      </form>
    </Page>
  );
}
