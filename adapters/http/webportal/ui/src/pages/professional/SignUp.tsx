import { Box, Button, Card, Checkbox, Fieldset, Heading, Link as CLink, SimpleGrid, Stack, Text } from "@chakra-ui/react";
import { useState, type FormEvent } from "react";
import { NavLink } from "react-router";
import { api, call, type Schemas } from "../../api/client";
import { ProblemError } from "../../api/session";
import { Page } from "../../components/Page";
import { fieldError, ProblemAlert } from "../../components/ProblemAlert";
import { TextField } from "../../components/TextField";
import { digits, maskCEP, maskCPF, validCPF } from "../../lib/format";
import { professions, ufs } from "./common";
import { SelectField } from "./SelectField";

type Profession = Schemas["ProfessionalRequest"]["profession"];
type CouncilType = Schemas["Council"]["type"];
type UF = Schemas["Council"]["uf"];

// slug turns a specialty as typed ("Clínica geral") into the API's identifier ("clinica-geral").
function slug(s: string): string {
  return s
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .trim()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

// reais parses "250,00" (or "250") into cents.
function cents(s: string): number {
  const n = Number(s.replace(/\./g, "").replace(",", "."));
  return Number.isFinite(n) ? Math.round(n * 100) : NaN;
}

// SignUp registers a health professional; the account waits for the
// platform's verification of the council registration.
export default function SignUp() {
  const [f, setF] = useState({
    name: "",
    cpf: "",
    profession: "physician",
    councilNumber: "",
    councilUf: "SP",
    specialties: "",
    email: "",
    phone: "",
    password: "",
    cep: "",
    street: "",
    number: "",
    district: "",
    city: "",
    uf: "SP",
    price: "",
    bio: "",
  });
  const [modes, setModes] = useState<string[]>(["in_person"]);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<Schemas["ProfessionalResponse"]>();
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const council = professions.find((p) => p.value === f.profession)?.council ?? "CRM";

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    const local: { field: string; message: string }[] = [];
    if (!validCPF(f.cpf)) local.push({ field: "cpf", message: "CPF inválido: confira os dígitos." });
    const amount = cents(f.price);
    if (!Number.isFinite(amount) || amount < 0) local.push({ field: "price", message: "Informe o valor em reais, por exemplo 250,00." });
    if (modes.length === 0) local.push({ field: "modes", message: "Escolha ao menos uma modalidade." });
    if (local.length) {
      setError(new ProblemError({ detail: "Confira os campos destacados.", errors: local }, 400));
      return;
    }
    const hasAddress = [f.cep, f.street, f.number, f.district, f.city].some((v) => v.trim() !== "");
    setBusy(true);
    try {
      const out = await call(
        api.POST("/v1/professionals", {
          body: {
            name: f.name.trim(),
            cpf: digits(f.cpf),
            email: f.email.trim(),
            phone: f.phone.trim(),
            password: f.password,
            profession: f.profession as Profession,
            council: { type: council as CouncilType, number: f.councilNumber.trim(), uf: f.councilUf as UF },
            specialties: f.specialties
              .split(",")
              .map(slug)
              .filter(Boolean),
            bio: f.bio.trim() || undefined,
            price: { amount, currency: "BRL" },
            modes: modes as ("in_person" | "telemedicine")[],
            address: hasAddress
              ? {
                  cep: digits(f.cep),
                  street: f.street.trim(),
                  number: f.number.trim(),
                  district: f.district.trim(),
                  city: f.city.trim(),
                  uf: f.uf as UF,
                }
              : undefined,
          },
        }),
      );
      setDone(out);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  if (done) {
    return (
      <Page title="Cadastro recebido">
        <Card.Root maxW="2xl">
          <Card.Body>
            <Stack gap="3" role="status">
              <Text>
                Obrigado, {done.name}. Seu cadastro está <strong>aguardando verificação</strong> pela plataforma: conferimos o
                registro {done.council.type} {done.council.number}/{done.council.uf} antes de liberar sua agenda.
              </Text>
              <Text>Você receberá um e-mail quando a verificação terminar. Depois disso, entre com seu e-mail e senha.</Text>
              <CLink asChild color="teal.700">
                <NavLink to="/entrar">Ir para a página de entrada</NavLink>
              </CLink>
            </Stack>
          </Card.Body>
        </Card.Root>
      </Page>
    );
  }

  const modesError = fieldError(error, "modes");
  return (
    <Page title="Cadastro de profissional de saúde">
      <Box maxW="3xl">
        <form onSubmit={submit} noValidate>
          <Stack gap="5">
            <ProblemAlert error={error} />
            <Card.Root>
              <Card.Body>
                <Stack gap="4">
                  <Heading as="h2" size="md">
                    Dados pessoais
                  </Heading>
                  <TextField label="Nome completo" name="name" required value={f.name} onChange={set("name")} error={error} autoComplete="name" />
                  <SimpleGrid columns={{ base: 1, md: 2 }} gap="4">
                    <TextField
                      label="CPF"
                      name="cpf"
                      required
                      inputMode="numeric"
                      value={f.cpf}
                      onChange={(e) => setF({ ...f, cpf: maskCPF(e.target.value) })}
                      error={error}
                      help="000.000.000-00"
                    />
                    <TextField label="Telefone" name="phone" required type="tel" value={f.phone} onChange={set("phone")} error={error} help="+55 11 91234-5678" autoComplete="tel" />
                    <TextField label="E-mail" name="email" required type="email" value={f.email} onChange={set("email")} error={error} autoComplete="email" />
                    <TextField
                      label="Senha"
                      name="password"
                      required
                      type="password"
                      value={f.password}
                      onChange={set("password")}
                      error={error}
                      autoComplete="new-password"
                      help="Ao menos 10 caracteres."
                    />
                  </SimpleGrid>
                </Stack>
              </Card.Body>
            </Card.Root>
            <Card.Root>
              <Card.Body>
                <Stack gap="4">
                  <Heading as="h2" size="md">
                    Atuação profissional
                  </Heading>
                  <SimpleGrid columns={{ base: 1, md: 3 }} gap="4">
                    <SelectField
                      label="Profissão"
                      name="profession"
                      required
                      value={f.profession}
                      onChange={(v) => setF({ ...f, profession: v })}
                      options={professions}
                      error={error}
                    />
                    <TextField
                      label={`Registro no ${council}`}
                      name="council.number"
                      required
                      value={f.councilNumber}
                      onChange={set("councilNumber")}
                      error={error}
                    />
                    <SelectField
                      label="UF do conselho"
                      name="council.uf"
                      required
                      value={f.councilUf}
                      onChange={(v) => setF({ ...f, councilUf: v })}
                      options={ufs.map((u) => ({ value: u, label: u }))}
                      error={error}
                    />
                  </SimpleGrid>
                  <TextField
                    label="Especialidades"
                    name="specialties"
                    value={f.specialties}
                    onChange={set("specialties")}
                    error={error}
                    help="Separadas por vírgula, por exemplo: cardiologia, clínica geral (enviadas como cardiologia, clinica-geral)"
                  />
                  <TextField label="Apresentação" name="bio" value={f.bio} onChange={set("bio")} error={error} />
                  <SimpleGrid columns={{ base: 1, md: 2 }} gap="4">
                    <TextField
                      label="Valor da consulta (R$)"
                      name="price"
                      required
                      inputMode="decimal"
                      value={f.price}
                      onChange={set("price")}
                      error={error}
                      help="Por exemplo 250,00"
                    />
                    <Fieldset.Root invalid={!!modesError}>
                      <Fieldset.Legend>Modalidades de atendimento</Fieldset.Legend>
                      <Stack direction="row" gap="5" pt="2">
                        {[
                          { v: "in_person", l: "Presencial" },
                          { v: "telemedicine", l: "Telemedicina" },
                        ].map((m) => (
                          <Checkbox.Root
                            key={m.v}
                            checked={modes.includes(m.v)}
                            onCheckedChange={(c) => setModes(c.checked ? [...modes, m.v] : modes.filter((x) => x !== m.v))}
                          >
                            <Checkbox.HiddenInput />
                            <Checkbox.Control />
                            <Checkbox.Label>{m.l}</Checkbox.Label>
                          </Checkbox.Root>
                        ))}
                      </Stack>
                      {modesError && <Fieldset.ErrorText>{modesError}</Fieldset.ErrorText>}
                    </Fieldset.Root>
                  </SimpleGrid>
                </Stack>
              </Card.Body>
            </Card.Root>
            <Card.Root>
              <Card.Body>
                <Stack gap="4">
                  <Heading as="h2" size="md">
                    Endereço do consultório (obrigatório para atendimento presencial)
                  </Heading>
                  <SimpleGrid columns={{ base: 1, md: 3 }} gap="4">
                    <TextField label="CEP" name="address.cep" inputMode="numeric" value={f.cep} onChange={(e) => setF({ ...f, cep: maskCEP(e.target.value) })} error={error} />
                    <TextField label="Rua" name="address.street" value={f.street} onChange={set("street")} error={error} />
                    <TextField label="Número" name="address.number" value={f.number} onChange={set("number")} error={error} />
                    <TextField label="Bairro" name="address.district" value={f.district} onChange={set("district")} error={error} />
                    <TextField label="Cidade" name="address.city" value={f.city} onChange={set("city")} error={error} />
                    <SelectField
                      label="UF"
                      name="address.uf"
                      value={f.uf}
                      onChange={(v) => setF({ ...f, uf: v })}
                      options={ufs.map((u) => ({ value: u, label: u }))}
                      error={error}
                    />
                  </SimpleGrid>
                  <Text fontSize="sm" color="gray.700">
                    O fuso horário da sua agenda é definido na página de disponibilidade, depois da verificação.
                  </Text>
                </Stack>
              </Card.Body>
            </Card.Root>
            <Box>
              <Button type="submit" colorPalette="teal" loading={busy}>
                Cadastrar
              </Button>
            </Box>
          </Stack>
        </form>
      </Box>
    </Page>
  );
}
