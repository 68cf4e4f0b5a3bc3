import { Alert, List } from "@chakra-ui/react";
import { ProblemError } from "../api/session";

// ProblemAlert shows an error from the API (problem+json) in pt-BR: its
// detail and, field by field, what is wrong. Any other error gets a plain line.
export function ProblemAlert({ error }: { error: unknown }) {
  if (!error) return null;
  let title = "Não foi possível concluir.";
  let fields: { field: string; message: string }[] = [];
  let requestId: string | undefined;
  if (error instanceof ProblemError) {
    title = error.problem.detail || error.problem.title || title;
    fields = error.problem.errors ?? [];
    requestId = error.problem.request_id;
    if (error.status === 0 || error.status >= 500) title = title || "O serviço está indisponível; tente de novo.";
  } else if (error instanceof TypeError) {
    title = "Sem conexão com o servidor. Verifique sua internet e tente de novo.";
  }
  return (
    <Alert.Root status="error" role="alert" my="3">
      <Alert.Indicator />
      <Alert.Content>
        <Alert.Title>{title}</Alert.Title>
        {fields.length > 0 && (
          <Alert.Description>
            <List.Root ps="4">
              {fields.map((f, i) => (
                <List.Item key={i}>
                  {f.field}: {f.message}
                </List.Item>
              ))}
            </List.Root>
          </Alert.Description>
        )}
        {requestId && <Alert.Description fontSize="xs">Código da requisição: {requestId}</Alert.Description>}
      </Alert.Content>
    </Alert.Root>
  );
}

// fieldError is the message the API gave for one field, if any.
export function fieldError(error: unknown, field: string): string | undefined {
  if (error instanceof ProblemError) return error.problem.errors?.find((f) => f.field === field)?.message;
  return undefined;
}
