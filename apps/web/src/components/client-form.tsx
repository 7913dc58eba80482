import { useState } from 'preact/hooks';
import type { ClientFields } from '../api/clients';
import { FieldsRefusedError } from '../api/api-error';
import type { Action } from '../api/use-api';
import { ErrorNote } from './error-note';

interface ClientFormProps {
  initial: ClientFields;
  submitLabel: string;
  save: Action<[ClientFields]>;
}

type Draft = Record<keyof ClientFields, string>;

const FIELDS: Array<{ key: keyof ClientFields; label: string; hint: string; type: 'text' | 'number'; required: boolean }> = [
  { key: 'name', label: 'Name', hint: '1–50 characters', type: 'text', required: true },
  { key: 'image', label: 'Image', hint: 'registry.example.com/algo:1.2', type: 'text', required: true },
  { key: 'version', label: 'Version', hint: '1', type: 'number', required: true },
  { key: 'cpu', label: 'CPU', hint: '500m', type: 'text', required: true },
  { key: 'mem', label: 'Memory', hint: '256Mi', type: 'text', required: true },
  { key: 'priority', label: 'Priority', hint: '0 (higher runs first)', type: 'number', required: false },
];

const FIELD_KEYS = new Set<string>(FIELDS.map((field) => field.key));

/**
 * A client's fields, for a new client and for a full replace. The gateway validates: its
 * messages appear beside the fields they name, so the rules live in one place.
 */
export function ClientForm({ initial, submitLabel, save }: ClientFormProps) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(initial));
  const fieldErrors = save.error instanceof FieldsRefusedError ? save.error.fieldErrors : [];
  const fieldError = (key: string) => fieldErrors.find((error) => error.path === key)?.message;
  // A refusal that names no field shown here (or no field at all) goes below the form.
  const formError = save.error !== undefined && !fieldErrors.some((error) => FIELD_KEYS.has(error.path)) ? save.error : undefined;

  return (
    <form
      class="client-form"
      onSubmit={(event) => {
        event.preventDefault();
        void save.run(fieldsOf(draft));
      }}
    >
      <div class="form-grid">
        {FIELDS.map(({ key, label, hint, type, required }) => {
          const error = fieldError(key);
          const input = {
            name: key,
            required,
            value: draft[key],
            placeholder: hint,
            'aria-invalid': error !== undefined,
            'aria-describedby': error === undefined ? undefined : `${key}-error`,
            onInput: (event: { currentTarget: HTMLInputElement }) => setDraft({ ...draft, [key]: event.currentTarget.value }),
          };
          return (
            <label key={key} class="field">
              <span class="field-label">{label}</span>
              {type === 'number' ? (
                <input type="number" step={key === 'version' ? 1 : 'any'} {...input} />
              ) : (
                <input type="text" {...input} />
              )}
              {error !== undefined && (
                <span class="field-error" id={`${key}-error`}>
                  {error}
                </span>
              )}
            </label>
          );
        })}
      </div>
      <ErrorNote error={formError} />
      <div class="form-actions">
        <button type="submit" class="button primary" disabled={save.busy}>
          {save.busy ? 'Saving…' : submitLabel}
        </button>
      </div>
    </form>
  );
}

const draftOf = (fields: ClientFields): Draft => ({
  name: fields.name,
  image: fields.image,
  version: String(fields.version),
  cpu: fields.cpu,
  mem: fields.mem,
  priority: String(fields.priority),
});

// Number inputs hold a number or nothing; nothing is refused by `required` (version) or means the default 0 (priority).
const fieldsOf = (draft: Draft): ClientFields => ({
  name: draft.name,
  image: draft.image,
  version: Number(draft.version),
  cpu: draft.cpu,
  mem: draft.mem,
  priority: draft.priority === '' ? 0 : Number(draft.priority),
});
