import { Alert, Button, Card, Field, HStack, NativeSelect, Stack, Text, Textarea } from "@chakra-ui/react";
import { useState } from "react";
import { Link as RouterLink, useParams } from "react-router";
import { api, call, type Schemas } from "../../api/client";
import { ProblemError } from "../../api/session";
import { Loading } from "../../components/Loading";
import { Page } from "../../components/Page";
import { ProblemAlert } from "../../components/ProblemAlert";
import { dateTime, price } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";
import { modeLabel, professionLabel } from "./labels";
import { differsFromViewer, offsetOf, SlotCalendar, theirTime, type Slot } from "./SlotCalendar";

type Mode = "in_person" | "telemedicine";
type Appointment = Schemas["AppointmentResponse"];

// newKey is an Idempotency-Key: one per booking attempt, so a retried request
// (a lost answer) books once.
export function newKey(): string {
  return crypto.randomUUID();
}

// ConsentOffer asks, inline, for the consent a 409 named (problem.consent),
// showing the term, and records it before the caller retries.
export function ConsentOffer({ consent, onGranted }: { consent: NonNullable<ProblemError["problem"]["consent"]>; onGranted: () => void }) {
  const term = useLoad(
    () => call(api.GET("/v1/consent-terms/{purpose}", { params: { path: { purpose: consent.purpose } } })),
    [consent.purpose],
  );
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  async function grant() {
    setBusy(true);
    setError(undefined);
    try {
      await call(api.POST("/v1/me/consents", {
          params: { header: { "X-Consent-Channel": "portal" } },
        body: { purpose: consent.purpose as Schemas["ConsentRequest"]["purpose"], term_version: consent.term_version, decision: "granted" },
      }));
      onGranted();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Alert.Root status="warning" role="alert">
      <Alert.Indicator />
      <Alert.Content>
        <Alert.Title>Este atendimento precisa do seu consentimento</Alert.Title>
        <Alert.Description>
          {term.loading && <Loading />}
          {term.data && (
            <Stack gap="2">
              <Text fontWeight="semibold">{term.data.title} (versão {term.data.version})</Text>
              <Text>{term.data.summary}</Text>
            </Stack>
          )}
          <ProblemAlert error={term.error ?? error} />
          <Button mt="2" colorPalette="teal" loading={busy} onClick={() => void grant()}>Aceitar o termo e continuar</Button>
        </Alert.Description>
      </Alert.Content>
    </Alert.Root>
  );
}

// Book: a professional's (or an exam's) week of free slots, the mode, the
// price; confirming books and shows the appointment the API answered.
export default function Book() {
  const { professionalId, examId } = useParams();
  const isExam = !!examId;
  const pro = useLoad(
    () => (professionalId ? call(api.GET("/v1/professionals/{id}", { params: { path: { id: professionalId } } })) : Promise.resolve(undefined)),
    [professionalId],
  );
  const exam = useLoad(
    () => (examId ? call(api.GET("/v1/exams/{id}", { params: { path: { id: examId } } })) : Promise.resolve(undefined)),
    [examId],
  );
  const modes = (pro.data?.modes ?? []) as Mode[];
  const [mode, setMode] = useState<Mode | "">("");
  const chosenMode: Mode | undefined = isExam ? undefined : mode || modes[0];
  const [slot, setSlot] = useState<Slot>();
  const [reason, setReason] = useState("");
  const [version, setVersion] = useState(0);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<Appointment>();
  const [key, setKey] = useState(newKey);

  const name = isExam ? exam.data?.name : pro.data?.name;
  const cost = isExam ? exam.data?.price : pro.data?.price;

  async function load(from: string, to: string): Promise<Slot[]> {
    if (examId) return (await call(api.GET("/v1/exams/{id}/slots", { params: { path: { id: examId }, query: { from, to } } }))).items;
    if (!professionalId || !chosenMode) return [];
    return (await call(api.GET("/v1/professionals/{id}/slots", { params: { path: { id: professionalId }, query: { from, to, mode: chosenMode } } }))).items;
  }

  async function confirm() {
    if (!slot) return;
    setBusy(true);
    setError(undefined);
    try {
      const body: Schemas["BookRequest"] = isExam
        ? { exam_service_id: examId, start: slot.start }
        : { professional_id: professionalId, start: slot.start, mode: slot.mode, reason: reason.trim() || undefined };
      const a = await call(api.POST("/v1/appointments", { params: { header: { "Idempotency-Key": key } }, body }));
      setDone(a);
    } catch (e) {
      setError(e);
      // a refusal booked nothing: the next attempt is a new request
      if (e instanceof ProblemError && e.status >= 400 && e.status < 500) setKey(newKey());
      if (e instanceof ProblemError && e.status === 409 && !e.problem.consent) {
        // the slot was taken meanwhile: a fresh calendar
        setSlot(undefined);
        setVersion((v) => v + 1);
      }
    } finally {
      setBusy(false);
    }
  }

  const loadError = pro.error ?? exam.error;
  if (loadError) return <Page title="Agendar"><ProblemAlert error={loadError} /></Page>;
  if (pro.loading || exam.loading) return <Page title="Agendar"><Loading /></Page>;

  if (done) {
    return (
      <Page title="Agendamento confirmado">
        <Card.Root>
          <Card.Body>
            <Stack gap="2" role="status">
              <Text fontSize="lg" fontWeight="semibold">
                {done.kind === "exam" ? `Exame ${name} confirmado` : `Consulta com ${name} confirmada`}
              </Text>
              <Text>
                Quando: {dateTime(done.start)}
                {/* the answer is in UTC; the chosen slot was written in their zone */}
                {slot && differsFromViewer(slot.start) ? ` (${theirTime(slot.start)} no horário ${isExam ? "do hospital" : "do profissional"}, UTC${offsetOf(slot.start)})` : ""}
              </Text>
              <Text>Atendimento: {modeLabel[done.mode] ?? done.mode}{done.place ? ` · ${done.place}` : ""}</Text>
              <Text>Valor: {price(done.price)}</Text>
            </Stack>
          </Card.Body>
        </Card.Root>
        <HStack>
          <Button asChild colorPalette="teal"><RouterLink to="/paciente/consultas">Ver minhas consultas</RouterLink></Button>
          <Button asChild variant="outline"><RouterLink to="/paciente/buscar">Nova busca</RouterLink></Button>
        </HStack>
      </Page>
    );
  }

  const consent = error instanceof ProblemError && error.status === 409 ? error.problem.consent : undefined;
  return (
    <Page title={isExam ? `Agendar exame: ${name ?? ""}` : `Agendar com ${name ?? ""}`}>
      <Stack gap="1">
        {pro.data && (
          <Text>
            {professionLabel[pro.data.profession] ?? pro.data.profession}
            {pro.data.specialties.length > 0 && ` · ${pro.data.specialties.join(", ")}`} · Consulta: {price(cost)}
          </Text>
        )}
        {exam.data && <Text>{exam.data.duration_minutes} min · {price(cost)}{exam.data.preparation ? ` · Preparo: ${exam.data.preparation}` : ""}</Text>}
      </Stack>
      {!isExam && modes.length > 1 && (
        <Field.Root maxW="sm">
          <Field.Label>Tipo de atendimento</Field.Label>
          <NativeSelect.Root>
            <NativeSelect.Field name="mode" value={chosenMode} onChange={(e) => { setMode(e.target.value as Mode); setSlot(undefined); }}>
              {modes.map((m) => <option key={m} value={m}>{modeLabel[m] ?? m}</option>)}
            </NativeSelect.Field>
            <NativeSelect.Indicator />
          </NativeSelect.Root>
        </Field.Root>
      )}
      {!isExam && modes.length === 1 && <Text>Atendimento: {modeLabel[modes[0]] ?? modes[0]}</Text>}
      <SlotCalendar load={load} selected={slot} onPick={(s) => { setSlot(s); setError(undefined); }} deps={[chosenMode, version]}
        whose={isExam ? "do hospital" : "do profissional"} />
      {slot && (
        <Card.Root>
          <Card.Body>
            <Stack gap="3">
              <Text fontWeight="semibold">Horário escolhido: {dateTime(slot.start)} · {modeLabel[slot.mode] ?? slot.mode} · {price(cost)}</Text>
              {!isExam && (
                <Field.Root>
                  <Field.Label>Motivo da consulta (opcional)</Field.Label>
                  <Textarea name="reason" value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} />
                </Field.Root>
              )}
              <Button colorPalette="teal" alignSelf="flex-start" loading={busy} onClick={() => void confirm()}>Confirmar agendamento</Button>
            </Stack>
          </Card.Body>
        </Card.Root>
      )}
      {consent ? (
        <ConsentOffer consent={consent} onGranted={() => { setError(undefined); void confirm(); }} />
      ) : (
        <>
          <ProblemAlert error={error} />
          {error instanceof ProblemError && error.status === 409 && <Text role="status">O calendário foi atualizado; escolha outro horário.</Text>}
        </>
      )}
    </Page>
  );
}
