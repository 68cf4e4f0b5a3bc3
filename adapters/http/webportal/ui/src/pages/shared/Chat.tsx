import { Badge, Box, Button, Card, Field, Heading, HStack, Input, Link, NativeSelect, Stack, Text, Textarea } from "@chakra-ui/react";
import { useCallback, useEffect, useRef, useState } from "react";
import { Link as RouterLink, useNavigate, useParams } from "react-router";
import { api, call, must, type Schemas } from "../../api/client";
import type { Session } from "../../api/session";
import { homeOf, useSession } from "../../auth";
import { Loading } from "../../components/Loading";
import { MoreButton } from "../../components/MoreButton";
import { Page } from "../../components/Page";
import { ProblemAlert } from "../../components/ProblemAlert";
import { dateTime } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";
import { usePaged } from "../../lib/usePaged";
import { useLive, type Message } from "./ChatLive";

// The chat, shared by every side: it needs only the session (its kind says
// who the other party is and where the pages live).
type Conversation = Schemas["ConversationResponse"];

function base(s: Session) {
  return `${homeOf(s.kind)}/mensagens`;
}

function otherParty(c: Conversation, s: Session): string {
  if (c.kind === "order") {
    if (s.kind === "company_member") return `${c.patient_name ?? "Paciente"} (pedido)`;
    return `${c.company_name ?? "Loja"} (pedido)`;
  }
  if (s.kind === "professional") return c.patient_name ?? "Paciente";
  return c.professional_name ?? "Profissional";
}

function saveBlob(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

// NewConversation opens (or finds) a care conversation with someone the
// person has a care relationship with: a patient picks among the
// professionals who attended them, a professional among their patients.
function NewConversation({ s }: { s: Session }) {
  const nav = useNavigate();
  const people = useLoad(async () => {
    if (s.kind === "patient") {
      // who attends me: professionals I booked with, and those I shared my record with
      const [appts, shares] = await Promise.all([
        call(api.GET("/v1/appointments", { params: { query: { limit: 100 } } })),
        call(api.GET("/v1/me/record-shares", { params: { query: { limit: 100 } } })),
      ]);
      const now = Date.now();
      const ids = [
        ...new Set([
          ...appts.items.map((a) => a.professional_id),
          ...shares.items.filter((x) => !x.revoked_at && new Date(x.until).getTime() > now).map((x) => x.professional_id),
        ]),
      ].filter((x): x is string => !!x);
      const profs = await Promise.all(
        ids.map(async (id) => {
          const r = await api.GET("/v1/professionals/{id}", { params: { path: { id } } });
          return { id, name: r.data?.name ?? "Profissional" };
        }),
      );
      return profs;
    }
    if (s.kind === "professional") {
      const r = await call(api.GET("/v1/professionals/me/patients", { params: { query: { limit: 100 } } }));
      return r.items.map((p) => ({ id: p.patient_id, name: p.name }));
    }
    return [];
  });
  const [who, setWho] = useState("");
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  if (s.kind !== "patient" && s.kind !== "professional") return null;
  const start = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const c = await call(
        api.POST("/v1/conversations", { body: s.kind === "patient" ? { professional_id: who } : { patient_id: who } }),
      );
      nav(`${base(s)}/${c.id}`);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  const list = people.data ?? [];
  return (
    <Card.Root>
      <Card.Body>
        <Stack gap="3">
          <Heading as="h2" size="md">
            Nova conversa
          </Heading>
          <ProblemAlert error={people.error ?? error} />
          {people.loading && <Loading />}
          {people.data && list.length === 0 && (
            <Text>
              {s.kind === "patient"
                ? "Você poderá conversar com um profissional depois de agendar uma consulta com ele."
                : "Você poderá conversar com um paciente depois de atendê-lo."}
            </Text>
          )}
          {list.length > 0 && (
            <HStack align="end" wrap="wrap">
              <Field.Root maxW="sm">
                <Field.Label>{s.kind === "patient" ? "Profissional" : "Paciente"}</Field.Label>
                <NativeSelect.Root>
                  <NativeSelect.Field value={who} onChange={(e) => setWho(e.target.value)}>
                    <option value="">Escolha…</option>
                    {list.map((p) => (
                      <option key={p.id} value={p.id}>
                        {p.name}
                      </option>
                    ))}
                  </NativeSelect.Field>
                  <NativeSelect.Indicator />
                </NativeSelect.Root>
              </Field.Root>
              <Button colorPalette="teal" onClick={start} loading={busy} disabled={!who}>
                Abrir conversa
              </Button>
            </HStack>
          )}
        </Stack>
      </Card.Body>
    </Card.Root>
  );
}

// ChatList lists my conversations (most recent first) with unread counts,
// kept current by the live feed.
export function ChatList() {
  const s = useSession()!;
  const first = usePaged((c?: string) => call(api.GET("/v1/conversations", { params: { query: { limit: 20, cursor: c } } })));
  const { reload } = first;
  useLive(
    useCallback(() => {
      void reload();
    }, [reload]),
  );
  const items: Conversation[] = first.items;
  return (
    <Page title="Mensagens">
      <ProblemAlert error={first.error} />
      {first.loading && !first.loaded && <Loading />}
      {first.loaded && items.length === 0 && <Text>Nenhuma conversa.</Text>}
      <Stack as="ul" listStyleType="none" gap="2">
        {items.map((c) => (
          <Box as="li" key={c.id} borderWidth="1px" borderRadius="md" p="3">
            <HStack justify="space-between" wrap="wrap">
              <Link asChild color="teal.700" fontWeight="medium">
                <RouterLink to={`${base(s)}/${c.id}`}>{otherParty(c, s)}</RouterLink>
              </Link>
              <HStack>
                {c.last_message_at && <Text fontSize="sm">{dateTime(c.last_message_at)}</Text>}
                {c.unread > 0 && (
                  <Badge colorPalette="teal">{c.unread === 1 ? "1 não lida" : `${c.unread} não lidas`}</Badge>
                )}
              </HStack>
            </HStack>
          </Box>
        ))}
      </Stack>
      <MoreButton paged={first} />
      <NewConversation s={s} />
    </Page>
  );
}

function Bubble({ m, mine, convId }: { m: Message; mine: boolean; convId: string }) {
  const [err, setErr] = useState<unknown>();
  const att = m.attachment;
  const download = async () => {
    setErr(undefined);
    try {
      const r = await api.GET("/v1/conversations/{id}/messages/{message_id}/attachment", {
        params: { path: { id: convId, message_id: m.id } },
        parseAs: "blob",
      });
      saveBlob(must(r) as unknown as Blob, att?.name ?? "anexo");
    } catch (e) {
      setErr(e);
    }
  };
  return (
    <Box as="li" alignSelf={mine ? "end" : "start"} maxW="80%" bg={mine ? "teal.50" : "gray.100"} borderRadius="md" p="3">
      <Text fontSize="xs" color="fg.muted">
        {mine ? "Você" : m.sender_name || "Participante"} · {dateTime(m.created_at)}
      </Text>
      {m.erased_at ? <Text fontStyle="italic">Mensagem apagada.</Text> : <Text whiteSpace="pre-wrap">{m.text}</Text>}
      {att && !m.erased_at && (
        <Button size="xs" variant="outline" mt="1" onClick={download}>
          Baixar anexo: {att.name} ({Math.max(1, Math.round(att.size / 1024))} KB)
        </Button>
      )}
      <ProblemAlert error={err} />
    </Box>
  );
}

// ChatRoom is one conversation: its messages (older ones page in), a form to
// send text and an attachment, live delivery, and my read marker.
export function ChatRoom() {
  const s = useSession()!;
  const { id = "" } = useParams();
  const conv = useLoad(() => call(api.GET("/v1/conversations/{id}", { params: { path: { id } } })), [id]);
  const [msgs, setMsgs] = useState<Message[]>([]); // oldest first
  const [cursor, setCursor] = useState<string>();
  const [loadErr, setLoadErr] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const [live, setLive] = useState(false);
  const merge = useCallback((add: Message[]) => {
    setMsgs((cur) => {
      const byId = new Map(cur.map((m) => [m.id, m]));
      for (const m of add) byId.set(m.id, m);
      return [...byId.values()].sort((a, b) => a.seq - b.seq);
    });
  }, []);
  const page = useCallback(
    async (c?: string) => {
      setLoadErr(undefined);
      try {
        const r = await call(api.GET("/v1/conversations/{id}/messages", { params: { path: { id }, query: { limit: 30, cursor: c } } }));
        merge(r.items);
        setCursor(r.next_cursor || undefined);
      } catch (e) {
        setLoadErr(e);
      } finally {
        setLoading(false);
      }
    },
    [id, merge],
  );
  useEffect(() => {
    setMsgs([]);
    setLoading(true);
    void page();
  }, [page]);
  useLive(
    useCallback((m: Message) => {
      if (m.conversation_id === id) merge([m]);
    }, [id, merge]),
    setLive,
  );
  // read marker: up to the newest message shown
  const newest = msgs[msgs.length - 1];
  const marked = useRef("");
  useEffect(() => {
    if (!newest || marked.current === newest.id) return;
    marked.current = newest.id;
    api.POST("/v1/conversations/{id}/read", { params: { path: { id } }, body: { message_id: newest.id } }).catch(() => undefined);
  }, [id, newest]);

  const [text, setText] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [sendErr, setSendErr] = useState<unknown>();
  const [sending, setSending] = useState(false);
  const fileRef = useRef<HTMLInputElement>(null);
  const send = async (e: React.FormEvent) => {
    e.preventDefault();
    setSending(true);
    setSendErr(undefined);
    try {
      let m: Message;
      if (file) {
        m = await call(
          api.POST("/v1/conversations/{id}/messages", {
            params: { path: { id } },
            body: { text, file: "" } as never,
            bodySerializer: () => {
              const fd = new FormData();
              fd.append("text", text);
              fd.append("file", file, file.name);
              return fd;
            },
          }),
        );
      } else {
        m = await call(api.POST("/v1/conversations/{id}/messages", { params: { path: { id } }, body: { text } }));
      }
      merge([m]);
      setText("");
      setFile(null);
      if (fileRef.current) fileRef.current.value = "";
    } catch (e) {
      setSendErr(e);
    } finally {
      setSending(false);
    }
  };
  const mine = (m: Message) => m.sender_kind === s.kind;
  const title = conv.data ? `Conversa com ${otherParty(conv.data, s)}` : "Conversa";
  return (
    <Page title={title}>
      <HStack justify="space-between">
        <Link asChild color="teal.700">
          <RouterLink to={base(s)}>Voltar às conversas</RouterLink>
        </Link>
        <Text fontSize="sm" role="status">
          {live ? "Conectado: novas mensagens aparecem na hora." : "Conectando…"}
        </Text>
      </HStack>
      <ProblemAlert error={conv.error ?? loadErr} />
      {cursor && (
        <Button alignSelf="center" size="sm" variant="outline" onClick={() => void page(cursor)}>
          Carregar mensagens anteriores
        </Button>
      )}
      {loading && <Loading />}
      {!loading && msgs.length === 0 && <Text>Nenhuma mensagem ainda. Escreva a primeira.</Text>}
      <Stack as="ol" listStyleType="none" gap="2" aria-live="polite" aria-label="Mensagens">
        {msgs.map((m) => (
          <Bubble key={m.id} m={m} mine={mine(m)} convId={id} />
        ))}
      </Stack>
      <form onSubmit={send}>
        <Stack gap="3">
          <Field.Root>
            <Field.Label>Mensagem</Field.Label>
            <Textarea value={text} onChange={(e) => setText(e.target.value)} rows={3} maxLength={4000} />
          </Field.Root>
          <Field.Root>
            <Field.Label>Anexo (PDF, JPEG, PNG, WebP ou DICOM; opcional)</Field.Label>
            <Input
              ref={fileRef}
              type="file"
              p="1"
              accept="application/pdf,image/jpeg,image/png,image/webp,application/dicom,.dcm"
              onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            />
          </Field.Root>
          <ProblemAlert error={sendErr} />
          <Button type="submit" alignSelf="start" colorPalette="teal" loading={sending} disabled={!text.trim() && !file}>
            Enviar
          </Button>
        </Stack>
      </form>
    </Page>
  );
}
