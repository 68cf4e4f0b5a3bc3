// What the professional side's pages share: who I am (my professional id),
// my time zone (from my availability), and pt-BR labels for the API's enums.
import { api, call } from "../../api/client";
import { ProblemError } from "../../api/session";
import { viewerZone } from "../../lib/format";

export interface Me {
  id: string;
  name: string;
  zone: string;
  status?: string;
}

// loadMe reads /v1/me and, when there is one, my availability's time zone.
export async function loadMe(): Promise<Me> {
  const me = await call(api.GET("/v1/me"));
  const id = me.professional?.id ?? me.id;
  let zone = viewerZone;
  try {
    const av = await call(api.GET("/v1/professionals/{id}/availability", { params: { path: { id } } }));
    zone = av.time_zone || zone;
  } catch (e) {
    if (!(e instanceof ProblemError && e.status === 404)) throw e;
  }
  return { id, name: me.name, zone, status: me.professional?.status };
}

export { modeLabel } from "../../lib/labels";

export const statusLabel: Record<string, string> = {
  confirmed: "Confirmada",
  cancelled: "Cancelada",
  completed: "Realizada",
  no_show: "Paciente não compareceu",
};

export const professions: { value: string; label: string; council: string }[] = [
  { value: "physician", label: "Médico(a)", council: "CRM" },
  { value: "dentist", label: "Dentista", council: "CRO" },
  { value: "nurse", label: "Enfermeiro(a)", council: "COREN" },
  { value: "nutritionist", label: "Nutricionista", council: "CRN" },
  { value: "physiotherapist", label: "Fisioterapeuta", council: "CREFITO" },
  { value: "occupational_therapist", label: "Terapeuta ocupacional", council: "CREFITO" },
  { value: "psychologist", label: "Psicólogo(a)", council: "CRP" },
  { value: "speech_therapist", label: "Fonoaudiólogo(a)", council: "CREFONO" },
  { value: "pharmacist", label: "Farmacêutico(a)", council: "CRF" },
  { value: "physical_educator", label: "Profissional de educação física", council: "CREF" },
];

export const councils = ["CRM", "CRO", "COREN", "CRN", "CREFITO", "CRP", "CREFONO", "CRF", "CREF"];

export { UFS as ufs } from "../../lib/labels";

export const weekdays: { value: string; label: string }[] = [
  { value: "monday", label: "Segunda-feira" },
  { value: "tuesday", label: "Terça-feira" },
  { value: "wednesday", label: "Quarta-feira" },
  { value: "thursday", label: "Quinta-feira" },
  { value: "friday", label: "Sexta-feira" },
  { value: "saturday", label: "Sábado" },
  { value: "sunday", label: "Domingo" },
];

export const historyKindLabel: Record<string, string> = {
  appointment: "Consulta",
  evaluation: "Avaliação",
  treatment_plan: "Plano de tratamento",
  prescription: "Receita",
  document: "Documento",
};

// ymd is a date as YYYY-MM-DD in a zone.
export function ymd(d: Date, zone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(d);
}

// addDays moves a YYYY-MM-DD date by n days.
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

// mondayOf is the Monday of a YYYY-MM-DD date's week.
export function mondayOf(day: string): string {
  const wd = new Date(`${day}T12:00:00Z`).getUTCDay(); // 0 = Sunday
  return addDays(day, wd === 0 ? -6 : 1 - wd);
}

// patientName finds a patient I attend by id in my patients list (their name).
export async function patientName(id: string): Promise<string> {
  let cursor: string | undefined;
  do {
    const page = await call(api.GET("/v1/professionals/me/patients", { params: { query: { limit: 100, cursor } } }));
    const p = page.items.find((x) => x.patient_id === id);
    if (p) return p.name;
    cursor = page.next_cursor || undefined;
  } while (cursor);
  return "Paciente";
}

// anyStatusLabel names the statuses a patient's history shows (others as they come).
export const anyStatusLabel: Record<string, string> = {
  ...statusLabel,
  signed: "Assinada",
  unsigned: "Não assinada",
  draft: "Rascunho",
  active: "Ativo",
  issued: "Emitida",
  dispensed: "Dispensada",
};

