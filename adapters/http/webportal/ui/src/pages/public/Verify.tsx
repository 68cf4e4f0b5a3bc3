import { Alert, Badge, Box, Button, Card, DataList, Heading, List, Stack, Text } from "@chakra-ui/react";
import { useState, type FormEvent } from "react";
import { useParams } from "react-router";
import { api, call, type Schemas } from "../../api/client";
import { ProblemError } from "../../api/session";
import { useSession } from "../../auth";
import { Loading } from "../../components/Loading";
import { Page } from "../../components/Page";
import { ProblemAlert } from "../../components/ProblemAlert";
import { TextField } from "../../components/TextField";
import { date, dateTime } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";

type V = Schemas["VerifyResponse"];

const reasonText: Record<string, string> = {
  cancelled: "A receita foi cancelada por quem a emitiu. Não dispense.",
  expired: "A receita está vencida. Não dispense; peça uma nova receita ao paciente.",
  signature: "A assinatura digital da receita não confere: o documento pode ter sido alterado. Não dispense.",
};

const professionLabel: Record<string, string> = {
  physician: "Médico(a)",
  dentist: "Dentista",
  nurse: "Enfermeiro(a)",
  nutritionist: "Nutricionista",
  pharmacist: "Farmacêutico(a)",
  physiotherapist: "Fisioterapeuta",
  psychologist: "Psicólogo(a)",
  speech_therapist: "Fonoaudiólogo(a)",
  occupational_therapist: "Terapeuta ocupacional",
  physical_educator: "Profissional de educação física",
};

// The public check of a prescription by its code: what a pharmacist needs,
// nothing more than the API gives; a signed-in pharmacy may dispense it.
export default function Verify() {
  const { code = "" } = useParams();
  const { data, error, loading, setData } = useLoad(
    () => call(api.GET("/v1/prescription-verifications/{code}", { params: { path: { code } } })),
    [code],
  );
  const notFound = error instanceof ProblemError && error.status === 404;
  return (
    <Page title="Verificação de receita">
      <Text>
        Código <strong>{code}</strong>
      </Text>
      {loading && !data ? (
        <Loading label="Verificando a receita…" />
      ) : notFound ? (
        <Alert.Root status="error" role="alert">
          <Alert.Indicator />
          <Alert.Content>
            <Alert.Title>Receita não encontrada</Alert.Title>
            <Alert.Description>
              Nenhuma receita tem este código. Confira o código impresso na receita (14 caracteres) ou leia de novo o QR
              code.
            </Alert.Description>
          </Alert.Content>
        </Alert.Root>
      ) : error ? (
        <ProblemAlert error={error} />
      ) : (
        data && <Result v={data} code={code} onDispensed={(v) => setData(v)} />
      )}
    </Page>
  );
}

function Result({ v, code, onDispensed }: { v: V; code: string; onDispensed: (v: V) => void }) {
  const p = v.prescriber;
  const ok = v.valid && !v.dispensed;
  return (
    <Stack gap="4">
      <Alert.Root status={ok ? "success" : v.dispensed && v.valid ? "info" : "error"} role="status">
        <Alert.Indicator />
        <Alert.Content>
          <Alert.Title>
            {!v.valid ? "Receita inválida" : v.dispensed ? "Receita válida, já dispensada" : "Receita válida"}
          </Alert.Title>
          <Alert.Description>
            {!v.valid
              ? reasonText[v.reason ?? ""] ?? "Esta receita não pode ser dispensada."
              : v.dispensed
                ? `Dispensada${v.dispensed_at ? ` em ${dateTime(v.dispensed_at)}` : ""}. Não dispense de novo.`
                : "Assinatura digital conferida. A receita pode ser dispensada."}
          </Alert.Description>
        </Alert.Content>
      </Alert.Root>
      <Card.Root>
        <Card.Body>
          <DataList.Root orientation="horizontal">
            <DataList.Item>
              <DataList.ItemLabel>Tipo</DataList.ItemLabel>
              <DataList.ItemValue>
                {v.type === "special_control" ? <Badge colorPalette="red">Controle especial</Badge> : "Receita simples"}
              </DataList.ItemValue>
            </DataList.Item>
            <DataList.Item>
              <DataList.ItemLabel>Emitida por</DataList.ItemLabel>
              <DataList.ItemValue>
                {p.name} · {professionLabel[p.profession] ?? p.profession} · {p.council_type} {p.council_number}/{p.council_uf}
              </DataList.ItemValue>
            </DataList.Item>
            <DataList.Item>
              <DataList.ItemLabel>Emitida em</DataList.ItemLabel>
              <DataList.ItemValue>{dateTime(v.issued_at)}</DataList.ItemValue>
            </DataList.Item>
            {v.valid_until && (
              <DataList.Item>
                <DataList.ItemLabel>Válida até</DataList.ItemLabel>
                <DataList.ItemValue>{date(v.valid_until)}</DataList.ItemValue>
              </DataList.Item>
            )}
            <DataList.Item>
              <DataList.ItemLabel>Paciente (iniciais)</DataList.ItemLabel>
              <DataList.ItemValue>{v.patient_initials}</DataList.ItemValue>
            </DataList.Item>
            <DataList.Item>
              <DataList.ItemLabel>Dispensação</DataList.ItemLabel>
              <DataList.ItemValue>
                {v.dispensed ? `Dispensada${v.dispensed_at ? ` em ${dateTime(v.dispensed_at)}` : ""}` : "Ainda não dispensada"}
              </DataList.ItemValue>
            </DataList.Item>
          </DataList.Root>
          <Heading as="h2" size="md" mt="5" mb="2">
            Itens
          </Heading>
          {v.items.length === 0 ? (
            <Text>Nenhum item.</Text>
          ) : (
            <List.Root ps="5">
              {v.items.map((i, n) => (
                <List.Item key={n}>
                  <strong>{i.drug}</strong>
                  {[i.concentration, i.form, i.quantity && `quantidade: ${i.quantity}`].filter(Boolean).map((x) => ` · ${x}`)}
                </List.Item>
              ))}
            </List.Root>
          )}
        </Card.Body>
      </Card.Root>
      {ok && <Dispense code={code} special={v.type === "special_control"} onDone={onDispensed} />}
    </Stack>
  );
}

function Dispense({ code, special, onDone }: { code: string; special: boolean; onDone: (v: V) => void }) {
  const s = useSession();
  const [buyer, setBuyer] = useState({ name: "", doc: "" });
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  if (!s || s.kind !== "company_member")
    return <Text fontSize="sm">Farmácias parceiras podem registrar a dispensação entrando no portal.</Text>;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const v = await call(
        api.POST("/v1/prescription-verifications/{code}/dispense", {
          params: { path: { code } },
          body: buyer.name || buyer.doc ? { buyer_name: buyer.name.trim(), buyer_document: buyer.doc.trim() } : {},
        }),
      );
      onDone(v);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Box as="form" onSubmit={submit} maxW="lg">
      <Stack gap="3">
        <Heading as="h2" size="md">
          Registrar dispensação
        </Heading>
        <ProblemAlert error={error} />
        {special && (
          <>
            <TextField label="Nome do comprador" name="buyer_name" required value={buyer.name} onChange={(e) => setBuyer({ ...buyer, name: e.target.value })} error={error} />
            <TextField label="Documento do comprador" name="buyer_document" required value={buyer.doc} onChange={(e) => setBuyer({ ...buyer, doc: e.target.value })} error={error} />
          </>
        )}
        <Button type="submit" colorPalette="teal" loading={busy} alignSelf="start">
          Marcar como dispensada
        </Button>
      </Stack>
    </Box>
  );
}
