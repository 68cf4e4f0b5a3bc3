import { Alert, Badge, Box, Button, Card, Checkbox, Code, Fieldset, Heading, HStack, Stack, Table, Text } from "@chakra-ui/react";
import { useState, type FormEvent } from "react";
import { api, call, type Schemas } from "../../api/client";
import { Loading } from "../../components/Loading";
import { Page } from "../../components/Page";
import { ProblemAlert } from "../../components/ProblemAlert";
import { TextField } from "../../components/TextField";
import { dateTime } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";
import { useCompany } from "./context";
import { deliveryStatus, eventLabel, scopeLabel } from "./labels";

type Scope = Schemas["APIKeyRequest"]["scopes"][number];
type Event = Schemas["WebhookRequest"]["events"][number];

// Secret shows a secret once, with a button that copies it.
function Secret({ title, value, onClose }: { title: string; value: string; onClose: () => void }) {
  const [copied, setCopied] = useState("");
  return (
    <Alert.Root status="warning">
      <Alert.Indicator />
      <Alert.Content>
        <Alert.Title>{title}</Alert.Title>
        <Alert.Description>
          <Stack gap="2" mt="2">
            <Text>Copie agora: este segredo não será mostrado de novo.</Text>
            <Code p="2" wordBreak="break-all" aria-label="Segredo">
              {value}
            </Code>
            <HStack>
              <Button
                size="sm"
                colorPalette="teal"
                onClick={() =>
                  void navigator.clipboard
                    .writeText(value)
                    .then(() => setCopied("Segredo copiado."))
                    .catch(() => setCopied("Não foi possível copiar; selecione o texto e copie."))
                }
              >
                Copiar segredo
              </Button>
              <Button size="sm" variant="outline" onClick={onClose}>
                Já guardei
              </Button>
            </HStack>
            <div role="status">{copied}</div>
          </Stack>
        </Alert.Description>
      </Alert.Content>
    </Alert.Root>
  );
}

export function Integrations() {
  return (
    <Page title="Integrações">
      <Text>Chaves de API e webhooks para ligar o sistema da empresa ao multisaude.</Text>
      <APIKeys />
      <Webhooks />
    </Page>
  );
}

function APIKeys() {
  const { id } = useCompany();
  const keys = useLoad(() => call(api.GET("/v1/companies/{id}/api-keys", { params: { path: { id } } })), [id]);
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<Scope[]>(["orders:read"]);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [secret, setSecret] = useState<string>();

  async function create(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const k = await call(api.POST("/v1/companies/{id}/api-keys", { params: { path: { id } }, body: { name: name.trim(), scopes } }));
      setSecret(k.secret);
      setName("");
      await keys.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function revoke(keyId: string) {
    setError(undefined);
    try {
      await call(api.DELETE("/v1/companies/{id}/api-keys/{key_id}", { params: { path: { id, key_id: keyId } } }));
      await keys.reload();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <Card.Root>
      <Card.Body>
        <Stack gap="4">
          <Heading as="h2" size="lg">
            Chaves de API
          </Heading>
          {secret && <Secret title="Chave criada" value={secret} onClose={() => setSecret(undefined)} />}
          <form onSubmit={create} noValidate>
            <Stack gap="3">
              <TextField label="Nome da chave" name="name" required value={name} onChange={(e) => setName(e.target.value)} error={error} maxW="md" />
              <Choices legend="Permissões" labels={scopeLabel} value={scopes} onChange={setScopes} />
              <Button type="submit" colorPalette="teal" loading={busy} alignSelf="start">
                Criar chave
              </Button>
            </Stack>
          </form>
          <ProblemAlert error={error ?? keys.error} />
          {keys.loading && !keys.data ? (
            <Loading />
          ) : keys.data?.items.length === 0 ? (
            <Text>Nenhuma chave de API.</Text>
          ) : (
            <Box overflowX="auto">
              <Table.Root size="sm" aria-label="Chaves de API">
                <Table.Header>
                  <Table.Row>
                    <Table.ColumnHeader>Nome</Table.ColumnHeader>
                    <Table.ColumnHeader>Prefixo</Table.ColumnHeader>
                    <Table.ColumnHeader>Permissões</Table.ColumnHeader>
                    <Table.ColumnHeader>Criada em</Table.ColumnHeader>
                    <Table.ColumnHeader>Situação</Table.ColumnHeader>
                  </Table.Row>
                </Table.Header>
                <Table.Body>
                  {keys.data?.items.map((k) => (
                    <Table.Row key={k.id}>
                      <Table.Cell>{k.name}</Table.Cell>
                      <Table.Cell>
                        <Code>{k.prefix}</Code>
                      </Table.Cell>
                      <Table.Cell>{k.scopes.map((s) => scopeLabel[s] ?? s).join(", ")}</Table.Cell>
                      <Table.Cell>{dateTime(k.created_at)}</Table.Cell>
                      <Table.Cell>
                        {k.revoked_at ? (
                          `Revogada em ${dateTime(k.revoked_at)}`
                        ) : (
                          <Button size="xs" variant="outline" colorPalette="red" onClick={() => void revoke(k.id)} aria-label={`Revogar a chave ${k.name}`}>
                            Revogar
                          </Button>
                        )}
                      </Table.Cell>
                    </Table.Row>
                  ))}
                </Table.Body>
              </Table.Root>
            </Box>
          )}
        </Stack>
      </Card.Body>
    </Card.Root>
  );
}

// Choices is a set of checkboxes, one a key of labels, under a legend.
function Choices<K extends string>({ legend, labels, value, onChange }: { legend: string; labels: Record<K, string>; value: K[]; onChange: (v: K[]) => void }) {
  return (
    <Fieldset.Root>
      <Fieldset.Legend>{legend}</Fieldset.Legend>
      <HStack wrap="wrap" gap="4">
        {(Object.keys(labels) as K[]).map((s) => (
          <Checkbox.Root key={s} checked={value.includes(s)} onCheckedChange={(d) => onChange(d.checked === true ? [...value, s] : value.filter((x) => x !== s))}>
            <Checkbox.HiddenInput />
            <Checkbox.Control />
            <Checkbox.Label>{labels[s]}</Checkbox.Label>
          </Checkbox.Root>
        ))}
      </HStack>
    </Fieldset.Root>
  );
}

function Webhooks() {
  const { id } = useCompany();
  const hooks = useLoad(() => call(api.GET("/v1/companies/{id}/webhooks", { params: { path: { id } } })), [id]);
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState<Event[]>(["order.paid"]);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [secret, setSecret] = useState<{ title: string; value: string }>();

  async function create(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const w = await call(api.POST("/v1/companies/{id}/webhooks", { params: { path: { id } }, body: { url: url.trim(), events } }));
      if (w.secret) setSecret({ title: `Webhook criado para ${w.url}`, value: w.secret });
      setUrl("");
      await hooks.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card.Root>
      <Card.Body>
        <Stack gap="4">
          <Heading as="h2" size="lg">
            Webhooks
          </Heading>
          {secret && <Secret title={secret.title} value={secret.value} onClose={() => setSecret(undefined)} />}
          <form onSubmit={create} noValidate>
            <Stack gap="3">
              <TextField label="URL do endpoint (https)" name="url" type="url" required value={url} onChange={(e) => setUrl(e.target.value)} error={error} maxW="xl" />
              <Choices legend="Eventos" labels={eventLabel} value={events} onChange={setEvents} />
              <Button type="submit" colorPalette="teal" loading={busy} alignSelf="start">
                Criar webhook
              </Button>
            </Stack>
          </form>
          <ProblemAlert error={error ?? hooks.error} />
          {hooks.loading && !hooks.data ? (
            <Loading />
          ) : hooks.data?.items.length === 0 ? (
            <Text>Nenhum webhook.</Text>
          ) : (
            hooks.data?.items.map((w) => (
              <Endpoint key={w.id} hook={w} onSecret={(v) => setSecret({ title: `Novo segredo de ${w.url}`, value: v })} onDeleted={() => void hooks.reload()} />
            ))
          )}
        </Stack>
      </Card.Body>
    </Card.Root>
  );
}

function Endpoint({ hook: w, onSecret, onDeleted }: { hook: Schemas["WebhookResponse"]; onSecret: (s: string) => void; onDeleted: () => void }) {
  const { id } = useCompany();
  const path = { params: { path: { id, wid: w.id } } };
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState("");
  const [confirm, setConfirm] = useState(false);
  const [cursor, setCursor] = useState<string | undefined>();
  const deliveries = useLoad(
    () =>
      open
        ? call(api.GET("/v1/companies/{id}/webhooks/{wid}/deliveries", { params: { path: { id, wid: w.id }, query: { limit: 20, cursor } } }))
        : Promise.resolve(undefined),
    [open, id, w.id, cursor],
  );

  async function act(p: () => Promise<void>) {
    setError(undefined);
    setNotice("");
    try {
      await p();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <Box borderWidth="1px" borderRadius="md" p="3" as="section" aria-label={`Webhook ${w.url}`}>
      <Stack gap="2">
        <Heading as="h3" size="md" wordBreak="break-all">
          {w.url}
        </Heading>
        <Text fontSize="sm">Eventos: {w.events.map((e) => eventLabel[e] ?? e).join(", ")}</Text>
        {w.previous_secret_expires_at && (
          <Text fontSize="sm">O segredo anterior ainda assina até {dateTime(w.previous_secret_expires_at)}.</Text>
        )}
        <HStack wrap="wrap">
          <Button
            size="sm"
            variant="outline"
            onClick={() =>
              void act(async () => {
                const d = await call(api.POST("/v1/companies/{id}/webhooks/{wid}/ping", path));
                setNotice(`Ping enviado: ${deliveryStatus[d.status] ?? d.status}${d.attempts[0] ? ` (HTTP ${d.attempts[0].status_code || "sem resposta"})` : ""}.`);
                if (open) await deliveries.reload();
              })
            }
          >
            Enviar ping
          </Button>
          <Button
            size="sm"
            variant="outline"
            onClick={() =>
              void act(async () => {
                const r = await call(api.POST("/v1/companies/{id}/webhooks/{wid}/rotate-secret", path));
                if (r.secret) onSecret(r.secret);
              })
            }
          >
            Trocar segredo
          </Button>
          <Button size="sm" variant="outline" onClick={() => setOpen(!open)} aria-expanded={open}>
            {open ? "Esconder entregas" : "Ver entregas"}
          </Button>
          {confirm ? (
            <Button size="sm" colorPalette="red" onClick={() => void act(async () => { await call(api.DELETE("/v1/companies/{id}/webhooks/{wid}", path)); onDeleted(); })}>
              Confirmar exclusão
            </Button>
          ) : (
            <Button size="sm" variant="outline" colorPalette="red" onClick={() => setConfirm(true)}>
              Excluir webhook
            </Button>
          )}
        </HStack>
        <div role="status">{notice && <Text fontSize="sm">{notice}</Text>}</div>
        <ProblemAlert error={error ?? deliveries.error} />
        {open &&
          (deliveries.loading && !deliveries.data ? (
            <Loading />
          ) : deliveries.data?.items.length === 0 ? (
            <Text fontSize="sm">Nenhuma entrega ainda.</Text>
          ) : (
            <Box overflowX="auto">
              <Table.Root size="sm" aria-label={`Entregas de ${w.url}`}>
                <Table.Header>
                  <Table.Row>
                    <Table.ColumnHeader>Quando</Table.ColumnHeader>
                    <Table.ColumnHeader>Evento</Table.ColumnHeader>
                    <Table.ColumnHeader>Situação</Table.ColumnHeader>
                    <Table.ColumnHeader>Tentativas</Table.ColumnHeader>
                    <Table.ColumnHeader>Ação</Table.ColumnHeader>
                  </Table.Row>
                </Table.Header>
                <Table.Body>
                  {deliveries.data?.items.map((d) => (
                    <Table.Row key={d.id}>
                      <Table.Cell>{dateTime(d.created_at)}</Table.Cell>
                      <Table.Cell>{eventLabel[d.event_type] ?? d.event_type}</Table.Cell>
                      <Table.Cell>
                        <Badge colorPalette={d.status === "delivered" ? "green" : d.status === "pending" ? "gray" : "red"}>
                          {deliveryStatus[d.status] ?? d.status}
                        </Badge>
                      </Table.Cell>
                      <Table.Cell>
                        {d.attempts
                          .map((a) => `${a.attempt}ª: ${a.status_code ? `HTTP ${a.status_code}` : a.error || "sem resposta"} em ${a.duration_ms} ms`)
                          .join("; ") || "—"}
                      </Table.Cell>
                      <Table.Cell>
                        {(d.status === "failed" || d.status === "dead") && (
                          <Button
                            size="xs"
                            variant="outline"
                            onClick={() =>
                              void act(async () => {
                                const r = await call(
                                  api.POST("/v1/companies/{id}/webhooks/{wid}/deliveries/{did}/replay", { params: { path: { id, wid: w.id, did: d.id } } }),
                                );
                                setNotice(`Entrega reenviada: ${deliveryStatus[r.status] ?? r.status}.`);
                                await deliveries.reload();
                              })
                            }
                          >
                            Reenviar
                          </Button>
                        )}
                      </Table.Cell>
                    </Table.Row>
                  ))}
                </Table.Body>
              </Table.Root>
            </Box>
          ))}
        {open && deliveries.data?.next_cursor && (
          <Button size="sm" variant="outline" alignSelf="start" onClick={() => setCursor(deliveries.data?.next_cursor)}>
            Entregas mais antigas
          </Button>
        )}
      </Stack>
    </Box>
  );
}
