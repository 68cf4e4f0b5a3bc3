import { Badge, Box, Button, Card, Heading, HStack, Input, Field, List, Stack, Table, Text } from "@chakra-ui/react";
import { useState } from "react";
import { api, call, must, type Schemas } from "../../api/client";
import { Loading } from "../../components/Loading";
import { MoreButton } from "../../components/MoreButton";
import { Page } from "../../components/Page";
import { ProblemAlert } from "../../components/ProblemAlert";
import { TextField } from "../../components/TextField";
import { date, dateTime } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";
import { usePaged } from "../../lib/usePaged";
import { saveBlob } from "./download";
import { accessBasis, actorKind, label, purposeName } from "./labels";

type Purpose = Schemas["ConsentRequest"]["purpose"];

const exportStatus: Record<string, string> = {
  pending: "Na fila",
  building: "Em preparação",
  ready: "Pronto para baixar",
  failed: "Falhou",
  expired: "Expirado",
};
const erasureStatus: Record<string, string> = { pending: "Recebido", running: "Em andamento", done: "Concluído" };
const actionName: Record<string, string> = {
  read: "Consultou",
  view: "Consultou",
  list: "Listou",
  create: "Registrou",
  update: "Alterou",
  download: "Baixou",
  export: "Exportou",
};
const objectName: Record<string, string> = {
  patient: "seus dados cadastrais",
  history: "seu histórico",
  evaluation: "uma avaliação",
  prescription: "uma receita",
  document: "um documento",
  treatment_plan: "um plano de tratamento",
  record: "seu prontuário",
};

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Card.Root>
      <Card.Body>
        <Stack gap="3">
          <Heading as="h2" size="lg">
            {title}
          </Heading>
          {children}
        </Stack>
      </Card.Body>
    </Card.Root>
  );
}

// Consents: the current term of each purpose, its text, and my decision.
function Consents() {
  const data = useLoad(async () => {
    const [terms, mine] = await Promise.all([call(api.GET("/v1/consent-terms")), call(api.GET("/v1/me/consents"))]);
    return { terms: terms.items, states: mine.states, history: mine.history };
  });
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState("");
  const [said, setSaid] = useState("");
  const decide = async (purpose: string, decision: "granted" | "revoked", version: string) => {
    setBusy(purpose);
    setError(undefined);
    setSaid("");
    try {
      await call(
        api.POST("/v1/me/consents", {
          params: { header: { "X-Consent-Channel": "portal" } },
          body: { purpose: purpose as Purpose, decision, term_version: version },
        }),
      );
      setSaid(`${label(purposeName, purpose)}: ${decision === "granted" ? "autorização registrada" : "autorização retirada"}.`);
      await data.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy("");
    }
  };
  return (
    <Section title="Consentimentos">
      <ProblemAlert error={data.error ?? error} />
      {data.loading && !data.data && <Loading />}
      <Text role="status">{said}</Text>
      {data.data && (
        <Stack gap="3">
          {data.data.terms.map((t) => {
            const st = data.data!.states.find((s) => s.purpose === t.purpose);
            const on = !!st?.effective;
            return (
              <Box key={t.purpose} borderWidth="1px" borderRadius="md" p="3">
                <HStack justify="space-between" wrap="wrap" align="start">
                  <Stack gap="1" flex="1" minW="60%">
                    <Heading as="h3" size="sm">
                      {t.title}{" "}
                      <Badge colorPalette={on ? "green" : "gray"}>{on ? "Autorizado" : "Não autorizado"}</Badge>
                    </Heading>
                    <Text fontSize="sm">{t.summary}</Text>
                    {st?.at && (
                      <Text fontSize="sm" color="fg.muted">
                        Última decisão em {dateTime(st.at)} (termo versão {st.term_version})
                        {on && st.term_version !== st.current_version && " — há uma nova versão do termo"}
                      </Text>
                    )}
                    <details>
                      <summary>Ler o termo completo (versão {t.version})</summary>
                      <Text whiteSpace="pre-wrap" fontSize="sm" mt="2">
                        {t.text}
                      </Text>
                      <Text fontSize="xs" mt="1">
                        Base legal: {t.legal_basis}. Publicado em {date(t.published_at)}.
                      </Text>
                    </details>
                  </Stack>
                  {on ? (
                    <Button
                      size="sm"
                      variant="outline"
                      colorPalette="red"
                      loading={busy === t.purpose}
                      onClick={() => void decide(t.purpose, "revoked", st?.term_version ?? t.version)}
                      aria-label={`Retirar autorização: ${t.title}`}
                    >
                      Retirar autorização
                    </Button>
                  ) : (
                    <Button
                      size="sm"
                      colorPalette="teal"
                      loading={busy === t.purpose}
                      onClick={() => void decide(t.purpose, "granted", t.version)}
                      aria-label={`Autorizar: ${t.title}`}
                    >
                      Autorizar
                    </Button>
                  )}
                </HStack>
              </Box>
            );
          })}
        </Stack>
      )}
    </Section>
  );
}

function AccessLog() {
  const first = usePaged((c?: string) => call(api.GET("/v1/me/access-log", { params: { query: { limit: 20, cursor: c } } })));
  const items: Schemas["AccessEntryResponse"][] = first.items;
  return (
    <Section title="Quem acessou meu prontuário">
      <ProblemAlert error={first.error} />
      {first.loading && <Loading />}
      {first.loaded && items.length === 0 && <Text>Ninguém acessou seu prontuário ainda.</Text>}
      {items.length > 0 && (
        <Table.Root size="sm">
          <Table.Header>
            <Table.Row>
              <Table.ColumnHeader>Quando</Table.ColumnHeader>
              <Table.ColumnHeader>Quem</Table.ColumnHeader>
              <Table.ColumnHeader>O quê</Table.ColumnHeader>
              <Table.ColumnHeader>Base</Table.ColumnHeader>
            </Table.Row>
          </Table.Header>
          <Table.Body>
            {items.map((a) => (
              <Table.Row key={a.id}>
                <Table.Cell>{dateTime(a.at)}</Table.Cell>
                <Table.Cell>
                  {a.actor_name || label(actorKind, a.actor_kind)}
                  {a.actor_name && ` (${label(actorKind, a.actor_kind)})`}
                </Table.Cell>
                <Table.Cell>
                  {actionName[a.action] ?? a.action} {objectName[a.object_type] ?? a.object_type}
                  {a.emergency && (
                    <Badge ms="2" colorPalette="red">
                      Emergência
                    </Badge>
                  )}
                </Table.Cell>
                <Table.Cell>{label(accessBasis, a.basis)}</Table.Cell>
              </Table.Row>
            ))}
          </Table.Body>
        </Table.Root>
      )}
      <MoreButton paged={first} size="sm" />
    </Section>
  );
}

function Shares() {
  const list = useLoad(async () => {
    const r = await call(api.GET("/v1/me/record-shares", { params: { query: { limit: 50 } } }));
    // the professionals' names (public profiles); the ID stays when a profile cannot be read
    const ids = [...new Set(r.items.map((x) => x.professional_id))];
    const names: Record<string, string> = {};
    await Promise.all(
      ids.map(async (id) => {
        const p = await api.GET("/v1/professionals/{id}", { params: { path: { id } } });
        if (p.data) names[id] = p.data.name;
      }),
    );
    return { ...r, names };
  });
  const [prof, setProf] = useState("");
  const [until, setUntil] = useState("");
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const add = async () => {
    setBusy(true);
    setError(undefined);
    try {
      // until the end of the chosen day, in the viewer's zone
      const end = new Date(`${until}T23:59:59`);
      await call(api.POST("/v1/me/record-shares", { body: { professional_id: prof.trim(), until: end.toISOString() } }));
      setProf("");
      setUntil("");
      await list.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const revoke = async (id: string) => {
    setError(undefined);
    try {
      must(await api.DELETE("/v1/me/record-shares/{id}", { params: { path: { id } } }));
      await list.reload();
    } catch (e) {
      setError(e);
    }
  };
  const items = list.data?.items ?? [];
  return (
    <Section title="Compartilhamentos do prontuário">
      <Text fontSize="sm">
        Os profissionais que atendem você já veem seu prontuário. Aqui você dá acesso, por um tempo, a outro profissional.
      </Text>
      <ProblemAlert error={list.error ?? error} />
      {list.loading && <Loading />}
      {list.data && items.length === 0 && <Text>Nenhum compartilhamento.</Text>}
      {items.length > 0 && (
        <Table.Root size="sm">
          <Table.Header>
            <Table.Row>
              <Table.ColumnHeader>Profissional</Table.ColumnHeader>
              <Table.ColumnHeader>Tipo</Table.ColumnHeader>
              <Table.ColumnHeader>Válido até</Table.ColumnHeader>
              <Table.ColumnHeader>Ação</Table.ColumnHeader>
            </Table.Row>
          </Table.Header>
          <Table.Body>
            {items.map((s) => (
              <Table.Row key={s.id}>
                <Table.Cell>{list.data?.names[s.professional_id] ?? s.professional_id}</Table.Cell>
                <Table.Cell>{s.kind === "emergency" ? `Emergência${s.reason ? `: ${s.reason}` : ""}` : "Compartilhado por você"}</Table.Cell>
                <Table.Cell>{s.revoked_at ? `Revogado em ${dateTime(s.revoked_at)}` : dateTime(s.until)}</Table.Cell>
                <Table.Cell>
                  {!s.revoked_at && s.kind === "share" && new Date(s.until) > new Date() ? (
                    <Button size="xs" variant="outline" colorPalette="red" onClick={() => void revoke(s.id)}>
                      Revogar
                    </Button>
                  ) : (
                    "—"
                  )}
                </Table.Cell>
              </Table.Row>
            ))}
          </Table.Body>
        </Table.Root>
      )}
      <HStack align="end" wrap="wrap">
        <Box flex="1" minW="xs">
          <TextField label="Identificador do profissional" name="professional_id" error={error} value={prof} onChange={(e) => setProf(e.target.value)} />
        </Box>
        <Box>
          <TextField label="Até o dia" name="until" type="date" error={error} value={until} onChange={(e) => setUntil(e.target.value)} />
        </Box>
        <Button colorPalette="teal" onClick={add} loading={busy} disabled={!prof.trim() || !until}>
          Compartilhar
        </Button>
      </HStack>
    </Section>
  );
}

function Exports() {
  const list = useLoad(() => call(api.GET("/v1/me/exports", { params: { query: { limit: 10 } } })));
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const ask = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await call(api.POST("/v1/me/exports"));
      await list.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const download = async (x: Schemas["ExportResponse"]) => {
    setError(undefined);
    try {
      const r = await api.GET("/v1/me/exports/{id}/download", { params: { path: { id: x.id } }, parseAs: "blob" });
      saveBlob(must(r) as unknown as Blob, `meus-dados-${x.created_at.slice(0, 10)}.zip`);
    } catch (e) {
      setError(e);
    }
  };
  const items = list.data?.items ?? [];
  return (
    <Section title="Exportar meus dados">
      <Text fontSize="sm">
        Um arquivo ZIP com todos os seus dados (cadastro, consultas, prontuário, pedidos, mensagens), disponível por 7 dias.
      </Text>
      <ProblemAlert error={list.error ?? error} />
      <HStack>
        <Button alignSelf="start" colorPalette="teal" onClick={ask} loading={busy}>
          Pedir exportação
        </Button>
        <Button size="sm" variant="ghost" onClick={() => void list.reload()}>
          Atualizar situação
        </Button>
      </HStack>
      {list.loading && <Loading />}
      {list.data && items.length === 0 && <Text>Nenhuma exportação pedida.</Text>}
      {items.length > 0 && (
        <Table.Root size="sm">
          <Table.Header>
            <Table.Row>
              <Table.ColumnHeader>Pedido em</Table.ColumnHeader>
              <Table.ColumnHeader>Situação</Table.ColumnHeader>
              <Table.ColumnHeader>Arquivo</Table.ColumnHeader>
            </Table.Row>
          </Table.Header>
          <Table.Body>
            {items.map((x) => (
              <Table.Row key={x.id}>
                <Table.Cell>{dateTime(x.created_at)}</Table.Cell>
                <Table.Cell>
                  {exportStatus[x.status] ?? x.status}
                  {x.status === "building" && ` (${x.progress}%)`}
                  {x.reason && ` — ${x.reason}`}
                </Table.Cell>
                <Table.Cell>
                  {x.status === "ready" ? (
                    <Button size="xs" variant="outline" onClick={() => void download(x)}>
                      Baixar ZIP ({Math.max(1, Math.round(x.size / 1024))} KB)
                      {x.expires_at ? `, até ${date(x.expires_at)}` : ""}
                    </Button>
                  ) : (
                    "—"
                  )}
                </Table.Cell>
              </Table.Row>
            ))}
          </Table.Body>
        </Table.Root>
      )}
    </Section>
  );
}

function Erasure() {
  const [confirm, setConfirm] = useState("");
  const [req, setReq] = useState<Schemas["ErasureResponse"]>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const ask = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setReq(await call(api.POST("/v1/me/erasure-requests", { body: { confirm } })));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const refresh = async () => {
    if (!req) return;
    try {
      setReq(await call(api.GET("/v1/me/erasure-requests/{id}", { params: { path: { id: req.id } } })));
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Section title="Excluir meus dados">
      <Text fontSize="sm">
        Você pode pedir a anonimização, o bloqueio e a eliminação dos seus dados (LGPD, art. 18). Não há como desfazer: sua conta deixa de
        entrar, consultas futuras e pedidos em aberto são cancelados. O prontuário é guardado bloqueado por 20 anos (Lei 13.787/2018) e os
        dados fiscais por 5 anos, como a lei exige.
      </Text>
      <ProblemAlert error={error} />
      {!req ? (
        <HStack align="end" wrap="wrap">
          <Field.Root maxW="xs">
            <Field.Label>Digite ELIMINAR para confirmar</Field.Label>
            <Input value={confirm} onChange={(e) => setConfirm(e.target.value)} autoComplete="off" />
          </Field.Root>
          <Button colorPalette="red" onClick={ask} loading={busy} disabled={confirm !== "ELIMINAR"}>
            Pedir exclusão dos meus dados
          </Button>
        </HStack>
      ) : (
        <Stack gap="2" role="status">
          <Text>
            Pedido de {dateTime(req.created_at)}: <strong>{erasureStatus[req.status] ?? req.status}</strong>
            {req.completed_at && ` em ${dateTime(req.completed_at)}`}
          </Text>
          <List.Root ps="4">
            {req.decisions.map((d) => (
              <List.Item key={d.class}>
                <strong>{d.name}</strong>: {d.explanation}
                {d.until && ` (até ${date(d.until)})`}
              </List.Item>
            ))}
          </List.Root>
          <Button alignSelf="start" size="sm" variant="outline" onClick={refresh}>
            Atualizar situação
          </Button>
        </Stack>
      )}
    </Section>
  );
}

// Privacy is the patient's privacy centre (LGPD): consents, who accessed the
// record, shares, export of all data, and erasure.
export function Privacy() {
  return (
    <Page title="Privacidade">
      <Consents />
      <AccessLog />
      <Shares />
      <Exports />
      <Erasure />
    </Page>
  );
}
