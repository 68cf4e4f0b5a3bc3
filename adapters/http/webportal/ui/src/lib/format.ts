// pt-BR formatting: money as "R$ 1.234,56", dates and times in the viewer's
// zone, or in a named zone (the professional's) where it matters.
const brl = new Intl.NumberFormat("pt-BR", { style: "currency", currency: "BRL" });

export const viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

// money formats cents (the API's integer amounts) as reais.
export function money(cents: number): string {
  return brl.format(cents / 100).replace(/\u00a0/g, " ");
}

export function dateTime(iso: string | Date, zone: string = viewerZone): string {
  return new Intl.DateTimeFormat("pt-BR", {
    timeZone: zone,
    day: "2-digit",
    month: "2-digit",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  }).format(new Date(iso));
}

export function date(iso: string | Date, zone: string = viewerZone): string {
  return new Intl.DateTimeFormat("pt-BR", { timeZone: zone, day: "2-digit", month: "2-digit", year: "numeric" }).format(
    new Date(iso),
  );
}

export function time(iso: string | Date, zone: string = viewerZone): string {
  return new Intl.DateTimeFormat("pt-BR", { timeZone: zone, hour: "2-digit", minute: "2-digit" }).format(new Date(iso));
}

export function weekday(iso: string | Date, zone: string = viewerZone): string {
  return new Intl.DateTimeFormat("pt-BR", { timeZone: zone, weekday: "long", day: "2-digit", month: "long" }).format(
    new Date(iso),
  );
}

// zoneName is a short label for a zone: "horário de Brasília" for São Paulo's.
export function zoneName(zone: string): string {
  if (zone === "America/Sao_Paulo") return "horário de Brasília";
  const parts = new Intl.DateTimeFormat("pt-BR", { timeZone: zone, timeZoneName: "long" }).formatToParts(new Date());
  return parts.find((p) => p.type === "timeZoneName")?.value ?? zone;
}

// dateTimeIn shows a time in the viewer's zone and, when the other zone
// differs, also in that one: "10/03/2027 14:00 (13:00 no horário do profissional)".
export function dateTimeIn(iso: string, otherZone: string | undefined, whose: string): string {
  const mine = dateTime(iso);
  if (!otherZone || otherZone === viewerZone) return mine;
  return `${mine} (${time(iso, otherZone)} no horário ${whose})`;
}

// CPF: digits only, the mask "000.000.000-00", and the check digits.
export function digits(s: string): string {
  return s.replace(/\D/g, "");
}

export function maskCPF(s: string): string {
  const d = digits(s).slice(0, 11);
  return d
    .replace(/^(\d{3})(\d)/, "$1.$2")
    .replace(/^(\d{3})\.(\d{3})(\d)/, "$1.$2.$3")
    .replace(/\.(\d{3})(\d{1,2})$/, ".$1-$2");
}

export function validCPF(s: string): boolean {
  const d = digits(s);
  if (d.length !== 11 || /^(\d)\1{10}$/.test(d)) return false;
  const check = (n: number) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += Number(d[i]) * (n + 1 - i);
    const r = (sum * 10) % 11;
    return r === 10 ? 0 : r;
  };
  return check(9) === Number(d[9]) && check(10) === Number(d[10]);
}

export function maskCEP(s: string): string {
  const d = digits(s).slice(0, 8);
  return d.length > 5 ? `${d.slice(0, 5)}-${d.slice(5)}` : d;
}

// price formats the API's Money ({amount: cents, currency: "BRL"}).
export function price(m: { amount: number; currency?: string } | undefined | null): string {
  return m ? money(m.amount) : "—";
}
