import { Field, NativeSelect } from "@chakra-ui/react";
import { fieldError } from "../../components/ProblemAlert";

// SelectField is a labelled native select that shows the API's message for its field.
export function SelectField({
  label,
  name,
  value,
  onChange,
  options,
  error,
  required,
  placeholder,
}: {
  label: string;
  name: string;
  value: string;
  onChange: (v: string) => void;
  options: { value: string; label: string }[];
  error?: unknown;
  required?: boolean;
  placeholder?: string;
}) {
  const msg = fieldError(error, name);
  return (
    <Field.Root invalid={!!msg} required={required}>
      <Field.Label>
        {label}
        {required && <Field.RequiredIndicator />}
      </Field.Label>
      <NativeSelect.Root>
        <NativeSelect.Field name={name} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
          {placeholder !== undefined && <option value="">{placeholder}</option>}
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </NativeSelect.Field>
        <NativeSelect.Indicator />
      </NativeSelect.Root>
      {msg && <Field.ErrorText>{msg}</Field.ErrorText>}
    </Field.Root>
  );
}
