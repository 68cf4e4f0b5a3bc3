import { Field, Input, type InputProps } from "@chakra-ui/react";
import { fieldError } from "./ProblemAlert";

// TextField is a labelled input that shows the API's message for its field.
export function TextField({
  label,
  name,
  error,
  help,
  required,
  ...input
}: { label: string; name: string; error?: unknown; help?: string; required?: boolean } & InputProps) {
  const msg = fieldError(error, name);
  return (
    <Field.Root invalid={!!msg} required={required}>
      <Field.Label>
        {label}
        {required && <Field.RequiredIndicator />}
      </Field.Label>
      <Input name={name} {...input} />
      {help && !msg && <Field.HelperText>{help}</Field.HelperText>}
      {msg && <Field.ErrorText>{msg}</Field.ErrorText>}
    </Field.Root>
  );
}
