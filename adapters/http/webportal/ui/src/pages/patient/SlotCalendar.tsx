import { Box, Button, HStack, SimpleGrid, Stack, Text } from "@chakra-ui/react";
import { useMemo, useState } from "react";
import type { Schemas } from "../../api/client";
import { Loading } from "../../components/Loading";
import { ProblemAlert } from "../../components/ProblemAlert";
import { time, viewerZone, zoneName } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";

export type Slot = Schemas["SlotResponse"];

// ymd is a civil date "2026-12-01" of an instant in the viewer's zone.
function ymd(d: Date): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: viewerZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(d);
}

function addDays(d: string, n: number): string {
  const t = new Date(d + "T12:00:00Z");
  t.setUTCDate(t.getUTCDate() + n);
  return t.toISOString().slice(0, 10);
}

function dayLabel(d: string): string {
  return new Intl.DateTimeFormat("pt-BR", { timeZone: "UTC", weekday: "short", day: "2-digit", month: "2-digit" }).format(new Date(d + "T12:00:00Z"));
}

// offsetOf is the UTC offset an RFC 3339 time was written with ("-03:00"):
// the API writes slots in the professional's (or hospital's) zone. A time in
// UTC ("Z", as appointments are written) says nothing of that zone: "".
export function offsetOf(iso: string): string {
  const m = /([+-]\d{2}:\d{2})$/.exec(iso);
  return m ? m[1] : "";
}

function viewerOffset(iso: string): string {
  const min = -new Date(iso).getTimezoneOffset();
  const sign = min < 0 ? "-" : "+";
  const a = Math.abs(min);
  return `${sign}${String(Math.floor(a / 60)).padStart(2, "0")}:${String(a % 60).padStart(2, "0")}`;
}

// theirTime is the slot's wall-clock time as the API wrote it (the professional's zone).
export function theirTime(iso: string): string {
  const m = /T(\d{2}):(\d{2})/.exec(iso);
  return m ? `${m[1]}:${m[2]}` : "";
}

export function differsFromViewer(iso: string): boolean {
  return offsetOf(iso) !== "" && offsetOf(iso) !== viewerOffset(iso);
}

// SlotCalendar is a week of free slots: days as columns, times as buttons
// (Tab moves between them, Enter or Space chooses), in the viewer's zone.
// A parent reloads it by changing deps (e.g. a counter after a 409).
export function SlotCalendar({
  load,
  selected,
  onPick,
  deps = [],
  whose = "do profissional",
}: {
  load: (from: string, to: string) => Promise<Slot[]>;
  selected?: Slot;
  onPick: (s: Slot) => void;
  deps?: unknown[];
  whose?: string;
}) {
  const today = ymd(new Date());
  const [week, setWeek] = useState(0);
  const from = addDays(today, week * 7);
  const to = addDays(from, 6);
  const slots = useLoad(() => load(from, to), [from, to, ...deps]);
  const days = useMemo(() => Array.from({ length: 7 }, (_, i) => addDays(from, i)), [from]);
  const byDay = useMemo(() => {
    const m: Record<string, Slot[]> = {};
    for (const s of slots.data ?? []) (m[ymd(new Date(s.start))] ??= []).push(s);
    return m;
  }, [slots.data]);
  const other = (slots.data ?? []).find((s) => differsFromViewer(s.start));

  return (
    <Stack gap="3">
      <HStack justify="space-between" wrap="wrap">
        <Button variant="outline" size="sm" disabled={week === 0} onClick={() => setWeek((w) => w - 1)}>Semana anterior</Button>
        <Text fontWeight="semibold" role="status">
          Semana de {dayLabel(from)} a {dayLabel(to)}
        </Text>
        <Button variant="outline" size="sm" disabled={week >= 12} onClick={() => setWeek((w) => w + 1)}>Próxima semana</Button>
      </HStack>
      <Text fontSize="sm">
        Horários no seu fuso ({zoneName(viewerZone)}).
        {other && ` O atendimento segue o fuso ${whose} (UTC${offsetOf(other.start)}); o horário dele aparece entre parênteses.`}
      </Text>
      {slots.error !== undefined && <ProblemAlert error={slots.error} />}
      {slots.loading ? (
        <Loading />
      ) : (slots.data ?? []).length === 0 ? (
        <Text>Nenhum horário livre nesta semana. Veja a próxima.</Text>
      ) : (
        <SimpleGrid columns={{ base: 2, md: 4, lg: 7 }} gap="2" role="group" aria-label="Horários livres da semana">
          {days.map((d) => (
            <Box key={d} as="section" aria-label={dayLabel(d)} borderWidth="1px" borderRadius="md" p="2">
              <Text as="h3" fontWeight="semibold" fontSize="sm" mb="2" textTransform="capitalize">{dayLabel(d)}</Text>
              <Stack gap="1">
                {(byDay[d] ?? []).length === 0 && <Text fontSize="xs" color="gray.700">Sem horários</Text>}
                {(byDay[d] ?? []).map((s) => {
                  const on = selected?.start === s.start && selected?.mode === s.mode;
                  const label = time(s.start) + (differsFromViewer(s.start) ? ` (${theirTime(s.start)})` : "");
                  return (
                    <Button key={s.start + s.mode} size="xs" variant={on ? "solid" : "outline"} colorPalette="teal" aria-pressed={on}
                      onClick={() => onPick(s)}>
                      {label}
                    </Button>
                  );
                })}
              </Stack>
            </Box>
          ))}
        </SimpleGrid>
      )}
    </Stack>
  );
}

