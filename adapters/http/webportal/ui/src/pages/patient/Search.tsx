import { Badge, Button, Card, Field, HStack, NativeSelect, SimpleGrid, Stack, Text } from "@chakra-ui/react";
import { useState, type FormEvent } from "react";
import { Link as RouterLink } from "react-router";
import { api, call, type Schemas } from "../../api/client";
import { Loading } from "../../components/Loading";
import { Page } from "../../components/Page";
import { ProblemAlert } from "../../components/ProblemAlert";
import { TextField } from "../../components/TextField";
import { dateTime, digits, maskCEP, price } from "../../lib/format";
import { modeLabel, professionLabel, UFS, type UF } from "./labels";

type Kind = "professionals" | "exams";
type Mode = "in_person" | "telemedicine";
type Result =
  | { kind: "professionals"; items: Schemas["SearchResultResponse"][]; next?: string }
  | { kind: "exams"; items: Schemas["ExamResultResponse"][]; next?: string };

// Search: professionals by specialty/profession or exams by name, in a city/UF
// or near a CEP, each with its next free times.
export default function Search() {
  const [kind, setKind] = useState<Kind>("professionals");
  const [q, setQ] = useState({ specialty: "", profession: "", mode: "", city: "", uf: "", cep: "", name: "", radius: "30" });
  const [result, setResult] = useState<Result>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof q) => (e: { target: { value: string } }) => setQ((o) => ({ ...o, [k]: e.target.value }));

  async function near(): Promise<string | undefined> {
    if (!digits(q.cep)) return undefined;
    const a = await call(api.GET("/v1/addresses/{cep}", { params: { path: { cep: digits(q.cep) } } }));
    return `${a.lat},${a.lng}`;
  }

  async function run(cursor?: string) {
    setError(undefined);
    setBusy(true);
    try {
      const point = await near();
      const radius_km = point ? Number(q.radius) || 30 : undefined;
      if (kind === "professionals") {
        const r = await call(
          api.GET("/v1/professionals", {
            params: {
              query: {
                specialty: q.specialty || undefined, profession: q.profession || undefined,
                mode: (q.mode || undefined) as Mode | undefined, city: point ? undefined : q.city || undefined,
                uf: point ? undefined : q.uf || undefined, near: point, radius_km, cursor,
              },
            },
          }),
        );
        setResult((old) => ({ kind, items: [...(cursor && old?.kind === kind ? old.items : []), ...r.items] as never, next: r.next_cursor }));
      } else {
        const r = await call(api.GET("/v1/exams", { params: { query: { name: q.name || undefined, near: point, radius_km, cursor } } }));
        setResult((old) => ({ kind, items: [...(cursor && old?.kind === kind ? old.items : []), ...r.items] as never, next: r.next_cursor }));
      }
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    void run();
  }

  return (
    <Page title="Buscar profissionais e exames">
      <form onSubmit={submit}>
        <Stack gap="4">
          <Field.Root>
            <Field.Label>O que você procura</Field.Label>
            <NativeSelect.Root maxW="sm">
              <NativeSelect.Field name="kind" value={kind} onChange={(e) => { setKind(e.target.value as Kind); setResult(undefined); }}>
                <option value="professionals">Profissionais de saúde</option>
                <option value="exams">Exames em hospitais parceiros</option>
              </NativeSelect.Field>
              <NativeSelect.Indicator />
            </NativeSelect.Root>
          </Field.Root>
          <SimpleGrid columns={{ base: 1, md: 3 }} gap="4">
            {kind === "professionals" ? (
              <>
                <TextField label="Especialidade" name="specialty" placeholder="cardiologia" value={q.specialty} onChange={set("specialty")} error={error} />
                <Field.Root>
                  <Field.Label>Profissão</Field.Label>
                  <NativeSelect.Root>
                    <NativeSelect.Field name="profession" value={q.profession} onChange={set("profession")}>
                      <option value="">Todas</option>
                      {Object.entries(professionLabel).map(([v, l]) => <option key={v} value={v}>{l}</option>)}
                    </NativeSelect.Field>
                    <NativeSelect.Indicator />
                  </NativeSelect.Root>
                </Field.Root>
                <Field.Root>
                  <Field.Label>Atendimento</Field.Label>
                  <NativeSelect.Root>
                    <NativeSelect.Field name="mode" value={q.mode} onChange={set("mode")}>
                      <option value="">Presencial ou telemedicina</option>
                      <option value="in_person">Presencial</option>
                      <option value="telemedicine">Telemedicina</option>
                    </NativeSelect.Field>
                    <NativeSelect.Indicator />
                  </NativeSelect.Root>
                </Field.Root>
                <TextField label="Cidade" name="city" value={q.city} onChange={set("city")} error={error} disabled={!!digits(q.cep)} />
                <Field.Root disabled={!!digits(q.cep)}>
                  <Field.Label>Estado (UF)</Field.Label>
                  <NativeSelect.Root>
                    <NativeSelect.Field name="uf" value={q.uf} onChange={set("uf")}>
                      <option value="">Todos</option>
                      {UFS.map((u: UF) => <option key={u} value={u}>{u}</option>)}
                    </NativeSelect.Field>
                    <NativeSelect.Indicator />
                  </NativeSelect.Root>
                </Field.Root>
              </>
            ) : (
              <TextField label="Exame" name="name" placeholder="hemograma" value={q.name} onChange={set("name")} error={error} />
            )}
            <TextField label="Perto do CEP" name="cep" inputMode="numeric" placeholder="00000-000" value={q.cep}
              onChange={(e) => setQ((o) => ({ ...o, cep: maskCEP(e.target.value) }))} error={error}
              help="Com um CEP, a busca é por distância em vez de cidade." />
            {digits(q.cep) !== "" && (
              <TextField label="Raio (km)" name="radius_km" type="number" min={1} value={q.radius} onChange={set("radius")} error={error} />
            )}
          </SimpleGrid>
          <HStack>
            <Button type="submit" colorPalette="teal" loading={busy}>Buscar</Button>
          </HStack>
        </Stack>
      </form>
      <ProblemAlert error={error} />
      {busy && !result && <Loading />}
      {result && (
        <Stack gap="3" as="section" aria-label="Resultados">
          <Text role="status">{result.items.length === 0 ? "Nenhum resultado para esta busca." : `${result.items.length} resultado(s).`}</Text>
          {result.kind === "professionals" &&
            result.items.map((r) => (
              <Card.Root key={r.professional.id}>
                <Card.Body>
                  <Stack gap="2">
                    <Text as="h2" fontSize="lg" fontWeight="semibold">{r.professional.name}</Text>
                    <Text>
                      {professionLabel[r.professional.profession] ?? r.professional.profession}
                      {r.professional.specialties.length > 0 && ` · ${r.professional.specialties.join(", ")}`}
                      {r.professional.city && ` · ${r.professional.city}${r.professional.uf ? " - " + r.professional.uf : ""}`}
                      {r.distance_km != null && ` · ${r.distance_km.toFixed(1).replace(".", ",")} km`}
                    </Text>
                    <HStack wrap="wrap">
                      {r.professional.modes.map((m) => <Badge key={m} colorPalette="teal">{modeLabel[m] ?? m}</Badge>)}
                      <Text>Consulta: {price(r.professional.price)}</Text>
                    </HStack>
                    <NextSlots slots={r.next_slots} />
                    <Button asChild colorPalette="teal" alignSelf="flex-start" size="sm">
                      <RouterLink to={`/paciente/agendar/${r.professional.id}`}>Agendar com {r.professional.name}</RouterLink>
                    </Button>
                  </Stack>
                </Card.Body>
              </Card.Root>
            ))}
          {result.kind === "exams" &&
            result.items.map((r) => (
              <Card.Root key={r.exam.id}>
                <Card.Body>
                  <Stack gap="2">
                    <Text as="h2" fontSize="lg" fontWeight="semibold">{r.exam.name}</Text>
                    <Text>
                      {r.company.name}
                      {r.company.city && ` · ${r.company.city}${r.company.uf ? " - " + r.company.uf : ""}`}
                      {r.distance_km != null && ` · ${r.distance_km.toFixed(1).replace(".", ",")} km`}
                      {` · ${r.exam.duration_minutes} min · ${price(r.exam.price)}`}
                    </Text>
                    {r.exam.preparation && <Text fontSize="sm">Preparo: {r.exam.preparation}</Text>}
                    <NextSlots slots={r.next_slots} />
                    <Button asChild colorPalette="teal" alignSelf="flex-start" size="sm">
                      <RouterLink to={`/paciente/agendar-exame/${r.exam.id}`}>Agendar {r.exam.name}</RouterLink>
                    </Button>
                  </Stack>
                </Card.Body>
              </Card.Root>
            ))}
          {result.next && (
            <Button variant="outline" alignSelf="flex-start" loading={busy} onClick={() => void run(result.next)}>Carregar mais</Button>
          )}
        </Stack>
      )}
    </Page>
  );
}

function NextSlots({ slots }: { slots: Schemas["SlotResponse"][] }) {
  if (slots.length === 0) return <Text fontSize="sm">Sem horários livres nos próximos dias.</Text>;
  return (
    <Text fontSize="sm">
      Próximos horários: {slots.slice(0, 3).map((s) => `${dateTime(s.start)} (${modeLabel[s.mode] ?? s.mode})`).join("; ")}
    </Text>
  );
}
