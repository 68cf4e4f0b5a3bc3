import { Badge, Box, Button, Card, Checkbox, Field, Fieldset, Heading, HStack, NativeSelect, SimpleGrid, Stack, Text, Textarea } from "@chakra-ui/react";
import { useState, type FormEvent } from "react";
import { api, call, type Schemas } from "../../api/client";
import { Loading } from "../../components/Loading";
import { Page } from "../../components/Page";
import { ProblemAlert, fieldError } from "../../components/ProblemAlert";
import { TextField } from "../../components/TextField";
import { dateTime } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";

type Incident = Schemas["IncidentResponse"];
type Category = Schemas["IncidentRequest"]["categories"][number];
type Risk = Schemas["IncidentRequest"]["risk"];

const categoryLabel: Record<Category, string> = {
  account: "Conta",
  clinical_records: "Prontuários",
  appointments: "Consultas",
  orders: "Pedidos",
  payments: "Pagamentos",
  notifications: "Notificações",
  marketing: "Marketing",
  consents: "Consentimentos",
  audit_trail: "Trilha de auditoria",
  professional_profile: "Perfil profissional",
  company_staff: "Equipe de empresas",
  exports: "Exportações",
  incidents: "Incidentes",
  care_messages: "Mensagens de cuidado",
  order_messages: "Mensagens de pedidos",
};
const riskLabel: Record<Risk, string> = { low: "Baixo", medium: "Médio", high: "Alto" };

// datetime-local (viewer's zone) ⇄ RFC 3339
const toLocal = (iso: string) => {
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
};
const fromLocal = (v: string) => new Date(v).toISOString();

function TextArea({ label, name, value, onChange, error, required }: { label: string; name: string; value: string; onChange: (v: string) => void; error?: unknown; required?: boolean }) {
  const msg = fieldError(error, name);
  return (
    <Field.Root invalid={!!msg} required={required}>
      <Field.Label>
        {label}
        {required && <Field.RequiredIndicator />}
      </Field.Label>
      <Textarea name={name} value={value} onChange={(e) => onChange(e.target.value)} rows={3} />
      {msg && <Field.ErrorText>{msg}</Field.ErrorText>}
    </Field.Root>
  );
}

function RiskSelect({ value, onChange, label = "Risco" }: { value: Risk; onChange: (r: Risk) => void; label?: string }) {
  return (
    <Field.Root>
      <Field.Label>{label}</Field.Label>
      <NativeSelect.Root>
        <NativeSelect.Field value={value} onChange={(e) => onChange(e.target.value as Risk)}>
          {Object.entries(riskLabel).map(([k, v]) => (
            <option key={k} value={k}>
              {v}
            </option>
          ))}
        </NativeSelect.Field>
        <NativeSelect.Indicator />
      </NativeSelect.Root>
    </Field.Root>
  );
}

// The security incident register (LGPD art. 48): list, register, update.
export function Incidents() {
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const list = useLoad(() => call(api.GET("/v1/admin/incidents", { params: { query: { cursor, limit: 20 } } })), [cursor]);
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState("");
  return (
    <Page
      title="Incidentes de segurança"
      actions={
        <Button colorPalette="teal" onClick={() => setCreating(!creating)}>
          Registrar incidente
        </Button>
      }
    >
      <div role="status">{notice && <Text>{notice}</Text>}</div>
      {creating && (
        <NewIncident
          onDone={(i) => {
            setCreating(false);
            if (i) {
              setNotice(`Incidente "${i.title}" registrado. Prazo para comunicar: ${dateTime(i.notify_deadline)}.`);
              void list.reload();
            }
          }}
        />
      )}
      <ProblemAlert error={list.error} />
      {list.loading && !list.data ? (
        <Loading />
      ) : list.data?.items.length === 0 ? (
        <Text>Nenhum incidente registrado.</Text>
      ) : (
        list.data?.items.map((i) => <IncidentCard key={i.id} incident={i} onSaved={() => void list.reload()} />)
      )}
      <HStack>
        {cursors.length > 0 && (
          <Button variant="outline" onClick={() => setCursors(cursors.slice(0, -1))}>
            Página anterior
          </Button>
        )}
        {list.data?.next_cursor && (
          <Button variant="outline" onClick={() => setCursors([...cursors, list.data!.next_cursor!])}>
            Próxima página
          </Button>
        )}
      </HStack>
    </Page>
  );
}

function NewIncident({ onDone }: { onDone: (i?: Incident) => void }) {
  const [f, setF] = useState({
    title: "",
    description: "",
    detected_at: toLocal(new Date().toISOString()),
    occurred_at: "",
    risk: "medium" as Risk,
    risk_reasoning: "",
    subjects_affected: "0",
    subjects_estimated: false,
    measures: "",
    categories: [] as Category[],
  });
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const i = await call(
        api.POST("/v1/admin/incidents", {
          body: {
            title: f.title.trim(),
            description: f.description.trim(),
            detected_at: fromLocal(f.detected_at),
            occurred_at: f.occurred_at ? fromLocal(f.occurred_at) : null,
            risk: f.risk,
            risk_reasoning: f.risk_reasoning.trim(),
            subjects_affected: Number(f.subjects_affected) || 0,
            subjects_estimated: f.subjects_estimated,
            measures: f.measures.trim() || undefined,
            categories: f.categories,
          },
        }),
      );
      onDone(i);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card.Root>
      <Card.Body>
        <form onSubmit={submit} noValidate>
          <Stack gap="3">
            <Heading as="h2" size="lg">
              Novo incidente
            </Heading>
            <ProblemAlert error={error} />
            <TextField label="Título" name="title" required value={f.title} onChange={(e) => setF({ ...f, title: e.target.value })} error={error} />
            <TextArea label="Descrição" name="description" required value={f.description} onChange={(v) => setF({ ...f, description: v })} error={error} />
            <SimpleGrid columns={{ base: 1, md: 3 }} gap="3">
              <TextField label="Detectado em" name="detected_at" type="datetime-local" required value={f.detected_at} onChange={(e) => setF({ ...f, detected_at: e.target.value })} error={error} />
              <TextField label="Ocorrido em (se souber)" name="occurred_at" type="datetime-local" value={f.occurred_at} onChange={(e) => setF({ ...f, occurred_at: e.target.value })} error={error} />
              <RiskSelect value={f.risk} onChange={(r) => setF({ ...f, risk: r })} />
              <TextField label="Titulares afetados" name="subjects_affected" inputMode="numeric" required value={f.subjects_affected} onChange={(e) => setF({ ...f, subjects_affected: e.target.value })} error={error} />
            </SimpleGrid>
            <Checkbox.Root checked={f.subjects_estimated} onCheckedChange={(d) => setF({ ...f, subjects_estimated: d.checked === true })}>
              <Checkbox.HiddenInput />
              <Checkbox.Control />
              <Checkbox.Label>O número de titulares é uma estimativa</Checkbox.Label>
            </Checkbox.Root>
            <TextArea label="Justificativa do risco" name="risk_reasoning" required value={f.risk_reasoning} onChange={(v) => setF({ ...f, risk_reasoning: v })} error={error} />
            <TextArea label="Medidas tomadas" name="measures" value={f.measures} onChange={(v) => setF({ ...f, measures: v })} error={error} />
            <Fieldset.Root invalid={!!fieldError(error, "categories")}>
              <Fieldset.Legend>Categorias de dados envolvidas</Fieldset.Legend>
              <HStack wrap="wrap" gap="4">
                {(Object.keys(categoryLabel) as Category[]).map((c) => (
                  <Checkbox.Root
                    key={c}
                    checked={f.categories.includes(c)}
                    onCheckedChange={(d) => setF({ ...f, categories: d.checked === true ? [...f.categories, c] : f.categories.filter((x) => x !== c) })}
                  >
                    <Checkbox.HiddenInput />
                    <Checkbox.Control />
                    <Checkbox.Label>{categoryLabel[c]}</Checkbox.Label>
                  </Checkbox.Root>
                ))}
              </HStack>
              {fieldError(error, "categories") && <Fieldset.ErrorText>{fieldError(error, "categories")}</Fieldset.ErrorText>}
            </Fieldset.Root>
            <HStack>
              <Button type="submit" colorPalette="teal" loading={busy}>
                Registrar
              </Button>
              <Button variant="outline" onClick={() => onDone()}>
                Fechar
              </Button>
            </HStack>
          </Stack>
        </form>
      </Card.Body>
    </Card.Root>
  );
}

function IncidentCard({ incident: i, onSaved }: { incident: Incident; onSaved: () => void }) {
  const [open, setOpen] = useState(false);
  const [f, setF] = useState({
    measures: i.measures,
    risk: i.risk,
    subjects_affected: String(i.subjects_affected),
    anpd: i.anpd_notified_at ? toLocal(i.anpd_notified_at) : "",
    subjects: i.subjects_notified_at ? toLocal(i.subjects_notified_at) : "",
  });
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState("");

  async function save(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const body: Schemas["IncidentPatchRequest"] = {
        measures: f.measures,
        risk: f.risk,
        subjects_affected: Number(f.subjects_affected) || 0,
      };
      if (f.anpd) body.anpd_notified_at = fromLocal(f.anpd);
      if (f.subjects) body.subjects_notified_at = fromLocal(f.subjects);
      // the version read, as its ETag: a change made meanwhile answers 412
      await call(api.PATCH("/v1/admin/incidents/{id}", { params: { path: { id: i.id }, header: { "If-Match": `"${i.version}"` } }, body }));
      setNotice("Incidente atualizado.");
      onSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const late = !i.anpd_notified_at && i.notification_required && new Date(i.notify_deadline) < new Date();
  return (
    <Card.Root size="sm" as="article" aria-label={i.title}>
      <Card.Body>
        <Stack gap="2">
          <HStack justify="space-between" wrap="wrap">
            <Heading as="h2" size="md">
              {i.title}
            </Heading>
            <HStack>
              <Badge colorPalette={i.risk === "high" ? "red" : i.risk === "medium" ? "orange" : "gray"}>Risco {riskLabel[i.risk].toLowerCase()}</Badge>
              {i.anpd_notified_at ? <Badge colorPalette="green">ANPD comunicada</Badge> : i.notification_required && <Badge colorPalette="red">Comunicar à ANPD</Badge>}
            </HStack>
          </HStack>
          <Text fontSize="sm">{i.description}</Text>
          <Text fontSize="sm">
            Detectado em {dateTime(i.detected_at)} · {i.subjects_affected}
            {i.subjects_estimated ? " (estimativa)" : ""} titulares · {i.categories.map((c) => categoryLabel[c] ?? c).join(", ")}
          </Text>
          {i.notification_required && (
            <Text fontSize="sm" fontWeight="semibold" color={late ? "red.700" : undefined}>
              Prazo para comunicar: {dateTime(i.notify_deadline)}
              {late && " (vencido)"}
            </Text>
          )}
          {i.anpd_notified_at && <Text fontSize="sm">ANPD comunicada em {dateTime(i.anpd_notified_at)}</Text>}
          {i.subjects_notified_at && <Text fontSize="sm">Titulares comunicados em {dateTime(i.subjects_notified_at)}</Text>}
          <div role="status">{notice && <Text fontSize="sm">{notice}</Text>}</div>
          <Button size="sm" variant="outline" alignSelf="start" onClick={() => setOpen(!open)} aria-expanded={open}>
            {open ? "Fechar" : `Atualizar e ver comunicados`}
          </Button>
          {open && (
            <Box as="form" onSubmit={save}>
              <Stack gap="3">
                <ProblemAlert error={error} />
                <TextArea label="Medidas tomadas" name="measures" value={f.measures} onChange={(v) => setF({ ...f, measures: v })} error={error} />
                <SimpleGrid columns={{ base: 1, md: 2 }} gap="3">
                  <RiskSelect value={f.risk} onChange={(r) => setF({ ...f, risk: r })} />
                  <TextField label="Titulares afetados" name="subjects_affected" inputMode="numeric" value={f.subjects_affected} onChange={(e) => setF({ ...f, subjects_affected: e.target.value })} error={error} />
                  <TextField label="ANPD comunicada em" name="anpd_notified_at" type="datetime-local" value={f.anpd} onChange={(e) => setF({ ...f, anpd: e.target.value })} error={error} />
                  <TextField label="Titulares comunicados em" name="subjects_notified_at" type="datetime-local" value={f.subjects} onChange={(e) => setF({ ...f, subjects: e.target.value })} error={error} />
                </SimpleGrid>
                <Button type="submit" colorPalette="teal" loading={busy} alignSelf="start">
                  Salvar
                </Button>
                <Heading as="h3" size="sm">
                  Rascunho do comunicado à ANPD
                </Heading>
                <Text fontSize="sm" whiteSpace="pre-wrap">
                  {i.anpd_notice_draft}
                </Text>
                <Heading as="h3" size="sm">
                  Rascunho do comunicado aos titulares
                </Heading>
                <Text fontSize="sm" whiteSpace="pre-wrap">
                  {i.subject_notice_draft}
                </Text>
              </Stack>
            </Box>
          )}
        </Stack>
      </Card.Body>
    </Card.Root>
  );
}
