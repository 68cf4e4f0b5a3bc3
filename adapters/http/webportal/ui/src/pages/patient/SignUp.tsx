import { Button, Checkbox, Field, Input, NativeSelect, SimpleGrid, Stack, Text } from "@chakra-ui/react";
import { useState, type FormEvent } from "react";
import { Link as RouterLink, useNavigate } from "react-router";
import { api, call, type Schemas } from "../../api/client";
import { signIn } from "../../api/session";
import { Page } from "../../components/Page";
import { ProblemAlert } from "../../components/ProblemAlert";
import { TextField } from "../../components/TextField";
import { Loading } from "../../components/Loading";
import { digits, maskCEP, maskCPF, validCPF } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";
import { UFS, type UF } from "../../lib/labels";


// maskPhone shows "(11) 98765-4321"; the API takes "+5511987654321".
function maskPhone(s: string): string {
  const d = digits(s).slice(0, 11);
  if (d.length <= 2) return d;
  if (d.length <= 6) return `(${d.slice(0, 2)}) ${d.slice(2)}`;
  const cut = d.length === 11 ? 7 : 6;
  return `(${d.slice(0, 2)}) ${d.slice(2, cut)}-${d.slice(cut)}`;
}

// The patient's sign-up: personal data, address filled from the CEP (and
// correctable), password, and the consent terms; then sign-in and home.
export default function SignUp() {
  const navigate = useNavigate();
  const terms = useLoad(() => call(api.GET("/v1/consent-terms")), []);
  const [f, setF] = useState({
    name: "", cpf: "", birth_date: "", email: "", phone: "", password: "",
    cep: "", street: "", number: "", complement: "", district: "", city: "", uf: "" as UF | "",
  });
  const [accepted, setAccepted] = useState<Record<string, boolean>>({});
  const [cpfTouched, setCpfTouched] = useState(false);
  const [cepState, setCepState] = useState<{ loading?: boolean; message?: string; error?: unknown }>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF((o) => ({ ...o, [k]: e.target.value }));

  async function lookupCEP(cep: string) {
    if (digits(cep).length !== 8) return;
    setCepState({ loading: true });
    try {
      const a = await call(api.GET("/v1/addresses/{cep}", { params: { path: { cep: digits(cep) } } }));
      setF((o) => ({
        ...o,
        uf: a.uf,
        city: a.city || o.city,
        district: a.district || o.district,
        street: a.street || o.street,
      }));
      setCepState({
        message: a.city
          ? `Endereço encontrado: ${[a.street, a.district, a.city].filter(Boolean).join(", ")} - ${a.uf}. Confira e corrija se preciso.`
          : `CEP de ${a.uf}. Preencha a cidade, o bairro e a rua.`,
      });
    } catch (e) {
      setCepState({ error: e });
    }
  }

  // A term marked required is one whose purpose needs a consent (telemedicine,
  // sharing with partners, marketing): none is a condition of the sign-up, so
  // each is a choice here; the others (care) are recorded as read.
  const items = terms.data?.items ?? [];
  const cpfBad = cpfTouched && f.cpf !== "" && !validCPF(f.cpf);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    if (!validCPF(f.cpf)) {
      setCpfTouched(true);
      return;
    }
    setBusy(true);
    try {
      const body: Schemas["PatientRequest"] = {
        name: f.name.trim(), cpf: digits(f.cpf), birth_date: f.birth_date, email: f.email.trim(),
        phone: "+55" + digits(f.phone), password: f.password,
        address: { cep: maskCEP(f.cep), street: f.street, number: f.number, complement: f.complement || undefined,
          district: f.district, city: f.city, uf: f.uf as UF },
      };
      await call(api.POST("/v1/patients", { body }));
      await signIn(body.email, f.password, "patient");
      for (const t of terms.data?.items ?? []) {
        if (accepted[t.purpose]) {
          await call(api.POST("/v1/me/consents", {
          params: { header: { "X-Consent-Channel": "portal" } }, body: { purpose: t.purpose as Schemas["ConsentRequest"]["purpose"], term_version: t.version, decision: "granted" } }));
        }
      }
      navigate("/paciente", { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Page title="Criar conta de paciente">
      <form onSubmit={submit} noValidate>
        <Stack gap="4" maxW="3xl">
          <SimpleGrid columns={{ base: 1, md: 2 }} gap="4">
            <TextField label="Nome completo" name="name" required value={f.name} onChange={set("name")} error={error} autoComplete="name" />
            <Field.Root invalid={cpfBad || !!cpfError(error)} required>
              <Field.Label>CPF<Field.RequiredIndicator /></Field.Label>
              <Input name="cpf" inputMode="numeric" placeholder="000.000.000-00" value={f.cpf}
                onChange={(e) => setF((o) => ({ ...o, cpf: maskCPF(e.target.value) }))} onBlur={() => setCpfTouched(true)} />
              {(cpfBad || cpfError(error)) && <Field.ErrorText>{cpfBad ? "CPF inválido: confira os dígitos." : cpfError(error)}</Field.ErrorText>}
            </Field.Root>
            <TextField label="Data de nascimento" name="birth_date" type="date" required value={f.birth_date} onChange={set("birth_date")} error={error} />
            <TextField label="Celular com DDD" name="phone" required inputMode="tel" placeholder="(11) 98765-4321" value={f.phone}
              onChange={(e) => setF((o) => ({ ...o, phone: maskPhone(e.target.value) }))} error={error} autoComplete="tel-national" />
            <TextField label="E-mail" name="email" type="email" required value={f.email} onChange={set("email")} error={error} autoComplete="email" />
            <TextField label="Senha" name="password" type="password" required value={f.password} onChange={set("password")} error={error}
              autoComplete="new-password" help="Pelo menos 10 caracteres; não pode ser uma senha comum, um único caractere repetido nem o seu e-mail." />
          </SimpleGrid>

          <Text fontWeight="semibold" as="h2" fontSize="lg">Endereço</Text>
          <SimpleGrid columns={{ base: 1, md: 3 }} gap="4">
            <TextField label="CEP" name="address.cep" required inputMode="numeric" placeholder="00000-000" value={f.cep} error={error}
              onChange={(e) => {
                const v = maskCEP(e.target.value);
                setF((o) => ({ ...o, cep: v }));
                if (digits(v).length === 8) void lookupCEP(v);
              }}
              autoComplete="postal-code" help="Ao digitar o CEP, preenchemos a cidade, o estado e a rua quando conhecidos." />
            <TextField label="Cidade" name="address.city" required value={f.city} onChange={set("city")} error={error} autoComplete="address-level2" />
            <Field.Root required invalid={!!fieldMsg(error, "address.uf")}>
              <Field.Label>Estado (UF)<Field.RequiredIndicator /></Field.Label>
              <NativeSelect.Root>
                <NativeSelect.Field name="address.uf" value={f.uf} onChange={set("uf")}>
                  <option value="">Escolha</option>
                  {UFS.map((u) => <option key={u} value={u}>{u}</option>)}
                </NativeSelect.Field>
                <NativeSelect.Indicator />
              </NativeSelect.Root>
              {fieldMsg(error, "address.uf") && <Field.ErrorText>{fieldMsg(error, "address.uf")}</Field.ErrorText>}
            </Field.Root>
          </SimpleGrid>
          <div role="status" aria-live="polite">
            {cepState.loading && <Text fontSize="sm">Buscando o CEP…</Text>}
            {cepState.message && <Text fontSize="sm">{cepState.message}</Text>}
          </div>
          {cepState.error !== undefined && <ProblemAlert error={cepState.error} />}
          <SimpleGrid columns={{ base: 1, md: 2 }} gap="4">
            <TextField label="Rua" name="address.street" required value={f.street} onChange={set("street")} error={error} autoComplete="address-line1" />
            <TextField label="Número" name="address.number" required value={f.number} onChange={set("number")} error={error} />
            <TextField label="Complemento" name="address.complement" value={f.complement} onChange={set("complement")} error={error} />
            <TextField label="Bairro" name="address.district" required value={f.district} onChange={set("district")} error={error} />
          </SimpleGrid>

          <Text fontWeight="semibold" as="h2" fontSize="lg">Termos de consentimento (LGPD)</Text>
          {terms.loading && <Loading />}
          {terms.error !== undefined && <ProblemAlert error={terms.error} />}
          <Text fontSize="sm">Nenhum termo é condição para criar a conta; você pode mudar cada escolha depois na central de privacidade.</Text>
          {items.map((t) => (
            <Checkbox.Root key={t.purpose} checked={!!accepted[t.purpose]} onCheckedChange={(d) => setAccepted((a) => ({ ...a, [t.purpose]: !!d.checked }))}
              alignItems="flex-start">
              <Checkbox.HiddenInput />
              <Checkbox.Control />
              <Checkbox.Label>
                {t.required ? "Aceito: " : "Li e estou ciente: "}
                <strong>{t.title}</strong> (versão {t.version}). {t.summary}
              </Checkbox.Label>
            </Checkbox.Root>
          ))}
          <ProblemAlert error={error} />
          <Stack direction="row" gap="4" align="center">
            <Button type="submit" colorPalette="teal" loading={busy}>Criar conta</Button>
            <RouterLink to="/entrar">Já tenho conta</RouterLink>
          </Stack>
        </Stack>
      </form>
    </Page>
  );
}

function fieldMsg(error: unknown, field: string): string | undefined {
  const p = (error as { problem?: { errors?: { field: string; message: string }[] } })?.problem;
  return p?.errors?.find((e) => e.field === field)?.message;
}

function cpfError(error: unknown) {
  return fieldMsg(error, "cpf");
}

