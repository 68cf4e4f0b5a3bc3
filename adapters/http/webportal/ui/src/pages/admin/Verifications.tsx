import { Badge, Box, Button, Card, Field, Heading, HStack, NativeSelect, Stack, Text } from "@chakra-ui/react";
import { useState, type FormEvent } from "react";
import { api, call, type Schemas } from "../../api/client";
import { Loading } from "../../components/Loading";
import { Page } from "../../components/Page";
import { ProblemAlert } from "../../components/ProblemAlert";
import { TextField } from "../../components/TextField";
import { dateTime } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";
import { professionLabel } from "../../lib/labels";
import { maskCNPJ } from "../company/cnpj";
import { companyStatus, companyType } from "../company/labels";

type Status = "pending_verification" | "verified" | "rejected";


function StatusSelect({ label, value, onChange }: { label: string; value: Status; onChange: (s: Status) => void }) {
  return (
    <Field.Root maxW="xs">
      <Field.Label>{label}</Field.Label>
      <NativeSelect.Root size="sm">
        <NativeSelect.Field value={value} onChange={(e) => onChange(e.target.value as Status)}>
          {Object.entries(companyStatus).map(([k, v]) => (
            <option key={k} value={k}>
              {v}
            </option>
          ))}
        </NativeSelect.Field>
        <NativeSelect.Indicator />
      </NativeSelect.Root>
    </Field.Root>
  );
}

// The verification queues: professionals and companies waiting for a check.
export function Verifications() {
  return (
    <Page title="Verificações">
      <Professionals />
      <Companies />
    </Page>
  );
}

function Professionals() {
  const [status, setStatus] = useState<Status>("pending_verification");
  const [cursor, setCursor] = useState<string>();
  const [notice, setNotice] = useState("");
  const list = useLoad(() => call(api.GET("/v1/admin/professionals", { params: { query: { status, cursor, limit: 20 } } })), [status, cursor]);
  return (
    <Stack as="section" gap="3" aria-label="Profissionais">
      <Heading as="h2" size="lg">
        Profissionais
      </Heading>
      <StatusSelect label="Situação dos profissionais" value={status} onChange={(s) => { setCursor(undefined); setStatus(s); }} />
      <div role="status">{notice && <Text fontWeight="semibold">{notice}</Text>}</div>
      <ProblemAlert error={list.error} />
      {list.loading && !list.data ? (
        <Loading />
      ) : list.data?.items.length === 0 ? (
        <Text>Nenhum profissional nesta situação.</Text>
      ) : (
        list.data?.items.map((p) => (
          <Decide
            key={p.id}
            kind="professional"
            id={p.id}
            name={p.name}
            status={p.status}
            lines={[
              `${professionLabel[p.profession] ?? p.profession} · ${p.council.type} ${p.council.number}/${p.council.uf}`,
              p.email ? `E-mail: ${p.email}` : "",
              p.specialties.length ? `Especialidades: ${p.specialties.join(", ")}` : "",
              `Cadastro em ${dateTime(p.created_at)}`,
              p.rejection_reason ? `Motivo da recusa: ${p.rejection_reason}` : "",
            ]}
            onDone={(msg) => {
              setNotice(msg);
              void list.reload();
            }}
          />
        ))
      )}
      {list.data?.next_cursor && (
        <Button size="sm" variant="outline" alignSelf="start" onClick={() => setCursor(list.data?.next_cursor)}>
          Próxima página de profissionais
        </Button>
      )}
    </Stack>
  );
}

function Companies() {
  const [status, setStatus] = useState<Status>("pending_verification");
  const [cursor, setCursor] = useState<string>();
  const [notice, setNotice] = useState("");
  const list = useLoad(() => call(api.GET("/v1/admin/companies", { params: { query: { status, cursor, limit: 20 } } })), [status, cursor]);
  return (
    <Stack as="section" gap="3" aria-label="Empresas">
      <Heading as="h2" size="lg">
        Empresas
      </Heading>
      <StatusSelect label="Situação das empresas" value={status} onChange={(s) => { setCursor(undefined); setStatus(s); }} />
      <div role="status">{notice && <Text fontWeight="semibold">{notice}</Text>}</div>
      <ProblemAlert error={list.error} />
      {list.loading && !list.data ? (
        <Loading />
      ) : list.data?.items.length === 0 ? (
        <Text>Nenhuma empresa nesta situação.</Text>
      ) : (
        list.data?.items.map((c: Schemas["CompanyResponse"]) => (
          <Decide
            key={c.id}
            kind="company"
            id={c.id}
            name={c.trade_name}
            status={c.status}
            lines={[
              `${companyType[c.type] ?? c.type} · ${c.legal_name} · CNPJ ${maskCNPJ(c.cnpj)}`,
              `${c.address.street}, ${c.address.number} · ${c.address.district} · ${c.address.city}/${c.address.uf}`,
              `Telefone ${c.phone}${c.email ? ` · ${c.email}` : ""}`,
              `Cadastro em ${dateTime(c.created_at)}`,
              c.rejection_reason ? `Motivo da recusa: ${c.rejection_reason}` : "",
            ]}
            onDone={(msg) => {
              setNotice(msg);
              void list.reload();
            }}
          />
        ))
      )}
      {list.data?.next_cursor && (
        <Button size="sm" variant="outline" alignSelf="start" onClick={() => setCursor(list.data?.next_cursor)}>
          Próxima página de empresas
        </Button>
      )}
    </Stack>
  );
}

function Decide(props: { kind: "professional" | "company"; id: string; name: string; status: Status; lines: string[]; onDone: (msg: string) => void }) {
  const { kind, id, name, status, lines, onDone } = props;
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const path = { params: { path: { id } } };

  async function run(p: () => Promise<unknown>, msg: string) {
    setBusy(true);
    setError(undefined);
    try {
      await p();
      onDone(msg);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  const verify = () =>
    run(
      () => (kind === "company" ? call(api.POST("/v1/admin/companies/{id}/verify", path)) : call(api.POST("/v1/admin/professionals/{id}/verify", path))),
      `${name} foi verificado(a).`,
    );
  const reject = (e: FormEvent) => {
    e.preventDefault();
    void run(
      () =>
        kind === "company"
          ? call(api.POST("/v1/admin/companies/{id}/reject", { ...path, body: { reason } }))
          : call(api.POST("/v1/admin/professionals/{id}/reject", { ...path, body: { reason } })),
      `${name} foi recusado(a).`,
    );
  };

  return (
    <Card.Root size="sm" as="article" aria-label={name}>
      <Card.Body>
        <Stack gap="2">
          <HStack justify="space-between">
            <Heading as="h3" size="md">
              {name}
            </Heading>
            <Badge colorPalette={status === "verified" ? "green" : status === "rejected" ? "red" : "yellow"}>{companyStatus[status]}</Badge>
          </HStack>
          {lines.filter(Boolean).map((l) => (
            <Text key={l} fontSize="sm">
              {l}
            </Text>
          ))}
          <ProblemAlert error={error} />
          {status !== "verified" && (
            <HStack wrap="wrap">
              <Button size="sm" colorPalette="teal" loading={busy && !rejecting} onClick={() => void verify()} aria-label={`Verificar ${name}`}>
                Verificar
              </Button>
              {status === "pending_verification" && (
                <Button size="sm" variant="outline" colorPalette="red" onClick={() => setRejecting(!rejecting)} aria-label={`Recusar ${name}`}>
                  Recusar
                </Button>
              )}
            </HStack>
          )}
          {rejecting && (
            <Box as="form" onSubmit={reject}>
              <Stack gap="2">
                <TextField label={`Motivo da recusa de ${name}`} name="reason" required value={reason} onChange={(e) => setReason(e.target.value)} error={error} />
                <Button type="submit" size="sm" colorPalette="red" loading={busy} alignSelf="start">
                  Confirmar recusa
                </Button>
              </Stack>
            </Box>
          )}
        </Stack>
      </Card.Body>
    </Card.Root>
  );
}
