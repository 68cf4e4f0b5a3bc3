import { Box, Button, Card, Checkbox, Field, Heading, HStack, SimpleGrid, Stack, Text, Textarea } from "@chakra-ui/react";
import { useState } from "react";
import { useNavigate, useParams, useSearchParams } from "react-router";
import { api, call, must, type Schemas } from "../../api/client";
import { Loading } from "../../components/Loading";
import { Page } from "../../components/Page";
import { fieldError, ProblemAlert } from "../../components/ProblemAlert";
import { TextField } from "../../components/TextField";
import { dateTime, viewerZone } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";
import { ymd } from "./common";
import { SelectField } from "./SelectField";

type Item = Schemas["PlanItem"];
type Kind = Item["kind"];
type Plan = Schemas["PlanResponse"];
type Status = NonNullable<Schemas["PlanRequest"]["status"]>;

const kinds: { value: Kind; label: string }[] = [
  { value: "medication", label: "Medicamento" },
  { value: "diet", label: "Alimentação" },
  { value: "exercise", label: "Exercício" },
  { value: "product", label: "Produto" },
  { value: "exam", label: "Exame" },
  { value: "therapy", label: "Terapia" },
];
// Which fields each kind of item has (and which the API requires).
const fieldsOf: Record<Kind, { key: keyof Item; label: string; required?: boolean }[]> = {
  medication: [
    { key: "dosage", label: "Dose", required: true },
    { key: "frequency", label: "Frequência", required: true },
    { key: "duration", label: "Duração" },
  ],
  diet: [{ key: "quantity", label: "Quantidade", required: true }],
  exercise: [
    { key: "frequency", label: "Frequência", required: true },
    { key: "equipment", label: "Equipamento" },
  ],
  product: [{ key: "quantity", label: "Quantidade" }],
  exam: [],
  therapy: [
    { key: "frequency", label: "Frequência" },
    { key: "duration", label: "Duração" },
  ],
};
const suppliersOf: Record<Kind, string> = {
  medication: "farmácias",
  diet: "mercados",
  exercise: "academias e lojas de esportes",
  product: "farmácias, lojas de esportes e mercados",
  exam: "hospitais e laboratórios",
  therapy: "hospitais e clínicas",
};

interface Form {
  title: string;
  start: string;
  end: string;
  status: Status;
  goals: string;
  items: (Item & { tagsText: string })[];
}

function toForm(p?: Plan): Form {
  if (!p) return { title: "", start: ymd(new Date(), viewerZone), end: "", status: "active", goals: "", items: [] };
  return {
    title: p.title,
    start: p.start,
    end: p.end ?? "",
    status: p.status,
    goals: p.goals.join("\n"),
    items: p.items.map((i) => ({
      id: i.id,
      kind: i.kind,
      name: i.name,
      description: i.description,
      dosage: i.dosage,
      frequency: i.frequency,
      duration: i.duration,
      quantity: i.quantity,
      intensity: i.intensity,
      needs_gym: i.needs_gym,
      equipment: i.equipment,
      tagsText: (i.tags ?? []).join(", "),
    })),
  };
}

function toBody(f: Form): Schemas["PlanRequest"] {
  const clean = (s?: string) => (s && s.trim() ? s.trim() : undefined);
  return {
    title: f.title.trim(),
    start: f.start,
    end: clean(f.end),
    status: f.status,
    goals: f.goals
      .split("\n")
      .map((g) => g.trim())
      .filter(Boolean),
    items: f.items.map(({ tagsText, ...i }) => ({
      id: clean(i.id),
      kind: i.kind,
      name: i.name.trim(),
      description: clean(i.description),
      dosage: clean(i.dosage),
      frequency: clean(i.frequency),
      duration: clean(i.duration),
      quantity: clean(i.quantity),
      intensity: i.kind === "exercise" ? clean(i.intensity) : undefined,
      needs_gym: i.kind === "exercise" ? !!i.needs_gym : undefined,
      equipment: clean(i.equipment),
      tags: tagsText
        .split(/[,\s]+/)
        .map((t) => t.trim().toLowerCase())
        .filter(Boolean),
    })),
  };
}

function PlanForm({ patientId, plan, etag }: { patientId: string; plan?: Plan; etag?: string }) {
  const [f, setF] = useState<Form>(() => toForm(plan));
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<string>();
  const navigate = useNavigate();
  const setItem = (i: number, patch: Partial<Form["items"][number]>) =>
    setF({ ...f, items: f.items.map((x, j) => (j === i ? { ...x, ...patch } : x)) });

  async function save() {
    setBusy(true);
    setError(undefined);
    setSaved(undefined);
    try {
      if (plan) {
        const out = await call(
          api.PUT("/v1/treatment-plans/{id}", { params: { path: { id: plan.id }, header: { "If-Match": etag ?? "" } }, body: toBody(f) }),
        );
        setSaved(`Plano salvo (versão ${out.version}).`);
        navigate(`/profissional/pacientes/${patientId}/plano?id=${out.id}&v=${out.version}&salvo=1`, { replace: true });
      } else {
        const out = await call(api.POST("/v1/patients/{id}/treatment-plans", { params: { path: { id: patientId } }, body: toBody(f) }));
        navigate(`/profissional/pacientes/${patientId}/plano?id=${out.id}&salvo=1`);
      }
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <Stack gap="5">
        <Card.Root>
          <Card.Body>
            <Stack gap="4">
              <TextField label="Título do plano" name="title" required value={f.title} onChange={(e) => setF({ ...f, title: e.target.value })} error={error} />
              <SimpleGrid columns={{ base: 1, md: 3 }} gap="4">
                <TextField label="Início" name="start" type="date" required value={f.start} onChange={(e) => setF({ ...f, start: e.target.value })} error={error} />
                <TextField label="Fim" name="end" type="date" value={f.end} onChange={(e) => setF({ ...f, end: e.target.value })} error={error} />
                <SelectField
                  label="Situação"
                  name="status"
                  value={f.status}
                  onChange={(v) => setF({ ...f, status: v as Status })}
                  options={[
                    { value: "draft", label: "Rascunho" },
                    { value: "active", label: "Ativo" },
                    ...(plan ? [{ value: "completed", label: "Concluído" }, { value: "cancelled", label: "Cancelado" }] : []),
                  ]}
                  error={error}
                />
              </SimpleGrid>
              <Field.Root invalid={!!fieldError(error, "goals")}>
                <Field.Label>Objetivos (um por linha)</Field.Label>
                <Textarea name="goals" rows={3} value={f.goals} onChange={(e) => setF({ ...f, goals: e.target.value })} />
                {fieldError(error, "goals") && <Field.ErrorText>{fieldError(error, "goals")}</Field.ErrorText>}
              </Field.Root>
            </Stack>
          </Card.Body>
        </Card.Root>
        <Heading as="h2" size="md">
          Itens do plano
        </Heading>
        {f.items.length === 0 && <Text>Nenhum item ainda. Adicione medicamentos, exercícios, alimentação, produtos, exames ou terapias.</Text>}
        {f.items.map((it, i) => {
          const tag = `item ${i + 1}`;
          const p = `items[${i}].`;
          return (
            <Card.Root key={i}>
              <Card.Body>
                <Stack gap="3">
                  <HStack justify="space-between">
                    <Heading as="h3" size="sm">
                      Item {i + 1}
                    </Heading>
                    <Button size="sm" variant="outline" colorPalette="red" onClick={() => setF({ ...f, items: f.items.filter((_, j) => j !== i) })}>
                      Remover {tag}
                    </Button>
                  </HStack>
                  <SimpleGrid columns={{ base: 1, md: 3 }} gap="3">
                    <SelectField label={`Tipo (${tag})`} name={`${p}kind`} value={it.kind} onChange={(v) => setItem(i, { kind: v as Kind })} options={kinds} error={error} />
                    <TextField label={`Nome (${tag})`} name={`${p}name`} required value={it.name} onChange={(e) => setItem(i, { name: e.target.value })} error={error} />
                    {fieldsOf[it.kind].map((x) => (
                      <TextField
                        key={x.key}
                        label={`${x.label} (${tag})`}
                        name={`${p}${x.key}`}
                        required={x.required}
                        value={(it[x.key] as string | undefined) ?? ""}
                        onChange={(e) => setItem(i, { [x.key]: e.target.value })}
                        error={error}
                      />
                    ))}
                    {it.kind === "exercise" && (
                      <SelectField
                        label={`Intensidade (${tag})`}
                        name={`${p}intensity`}
                        value={it.intensity ?? ""}
                        onChange={(v) => setItem(i, { intensity: v })}
                        placeholder="Não informada"
                        options={[
                          { value: "low", label: "Leve" },
                          { value: "moderate", label: "Moderada" },
                          { value: "high", label: "Intensa" },
                        ]}
                        error={error}
                      />
                    )}
                  </SimpleGrid>
                  {it.kind === "exercise" && (
                    <Checkbox.Root checked={!!it.needs_gym} onCheckedChange={(c) => setItem(i, { needs_gym: !!c.checked })}>
                      <Checkbox.HiddenInput />
                      <Checkbox.Control />
                      <Checkbox.Label>Precisa de academia ({tag})</Checkbox.Label>
                    </Checkbox.Root>
                  )}
                  <TextField label={`Descrição (${tag})`} name={`${p}description`} value={it.description ?? ""} onChange={(e) => setItem(i, { description: e.target.value })} error={error} />
                  <TextField
                    label={`Categorias para ofertas de parceiros (${tag})`}
                    name={`${p}tags`}
                    value={it.tagsText}
                    onChange={(e) => setItem(i, { tagsText: e.target.value })}
                    error={error}
                    help={`Separadas por vírgula, como drug:losartan ou activity:swimming. Com elas, ${suppliersOf[it.kind]} parceiros oferecem opções de compra ao paciente.`}
                  />
                </Stack>
              </Card.Body>
            </Card.Root>
          );
        })}
        <Box>
          <Button variant="outline" colorPalette="teal" onClick={() => setF({ ...f, items: [...f.items, { kind: "medication", name: "", tagsText: "" }] })}>
            Adicionar item
          </Button>
        </Box>
        <ProblemAlert error={error} />
        {saved && (
          <Text role="status" color="green.700">
            {saved}
          </Text>
        )}
        <Box>
          <Button type="submit" colorPalette="teal" loading={busy}>
            Salvar plano
          </Button>
        </Box>
      </Stack>
    </form>
  );
}

// PlanPage builds a new treatment plan, or edits one (?id=).
export default function PlanPage() {
  const { id: patientId = "" } = useParams();
  const [params] = useSearchParams();
  const planId = params.get("id");
  const { data, error, loading } = useLoad(async () => {
    if (!planId) return undefined;
    const r = await api.GET("/v1/treatment-plans/{id}", { params: { path: { id: planId } } });
    return { plan: must(r), etag: r.response.headers.get("ETag") ?? undefined };
  }, [planId, params.get("v")]);
  return (
    <Page title={planId ? "Editar plano de tratamento" : "Novo plano de tratamento"}>
      {params.get("salvo") && (
        <Text role="status" color="green.700">
          Plano salvo.
        </Text>
      )}
      <ProblemAlert error={error} />
      {planId && loading && <Loading />}
      {data && <Text fontSize="sm">Versão {data.plan.version}, atualizado em {dateTime(data.plan.updated_at)}.</Text>}
      {!planId && <PlanForm key="new" patientId={patientId} />}
      {data && <PlanForm key={`${data.plan.id}-${data.plan.version}`} patientId={patientId} plan={data.plan} etag={data.etag} />}
    </Page>
  );
}
