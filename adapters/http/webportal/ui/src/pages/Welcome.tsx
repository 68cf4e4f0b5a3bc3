import { Button, SimpleGrid, Card, Heading, Text, Stack } from "@chakra-ui/react";
import { Navigate, NavLink } from "react-router";
import { homeOf, useSession } from "../auth";
import { Page } from "../components/Page";

export function Welcome() {
  const s = useSession();
  if (s) return <Navigate to={homeOf(s.kind)} replace />;
  return (
    <Page title="Bem-vindo ao multisaude">
      <Text fontSize="lg">
        Consultas com profissionais de saúde, exames em hospitais parceiros, planos de tratamento e as compras que eles
        pedem, em um só lugar.
      </Text>
      <SimpleGrid columns={{ base: 1, md: 3 }} gap="4">
        <Card.Root>
          <Card.Body>
            <Stack>
              <Heading as="h2" size="md">Pacientes</Heading>
              <Text>Encontre profissionais, agende, acompanhe seu histórico e converse com quem cuida de você.</Text>
              <Button asChild colorPalette="teal"><NavLink to="/cadastro">Criar conta de paciente</NavLink></Button>
            </Stack>
          </Card.Body>
        </Card.Root>
        <Card.Root>
          <Card.Body>
            <Stack>
              <Heading as="h2" size="md">Profissionais de saúde</Heading>
              <Text>Publique sua agenda, atenda por vídeo ou presencialmente e registre avaliações e planos.</Text>
              <Button asChild variant="outline" colorPalette="teal"><NavLink to="/cadastro/profissional">Cadastrar-me</NavLink></Button>
            </Stack>
          </Card.Body>
        </Card.Root>
        <Card.Root>
          <Card.Body>
            <Stack>
              <Heading as="h2" size="md">Empresas parceiras</Heading>
              <Text>Hospitais, farmácias, mercados, lojas e academias: publique seu catálogo e receba pedidos.</Text>
              <Button asChild variant="outline" colorPalette="teal"><NavLink to="/cadastro/empresa">Cadastrar empresa</NavLink></Button>
            </Stack>
          </Card.Body>
        </Card.Root>
      </SimpleGrid>
      <Text>
        Já tem conta? <NavLink to="/entrar">Entrar</NavLink>
      </Text>
    </Page>
  );
}
