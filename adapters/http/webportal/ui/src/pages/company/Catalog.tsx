import { Box, Button, Card, Checkbox, Field, Heading, HStack, Input, NativeSelect, SimpleGrid, Stack, Table, Text } from "@chakra-ui/react";
import { useState, type FormEvent } from "react";
import { api, call, type Schemas } from "../../api/client";
import { ProblemError } from "../../api/session";
import { Loading } from "../../components/Loading";
import { Page } from "../../components/Page";
import { ProblemAlert } from "../../components/ProblemAlert";
import { TextField } from "../../components/TextField";
import { price } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";
import { useCompany } from "./context";
import { Exams } from "./Exams";
import { centsToReais, itemKind, reais } from "./labels";

type Item = Schemas["ItemResponse"];
type Kind = Schemas["ItemRequest"]["kind"];

// The catalogue: list (paged), create or edit an item, remove it, import a
// CSV or JSON-lines file; hospitals also publish exams here.
export function Catalog() {
  const { id, company } = useCompany();
  const [cursor, setCursor] = useState<string | undefined>();
  const [editing, setEditing] = useState<Item | "new" | null>(null);
  const list = useLoad(
    () => call(api.GET("/v1/companies/{id}/catalog", { params: { path: { id }, query: { limit: 50, cursor } } })),
    [id, cursor],
  );
  const [error, setError] = useState<unknown>();
  const [confirm, setConfirm] = useState<string>();
  const [notice, setNotice] = useState("");

  async function remove(sku: string) {
    setError(undefined);
    try {
      await call(api.DELETE("/v1/companies/{id}/catalog/{sku}", { params: { path: { id, sku } } }));
      setNotice(`Item ${sku} removido.`);
      setConfirm(undefined);
      await list.reload();
    } catch (e) {
      setError(e);
    }
  }

  return (
    <Page
      title="Catálogo"
      actions={
        <Button colorPalette="teal" onClick={() => setEditing("new")}>
          Novo item
        </Button>
      }
    >
      <div role="status">{notice && <Text>{notice}</Text>}</div>
      {editing && (
        <ItemForm
          item={editing === "new" ? undefined : editing}
          onDone={(msg) => {
            setEditing(null);
            if (msg) {
              setNotice(msg);
              void list.reload();
            }
          }}
        />
      )}
      <ProblemAlert error={error ?? list.error} />
      {list.loading && !list.data ? (
        <Loading />
      ) : list.data && list.data.items.length === 0 ? (
        <Text>Nenhum item no catálogo. Crie um item ou importe uma planilha.</Text>
      ) : (
        list.data && (
          <Box overflowX="auto">
            <Table.Root size="sm" aria-label="Itens do catálogo">
              <Table.Header>
                <Table.Row>
                  <Table.ColumnHeader>SKU</Table.ColumnHeader>
                  <Table.ColumnHeader>Nome</Table.ColumnHeader>
                  <Table.ColumnHeader>Tipo</Table.ColumnHeader>
                  <Table.ColumnHeader textAlign="end">Preço</Table.ColumnHeader>
                  <Table.ColumnHeader textAlign="end">Estoque</Table.ColumnHeader>
                  <Table.ColumnHeader>Ações</Table.ColumnHeader>
                </Table.Row>
              </Table.Header>
              <Table.Body>
                {list.data.items.map((i) => (
                  <Table.Row key={i.sku}>
                    <Table.Cell>{i.sku}</Table.Cell>
                    <Table.Cell>
                      {i.name}
                      {i.requires_prescription && " (exige receita)"}
                    </Table.Cell>
                    <Table.Cell>{itemKind[i.kind] ?? i.kind}</Table.Cell>
                    <Table.Cell textAlign="end">{price(i.price)}</Table.Cell>
                    <Table.Cell textAlign="end">{i.stock == null ? "Ilimitado" : i.stock}</Table.Cell>
                    <Table.Cell>
                      <HStack>
                        <Button size="xs" variant="outline" onClick={() => setEditing(i)} aria-label={`Editar ${i.name}`}>
                          Editar
                        </Button>
                        {confirm === i.sku ? (
                          <Button size="xs" colorPalette="red" onClick={() => void remove(i.sku)}>
                            Confirmar remoção de {i.sku}
                          </Button>
                        ) : (
                          <Button size="xs" variant="outline" colorPalette="red" onClick={() => setConfirm(i.sku)} aria-label={`Remover ${i.name}`}>
                            Remover
                          </Button>
                        )}
                      </HStack>
                    </Table.Cell>
                  </Table.Row>
                ))}
              </Table.Body>
            </Table.Root>
          </Box>
        )
      )}
      <HStack>
        {cursor && (
          <Button variant="outline" onClick={() => setCursor(undefined)}>
            Primeira página
          </Button>
        )}
        {list.data?.next_cursor && (
          <Button variant="outline" onClick={() => setCursor(list.data?.next_cursor)}>
            Próxima página
          </Button>
        )}
      </HStack>
      <Import onImported={() => void list.reload()} />
      {company?.type === "hospital" && <Exams />}
    </Page>
  );
}

function ItemForm({ item, onDone }: { item?: Item; onDone: (msg?: string) => void }) {
  const { id } = useCompany();
  const [f, setF] = useState({
    sku: item?.sku ?? "",
    name: item?.name ?? "",
    kind: (item?.kind ?? "medication") as Kind,
    price: item ? centsToReais(item.price.amount) : "",
    stock: item?.stock == null ? "" : String(item.stock),
    tags: item?.tags.join(", ") ?? "",
    requires_prescription: item?.requires_prescription ?? false,
    pickup: item?.fulfilment.pickup ?? true,
    radius: item?.fulfilment.delivery ? String(item.fulfilment.delivery.radius_km) : "",
    fee: item?.fulfilment.delivery ? centsToReais(item.fulfilment.delivery.fee.amount) : "",
    active_ingredient: item?.active_ingredient ?? "",
    concentration: item?.concentration ?? "",
    form: item?.form ?? "",
    anvisa: item?.anvisa ?? "",
    description: item?.description ?? "",
  });
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    const cents = reais(f.price);
    const fee = reais(f.fee) ?? 0;
    if (!f.sku.trim() || cents === undefined) {
      setError(
        new ProblemError(
          {
            detail: "Verifique os campos destacados.",
            errors: [
              ...(!f.sku.trim() ? [{ field: "sku", message: "é obrigatório" }] : []),
              ...(cents === undefined ? [{ field: "price", message: "informe o preço em reais, por exemplo 12,90" }] : []),
            ],
          },
          400,
        ),
      );
      return;
    }
    setBusy(true);
    try {
      const r = await call(
        api.PUT("/v1/companies/{id}/catalog/{sku}", {
          params: { path: { id, sku: f.sku.trim() } },
          body: {
            name: f.name.trim(),
            kind: f.kind,
            price: { amount: cents, currency: "BRL" },
            stock: f.stock.trim() === "" ? null : Number(f.stock),
            tags: f.tags.split(",").map((t) => t.trim()).filter(Boolean),
            requires_prescription: f.requires_prescription,
            fulfilment: {
              pickup: f.pickup,
              delivery: f.radius.trim() ? { radius_km: Number(f.radius.replace(",", ".")), fee: { amount: fee, currency: "BRL" } } : null,
            },
            active_ingredient: f.active_ingredient || undefined,
            concentration: f.concentration || undefined,
            form: f.form || undefined,
            anvisa: f.anvisa || undefined,
            description: f.description || undefined,
          },
        }),
      );
      const what = r.result === "created" ? "criado" : r.result === "updated" ? "atualizado" : "sem mudanças";
      onDone(`Item ${r.sku} (${r.name}): ${what}.`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card.Root>
      <Card.Body>
        <form onSubmit={submit} noValidate>
          <Stack gap="4">
            <Heading as="h2" size="lg">
              {item ? `Editar ${item.name}` : "Novo item"}
            </Heading>
            <ProblemAlert error={error} />
            <SimpleGrid columns={{ base: 1, md: 3 }} gap="3">
              <TextField label="SKU" name="sku" required disabled={!!item} value={f.sku} onChange={set("sku")} error={error} />
              <TextField label="Nome" name="name" required value={f.name} onChange={set("name")} error={error} />
              <Field.Root required>
                <Field.Label>Tipo</Field.Label>
                <NativeSelect.Root>
                  <NativeSelect.Field name="kind" value={f.kind} onChange={set("kind")}>
                    {Object.entries(itemKind).map(([k, v]) => (
                      <option key={k} value={k}>
                        {v}
                      </option>
                    ))}
                  </NativeSelect.Field>
                  <NativeSelect.Indicator />
                </NativeSelect.Root>
              </Field.Root>
              <TextField label="Preço (R$)" name="price" required inputMode="decimal" placeholder="12,90" value={f.price} onChange={set("price")} error={error} />
              <TextField label="Estoque" name="stock" inputMode="numeric" help="Vazio: ilimitado." value={f.stock} onChange={set("stock")} error={error} />
              <TextField label="Etiquetas" name="tags" help="Separadas por vírgula, ex.: drug:dipyrone" value={f.tags} onChange={set("tags")} error={error} />
              <TextField label="Raio de entrega (km)" name="fulfilment.delivery.radius_km" help="Vazio: sem entrega." inputMode="decimal" value={f.radius} onChange={set("radius")} error={error} />
              <TextField label="Taxa de entrega (R$)" name="fulfilment.delivery.fee" inputMode="decimal" value={f.fee} onChange={set("fee")} error={error} />
              <TextField label="Princípio ativo" name="active_ingredient" value={f.active_ingredient} onChange={set("active_ingredient")} error={error} />
              <TextField label="Concentração" name="concentration" value={f.concentration} onChange={set("concentration")} error={error} />
              <TextField label="Forma" name="form" value={f.form} onChange={set("form")} error={error} />
              <TextField label="Registro Anvisa" name="anvisa" inputMode="numeric" value={f.anvisa} onChange={set("anvisa")} error={error} />
            </SimpleGrid>
            <TextField label="Descrição" name="description" value={f.description} onChange={set("description")} error={error} />
            <HStack gap="6" wrap="wrap">
              <Checkbox.Root checked={f.pickup} onCheckedChange={(d) => setF({ ...f, pickup: d.checked === true })}>
                <Checkbox.HiddenInput />
                <Checkbox.Control />
                <Checkbox.Label>Retirada na loja</Checkbox.Label>
              </Checkbox.Root>
              <Checkbox.Root checked={f.requires_prescription} onCheckedChange={(d) => setF({ ...f, requires_prescription: d.checked === true })}>
                <Checkbox.HiddenInput />
                <Checkbox.Control />
                <Checkbox.Label>Exige receita</Checkbox.Label>
              </Checkbox.Root>
            </HStack>
            <HStack>
              <Button type="submit" colorPalette="teal" loading={busy}>
                Salvar item
              </Button>
              <Button variant="outline" onClick={() => onDone()}>
                Fechar
              </Button>
            </HStack>
          </Stack>
        </form>
      </Card.Body>
    </Card.Root>
  );
}

const resultLabel: Record<string, string> = { created: "Criado", updated: "Atualizado", unchanged: "Sem mudanças", refused: "Recusado" };

function Import({ onImported }: { onImported: () => void }) {
  const { id } = useCompany();
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [res, setRes] = useState<Schemas["ImportResponse"]>();

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(undefined);
    setRes(undefined);
    try {
      const text = await file.text();
      const csv = /\.csv$/i.test(file.name) || file.type === "text/csv";
      const r = await call(
        api.POST("/v1/companies/{id}/catalog:import", {
          params: { path: { id } },
          body: text,
          bodySerializer: (b: string) => b,
          headers: { "Content-Type": csv ? "text/csv" : "application/x-ndjson" },
        }),
      );
      setRes(r);
      onImported();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card.Root>
      <Card.Body>
        <form onSubmit={submit}>
          <Stack gap="3">
            <Heading as="h2" size="lg">
              Importar itens
            </Heading>
            <Text fontSize="sm">
              Planilha CSV (separada por ; ou ,) com as colunas sku, name, kind e price (obrigatórias) e, se quiser,
              stock, tags, requires_prescription, pickup, delivery_radius_km, delivery_fee, description,
              active_ingredient, concentration, form, anvisa; ou um arquivo JSON com um item por linha.
            </Text>
            <Field.Root>
              <Field.Label>Arquivo (.csv ou .jsonl)</Field.Label>
              <Input type="file" accept=".csv,.json,.jsonl,.ndjson,text/csv,application/json" p="1" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
            </Field.Root>
            <Button type="submit" colorPalette="teal" disabled={!file} loading={busy} alignSelf="start">
              Importar
            </Button>
            <ProblemAlert error={error} />
            {res && (
              <Stack gap="2" role="status">
                <Text fontWeight="semibold">
                  Importação concluída: {res.totals.created} criados, {res.totals.updated} atualizados, {res.totals.unchanged} sem
                  mudanças, {res.totals.refused} recusados.
                </Text>
                <Table.Root size="sm" aria-label="Resultado da importação por linha">
                  <Table.Header>
                    <Table.Row>
                      <Table.ColumnHeader>Linha</Table.ColumnHeader>
                      <Table.ColumnHeader>SKU</Table.ColumnHeader>
                      <Table.ColumnHeader>Resultado</Table.ColumnHeader>
                      <Table.ColumnHeader>Erros</Table.ColumnHeader>
                    </Table.Row>
                  </Table.Header>
                  <Table.Body>
                    {res.lines.map((l) => (
                      <Table.Row key={l.line}>
                        <Table.Cell>{l.line}</Table.Cell>
                        <Table.Cell>{l.sku}</Table.Cell>
                        <Table.Cell>{resultLabel[l.result] ?? l.result}</Table.Cell>
                        <Table.Cell>{l.errors.map((x) => `${x.field}: ${x.message}`).join("; ")}</Table.Cell>
                      </Table.Row>
                    ))}
                  </Table.Body>
                </Table.Root>
              </Stack>
            )}
          </Stack>
        </form>
      </Card.Body>
    </Card.Root>
  );
}
