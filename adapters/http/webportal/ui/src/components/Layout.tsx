import { Box, Button, Container, Flex, HStack, Link as CLink, Text } from "@chakra-ui/react";
import type { ReactNode } from "react";
import { NavLink, useNavigate } from "react-router";
import { useSession } from "../auth";
import { signOut } from "../api/session";
import { nav } from "../nav";

const kindLabel = {
  patient: "Paciente",
  professional: "Profissional",
  company_member: "Empresa parceira",
  admin: "Administração",
} as const;

export function Layout({ children }: { children: ReactNode }) {
  const s = useSession();
  const navigate = useNavigate();
  return (
    <Box minH="100vh" bg="gray.50" color="gray.900">
      <a className="skip-link" href="#conteudo">
        Pular para o conteúdo
      </a>
      <Box as="header" bg="teal.700" color="white">
        <Container maxW="6xl" py="3">
          <Flex align="center" gap="4" wrap="wrap">
            <CLink asChild color="white" fontWeight="bold" fontSize="xl">
              <NavLink to="/">multisaude</NavLink>
            </CLink>
            {s && (
              <Box as="nav" aria-label="Menu principal" flex="1">
                <HStack as="ul" gap="1" wrap="wrap" listStyleType="none">
                  {nav[s.kind].map((i) => (
                    <li key={i.to}>
                      <NavLink to={i.to} end className="nav-link">
                        {i.label}
                      </NavLink>
                    </li>
                  ))}
                </HStack>
              </Box>
            )}
            {s ? (
              <HStack ms="auto">
                <Text fontSize="sm">{kindLabel[s.kind]}</Text>
                <Button
                  size="sm"
                  variant="outline"
                  color="white"
                  _hover={{ bg: "teal.800" }}
                  onClick={() => void signOut().then(() => navigate("/entrar"))}
                >
                  Sair
                </Button>
              </HStack>
            ) : (
              <HStack ms="auto">
                <CLink asChild color="white">
                  <NavLink to="/entrar">Entrar</NavLink>
                </CLink>
                <CLink asChild color="white">
                  <NavLink to="/cadastro">Criar conta</NavLink>
                </CLink>
              </HStack>
            )}
          </Flex>
        </Container>
      </Box>
      <Container as="main" id="conteudo" tabIndex={-1} maxW="6xl" py="6">
        {children}
      </Container>
      <Box as="footer" py="6" textAlign="center" fontSize="sm" color="gray.700">
        multisaude · seus dados de saúde protegidos pela LGPD
      </Box>
    </Box>
  );
}
