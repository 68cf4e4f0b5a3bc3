import { Center, Spinner, Text, VStack } from "@chakra-ui/react";

export function Loading({ label = "Carregando…" }: { label?: string }) {
  return (
    <Center py="10" role="status" aria-live="polite">
      <VStack>
        <Spinner color="teal.600" />
        <Text>{label}</Text>
      </VStack>
    </Center>
  );
}
