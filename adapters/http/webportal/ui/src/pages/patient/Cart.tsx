import { Button, Card, Field, Heading, HStack, Input, Link, NativeSelect, SimpleGrid, Stack, Table, Text } from "@chakra-ui/react";
import { useState } from "react";
import { Link as RouterLink, useNavigate } from "react-router";
import { api, call, type Schemas } from "../../api/client";
import { Page } from "../../components/Page";
import { ProblemAlert } from "../../components/ProblemAlert";
import { TextField } from "../../components/TextField";
import { maskCEP, money } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";
import { useCart, type CartLine } from "./CartContext";

type Address = Schemas["DeliveryAddress"];

const emptyAddress: Address = { cep: "", street: "", number: "", complement: "", district: "", city: "", uf: "" };

// CompanyOrder is the part of the cart one company sells: one order each.
function CompanyOrder({ companyId, lines, home }: { companyId: string; lines: CartLine[]; home?: Address }) {
  const cart = useCart();
  const nav = useNavigate();
  const canPickup = lines.every((l) => l.pickup);
  const canDeliver = lines.every((l) => l.delivery);
  const [method, setMethod] = useState<"pickup" | "delivery">(canPickup ? "pickup" : "delivery");
  const [addr, setAddr] = useState<Address>(home ?? emptyAddress);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [key] = useState(() => crypto.randomUUID());
  const subtotal = lines.reduce((n, l) => n + l.unit.amount * l.quantity, 0);
  const planIds = [...new Set(lines.map((l) => l.planId).filter(Boolean))];
  const place = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const o = await call(
        api.POST("/v1/orders", {
          params: { header: { "Idempotency-Key": key } },
          body: {
            company_id: companyId,
            plan_id: planIds.length === 1 ? planIds[0] : undefined,
            fulfilment: { method, address: method === "delivery" ? { ...addr, complement: addr.complement || undefined } : null },
            items: lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
          },
        }),
      );
      cart.clearCompany(companyId);
      nav(`/paciente/pedidos/${o.id}`);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  const f = (k: keyof Address, label: string, extra: Record<string, unknown> = {}) => (
    <TextField
      label={label}
      name={`fulfilment.address.${k}`}
      error={error}
      value={addr[k] ?? ""}
      onChange={(e) => setAddr({ ...addr, [k]: k === "cep" ? maskCEP(e.target.value) : e.target.value })}
      {...extra}
    />
  );
  return (
    <Card.Root>
      <Card.Body>
        <Stack gap="4">
          <Heading as="h2" size="md">
            {lines[0].companyName}
          </Heading>
          <Table.Root size="sm">
            <Table.Header>
              <Table.Row>
                <Table.ColumnHeader>Produto</Table.ColumnHeader>
                <Table.ColumnHeader>Preço</Table.ColumnHeader>
                <Table.ColumnHeader>Quantidade</Table.ColumnHeader>
                <Table.ColumnHeader>Total</Table.ColumnHeader>
                <Table.ColumnHeader>Remover</Table.ColumnHeader>
              </Table.Row>
            </Table.Header>
            <Table.Body>
              {lines.map((l) => (
                <Table.Row key={l.sku}>
                  <Table.Cell>
                    {l.name}
                    {l.requiresPrescription && (
                      <Text fontSize="xs" color="orange.700">
                        Exige receita
                      </Text>
                    )}
                  </Table.Cell>
                  <Table.Cell>{money(l.unit.amount)}</Table.Cell>
                  <Table.Cell>
                    <Input
                      type="number"
                      min={1}
                      w="20"
                      aria-label={`Quantidade de ${l.name}`}
                      value={l.quantity}
                      onChange={(e) => cart.setQuantity(companyId, l.sku, Number(e.target.value) || 1)}
                    />
                  </Table.Cell>
                  <Table.Cell>{money(l.unit.amount * l.quantity)}</Table.Cell>
                  <Table.Cell>
                    <Button size="xs" variant="outline" onClick={() => cart.remove(companyId, l.sku)} aria-label={`Remover ${l.name}`}>
                      Remover
                    </Button>
                  </Table.Cell>
                </Table.Row>
              ))}
            </Table.Body>
          </Table.Root>
          <Field.Root maxW="sm">
            <Field.Label>Como receber</Field.Label>
            <NativeSelect.Root>
              <NativeSelect.Field value={method} onChange={(e) => setMethod(e.target.value as "pickup" | "delivery")}>
                <option value="pickup" disabled={!canPickup}>
                  Retirar na loja{canPickup ? "" : " (indisponível)"}
                </option>
                <option value="delivery" disabled={!canDeliver}>
                  Entrega no endereço{canDeliver ? "" : " (indisponível)"}
                </option>
              </NativeSelect.Field>
              <NativeSelect.Indicator />
            </NativeSelect.Root>
          </Field.Root>
          {method === "delivery" && (
            <SimpleGrid columns={{ base: 1, md: 3 }} gap="3">
              {f("cep", "CEP", { inputMode: "numeric" })}
              {f("street", "Rua")}
              {f("number", "Número")}
              {f("complement", "Complemento")}
              {f("district", "Bairro")}
              {f("city", "Cidade")}
              {f("uf", "UF", { maxLength: 2 })}
            </SimpleGrid>
          )}
          <Text>
            Subtotal: <strong>{money(subtotal)}</strong>
            {method === "delivery" && " + taxa de entrega (calculada pela loja)"}
          </Text>
          <ProblemAlert error={error} />
          <HStack>
            <Button colorPalette="teal" onClick={place} loading={busy}>
              Fazer pedido em {lines[0].companyName}
            </Button>
          </HStack>
        </Stack>
      </Card.Body>
    </Card.Root>
  );
}

// Cart is what the patient chose from the plans' offers, one order per company.
export function Cart() {
  const cart = useCart();
  const me = useLoad(() => call(api.GET("/v1/me")));
  const byCompany = new Map<string, CartLine[]>();
  for (const l of cart.lines) byCompany.set(l.companyId, [...(byCompany.get(l.companyId) ?? []), l]);
  const home = me.data?.patient?.address as Address | undefined;
  return (
    <Page title="Carrinho">
      {cart.lines.length === 0 ? (
        <Text>
          Seu carrinho está vazio. Escolha produtos nas opções de compra de um{" "}
          <Link asChild color="teal.700">
            <RouterLink to="/paciente/planos">plano de tratamento</RouterLink>
          </Link>
          .
        </Text>
      ) : (
        <>
          <Text>Cada loja recebe um pedido separado.</Text>
          {!me.loading &&
            [...byCompany.entries()].map(([id, lines]) => <CompanyOrder key={id} companyId={id} lines={lines} home={home} />)}
        </>
      )}
    </Page>
  );
}
