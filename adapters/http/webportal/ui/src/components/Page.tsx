import { Heading, Stack } from "@chakra-ui/react";
import { useEffect, type ReactNode } from "react";

// Page names the page (document title and its h1) so a screen reader announces
// where the person is after each navigation.
export function Page({ title, actions, children }: { title: string; actions?: ReactNode; children: ReactNode }) {
  useEffect(() => {
    document.title = `${title} · multisaude`;
  }, [title]);
  return (
    <Stack gap="5">
      <Stack direction={{ base: "column", md: "row" }} justify="space-between" align={{ md: "center" }}>
        <Heading as="h1" size="2xl">
          {title}
        </Heading>
        {actions}
      </Stack>
      {children}
    </Stack>
  );
}
