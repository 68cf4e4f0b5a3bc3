import { Text } from "@chakra-ui/react";
import { Page } from "../../components/Page";

// TODO(issue 14): this side's pages.
export function Home() {
  return (
    <Page title="Início">
      <Text>Em construção.</Text>
    </Page>
  );
}
