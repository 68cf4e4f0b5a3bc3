import { Badge, Card, Heading, Link, List, SimpleGrid, Stack, Text } from "@chakra-ui/react";
import { Link as RouterLink } from "react-router";
import { api, call } from "../../api/client";
import { Loading } from "../../components/Loading";
import { Page } from "../../components/Page";
import { ProblemAlert } from "../../components/ProblemAlert";
import { dateTime, price } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";
import { label, orderStatus, planStatus } from "./labels";

const open = new Set(["created", "paid", "accepted", "preparing", "ready_for_pickup", "out_for_delivery"]);

function Section({ title, to, more, children }: { title: string; to: string; more: string; children: React.ReactNode }) {
  return (
    <Card.Root>
      <Card.Body>
        <Stack gap="3">
          <Heading as="h2" size="md">
            {title}
          </Heading>
          {children}
          <Link asChild color="teal.700" fontWeight="medium">
            <RouterLink to={to}>{more}</RouterLink>
          </Link>
        </Stack>
      </Card.Body>
    </Card.Root>
  );
}

// Home is the patient's dashboard: next appointments, active plans, orders in
// progress and what is unread (messages, notifications).
export function Home() {
  const { data, error, loading } = useLoad(async () => {
    const [dash, orders, convs] = await Promise.all([
      call(api.GET("/v1/me/dashboard")),
      call(api.GET("/v1/me/orders", { params: { query: { limit: 20 } } })),
      call(api.GET("/v1/conversations", { params: { query: { limit: 50 } } })),
    ]);
    return {
      dash,
      orders: orders.items.filter((o) => open.has(o.status)),
      unreadMessages: convs.items.reduce((n, c) => n + c.unread, 0),
    };
  });
  return (
    <Page title="Início">
      <ProblemAlert error={error} />
      {loading && <Loading />}
      {data && (
        <SimpleGrid columns={{ base: 1, md: 2 }} gap="4">
          <Section title="Próximas consultas" to="/paciente/consultas" more="Ver minhas consultas">
            {data.dash.upcoming.length === 0 ? (
              <Text>Nenhuma consulta agendada.</Text>
            ) : (
              <List.Root ps="4">
                {data.dash.upcoming.slice(0, 5).map((a) => (
                  <List.Item key={a.id}>
                    {dateTime(a.start)} · {a.kind === "exam" ? "Exame" : "Consulta"}{" "}
                    {a.mode === "telemedicine" ? "por vídeo" : "presencial"}
                  </List.Item>
                ))}
              </List.Root>
            )}
          </Section>
          <Section title="Planos de tratamento" to="/paciente/planos" more="Ver meus planos">
            {data.dash.treatment_plans.length === 0 ? (
              <Text>Nenhum plano de tratamento.</Text>
            ) : (
              <List.Root ps="4">
                {data.dash.treatment_plans.map((p) => (
                  <List.Item key={p.id}>
                    <Link asChild color="teal.700">
                      <RouterLink to={`/paciente/planos/${p.id}`}>{p.title}</RouterLink>
                    </Link>{" "}
                    <Badge>{label(planStatus, p.status)}</Badge>
                  </List.Item>
                ))}
              </List.Root>
            )}
          </Section>
          <Section title="Pedidos em andamento" to="/paciente/pedidos" more="Ver meus pedidos">
            {data.orders.length === 0 ? (
              <Text>Nenhum pedido em andamento.</Text>
            ) : (
              <List.Root ps="4">
                {data.orders.map((o) => (
                  <List.Item key={o.id}>
                    <Link asChild color="teal.700">
                      <RouterLink to={`/paciente/pedidos/${o.id}`}>
                        Pedido de {dateTime(o.created_at)} · {price(o.total)}
                      </RouterLink>
                    </Link>{" "}
                    <Badge>{label(orderStatus, o.status)}</Badge>
                  </List.Item>
                ))}
              </List.Root>
            )}
          </Section>
          <Section title="Mensagens e avisos" to="/paciente/notificacoes" more="Ver notificações">
            <Text>
              {data.unreadMessages === 0
                ? "Nenhuma mensagem não lida."
                : data.unreadMessages === 1
                  ? "1 mensagem não lida."
                  : `${data.unreadMessages} mensagens não lidas.`}{" "}
              <Link asChild color="teal.700">
                <RouterLink to="/paciente/mensagens">Abrir mensagens</RouterLink>
              </Link>
            </Text>
            <Text>
              {data.dash.unread_notifications === 0
                ? "Nenhuma notificação não lida."
                : data.dash.unread_notifications === 1
                  ? "1 notificação não lida."
                  : `${data.dash.unread_notifications} notificações não lidas.`}
            </Text>
            {data.dash.notifications.length > 0 && (
              <List.Root ps="4">
                {data.dash.notifications.slice(0, 3).map((n) => (
                  <List.Item key={n.id}>
                    {n.title} <Text as="span" color="fg.muted">({dateTime(n.created_at)})</Text>
                  </List.Item>
                ))}
              </List.Root>
            )}
          </Section>
        </SimpleGrid>
      )}
    </Page>
  );
}
