import { Box, Button, Card, Checkbox, Heading, HStack, IconButton, SimpleGrid, Stack, Text } from "@chakra-ui/react";
import { useEffect, useState } from "react";
import { api, call, must, type Schemas } from "../../api/client";
import { Loading } from "../../components/Loading";
import { Page } from "../../components/Page";
import { ProblemAlert } from "../../components/ProblemAlert";
import { TextField } from "../../components/TextField";
import { time, viewerZone, weekday, zoneName } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";
import { addDays, loadMe, modeLabel, weekdays, ymd, type Me } from "./common";
import { SelectField } from "./SelectField";

type Rule = Schemas["WeeklyRule"];
type Exception = Schemas["AvailabilityException"];
type Req = Schemas["AvailabilityRequest"];
type Mode = Rule["mode"];

const brazilZones = [
  "America/Sao_Paulo", "America/Bahia", "America/Fortaleza", "America/Recife", "America/Belem", "America/Maceio",
  "America/Araguaina", "America/Santarem", "America/Manaus", "America/Cuiaba", "America/Campo_Grande",
  "America/Porto_Velho", "America/Boa_Vista", "America/Rio_Branco", "America/Eirunepe", "America/Noronha",
];
const modeOptions = [
  { value: "in_person", label: "Presencial" },
  { value: "telemedicine", label: "Telemedicina" },
];

interface Loaded {
  me: Me;
  av: Req;
  etag?: string;
}

async function loadAll(): Promise<Loaded> {
  const me = await loadMe();
  const r = await api.GET("/v1/professionals/{id}/availability", { params: { path: { id: me.id } } });
  if (r.response.status === 404) {
    return {
      me,
      av: { time_zone: viewerZone, slot_minutes: 30, buffer_minutes: 0, min_notice_hours: 2, horizon_days: 60, cancel_until_hours: 24, weekly: [], exceptions: [] },
    };
  }
  const av = must(r);
  return { me, av, etag: r.response.headers.get("ETag") ?? undefined };
}

function Preview({ id, zone, version }: { id: string; zone: string; version: number }) {
  const from = ymd(new Date(), zone);
  const to = addDays(from, 13);
  const { data, error, loading } = useLoad(
    () => call(api.GET("/v1/professionals/{id}/slots", { params: { path: { id }, query: { from, to } } })),
    [id, from, to, version],
  );
  const byDay = new Map<string, Schemas["SlotResponse"][]>();
  for (const s of data?.items ?? []) {
    const k = ymd(new Date(s.start), zone);
    byDay.set(k, [...(byDay.get(k) ?? []), s]);
  }
  return (
    <Card.Root>
      <Card.Body>
        <Stack gap="3">
          <Heading as="h2" size="md">
            Prévia dos horários livres (próximos 14 dias)
          </Heading>
          <ProblemAlert error={error} />
          {loading ? (
            <Loading />
          ) : byDay.size === 0 ? (
            <Text>Nenhum horário livre nos próximos 14 dias.</Text>
          ) : (
            <Stack gap="2" aria-label="Prévia dos horários" role="list">
              {[...byDay.entries()].map(([d, slots]) => (
                <Box key={d} role="listitem">
                  <Text fontWeight="bold">{weekday(`${d}T12:00:00Z`, "UTC")}</Text>
                  <Text fontSize="sm">
                    {slots.map((s) => `${time(s.start, zone)} (${modeLabel[s.mode] ?? s.mode})`).join(" · ")}
                  </Text>
                </Box>
              ))}
            </Stack>
          )}
        </Stack>
      </Card.Body>
    </Card.Root>
  );
}

function Editor({ loaded, onSaved }: { loaded: Loaded; onSaved: (l: Loaded) => void }) {
  const [av, setAv] = useState<Req>(loaded.av);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(0);
  useEffect(() => setAv(loaded.av), [loaded]);

  const num = (k: "slot_minutes" | "buffer_minutes" | "min_notice_hours" | "horizon_days" | "cancel_until_hours") => ({
    value: String(av[k]),
    onChange: (e: { target: { value: string } }) => setAv({ ...av, [k]: Number(e.target.value) }),
  });
  const setRule = (i: number, patch: Partial<Rule>) => setAv({ ...av, weekly: av.weekly.map((r, j) => (j === i ? { ...r, ...patch } : r)) });
  const setExc = (i: number, patch: Partial<Exception>) =>
    setAv({ ...av, exceptions: av.exceptions.map((r, j) => (j === i ? { ...r, ...patch } : r)) });

  async function save() {
    setBusy(true);
    setError(undefined);
    try {
      const body: Req = {
        time_zone: av.time_zone,
        slot_minutes: av.slot_minutes,
        buffer_minutes: av.buffer_minutes,
        min_notice_hours: av.min_notice_hours,
        horizon_days: av.horizon_days,
        cancel_until_hours: av.cancel_until_hours,
        weekly: av.weekly.map((r) => ({ ...r, place: r.place?.trim() || undefined })),
        exceptions: av.exceptions.map((x) =>
          x.available ? { ...x, place: x.place?.trim() || undefined } : { date: x.date, available: false },
        ),
      };
      const r = await api.PUT("/v1/professionals/{id}/availability", {
        params: { path: { id: loaded.me.id }, header: loaded.etag ? { "If-Match": loaded.etag } : undefined },
        body,
      });
      const out = must(r);
      setSaved((n) => n + 1);
      onSaved({ me: { ...loaded.me, zone: out.time_zone }, av: out, etag: r.response.headers.get("ETag") ?? undefined });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const zones = brazilZones.includes(av.time_zone) ? brazilZones : [av.time_zone, ...brazilZones];
  return (
    <Stack gap="5">
      <Card.Root>
        <Card.Body>
          <Stack gap="4">
            <Heading as="h2" size="md">
              Configuração
            </Heading>
            <SimpleGrid columns={{ base: 1, md: 3 }} gap="4">
              <SelectField
                label="Fuso horário da agenda"
                name="time_zone"
                value={av.time_zone}
                onChange={(v) => setAv({ ...av, time_zone: v })}
                options={zones.map((z) => ({ value: z, label: `${z.replace("America/", "").replace(/_/g, " ")} (${zoneName(z)})` }))}
                error={error}
              />
              <TextField label="Duração da consulta (minutos)" name="slot_minutes" type="number" min={5} max={480} {...num("slot_minutes")} error={error} />
              <TextField label="Intervalo entre consultas (minutos)" name="buffer_minutes" type="number" min={0} max={240} {...num("buffer_minutes")} error={error} />
              <TextField label="Antecedência mínima (horas)" name="min_notice_hours" type="number" min={0} {...num("min_notice_hours")} error={error} />
              <TextField label="Agenda aberta por (dias)" name="horizon_days" type="number" min={1} max={366} {...num("horizon_days")} error={error} />
              <TextField label="Cancelamento até (horas antes)" name="cancel_until_hours" type="number" min={0} {...num("cancel_until_hours")} error={error} />
            </SimpleGrid>
          </Stack>
        </Card.Body>
      </Card.Root>

      <Card.Root>
        <Card.Body>
          <Stack gap="4">
            <Heading as="h2" size="md">
              Semana
            </Heading>
            {weekdays.map((wd) => {
              const rules = av.weekly.map((r, i) => ({ r, i })).filter(({ r }) => r.weekday === wd.value);
              return (
                <Stack key={wd.value} gap="2" borderBottomWidth="1px" pb="3">
                  <HStack justify="space-between">
                    <Heading as="h3" size="sm">
                      {wd.label}
                    </Heading>
                    <Button
                      size="xs"
                      variant="outline"
                      colorPalette="teal"
                      onClick={() =>
                        setAv({ ...av, weekly: [...av.weekly, { weekday: wd.value as Rule["weekday"], start: "08:00", end: "12:00", mode: "in_person" }] })
                      }
                    >
                      Adicionar horário na {wd.label.toLowerCase()}
                    </Button>
                  </HStack>
                  {rules.length === 0 && <Text fontSize="sm" color="gray.700">Sem atendimento.</Text>}
                  {rules.map(({ r, i }, n) => {
                    const tag = `${wd.label}, faixa ${n + 1}`;
                    return (
                      <SimpleGrid key={i} columns={{ base: 1, md: 5 }} gap="3" alignItems="end">
                        <TextField label={`Início (${tag})`} name={`weekly[${i}].start`} type="time" value={r.start} onChange={(e) => setRule(i, { start: e.target.value })} error={error} />
                        <TextField label={`Fim (${tag})`} name={`weekly[${i}].end`} type="time" value={r.end} onChange={(e) => setRule(i, { end: e.target.value })} error={error} />
                        <SelectField label={`Modalidade (${tag})`} name={`weekly[${i}].mode`} value={r.mode} onChange={(v) => setRule(i, { mode: v as Mode })} options={modeOptions} error={error} />
                        <TextField label={`Local (${tag})`} name={`weekly[${i}].place`} value={r.place ?? ""} onChange={(e) => setRule(i, { place: e.target.value })} error={error} />
                        <Button variant="outline" colorPalette="red" aria-label={`Remover (${tag})`} onClick={() => setAv({ ...av, weekly: av.weekly.filter((_, j) => j !== i) })}>
                          Remover
                        </Button>
                      </SimpleGrid>
                    );
                  })}
                </Stack>
              );
            })}
          </Stack>
        </Card.Body>
      </Card.Root>

      <Card.Root>
        <Card.Body>
          <Stack gap="4">
            <HStack justify="space-between">
              <Heading as="h2" size="md">
                Exceções (folgas e horários extras)
              </Heading>
              <Button
                size="sm"
                variant="outline"
                colorPalette="teal"
                onClick={() => setAv({ ...av, exceptions: [...av.exceptions, { date: addDays(ymd(new Date(), av.time_zone), 1), available: false }] })}
              >
                Adicionar exceção
              </Button>
            </HStack>
            {av.exceptions.length === 0 && <Text fontSize="sm" color="gray.700">Nenhuma exceção.</Text>}
            {av.exceptions.map((x, i) => {
              const tag = `exceção ${i + 1}`;
              return (
                <SimpleGrid key={i} columns={{ base: 1, md: 6 }} gap="3" alignItems="end">
                  <TextField label={`Data (${tag})`} name={`exceptions[${i}].date`} type="date" value={x.date} onChange={(e) => setExc(i, { date: e.target.value })} error={error} />
                  <Checkbox.Root
                    checked={x.available}
                    onCheckedChange={(c) => setExc(i, c.checked ? { available: true, start: x.start ?? "08:00", end: x.end ?? "12:00", mode: x.mode ?? "in_person" } : { available: false })}
                  >
                    <Checkbox.HiddenInput />
                    <Checkbox.Control />
                    <Checkbox.Label>Horário extra ({tag}); desmarcado, é folga</Checkbox.Label>
                  </Checkbox.Root>
                  {x.available ? (
                    <>
                      <TextField label={`Início (${tag})`} name={`exceptions[${i}].start`} type="time" value={x.start ?? ""} onChange={(e) => setExc(i, { start: e.target.value })} error={error} />
                      <TextField label={`Fim (${tag})`} name={`exceptions[${i}].end`} type="time" value={x.end ?? ""} onChange={(e) => setExc(i, { end: e.target.value })} error={error} />
                      <SelectField label={`Modalidade (${tag})`} name={`exceptions[${i}].mode`} value={x.mode ?? "in_person"} onChange={(v) => setExc(i, { mode: v as Mode })} options={modeOptions} error={error} />
                    </>
                  ) : (
                    <Text gridColumn={{ md: "span 3" }}>Dia sem atendimento.</Text>
                  )}
                  <IconButton aria-label={`Remover ${tag}`} variant="outline" colorPalette="red" onClick={() => setAv({ ...av, exceptions: av.exceptions.filter((_, j) => j !== i) })}>
                    ✕
                  </IconButton>
                </SimpleGrid>
              );
            })}
          </Stack>
        </Card.Body>
      </Card.Root>

      <ProblemAlert error={error} />
      {saved > 0 && !error && (
        <Text role="status" color="green.700">
          Disponibilidade salva.
        </Text>
      )}
      <Box>
        <Button colorPalette="teal" loading={busy} onClick={() => void save()}>
          Salvar disponibilidade
        </Button>
      </Box>
    </Stack>
  );
}

// Availability edits the weekly rules and exceptions and previews the slots they make.
export default function Availability() {
  const { data, error, loading, setData } = useLoad(loadAll, []);
  return (
    <Page title="Disponibilidade">
      <ProblemAlert error={error} />
      {loading && !data && <Loading />}
      {data && (
        <Stack gap="5">
          <Editor loaded={data} onSaved={setData} />
          <Preview id={data.me.id} zone={data.av.time_zone} version={(data.av as { version?: number }).version ?? 0} />
        </Stack>
      )}
    </Page>
  );
}
