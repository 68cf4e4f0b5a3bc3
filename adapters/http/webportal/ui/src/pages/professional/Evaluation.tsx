import { Badge, Box, Button, Card, Field, Heading, HStack, Link as CLink, SimpleGrid, Stack, Table, Text, Textarea } from "@chakra-ui/react";
import { useState } from "react";
import { NavLink, useNavigate, useParams, useSearchParams } from "react-router";
import { api, call, must, type Schemas } from "../../api/client";
import { Loading } from "../../components/Loading";
import { Page } from "../../components/Page";
import { fieldError, ProblemAlert } from "../../components/ProblemAlert";
import { TextField } from "../../components/TextField";
import { dateTime } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";
import { SelectField } from "./SelectField";

type Evaluation = Schemas["EvaluationResponse"];
type Vitals = Schemas["VitalSigns"];
type Kind = Schemas["EvaluationRequest"]["kind"];

// The accepted ranges of each vital sign (the API's; a value outside is refused).
const vitals: { key: keyof Vitals; label: string; min: number; max: number; unit: string }[] = [
  { key: "weight_kg", label: "Peso", min: 0.3, max: 400, unit: "kg" },
  { key: "height_cm", label: "Altura", min: 20, max: 260, unit: "cm" },
  { key: "temperature_c", label: "Temperatura", min: 25, max: 45, unit: "°C" },
  { key: "heart_rate_bpm", label: "Frequência cardíaca", min: 20, max: 300, unit: "bpm" },
  { key: "systolic_mmhg", label: "Pressão sistólica", min: 40, max: 300, unit: "mmHg" },
  { key: "diastolic_mmhg", label: "Pressão diastólica", min: 20, max: 200, unit: "mmHg" },
  { key: "respiratory_rate_bpm", label: "Frequência respiratória", min: 4, max: 80, unit: "irpm" },
  { key: "spo2_pct", label: "Saturação de O₂", min: 40, max: 100, unit: "%" },
  { key: "waist_cm", label: "Circunferência abdominal", min: 20, max: 300, unit: "cm" },
  { key: "glucose_mg_dl", label: "Glicemia", min: 10, max: 1500, unit: "mg/dL" },
];

const simplifiedText = [
  { key: "reason", label: "Motivo da consulta", required: true },
  { key: "notes", label: "Anotações" },
] as const;
const detailedText = [
  { key: "chief_complaint", label: "Queixa principal", required: true },
  { key: "history_of_present_illness", label: "História da doença atual" },
  { key: "past_history", label: "Antecedentes" },
  { key: "medications_in_use", label: "Medicamentos em uso" },
  { key: "allergies", label: "Alergias" },
  { key: "habits", label: "Hábitos" },
  { key: "physical_examination", label: "Exame físico" },
  { key: "assessment", label: "Avaliação / hipótese diagnóstica", required: true },
  { key: "plan", label: "Conduta" },
] as const;
type TextKey = (typeof simplifiedText)[number]["key"] | (typeof detailedText)[number]["key"];

interface Form {
  kind: Kind;
  text: Partial<Record<TextKey, string>>;
  icd10: string;
  vitals: Partial<Record<keyof Vitals, string>>;
}

function toForm(e?: Evaluation): Form {
  if (!e) return { kind: "detailed", text: {}, icd10: "", vitals: {} };
  const text: Form["text"] = {};
  for (const f of [...simplifiedText, ...detailedText]) text[f.key] = (e[f.key] as string | undefined) ?? "";
  const v: Form["vitals"] = {};
  for (const x of vitals) {
    const n = e.vital_signs?.[x.key];
    if (n != null) v[x.key] = String(n).replace(".", ",");
  }
  return { kind: e.kind, text, icd10: (e.icd10 ?? []).join(", "), vitals: v };
}

function toBody(f: Form) {
  const fields = f.kind === "simplified" ? simplifiedText : detailedText;
  const body: Record<string, unknown> = { kind: f.kind };
  for (const x of fields) if (f.text[x.key]?.trim()) body[x.key] = f.text[x.key]!.trim();
  if (f.kind === "detailed") {
    const codes = f.icd10
      .split(/[,\s]+/)
      .map((s) => s.trim().toUpperCase())
      .filter(Boolean);
    if (codes.length) body.icd10 = codes;
  }
  const v: Vitals = {};
  let any = false;
  for (const x of vitals) {
    const s = f.vitals[x.key]?.trim();
    if (s) {
      v[x.key] = Number(s.replace(",", "."));
      any = true;
    }
  }
  if (any) body.vital_signs = v;
  return body as Schemas["EvaluationRequest"];
}

function EvaluationForm({
  initial,
  error,
  busy,
  amend,
  onSubmit,
}: {
  initial: Form;
  error: unknown;
  busy: boolean;
  amend: boolean;
  onSubmit: (f: Form, reason: string) => void;
}) {
  const [f, setF] = useState<Form>(initial);
  const [reason, setReason] = useState("");
  const fields = f.kind === "simplified" ? simplifiedText : detailedText;
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit(f, reason);
      }}
    >
      <Stack gap="5">
        <Card.Root>
          <Card.Body>
            <Stack gap="4">
              <SelectField
                label="Tipo de avaliação"
                name="kind"
                value={f.kind}
                onChange={(v) => setF({ ...f, kind: v as Kind })}
                options={[
                  { value: "simplified", label: "Simplificada" },
                  { value: "detailed", label: "Detalhada" },
                ]}
                error={error}
              />
              {fields.map((x) => {
                const msg = fieldError(error, x.key);
                return (
                  <Field.Root key={x.key} invalid={!!msg} required={"required" in x && x.required}>
                    <Field.Label>
                      {x.label}
                      {"required" in x && x.required && <Field.RequiredIndicator />}
                    </Field.Label>
                    <Textarea name={x.key} rows={3} value={f.text[x.key] ?? ""} onChange={(e) => setF({ ...f, text: { ...f.text, [x.key]: e.target.value } })} />
                    {msg && <Field.ErrorText>{msg}</Field.ErrorText>}
                  </Field.Root>
                );
              })}
              {f.kind === "detailed" && (
                <TextField label="CID-10" name="icd10" value={f.icd10} onChange={(e) => setF({ ...f, icd10: e.target.value })} error={error} help="Separados por vírgula, por exemplo I10, E11.9" />
              )}
            </Stack>
          </Card.Body>
        </Card.Root>
        <Card.Root>
          <Card.Body>
            <Stack gap="4">
              <Heading as="h2" size="md">
                Sinais vitais
              </Heading>
              <SimpleGrid columns={{ base: 1, md: 2, lg: 3 }} gap="4">
                {vitals.map((x) => (
                  <TextField
                    key={x.key}
                    label={`${x.label} (${x.unit})`}
                    name={`vital_signs.${x.key}`}
                    inputMode="decimal"
                    value={f.vitals[x.key] ?? ""}
                    onChange={(e) => setF({ ...f, vitals: { ...f.vitals, [x.key]: e.target.value } })}
                    error={error}
                    help={`Aceito: de ${String(x.min).replace(".", ",")} a ${x.max} ${x.unit}`}
                  />
                ))}
              </SimpleGrid>
            </Stack>
          </Card.Body>
        </Card.Root>
        {amend && <TextField label="Motivo da correção" name="amend_reason" required value={reason} onChange={(e) => setReason(e.target.value)} error={error} />}
        <ProblemAlert error={error} />
        <Box>
          <Button type="submit" colorPalette="teal" loading={busy}>
            {amend ? "Salvar nova versão" : "Salvar avaliação"}
          </Button>
        </Box>
      </Stack>
    </form>
  );
}

// Existing shows an evaluation: sign it, amend it (a new version), its versions.
function Existing({ id, patientId }: { id: string; patientId: string }) {
  const { data, error, loading, reload } = useLoad(async () => {
    const r = await api.GET("/v1/evaluations/{id}", { params: { path: { id } } });
    const ev = must(r);
    const versions = await call(api.GET("/v1/evaluations/{id}/versions", { params: { path: { id } } }));
    return { ev, etag: r.response.headers.get("ETag") ?? "", versions: versions.items };
  }, [id]);
  const [actError, setActError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [amending, setAmending] = useState(false);
  const [note, setNote] = useState<string>();

  async function sign() {
    setBusy(true);
    setActError(undefined);
    try {
      await call(api.POST("/v1/evaluations/{id}/sign", { params: { path: { id } } }));
      setNote("Avaliação assinada.");
      await reload();
    } catch (e) {
      setActError(e);
    } finally {
      setBusy(false);
    }
  }

  async function amend(f: Form, reason: string) {
    if (!data) return;
    setBusy(true);
    setActError(undefined);
    try {
      await call(
        api.PUT("/v1/evaluations/{id}", {
          params: { path: { id }, header: { "If-Match": data.etag } },
          body: { ...toBody(f), amend_reason: reason.trim() },
        }),
      );
      setAmending(false);
      setNote("Nova versão salva.");
      await reload();
    } catch (e) {
      setActError(e);
    } finally {
      setBusy(false);
    }
  }

  if (loading && !data) return <Loading />;
  if (!data) return <ProblemAlert error={error} />;
  const ev = data.ev;
  return (
    <Stack gap="5">
      <ProblemAlert error={error} />
      <Card.Root>
        <Card.Body>
          <Stack gap="2">
            <HStack wrap="wrap">
              <Text fontWeight="bold">
                Avaliação {ev.kind === "detailed" ? "detalhada" : "simplificada"}, versão {ev.version}
              </Text>
              {ev.signed_at ? <Badge colorPalette="green">Assinada em {dateTime(ev.signed_at)}</Badge> : <Badge colorPalette="orange">Não assinada</Badge>}
            </HStack>
            <Text fontSize="sm">Registrada em {dateTime(ev.created_at)}</Text>
            {ev.amend_reason && <Text fontSize="sm">Motivo da correção: {ev.amend_reason}</Text>}
            {[...simplifiedText, ...detailedText].map((x) =>
              ev[x.key] ? (
                <Text key={x.key}>
                  <strong>{x.label}:</strong> {ev[x.key]}
                </Text>
              ) : null,
            )}
            {ev.icd10 && ev.icd10.length > 0 && (
              <Text>
                <strong>CID-10:</strong> {ev.icd10.join(", ")}
              </Text>
            )}
            {ev.vital_signs && (
              <Text>
                <strong>Sinais vitais:</strong>{" "}
                {vitals
                  .filter((x) => ev.vital_signs?.[x.key] != null)
                  .map((x) => `${x.label} ${String(ev.vital_signs![x.key]).replace(".", ",")} ${x.unit}`)
                  .join("; ")}
                {ev.bmi != null && ` · IMC ${ev.bmi.toFixed(1).replace(".", ",")}`}
              </Text>
            )}
            {note && (
              <Text role="status" color="green.700">
                {note}
              </Text>
            )}
            <ProblemAlert error={actError} />
            <HStack wrap="wrap">
              {!ev.signed_at && (
                <Button colorPalette="teal" loading={busy} onClick={() => void sign()}>
                  Assinar avaliação
                </Button>
              )}
              <Button variant="outline" onClick={() => setAmending(!amending)}>
                {amending ? "Fechar correção" : "Corrigir (nova versão)"}
              </Button>
              <CLink asChild color="teal.700">
                <NavLink to={`/profissional/pacientes/${patientId}`}>Voltar ao paciente</NavLink>
              </CLink>
            </HStack>
          </Stack>
        </Card.Body>
      </Card.Root>
      {amending && <EvaluationForm key={ev.version} initial={toForm(ev)} error={actError} busy={busy} amend onSubmit={(f, r) => void amend(f, r)} />}
      <Heading as="h2" size="md">
        Versões
      </Heading>
      <Table.Root size="sm" variant="outline">
        <Table.Header>
          <Table.Row>
            <Table.ColumnHeader>Versão</Table.ColumnHeader>
            <Table.ColumnHeader>Registrada em</Table.ColumnHeader>
            <Table.ColumnHeader>Assinada</Table.ColumnHeader>
            <Table.ColumnHeader>Motivo da correção</Table.ColumnHeader>
          </Table.Row>
        </Table.Header>
        <Table.Body>
          {data.versions.map((v) => (
            <Table.Row key={v.version}>
              <Table.Cell>{v.version}</Table.Cell>
              <Table.Cell>{dateTime(v.created_at)}</Table.Cell>
              <Table.Cell>{v.signed_at ? dateTime(v.signed_at) : "não"}</Table.Cell>
              <Table.Cell>{v.amend_reason || "—"}</Table.Cell>
            </Table.Row>
          ))}
        </Table.Body>
      </Table.Root>
    </Stack>
  );
}

// EvaluationPage writes a new evaluation (simplified or detailed), or shows one (?id=).
export default function EvaluationPage() {
  const { id: patientId = "" } = useParams();
  const [params] = useSearchParams();
  const evalId = params.get("id");
  const apptId = params.get("consulta");
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  async function create(f: Form) {
    setBusy(true);
    setError(undefined);
    try {
      const ev = await call(api.POST("/v1/patients/{id}/evaluations", { params: { path: { id: patientId } }, body: { ...toBody(f), appointment_id: apptId ?? undefined } }));
      navigate(`/profissional/pacientes/${patientId}/avaliacao?id=${ev.id}`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Page title={evalId ? "Avaliação" : "Nova avaliação"}>
      {evalId ? (
        <Existing id={evalId} patientId={patientId} />
      ) : (
        <>
          {apptId && <Text>Esta avaliação fica vinculada à consulta; ao assiná-la, a consulta é marcada como realizada.</Text>}
          <EvaluationForm initial={toForm()} error={error} busy={busy} amend={false} onSubmit={(f) => void create(f)} />
        </>
      )}
    </Page>
  );
}
