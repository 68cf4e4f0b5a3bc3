import { Button, Card, Field, Heading, HStack, NativeSelect, SimpleGrid, Stack, Text } from "@chakra-ui/react";
import { useState, type FormEvent } from "react";
import { api, call, type Schemas } from "../../api/client";
import { ProblemAlert } from "../../components/ProblemAlert";
import { TextField } from "../../components/TextField";
import { price } from "../../lib/format";
import { useCompany } from "./context";
import { reais } from "./labels";

type Weekday = Schemas["WeeklyRule"]["weekday"];
const weekdays: [Weekday, string][] = [
  ["monday", "Segunda"],
  ["tuesday", "Terça"],
  ["wednesday", "Quarta"],
  ["thursday", "Quinta"],
  ["friday", "Sexta"],
  ["saturday", "Sábado"],
  ["sunday", "Domingo"],
];

// Exams (hospitals): publish an exam service, then its weekly availability.
// The API has no list of a hospital's own exams, so this shows the ones
// published in this visit.
export function Exams() {
  const { id } = useCompany();
  const [f, setF] = useState({ name: "", code: "", duration: "30", capacity: "1", price: "", preparation: "" });
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [exams, setExams] = useState<Schemas["ExamResponse"][]>([]);
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const r = await call(
        api.POST("/v1/companies/{id}/exams", {
          params: { path: { id } },
          body: {
            name: f.name.trim(),
            code: f.code.trim() || undefined,
            duration_minutes: Number(f.duration),
            capacity: Number(f.capacity),
            price: { amount: reais(f.price) ?? 0, currency: "BRL" },
            preparation: f.preparation.trim() || undefined,
          },
        }),
      );
      setExams([r, ...exams]);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card.Root>
      <Card.Body>
        <Stack gap="4">
          <Heading as="h2" size="lg">
            Exames
          </Heading>
          <form onSubmit={submit} noValidate>
            <Stack gap="3">
              <ProblemAlert error={error} />
              <SimpleGrid columns={{ base: 1, md: 3 }} gap="3">
                <TextField label="Nome do exame" name="name" required value={f.name} onChange={set("name")} error={error} />
                <TextField label="Código (TUSS)" name="code" value={f.code} onChange={set("code")} error={error} />
                <TextField label="Preço (R$)" name="price" required inputMode="decimal" value={f.price} onChange={set("price")} error={error} />
                <TextField label="Duração (minutos)" name="duration_minutes" required inputMode="numeric" value={f.duration} onChange={set("duration")} error={error} />
                <TextField label="Vagas por horário" name="capacity" required inputMode="numeric" value={f.capacity} onChange={set("capacity")} error={error} />
                <TextField label="Preparo" name="preparation" value={f.preparation} onChange={set("preparation")} error={error} />
              </SimpleGrid>
              <Button type="submit" colorPalette="teal" loading={busy} alignSelf="start">
                Publicar exame
              </Button>
            </Stack>
          </form>
          {exams.map((x) => (
            <ExamAvailability key={x.id} exam={x} />
          ))}
        </Stack>
      </Card.Body>
    </Card.Root>
  );
}

function ExamAvailability({ exam }: { exam: Schemas["ExamResponse"] }) {
  const [rules, setRules] = useState<{ weekday: Weekday; start: string; end: string }[]>([
    { weekday: "monday", start: "08:00", end: "12:00" },
  ]);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState("");

  async function save(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await call(
        api.PUT("/v1/exams/{id}/availability", {
          params: { path: { id: exam.id } },
          body: {
            time_zone: "America/Sao_Paulo",
            slot_minutes: exam.duration_minutes,
            buffer_minutes: 0,
            min_notice_hours: 2,
            horizon_days: 60,
            cancel_until_hours: 24,
            weekly: rules.map((r) => ({ ...r, mode: "in_person" as const })),
            exceptions: [],
          },
        }),
      );
      setSaved("Agenda do exame publicada (horário de Brasília).");
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={save}>
      <Stack gap="2" borderWidth="1px" borderRadius="md" p="3">
        <Heading as="h3" size="md">
          {exam.name} · {price(exam.price)} · {exam.duration_minutes} min
        </Heading>
        <Text fontSize="sm">Horários semanais (horário de Brasília):</Text>
        {rules.map((r, i) => (
          <SimpleGrid key={i} columns={{ base: 1, md: 4 }} gap="2" alignItems="end">
            <Field.Root>
              <Field.Label>Dia {i + 1}</Field.Label>
              <NativeSelect.Root>
                <NativeSelect.Field value={r.weekday} onChange={(e) => setRules(rules.map((x, j) => (j === i ? { ...x, weekday: e.target.value as Weekday } : x)))}>
                  {weekdays.map(([k, v]) => (
                    <option key={k} value={k}>
                      {v}
                    </option>
                  ))}
                </NativeSelect.Field>
                <NativeSelect.Indicator />
              </NativeSelect.Root>
            </Field.Root>
            <TextField label={`Início ${i + 1}`} name={`weekly.${i}.start`} type="time" value={r.start} onChange={(e) => setRules(rules.map((x, j) => (j === i ? { ...x, start: e.target.value } : x)))} error={error} />
            <TextField label={`Fim ${i + 1}`} name={`weekly.${i}.end`} type="time" value={r.end} onChange={(e) => setRules(rules.map((x, j) => (j === i ? { ...x, end: e.target.value } : x)))} error={error} />
            <Button size="sm" variant="outline" onClick={() => setRules(rules.filter((_, j) => j !== i))}>
              Remover dia {i + 1}
            </Button>
          </SimpleGrid>
        ))}
        <HStack>
          <Button size="sm" variant="outline" onClick={() => setRules([...rules, { weekday: "monday", start: "08:00", end: "12:00" }])}>
            Adicionar horário
          </Button>
          <Button size="sm" type="submit" colorPalette="teal" loading={busy}>
            Publicar agenda
          </Button>
        </HStack>
        <ProblemAlert error={error} />
        <div role="status">{saved && <Text fontSize="sm">{saved}</Text>}</div>
      </Stack>
    </form>
  );
}
