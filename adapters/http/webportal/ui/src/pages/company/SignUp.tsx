import { Alert, Box, Button, Card, Field, Heading, NativeSelect, SimpleGrid, Stack, Text } from "@chakra-ui/react";
import { useState, type FormEvent } from "react";
import { api, call, type Schemas } from "../../api/client";
import { ProblemError } from "../../api/session";
import { Page } from "../../components/Page";
import { ProblemAlert, fieldError } from "../../components/ProblemAlert";
import { TextField } from "../../components/TextField";
import { digits, maskCEP } from "../../lib/format";
import { maskCNPJ, validCNPJ } from "./cnpj";
import { companyStatus, companyType, ufs } from "./labels";

type Kind = Schemas["CompanyRequest"]["type"];
type UF = Schemas["Address"]["uf"];

// localError builds a problem like the API's, so each field shows its message.
function localError(fields: { field: string; message: string }[]) {
  return new ProblemError({ title: "Verifique os campos", detail: "Verifique os campos destacados.", errors: fields } as never, 400);
}

export default function CompanySignUp() {
  const [f, setF] = useState({
    type: "pharmacy" as Kind,
    legal_name: "",
    trade_name: "",
    cnpj: "",
    phone: "",
    email: "",
    cep: "",
    street: "",
    number: "",
    complement: "",
    district: "",
    city: "",
    uf: "SP" as UF,
    admin_name: "",
    admin_email: "",
    admin_password: "",
  });
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<Schemas["CompanySignUpResponse"]>();
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    if (!validCNPJ(f.cnpj)) {
      setError(localError([{ field: "cnpj", message: "CNPJ inválido: confira os dígitos" }]));
      return;
    }
    setBusy(true);
    try {
      const r = await call(
        api.POST("/v1/companies", {
          body: {
            type: f.type,
            legal_name: f.legal_name.trim(),
            trade_name: f.trade_name.trim(),
            cnpj: digits(f.cnpj),
            phone: f.phone.trim(),
            email: f.email.trim() || undefined,
            address: {
              cep: digits(f.cep),
              street: f.street.trim(),
              number: f.number.trim(),
              complement: f.complement.trim() || undefined,
              district: f.district.trim(),
              city: f.city.trim(),
              uf: f.uf,
            },
            admin: { name: f.admin_name.trim(), email: f.admin_email.trim(), password: f.admin_password },
          },
        }),
      );
      setDone(r);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  if (done)
    return (
      <Page title="Cadastro enviado">
        <Alert.Root status="success" role="status">
          <Alert.Indicator />
          <Alert.Content>
            <Alert.Title>
              {done.trade_name}: {companyStatus[done.status] ?? done.status}
            </Alert.Title>
            <Alert.Description>
              Recebemos o cadastro da empresa. Nossa equipe vai conferir os dados (CNPJ e endereço) e avisar por
              e-mail quando a empresa estiver verificada. Enquanto isso, você já pode entrar com o e-mail e a senha
              do primeiro membro.
            </Alert.Description>
          </Alert.Content>
        </Alert.Root>
      </Page>
    );

  const addr = (k: string) => (fieldError(error, `address.${k}`) ? error : undefined);
  const fe = (name: string) => ({ error, name });
  return (
    <Page title="Cadastro de empresa parceira">
      <Box maxW="3xl">
        <Card.Root>
          <Card.Body>
            <form onSubmit={submit} noValidate>
              <Stack gap="5">
                <ProblemAlert error={error} />
                <Heading as="h2" size="lg">
                  Empresa
                </Heading>
                <Field.Root required>
                  <Field.Label>
                    Tipo de empresa <Field.RequiredIndicator />
                  </Field.Label>
                  <NativeSelect.Root>
                    <NativeSelect.Field name="type" value={f.type} onChange={set("type")}>
                      {Object.entries(companyType).map(([k, v]) => (
                        <option key={k} value={k}>
                          {v}
                        </option>
                      ))}
                    </NativeSelect.Field>
                    <NativeSelect.Indicator />
                  </NativeSelect.Root>
                </Field.Root>
                <SimpleGrid columns={{ base: 1, md: 2 }} gap="4">
                  <TextField label="Razão social" required value={f.legal_name} onChange={set("legal_name")} {...fe("legal_name")} />
                  <TextField label="Nome fantasia" required value={f.trade_name} onChange={set("trade_name")} {...fe("trade_name")} />
                  <TextField
                    label="CNPJ"
                    required
                    inputMode="numeric"
                    placeholder="00.000.000/0000-00"
                    value={f.cnpj}
                    onChange={(e) => setF({ ...f, cnpj: maskCNPJ(e.target.value) })}
                    {...fe("cnpj")}
                  />
                  <TextField label="Telefone" required type="tel" autoComplete="tel" value={f.phone} onChange={set("phone")} {...fe("phone")} />
                  <TextField label="E-mail da empresa" type="email" value={f.email} onChange={set("email")} {...fe("email")} />
                </SimpleGrid>
                <Heading as="h2" size="lg">
                  Endereço
                </Heading>
                <SimpleGrid columns={{ base: 1, md: 2 }} gap="4">
                  <TextField
                    label="CEP"
                    required
                    inputMode="numeric"
                    autoComplete="postal-code"
                    value={f.cep}
                    onChange={(e) => setF({ ...f, cep: maskCEP(e.target.value) })}
                    name="address.cep"
                    error={addr("cep")}
                  />
                  <TextField label="Rua" required value={f.street} onChange={set("street")} name="address.street" error={addr("street")} />
                  <TextField label="Número" required value={f.number} onChange={set("number")} name="address.number" error={addr("number")} />
                  <TextField label="Complemento" value={f.complement} onChange={set("complement")} name="address.complement" error={addr("complement")} />
                  <TextField label="Bairro" required value={f.district} onChange={set("district")} name="address.district" error={addr("district")} />
                  <TextField label="Cidade" required value={f.city} onChange={set("city")} name="address.city" error={addr("city")} />
                  <Field.Root required>
                    <Field.Label>
                      UF <Field.RequiredIndicator />
                    </Field.Label>
                    <NativeSelect.Root>
                      <NativeSelect.Field name="address.uf" value={f.uf} onChange={set("uf")}>
                        {ufs.map((u) => (
                          <option key={u} value={u}>
                            {u}
                          </option>
                        ))}
                      </NativeSelect.Field>
                      <NativeSelect.Indicator />
                    </NativeSelect.Root>
                  </Field.Root>
                </SimpleGrid>
                <Heading as="h2" size="lg">
                  Primeiro membro (administrador da conta)
                </Heading>
                <SimpleGrid columns={{ base: 1, md: 2 }} gap="4">
                  <TextField label="Nome completo" required autoComplete="name" value={f.admin_name} onChange={set("admin_name")} name="admin.name" error={error} />
                  <TextField label="E-mail de acesso" required type="email" autoComplete="username" value={f.admin_email} onChange={set("admin_email")} name="admin.email" error={error} />
                  <TextField
                    label="Senha de acesso"
                    required
                    type="password"
                    autoComplete="new-password"
                    help="Pelo menos 10 caracteres."
                    value={f.admin_password}
                    onChange={set("admin_password")}
                    name="admin.password"
                    error={error}
                  />
                </SimpleGrid>
                <Text fontSize="sm" color="gray.700">
                  A empresa só aparece para os pacientes depois de verificada pela equipe multisaude.
                </Text>
                <Button type="submit" colorPalette="teal" loading={busy} loadingText="Enviando…">
                  Cadastrar empresa
                </Button>
              </Stack>
            </form>
          </Card.Body>
        </Card.Root>
      </Box>
    </Page>
  );
}
