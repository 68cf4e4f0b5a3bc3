import { Badge, Box, Button, Card, Field, HStack, NativeSelect, Stack, Text } from "@chakra-ui/react";
import { useState } from "react";
import { api, call, type Schemas } from "../../api/client";
import { Loading } from "../../components/Loading";
import { MoreButton } from "../../components/MoreButton";
import { Page } from "../../components/Page";
import { ProblemAlert } from "../../components/ProblemAlert";
import { dateTime } from "../../lib/format";
import { usePaged } from "../../lib/usePaged";

type Note = Schemas["NotificationResponse"];

// Notifications lists the in-app notifications; each can be marked read.
export function Notifications() {
  const [unread, setUnread] = useState(false);
  const [error, setError] = useState<unknown>();
  const [read, setRead] = useState<Record<string, string>>({});
  const first = usePaged(
    (c?: string) => call(api.GET("/v1/me/notifications", { params: { query: { unread: unread || undefined, limit: 20, cursor: c } } })),
    [unread],
  );
  const mark = async (n: Note) => {
    setError(undefined);
    try {
      await call(api.POST("/v1/me/notifications/{id}/read", { params: { path: { id: n.id } } }));
      setRead((r) => ({ ...r, [n.id]: new Date().toISOString() }));
    } catch (e) {
      setError(e);
    }
  };
  const items: Note[] = first.items;
  return (
    <Page title="Notificações">
      <Field.Root maxW="xs">
        <Field.Label>Mostrar</Field.Label>
        <NativeSelect.Root>
          <NativeSelect.Field value={unread ? "unread" : "all"} onChange={(e) => setUnread(e.target.value === "unread")}>
            <option value="all">Todas</option>
            <option value="unread">Só as não lidas</option>
          </NativeSelect.Field>
          <NativeSelect.Indicator />
        </NativeSelect.Root>
      </Field.Root>
      <ProblemAlert error={first.error ?? error} />
      {first.loading && <Loading />}
      {first.loaded && items.length === 0 && <Text>{unread ? "Nenhuma notificação não lida." : "Nenhuma notificação."}</Text>}
      <Stack gap="2" as="ul" listStyleType="none">
        {items.map((n) => {
          const readAt = n.read_at ?? read[n.id];
          return (
            <Box as="li" key={n.id}>
              <Card.Root size="sm" bg={readAt ? undefined : "teal.50"}>
                <Card.Body>
                  <HStack justify="space-between" align="start" wrap="wrap">
                    <Stack gap="1">
                      <Text fontWeight="bold">
                        {n.title} {!readAt && <Badge colorPalette="teal">Não lida</Badge>}
                      </Text>
                      <Text>{n.body}</Text>
                      <Text fontSize="sm" color="fg.muted">
                        {dateTime(n.created_at)}
                      </Text>
                    </Stack>
                    {!readAt && (
                      <Button size="sm" variant="outline" onClick={() => void mark(n)} aria-label={`Marcar como lida: ${n.title}`}>
                        Marcar como lida
                      </Button>
                    )}
                  </HStack>
                </Card.Body>
              </Card.Root>
            </Box>
          );
        })}
      </Stack>
      <MoreButton paged={first} />
    </Page>
  );
}
