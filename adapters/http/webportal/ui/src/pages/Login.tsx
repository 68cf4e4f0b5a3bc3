import { Box, Button, Card, Link as CLink, Stack, Text } from "@chakra-ui/react";
import { useState, type FormEvent } from "react";
import { NavLink, useNavigate, useSearchParams } from "react-router";
import { signIn } from "../api/session";
import { homeOf } from "../auth";
import { Page } from "../components/Page";
import { ProblemAlert } from "../components/ProblemAlert";
import { TextField } from "../components/TextField";

export function Login() {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const navigate = useNavigate();
  const [params] = useSearchParams();

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const s = await signIn(email.trim(), password);
      const back = params.get("voltar");
      // only a path of this portal, never another origin
      navigate(back && back.startsWith("/") && !back.startsWith("//") ? back : homeOf(s.kind), { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Page title="Entrar">
      <Box maxW="md">
        <Card.Root>
          <Card.Body>
            <form onSubmit={submit} noValidate>
              <Stack gap="4">
                <ProblemAlert error={error} />
                <TextField
                  label="E-mail"
                  name="email"
                  type="email"
                  autoComplete="username"
                  required
                  value={email}
                  onChange={(e) => setEmail(e.target.value)}
                  error={error}
                />
                <TextField
                  label="Senha"
                  name="password"
                  type="password"
                  autoComplete="current-password"
                  required
                  value={password}
                  onChange={(e) => setPassword(e.target.value)}
                  error={error}
                />
                <Button type="submit" colorPalette="teal" loading={busy} loadingText="Entrando…">
                  Entrar
                </Button>
              </Stack>
            </form>
          </Card.Body>
        </Card.Root>
        <Text mt="4">
          Ainda não tem conta?{" "}
          <CLink asChild color="teal.700">
            <NavLink to="/cadastro">Cadastre-se como paciente</NavLink>
          </CLink>
          ,{" "}
          <CLink asChild color="teal.700">
            <NavLink to="/cadastro/profissional">como profissional de saúde</NavLink>
          </CLink>{" "}
          ou{" "}
          <CLink asChild color="teal.700">
            <NavLink to="/cadastro/empresa">como empresa parceira</NavLink>
          </CLink>
          .
        </Text>
      </Box>
    </Page>
  );
}
