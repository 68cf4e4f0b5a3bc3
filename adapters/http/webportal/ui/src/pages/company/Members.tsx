import { Box, Button, Card, Field, Heading, NativeSelect, SimpleGrid, Stack, Table, Text } from "@chakra-ui/react";
import { useState, type FormEvent } from "react";
import { api, call } from "../../api/client";
import { Loading } from "../../components/Loading";
import { Page } from "../../components/Page";
import { ProblemAlert } from "../../components/ProblemAlert";
import { TextField } from "../../components/TextField";
import { dateTime } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";
import { useCompany } from "./context";
import { roleLabel } from "./labels";

export function Members() {
  const { id, me } = useCompany();
  const list = useLoad(() => call(api.GET("/v1/companies/{id}/members", { params: { path: { id } } })), [id]);
  const [f, setF] = useState({ name: "", email: "", role: "staff" as "admin" | "staff", password: "" });
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState("");
  const [confirm, setConfirm] = useState<string>();
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });

  async function add(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const m = await call(
        api.POST("/v1/companies/{id}/members", {
          params: { path: { id } },
          body: { name: f.name.trim(), email: f.email.trim(), role: f.role, password: f.password || undefined },
        }),
      );
      setNotice(f.password ? `${m.name} foi adicionado(a).` : `${m.name} foi adicionado(a); um convite foi enviado para ${m.email}.`);
      setF({ name: "", email: "", role: "staff", password: "" });
      await list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function remove(accountId: string, name: string) {
    setError(undefined);
    try {
      await call(api.DELETE("/v1/companies/{id}/members/{account_id}", { params: { path: { id, account_id: accountId } } }));
      setNotice(`${name} foi removido(a).`);
      setConfirm(undefined);
      await list.reload();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <Page title="Membros">
      <div role="status">{notice && <Text>{notice}</Text>}</div>
      <ProblemAlert error={error ?? list.error} />
      {list.loading && !list.data ? (
        <Loading />
      ) : list.data?.items.length === 0 ? (
        <Text>Nenhum membro.</Text>
      ) : (
        <Box overflowX="auto">
          <Table.Root size="sm" aria-label="Membros da empresa">
            <Table.Header>
              <Table.Row>
                <Table.ColumnHeader>Nome</Table.ColumnHeader>
                <Table.ColumnHeader>E-mail</Table.ColumnHeader>
                <Table.ColumnHeader>Papel</Table.ColumnHeader>
                <Table.ColumnHeader>Desde</Table.ColumnHeader>
                <Table.ColumnHeader>Ação</Table.ColumnHeader>
              </Table.Row>
            </Table.Header>
            <Table.Body>
              {list.data?.items.map((m) => (
                <Table.Row key={m.account_id}>
                  <Table.Cell>
                    {m.name}
                    {m.account_id === me.id && " (você)"}
                  </Table.Cell>
                  <Table.Cell>{m.email}</Table.Cell>
                  <Table.Cell>{roleLabel[m.role] ?? m.role}</Table.Cell>
                  <Table.Cell>{dateTime(m.created_at)}</Table.Cell>
                  <Table.Cell>
                    {confirm === m.account_id ? (
                      <Button size="xs" colorPalette="red" onClick={() => void remove(m.account_id, m.name)}>
                        Confirmar remoção de {m.name}
                      </Button>
                    ) : (
                      <Button size="xs" variant="outline" colorPalette="red" onClick={() => setConfirm(m.account_id)} aria-label={`Remover ${m.name}`}>
                        Remover
                      </Button>
                    )}
                  </Table.Cell>
                </Table.Row>
              ))}
            </Table.Body>
          </Table.Root>
        </Box>
      )}
      {list.data?.next_cursor && <Text fontSize="sm">Há mais membros além destes.</Text>}
      <Card.Root>
        <Card.Body>
          <form onSubmit={add} noValidate>
            <Stack gap="3">
              <Heading as="h2" size="lg">
                Adicionar membro
              </Heading>
              <SimpleGrid columns={{ base: 1, md: 2 }} gap="3">
                <TextField label="Nome" name="name" required value={f.name} onChange={set("name")} error={error} />
                <TextField label="E-mail" name="email" type="email" required value={f.email} onChange={set("email")} error={error} />
                <Field.Root required>
                  <Field.Label>Papel</Field.Label>
                  <NativeSelect.Root>
                    <NativeSelect.Field name="role" value={f.role} onChange={set("role")}>
                      <option value="staff">{roleLabel.staff}</option>
                      <option value="admin">{roleLabel.admin}</option>
                    </NativeSelect.Field>
                    <NativeSelect.Indicator />
                  </NativeSelect.Root>
                </Field.Root>
                <TextField
                  label="Senha inicial"
                  name="password"
                  type="password"
                  autoComplete="new-password"
                  help="Opcional: sem senha, um convite é enviado por e-mail."
                  value={f.password}
                  onChange={set("password")}
                  error={error}
                />
              </SimpleGrid>
              <Button type="submit" colorPalette="teal" loading={busy} alignSelf="start">
                Adicionar membro
              </Button>
            </Stack>
          </form>
        </Card.Body>
      </Card.Root>
    </Page>
  );
}
