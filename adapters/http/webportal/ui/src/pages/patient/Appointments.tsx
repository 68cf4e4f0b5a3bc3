import { Badge, Button, Card, Dialog, Field, HStack, Link, Portal, Stack, Tabs, Text, Textarea } from "@chakra-ui/react";
import { useEffect, useState } from "react";
import { Link as RouterLink } from "react-router";
import { api, call, type Schemas } from "../../api/client";
import { ProblemError } from "../../api/session";
import { Loading } from "../../components/Loading";
import { MoreButton } from "../../components/MoreButton";
import { Page } from "../../components/Page";
import { ProblemAlert } from "../../components/ProblemAlert";
import { dateTime, price } from "../../lib/format";
import { usePaged } from "../../lib/usePaged";
import { ConsentOffer, newKey } from "./Book";
import { modeLabel, statusLabel } from "./labels";
import { differsFromViewer, offsetOf, SlotCalendar, theirTime, type Slot } from "./SlotCalendar";

type Appointment = Schemas["AppointmentResponse"];

// names resolves the professionals' and exams' names of a list of appointments.
function useNames(items: Appointment[]) {
  const [names, setNames] = useState<Record<string, string>>({});
  useEffect(() => {
    const want = new Set<string>();
    for (const a of items) {
      const id = a.professional_id ?? a.exam_service_id;
      if (id && !(id in names)) want.add(id);
    }
    if (want.size === 0) return;
    let live = true;
    void Promise.all(
      [...want].map(async (id) => {
        const a = items.find((x) => (x.professional_id ?? x.exam_service_id) === id)!;
        try {
          if (a.professional_id) return [id, (await call(api.GET("/v1/professionals/{id}", { params: { path: { id } } }))).name] as const;
          return [id, (await call(api.GET("/v1/exams/{id}", { params: { path: { id } } }))).name] as const;
        } catch {
          return [id, a.professional_id ? "profissional" : "exame"] as const; // a profile no longer public: the line still shows
        }
      }),
    ).then((pairs) => live && setNames((n) => ({ ...n, ...Object.fromEntries(pairs) })));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [items]);
  return names;
}

function useList(which: "upcoming" | "past") {
  const list = usePaged((cursor?: string) => {
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const query = which === "upcoming" ? { from: now, cursor } : { to: now, cursor };
    return call(api.GET("/v1/appointments", { params: { query } }));
  });
  const replace = (a: Appointment) => list.setItems((xs) => xs.map((x) => (x.id === a.id ? a : x)));
  return { ...list, replace };
}

// Appointments: the patient's upcoming and past appointments, with
// reschedule, cancel, join the video call and switch to in person.
export default function Appointments() {
  const upcoming = useList("upcoming");
  const past = useList("past");
  const names = useNames([...upcoming.items, ...past.items]);
  return (
    <Page title="Minhas consultas" actions={<Button asChild colorPalette="teal"><RouterLink to="/paciente/buscar">Agendar nova consulta</RouterLink></Button>}>
      <Tabs.Root defaultValue="upcoming">
        <Tabs.List>
          <Tabs.Trigger value="upcoming">Próximas</Tabs.Trigger>
          <Tabs.Trigger value="past">Anteriores</Tabs.Trigger>
        </Tabs.List>
        <Tabs.Content value="upcoming">
          <List list={upcoming} names={names} empty="Nenhuma consulta agendada." actions />
        </Tabs.Content>
        <Tabs.Content value="past">
          <List list={past} names={names} empty="Nenhuma consulta anterior." />
        </Tabs.Content>
      </Tabs.Root>
    </Page>
  );
}

function List({ list, names, empty, actions }: { list: ReturnType<typeof useList>; names: Record<string, string>; empty: string; actions?: boolean }) {
  return (
    <Stack gap="3">
      <ProblemAlert error={list.error} />
      {list.loading && list.items.length === 0 ? (
        <Loading />
      ) : list.items.length === 0 && !list.error ? (
        <Text>{empty}</Text>
      ) : (
        list.items.map((a) => <Item key={a.id} a={a} name={names[a.professional_id ?? a.exam_service_id ?? ""]} actions={actions} onChange={list.replace} />)
      )}
      <MoreButton paged={list} />
    </Stack>
  );
}

function Item({ a, name, actions, onChange }: { a: Appointment; name?: string; actions?: boolean; onChange: (a: Appointment) => void }) {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState("");
  const [video, setVideo] = useState<Schemas["VideoCredentialResponse"]>();
  const [dialog, setDialog] = useState<"" | "cancel" | "reschedule">("");
  const who = a.kind === "exam" ? "do hospital" : "do profissional";
  const title = `${a.kind === "exam" ? "Exame" : "Consulta"}${name ? (a.kind === "exam" ? `: ${name}` : ` com ${name}`) : ""}`;

  async function run(what: string, f: () => Promise<Appointment | void>) {
    setBusy(what);
    setError(undefined);
    try {
      const r = await f();
      if (r) onChange(r);
    } catch (e) {
      setError(e);
    } finally {
      setBusy("");
    }
  }

  async function join() {
    await run("video", async () => {
      const v = await call(api.POST("/v1/appointments/{id}/video", { params: { path: { id: a.id } } }));
      setVideo(v);
      if (v.join_url) window.open(v.join_url, "_blank", "noopener");
    });
  }

  const open = actions && a.status === "confirmed";
  return (
    <Card.Root as="article" aria-label={title}>
      <Card.Body>
        <Stack gap="2">
          <HStack justify="space-between" wrap="wrap">
            <Text as="h2" fontSize="lg" fontWeight="semibold">{title}</Text>
            <Badge colorPalette={a.status === "confirmed" ? "green" : a.status === "cancelled" ? "red" : "gray"}>{statusLabel[a.status] ?? a.status}</Badge>
          </HStack>
          <Text>
            {dateTime(a.start)}
            {differsFromViewer(a.start) && ` (${theirTime(a.start)} no horário ${who}, UTC${offsetOf(a.start)})`} · {modeLabel[a.mode] ?? a.mode} · {price(a.price)}
          </Text>
          {a.place && <Text fontSize="sm">Local: {a.place}</Text>}
          {a.reason && <Text fontSize="sm">Motivo: {a.reason}</Text>}
          {a.status === "cancelled" && a.cancel_reason && <Text fontSize="sm">Motivo do cancelamento: {a.cancel_reason}</Text>}
          {open && (
            <HStack wrap="wrap" gap="2">
              {a.kind !== "exam" && <Button size="sm" variant="outline" onClick={() => setDialog("reschedule")}>Remarcar</Button>}
              <Button size="sm" variant="outline" colorPalette="red" onClick={() => setDialog("cancel")}>Cancelar</Button>
              {a.mode === "telemedicine" && (
                <>
                  <Button size="sm" colorPalette="teal" loading={busy === "video"} onClick={() => void join()}>Entrar na chamada de vídeo</Button>
                  <Button size="sm" variant="outline" loading={busy === "in_person"}
                    onClick={() => void run("in_person", () => call(api.POST("/v1/appointments/{id}/in-person", { params: { path: { id: a.id } } })))}>
                    Mudar para presencial
                  </Button>
                </>
              )}
            </HStack>
          )}
          {video && (
            <Text role="status" fontSize="sm">
              {video.join_url ? (
                <>A chamada foi aberta em uma nova aba. Se não abriu, <Link href={video.join_url} target="_blank" rel="noopener" color="teal.700">abra a chamada aqui</Link>.</>
              ) : (
                `A sala (${video.provider}) está pronta, mas este provedor de vídeo não tem página de chamada no portal.`
              )}
            </Text>
          )}
          {error instanceof ProblemError && error.problem.consent ? (
            <ConsentOffer consent={error.problem.consent} onGranted={() => { setError(undefined); void join(); }} />
          ) : (
            <ProblemAlert error={error} />
          )}
        </Stack>
      </Card.Body>
      {dialog === "cancel" && <CancelDialog a={a} title={title} onClose={() => setDialog("")} onDone={(r) => { onChange(r); setDialog(""); }} />}
      {dialog === "reschedule" && <RescheduleDialog a={a} title={title} onClose={() => setDialog("")} onDone={(r) => { onChange(r); setDialog(""); }} />}
    </Card.Root>
  );
}

function Modal({ title, onClose, children, footer, size }: { title: string; onClose: () => void; children: React.ReactNode; footer: React.ReactNode; size?: "md" | "xl" }) {
  return (
    <Dialog.Root open onOpenChange={(d) => !d.open && onClose()} size={size ?? "md"} role="alertdialog">
      <Portal>
        <Dialog.Backdrop />
        <Dialog.Positioner>
          <Dialog.Content>
            <Dialog.Header>
              <Dialog.Title>{title}</Dialog.Title>
            </Dialog.Header>
            <Dialog.Body>{children}</Dialog.Body>
            <Dialog.Footer>{footer}</Dialog.Footer>
          </Dialog.Content>
        </Dialog.Positioner>
      </Portal>
    </Dialog.Root>
  );
}

function CancelDialog({ a, title, onClose, onDone }: { a: Appointment; title: string; onClose: () => void; onDone: (a: Appointment) => void }) {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [reason, setReason] = useState("");
  async function cancel() {
    setBusy(true);
    setError(undefined);
    try {
      onDone(await call(api.POST("/v1/appointments/{id}/cancel", { params: { path: { id: a.id } }, body: { reason: reason.trim() || undefined } })));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal title="Cancelar consulta" onClose={onClose}
      footer={<HStack><Button variant="outline" onClick={onClose}>Voltar</Button><Button colorPalette="red" loading={busy} onClick={() => void cancel()}>Confirmar cancelamento</Button></HStack>}>
      <Stack gap="2">
        <Text>{title}, {dateTime(a.start)}.</Text>
        <Text fontSize="sm">
          O profissional ou o hospital pode exigir uma antecedência mínima para cancelar; fora do prazo, o cancelamento é recusado e o motivo aparece aqui.
        </Text>
        <Field.Root>
          <Field.Label>Motivo (opcional)</Field.Label>
          <Textarea name="reason" value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
        </Field.Root>
        <ProblemAlert error={error} />
      </Stack>
    </Modal>
  );
}

function RescheduleDialog({ a, title, onClose, onDone }: { a: Appointment; title: string; onClose: () => void; onDone: (a: Appointment) => void }) {
  const [slot, setSlot] = useState<Slot>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [version, setVersion] = useState(0);
  const [key, setKey] = useState(newKey);
  async function load(from: string, to: string) {
    if (!a.professional_id) return [];
    const r = await call(api.GET("/v1/professionals/{id}/slots", { params: { path: { id: a.professional_id }, query: { from, to, mode: a.mode } } }));
    return r.items;
  }
  async function save() {
    if (!slot) return;
    setBusy(true);
    setError(undefined);
    try {
      onDone(await call(api.POST("/v1/appointments/{id}/reschedule", { params: { path: { id: a.id }, header: { "Idempotency-Key": key } }, body: { start: slot.start } })));
    } catch (e) {
      setError(e);
      if (e instanceof ProblemError && e.status >= 400 && e.status < 500) setKey(newKey());
      if (e instanceof ProblemError && e.status === 409) {
        setSlot(undefined);
        setVersion((v) => v + 1);
      }
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal title="Remarcar" size="xl" onClose={onClose}
      footer={<HStack><Button variant="outline" onClick={onClose}>Voltar</Button><Button colorPalette="teal" disabled={!slot} loading={busy} onClick={() => void save()}>Confirmar novo horário</Button></HStack>}>
      <Stack gap="3">
        <Text>{title}, hoje marcada para {dateTime(a.start)}. Escolha o novo horário:</Text>
        <SlotCalendar load={load} selected={slot} onPick={setSlot} deps={[version]} />
        {slot && <Text fontWeight="semibold">Novo horário: {dateTime(slot.start)}</Text>}
        <ProblemAlert error={error} />
      </Stack>
    </Modal>
  );
}
