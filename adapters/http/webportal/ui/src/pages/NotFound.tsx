import { Text } from "@chakra-ui/react";
import { NavLink } from "react-router";
import { Page } from "../components/Page";

export function NotFound() {
  return (
    <Page title="Página não encontrada">
      <Text>
        Esta página não existe. <NavLink to="/">Voltar ao início</NavLink>
      </Text>
    </Page>
  );
}
