import { Badge, Box, Button, Card, Heading, HStack, Link, List, Stack, Table, Text } from "@chakra-ui/react";
import { useState } from "react";
import { Link as RouterLink, useParams } from "react-router";
import { api, call, type Schemas } from "../../api/client";
import { Loading } from "../../components/Loading";
import { MoreButton } from "../../components/MoreButton";
import { Page } from "../../components/Page";
import { ProblemAlert } from "../../components/ProblemAlert";
import { date, dateTime, price } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";
import { usePaged } from "../../lib/usePaged";
import { useCart, type CartLine } from "./CartContext";
import { day, itemKind, label, planStatus } from "./labels";
import { usePatientId } from "./me";

type Plan = Schemas["PlanResponse"];
type Offer = Schemas["OfferResponse"];

// Plans lists the patient's treatment plans.
export function Plans() {
  const pid = usePatientId();
  const first = usePaged(
    async (c?: string) =>
      pid.data ? call(api.GET("/v1/patients/{id}/treatment-plans", { params: { path: { id: pid.data }, query: { limit: 20, cursor: c } } })) : undefined,
    [pid.data],
  );
  const plans: Plan[] = first.items;
  return (
    <Page title="Planos de tratamento">
      <ProblemAlert error={pid.error ?? first.error} />
      {(pid.loading || first.loading) && <Loading />}
      {first.loaded && plans.length === 0 && <Text>Nenhum plano de tratamento.</Text>}
      <Stack gap="3">
        {plans.map((p) => (
          <Card.Root key={p.id}>
            <Card.Body>
              <HStack justify="space-between" wrap="wrap">
                <Stack gap="1">
                  <Heading as="h2" size="md">
                    <Link asChild color="teal.700">
                      <RouterLink to={`/paciente/planos/${p.id}`}>{p.title}</RouterLink>
                    </Link>
                  </Heading>
                  <Text fontSize="sm">
                    Início em {day(p.start, date)}
                    {p.end ? ` · término em ${day(p.end, date)}` : ""} · {p.items.length}{" "}
                    {p.items.length === 1 ? "item" : "itens"}
                  </Text>
                </Stack>
                <Badge>{label(planStatus, p.status)}</Badge>
              </HStack>
            </Card.Body>
          </Card.Root>
        ))}
      </Stack>
      <MoreButton paged={first} />
    </Page>
  );
}

function toLine(o: Offer, planId: string): CartLine {
  return {
    sku: o.sku,
    name: o.name,
    companyId: o.company_id,
    companyName: o.company_name,
    unit: o.price,
    quantity: 1,
    requiresPrescription: o.requires_prescription,
    pickup: o.pickup,
    delivery: !!o.delivery?.available,
    planId,
  };
}

// PlanDetail shows a plan, its items with progress, and where to buy them.
export function PlanDetail() {
  const { id = "" } = useParams();
  const cart = useCart();
  const [added, setAdded] = useState("");
  const [markErr, setMarkErr] = useState<unknown>();
  const plan = useLoad(() => call(api.GET("/v1/treatment-plans/{id}", { params: { path: { id } } })), [id]);
  const progress = useLoad(
    () => call(api.GET("/v1/treatment-plans/{id}/progress", { params: { path: { id }, query: { limit: 100 } } })),
    [id],
  );
  const options = useLoad(async () => {
    if (plan.data?.status !== "active") return undefined;
    return call(api.GET("/v1/treatment-plans/{id}/purchase-options", { params: { path: { id } } }));
  }, [id, plan.data?.status]);
  const today = new Intl.DateTimeFormat("en-CA").format(new Date()); // YYYY-MM-DD in the viewer's zone
  const mark = async (itemId: string) => {
    setMarkErr(undefined);
    try {
      await call(api.POST("/v1/treatment-plans/{id}/progress", { params: { path: { id } }, body: { item_id: itemId, date: today, done: true } }));
      await progress.reload();
    } catch (e) {
      setMarkErr(e);
    }
  };
  const add = (o: Offer) => {
    cart.add(toLine(o, id));
    setAdded(`${o.name} (${o.company_name}) foi adicionado ao carrinho.`);
  };
  const addBasket = (b: Schemas["BasketResponse"], name: string) => {
    for (const l of b.lines) {
      const offer = options.data?.items
        .find((i) => i.plan_item_id === l.plan_item_id)
        ?.offers.find((o) => o.sku === l.sku && o.company_id === l.company_id);
      if (offer) cart.add({ ...toLine(offer, id), quantity: l.quantity });
    }
    setAdded(`A ${name} foi adicionada ao carrinho.`);
  };
  const p = plan.data;
  return (
    <Page
      title={p ? p.title : "Plano de tratamento"}
      actions={
        <Link asChild color="teal.700" fontWeight="medium">
          <RouterLink to="/paciente/carrinho">Ver carrinho ({cart.lines.length})</RouterLink>
        </Link>
      }
    >
      <ProblemAlert error={plan.error} />
      {plan.loading && <Loading />}
      {p && (
        <>
          <HStack wrap="wrap">
            <Badge>{label(planStatus, p.status)}</Badge>
            <Text>
              Início em {day(p.start, date)}
              {p.end ? ` · término em ${day(p.end, date)}` : ""}
            </Text>
          </HStack>
          {p.goals.length > 0 && (
            <Box>
              <Heading as="h2" size="md" mb="2">
                Objetivos
              </Heading>
              <List.Root ps="4">
                {p.goals.map((g, i) => (
                  <List.Item key={i}>{g}</List.Item>
                ))}
              </List.Root>
            </Box>
          )}
          <Heading as="h2" size="md">
            Itens e progresso
          </Heading>
          <ProblemAlert error={progress.error ?? markErr} />
          {p.items.length === 0 && <Text>Este plano não tem itens.</Text>}
          <Table.Root size="sm">
            <Table.Header>
              <Table.Row>
                <Table.ColumnHeader>Item</Table.ColumnHeader>
                <Table.ColumnHeader>Como</Table.ColumnHeader>
                <Table.ColumnHeader>Feito</Table.ColumnHeader>
                <Table.ColumnHeader>Hoje</Table.ColumnHeader>
              </Table.Row>
            </Table.Header>
            <Table.Body>
              {p.items.map((it) => {
                const marks = (progress.data?.items ?? []).filter((m) => m.item_id === it.id && m.done);
                const doneToday = marks.some((m) => m.date.slice(0, 10) === today);
                return (
                  <Table.Row key={it.id ?? it.name}>
                    <Table.Cell>
                      <Text fontWeight="medium">{it.name}</Text>
                      <Text fontSize="sm">{label(itemKind, it.kind)}</Text>
                    </Table.Cell>
                    <Table.Cell>
                      {[it.dosage, it.frequency, it.duration, it.quantity, it.intensity, it.description].filter(Boolean).join(" · ") || "—"}
                    </Table.Cell>
                    <Table.Cell>{marks.length === 0 ? "Nenhuma vez" : marks.length === 1 ? "1 vez" : `${marks.length} vezes`}</Table.Cell>
                    <Table.Cell>
                      {doneToday ? (
                        "Feito hoje"
                      ) : it.id && p.status === "active" ? (
                        <Button size="xs" variant="outline" onClick={() => void mark(it.id!)} aria-label={`Marcar feito hoje: ${it.name}`}>
                          Marcar feito hoje
                        </Button>
                      ) : (
                        "—"
                      )}
                    </Table.Cell>
                  </Table.Row>
                );
              })}
            </Table.Body>
          </Table.Root>

          <Heading as="h2" size="md">
            Onde comprar
          </Heading>
          {p.status !== "active" && <Text>As opções de compra aparecem enquanto o plano está ativo.</Text>}
          <ProblemAlert error={options.error} />
          {options.loading && <Loading label="Buscando ofertas dos parceiros…" />}
          {added && (
            <Text role="status" color="green.700">
              {added}
            </Text>
          )}
          {options.data && (
            <Stack gap="4">
              <HStack wrap="wrap" gap="3">
                {(
                  [
                    ["cheapest", "cesta mais barata"],
                    ["fewest_partners", "cesta com menos lojas"],
                  ] as const
                ).map(([k, name]) => {
                  const b = options.data!.baskets[k];
                  if (b.lines.length === 0) return null;
                  return (
                    <Card.Root key={k} size="sm">
                      <Card.Body>
                        <Text fontWeight="medium">
                          {name[0].toUpperCase() + name.slice(1)}: {price(b.total)}
                        </Text>
                        <Text fontSize="sm">
                          {b.partners.map((x) => x.company_name).join(", ")} · taxas {price(b.fees)}
                        </Text>
                        <Button mt="2" size="sm" variant="outline" onClick={() => addBasket(b, name)}>
                          Adicionar a {name} ao carrinho
                        </Button>
                      </Card.Body>
                    </Card.Root>
                  );
                })}
              </HStack>
              {options.data.items.map((it) => (
                <Box key={it.plan_item_id}>
                  <Heading as="h3" size="sm" mb="2">
                    {it.name}
                  </Heading>
                  {it.offers.length === 0 ? (
                    <Text>Nenhum parceiro oferece este item.</Text>
                  ) : (
                    <Table.Root size="sm">
                      <Table.Header>
                        <Table.Row>
                          <Table.ColumnHeader>Parceiro</Table.ColumnHeader>
                          <Table.ColumnHeader>Produto</Table.ColumnHeader>
                          <Table.ColumnHeader>Preço</Table.ColumnHeader>
                          <Table.ColumnHeader>Entrega</Table.ColumnHeader>
                          <Table.ColumnHeader>Ação</Table.ColumnHeader>
                        </Table.Row>
                      </Table.Header>
                      <Table.Body>
                        {it.offers.map((o) => (
                          <Table.Row key={`${o.company_id}-${o.sku}`}>
                            <Table.Cell>
                              {o.company_name}
                              {o.distance_km != null && ` (${o.distance_km.toFixed(1).replace(".", ",")} km)`}
                            </Table.Cell>
                            <Table.Cell>
                              {o.name}
                              {o.requires_prescription && (
                                <Badge ms="2" colorPalette="orange">
                                  Exige receita
                                </Badge>
                              )}
                              {!o.in_stock && (
                                <Badge ms="2" colorPalette="red">
                                  Sem estoque
                                </Badge>
                              )}
                            </Table.Cell>
                            <Table.Cell>{price(o.price)}</Table.Cell>
                            <Table.Cell>
                              {[o.pickup && "Retirada", o.delivery?.available && `Entrega (${price(o.delivery.fee)})`]
                                .filter(Boolean)
                                .join(" · ") || "—"}
                            </Table.Cell>
                            <Table.Cell>
                              <Button
                                size="sm"
                                colorPalette="teal"
                                disabled={!o.in_stock}
                                onClick={() => add(o)}
                                aria-label={`Adicionar ao carrinho: ${o.name} de ${o.company_name}`}
                              >
                                Adicionar ao carrinho
                              </Button>
                            </Table.Cell>
                          </Table.Row>
                        ))}
                      </Table.Body>
                    </Table.Root>
                  )}
                </Box>
              ))}
            </Stack>
          )}
          <Text fontSize="sm" color="fg.muted">
            Atualizado em {dateTime(p.updated_at)}.
          </Text>
        </>
      )}
    </Page>
  );
}
