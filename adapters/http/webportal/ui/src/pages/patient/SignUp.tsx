import { Text } from "@chakra-ui/react";
import { Page } from "../../components/Page";

// TODO(issue 14): this page.
export default function Placeholder() {
  return (
    <Page title="Em construção">
      <Text>Em construção.</Text>
    </Page>
  );
}
