import { z } from 'zod';
import { plainText, quoteKey } from './request.schema';

/** Kubernetes resource quantity, positive: `500m`, `2`, `0.5`, `256Mi`, `1Gi`, `1e3`. */
const QUANTITY = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE]\d+|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

/** OCI image reference per the distribution spec's grammar: [registry[:port]/]path[:tag][@digest]. */
const DOMAIN = String.raw`(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?`;
const COMPONENT = String.raw`[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`;
const TAG = String.raw`:[\w][\w.-]{0,127}`;
const DIGEST = String.raw`@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}`;
const IMAGE_REFERENCE = new RegExp(`^(?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*(?:${TAG})?(?:${DIGEST})?$`);

/** A field's type error: "is required" when it is missing, `expected` when it has the wrong type. */
const typeError =
  (field: string, expected: string) =>
  (issue: { input?: unknown }): string =>
    issue.input === undefined ? `${field} is required` : expected;

const quantity = (what: string) =>
  plainText(what, typeError(what, `${what} must be a string such as ${what === 'cpu' ? '"500m" or "2"' : '"256Mi" or "1Gi"'}`))
    .max(32, `${what} must be at most 32 characters`)
    .regex(QUANTITY, {
      message: `${what} must be a positive Kubernetes quantity such as ${what === 'cpu' ? '"500m" or "2"' : '"256Mi" or "1Gi"'}`,
      abort: true,
    })
    .refine((value) => Number.parseFloat(value) > 0, `${what} must be greater than zero`);

const fields = {
  name: plainText('name', typeError('name', 'name must be a string'))
    .trim()
    .min(1, 'name must not be empty')
    .max(50, 'name must be at most 50 characters'),
  version: z
    .int({ error: typeError('version', 'version must be a whole number') })
    .min(0, 'version must be 0 or more')
    .max(2_147_483_647, 'version must be at most 2147483647'),
  image: plainText('image', typeError('image', 'image must be a string'))
    .min(1, { message: 'image must not be empty', abort: true })
    .max(255, 'image must be at most 255 characters')
    .regex(IMAGE_REFERENCE, 'image must be an OCI image reference such as "registry.example.com/algo:1.2"'),
  cpu: quantity('cpu'),
  mem: quantity('mem'),
  priority: z.number({ error: 'priority must be a finite number' }).default(0),
};

const FIELD_NAMES = Object.keys(fields).join(', ');

/** Body of POST /api/v1/clients and PUT /api/v1/clients/{id} (a full replace). */
export const clientBodySchema = z
  .strictObject(fields, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') {
        return `unknown field ${issue.keys.map(quoteKey).join(', ')}; the fields are ${FIELD_NAMES}`;
      }
      if (issue.code === 'invalid_type') return `the body must be a JSON object with the fields ${FIELD_NAMES}`;
      return undefined;
    },
  })
  .meta({
    example: { name: 'acme', version: 3, image: 'registry.example.com/algo:3.1', cpu: '500m', mem: '256Mi', priority: 10 },
  });

export type ClientBody = z.infer<typeof clientBodySchema>;
