import { Badge, Button, ButtonGroup, Card, Heading, HStack, Link as CLink, Stack, Text } from "@chakra-ui/react";
import { useState } from "react";
import { NavLink } from "react-router";
import { api, call, type Schemas } from "../../api/client";
import { Loading } from "../../components/Loading";
import { Page } from "../../components/Page";
import { ProblemAlert } from "../../components/ProblemAlert";
import { price, time, weekday, zoneName } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";
import { addDays, loadMe, modeLabel, mondayOf, statusLabel, ymd, type Me } from "./common";

type Item = Schemas["AgendaItemResponse"];

// The video room opens 15 minutes before and closes 30 minutes after (the API's defaults).
const EARLY_MS = 15 * 60_000;
const GRACE_MS = 30 * 60_000;

// loadAgenda reads every page of the agenda between two dates (inclusive).
async function loadAgenda(id: string, from: string, to: string): Promise<Item[]> {
  const out: Item[] = [];
  let cursor: string | undefined;
  do {
    const page = await call(api.GET("/v1/professionals/{id}/agenda", { params: { path: { id }, query: { from, to, limit: 100, cursor } } }));
    out.push(...page.items);
    cursor = page.next_cursor || undefined;
  } while (cursor);
  return out;
}

function AppointmentCard({ a, zone, onChanged }: { a: Item; zone: string; onChanged: () => void }) {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState<string>();
  const [joinUrl, setJoinUrl] = useState<string>();
  const now = Date.now();
  const inWindow = now >= new Date(a.start).getTime() - EARLY_MS && now <= new Date(a.end).getTime() + GRACE_MS;
  const confirmed = a.status === "confirmed";

  async function act(which: "complete" | "no-show") {
    setBusy(which);
    setError(undefined);
    try {
      if (which === "complete") await call(api.POST("/v1/appointments/{id}/complete", { params: { path: { id: a.id } } }));
      else await call(api.POST("/v1/appointments/{id}/no-show", { params: { path: { id: a.id } } }));
      onChanged();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(undefined);
    }
  }

  async function video() {
    setBusy("video");
    setError(undefined);
    try {
      const cred = await call(api.POST("/v1/appointments/{id}/video", { params: { path: { id: a.id } } }));
      setJoinUrl(cred.join_url || `/chamada/${encodeURIComponent(cred.room_id)}`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(undefined);
    }
  }

  return (
    <Card.Root size="sm" role="group" aria-label={`Consulta das ${time(a.start, zone)} com ${a.patient_name}`}>
      <Card.Body>
        <Stack gap="2">
          <HStack justify="space-between" wrap="wrap">
            <Text fontWeight="bold">
              {time(a.start, zone)}–{time(a.end, zone)} · {a.patient_name}
            </Text>
            <HStack>
              <Badge colorPalette="blue">{modeLabel[a.mode] ?? a.mode}</Badge>
              <Badge colorPalette={a.status === "confirmed" ? "green" : a.status === "cancelled" ? "red" : "gray"}>
                {statusLabel[a.status] ?? a.status}
              </Badge>
            </HStack>
          </HStack>
          {a.reason && <Text fontSize="sm">Motivo: {a.reason}</Text>}
          {a.place && <Text fontSize="sm">Local: {a.place}</Text>}
          <Text fontSize="sm">Valor: {price(a.price)}</Text>
          <ProblemAlert error={error} />
          <HStack wrap="wrap" gap="2">
            <Button asChild size="sm" variant="outline">
              <NavLink to={`/profissional/pacientes/${a.patient_id}`} state={{ name: a.patient_name }}>
                Abrir paciente
              </NavLink>
            </Button>
            {confirmed && (
              <Button asChild size="sm" variant="outline">
                <NavLink to={`/profissional/pacientes/${a.patient_id}/avaliacao?consulta=${a.id}`}>Registrar avaliação</NavLink>
              </Button>
            )}
            {confirmed && a.mode === "telemedicine" && inWindow && (
              <Button size="sm" colorPalette="teal" loading={busy === "video"} onClick={() => void video()}>
                Iniciar videochamada
              </Button>
            )}
            {confirmed && (
              <>
                <Button size="sm" variant="outline" colorPalette="teal" loading={busy === "complete"} onClick={() => void act("complete")}>
                  Marcar como realizada
                </Button>
                <Button size="sm" variant="outline" colorPalette="red" loading={busy === "no-show"} onClick={() => void act("no-show")}>
                  Paciente não compareceu
                </Button>
              </>
            )}
          </HStack>
          {joinUrl && (
            <Text role="status">
              Sala pronta:{" "}
              <CLink href={joinUrl} target="_blank" rel="noopener" color="teal.700" fontWeight="bold">
                abrir a videochamada em nova aba
              </CLink>
            </Text>
          )}
        </Stack>
      </Card.Body>
    </Card.Root>
  );
}

function Agenda({ me }: { me: Me }) {
  const zone = me.zone;
  const [view, setView] = useState<"day" | "week">("day");
  const [day, setDay] = useState(() => ymd(new Date(), zone));
  const from = view === "day" ? day : mondayOf(day);
  const to = view === "day" ? day : addDays(from, 6);
  const { data, error, loading, reload } = useLoad(() => loadAgenda(me.id, from, to), [me.id, from, to]);
  const step = view === "day" ? 1 : 7;

  const days: string[] = view === "day" ? [day] : Array.from({ length: 7 }, (_, i) => addDays(from, i));
  const byDay = new Map<string, Item[]>();
  for (const a of data ?? []) {
    const k = ymd(new Date(a.start), zone);
    byDay.set(k, [...(byDay.get(k) ?? []), a]);
  }
  const label = (d: string) => weekday(`${d}T12:00:00Z`, "UTC");

  return (
    <Stack gap="4">
      <Text>
        Horários no seu fuso: <strong>{zoneName(zone)}</strong> ({zone}).
      </Text>
      <HStack wrap="wrap" gap="3">
        <ButtonGroup size="sm" variant="outline" attached>
          <Button aria-pressed={view === "day"} variant={view === "day" ? "solid" : "outline"} colorPalette="teal" onClick={() => setView("day")}>
            Dia
          </Button>
          <Button aria-pressed={view === "week"} variant={view === "week" ? "solid" : "outline"} colorPalette="teal" onClick={() => setView("week")}>
            Semana
          </Button>
        </ButtonGroup>
        <ButtonGroup size="sm" variant="outline">
          <Button onClick={() => setDay(addDays(day, -step))}>{view === "day" ? "Dia anterior" : "Semana anterior"}</Button>
          <Button onClick={() => setDay(ymd(new Date(), zone))}>Hoje</Button>
          <Button onClick={() => setDay(addDays(day, step))}>{view === "day" ? "Próximo dia" : "Próxima semana"}</Button>
        </ButtonGroup>
      </HStack>
      <ProblemAlert error={error} />
      {loading ? (
        <Loading />
      ) : (
        days.map((d) => {
          const items = byDay.get(d) ?? [];
          return (
            <Stack key={d} gap="2">
              <Heading as="h2" size="md">
                {label(d)}
              </Heading>
              {items.length === 0 ? (
                <Text color="gray.700">Nenhuma consulta agendada.</Text>
              ) : (
                items.map((a) => <AppointmentCard key={a.id} a={a} zone={zone} onChanged={() => void reload()} />)
              )}
            </Stack>
          );
        })
      )}
    </Stack>
  );
}

// Home is the professional's agenda: a day or a week, in the professional's own zone.
export function Home() {
  const { data: me, error, loading } = useLoad(loadMe, []);
  return (
    <Page title="Agenda">
      <ProblemAlert error={error} />
      {loading && <Loading />}
      {me && <Agenda me={me} />}
    </Page>
  );
}
