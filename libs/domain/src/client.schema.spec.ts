import { describe, expect, it } from 'vitest';
import { clientBodySchema } from './client.schema';

const body = { name: 'acme', version: 3, image: 'registry.example.com/algo:3.1', cpu: '500m', mem: '256Mi', priority: 10 };

const FIELDS = 'name, version, image, cpu, mem, priority';

/** The validation errors as the gateway shows them: `path` joined with dots, and the message. */
function errorsOf(input: unknown): { path: string; message: string }[] {
  const result = clientBodySchema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

describe('clientBodySchema', () => {
  describe('accepts', () => {
    it('a full body as it is', () => {
      expect(clientBodySchema.parse(body)).toEqual(body);
    });

    it('a body without priority, which defaults to 0', () => {
      const { name, version, image, cpu, mem } = body;
      const withoutPriority = { name, version, image, cpu, mem };

      expect(clientBodySchema.parse(withoutPriority)).toEqual({ ...withoutPriority, priority: 0 });
    });

    it.each([-1, 0, 2.75, -1e300, Number.MAX_VALUE])('priority %d', (priority) => {
      expect(clientBodySchema.parse({ ...body, priority }).priority).toBe(priority);
    });

    it.each(['500m', '2', '0.5', '.5', '1.', '1e3', '2k', '1M'])('cpu %s', (cpu) => {
      expect(clientBodySchema.parse({ ...body, cpu }).cpu).toBe(cpu);
    });

    it.each(['256Mi', '1Gi', '512M', '1Ti', '128974848', '129e6', '1Ei'])('mem %s', (mem) => {
      expect(clientBodySchema.parse({ ...body, mem }).mem).toBe(mem);
    });

    it.each([
      'nginx',
      'nginx:1.25',
      'library/nginx:latest',
      'registry.example.com:5000/team/algo:1.2',
      'localhost:5000/algo',
      'Registry.Example.com/algo',
      'ghcr.io/acme-corp/algo_vwap__x.y:v1.2.3-rc.1',
      `nginx@sha256:${'a'.repeat(64)}`,
      `registry.example.com/algo:1.2@sha256:${'0123456789abcdef'.repeat(4)}`,
      `a/${'b'.repeat(253)}`,
    ])('image %s', (image) => {
      expect(clientBodySchema.parse({ ...body, image }).image).toBe(image);
    });

    it.each([
      ['a', 'a'],
      ['x'.repeat(50), 'x'.repeat(50)],
      ['  acme  ', 'acme'],
    ])('name %j, stored as %j', (name, stored) => {
      expect(clientBodySchema.parse({ ...body, name }).name).toBe(stored);
    });

    it.each([0, 2_147_483_647])('version %i', (version) => {
      expect(clientBodySchema.parse({ ...body, version }).version).toBe(version);
    });
  });

  describe('refuses, with a message a person can act on', () => {
    it.each([
      ['name', '', 'name must not be empty'],
      ['name', '   ', 'name must not be empty'],
      ['name', 'x'.repeat(51), 'name must be at most 50 characters'],
      ['name', 42, 'name must be a string'],
      ['version', -1, 'version must be 0 or more'],
      ['version', 1.5, 'version must be a whole number'],
      ['version', '1', 'version must be a whole number'],
      ['version', 2_147_483_648, 'version must be at most 2147483647'],
      ['priority', Number.NaN, 'priority must be a finite number'],
      ['priority', Number.POSITIVE_INFINITY, 'priority must be a finite number'],
      ['priority', Number.NEGATIVE_INFINITY, 'priority must be a finite number'],
      ['priority', 'high', 'priority must be a finite number'],
      ['priority', null, 'priority must be a finite number'],
      ['cpu', 'abc', 'cpu must be a positive Kubernetes quantity such as "500m" or "2"'],
      ['cpu', '-1', 'cpu must be a positive Kubernetes quantity such as "500m" or "2"'],
      ['cpu', '500 m', 'cpu must be a positive Kubernetes quantity such as "500m" or "2"'],
      ['cpu', '0', 'cpu must be greater than zero'],
      ['cpu', '0m', 'cpu must be greater than zero'],
      ['cpu', '0.0', 'cpu must be greater than zero'],
      ['cpu', 2, 'cpu must be a string such as "500m" or "2"'],
      ['cpu', '1'.repeat(33), 'cpu must be at most 32 characters'],
      ['mem', '-1Gi', 'mem must be a positive Kubernetes quantity such as "256Mi" or "1Gi"'],
      ['mem', '1GB', 'mem must be a positive Kubernetes quantity such as "256Mi" or "1Gi"'],
      ['mem', '', 'mem must be a positive Kubernetes quantity such as "256Mi" or "1Gi"'],
      ['mem', '0Gi', 'mem must be greater than zero'],
      ['image', '', 'image must not be empty'],
      ['image', 'Nginx', 'image must be an OCI image reference such as "registry.example.com/algo:1.2"'],
      ['image', 'registry.example.com/Team/algo', 'image must be an OCI image reference such as "registry.example.com/algo:1.2"'],
      ['image', 'nginx:', 'image must be an OCI image reference such as "registry.example.com/algo:1.2"'],
      ['image', 'nginx:-1', 'image must be an OCI image reference such as "registry.example.com/algo:1.2"'],
      ['image', 'nginx@sha256:abc', 'image must be an OCI image reference such as "registry.example.com/algo:1.2"'],
      [
        'image',
        'https://registry.example.com/algo',
        'image must be an OCI image reference such as "registry.example.com/algo:1.2"',
      ],
      ['image', ' nginx', 'image must be an OCI image reference such as "registry.example.com/algo:1.2"'],
      ['image', `a/${'b'.repeat(254)}`, 'image must be at most 255 characters'],
      ['image', 7, 'image must be a string'],
    ])('%s %j', (field, value, message) => {
      expect(errorsOf({ ...body, [field]: value })).toEqual([{ path: field, message }]);
    });

    it.each([
      ['name', 'ac\u0000me'],
      ['name', '\u0000'],
      ['name', 'ac\nme'],
      ['name', 'acme\t'],
      ['name', 'ac\u009bme'],
      ['image', 'nginx\u0000'],
      ['cpu', '500m\u0000'],
      ['mem', '\u007f256Mi'],
    ])('%s %j, holding a control character, naming the field alone', (field, value) => {
      expect(errorsOf({ ...body, [field]: value })).toEqual([
        { path: field, message: `${field} must not contain control characters (such as NUL, tab or newline)` },
      ]);
    });

    it('an unknown field whose name holds a NUL, written as an escape', () => {
      expect(errorsOf({ ...body, 'na\u0000me': 'acme' })).toEqual([
        { path: '', message: `unknown field "na\\u0000me"; the fields are ${FIELDS}` },
      ]);
    });

    it('every missing field at once, saying it is required', () => {
      expect(errorsOf({})).toEqual([
        { path: 'name', message: 'name is required' },
        { path: 'version', message: 'version is required' },
        { path: 'image', message: 'image is required' },
        { path: 'cpu', message: 'cpu is required' },
        { path: 'mem', message: 'mem is required' },
      ]);
    });

    it('unknown fields, naming them and the known ones', () => {
      expect(errorsOf({ ...body, replicas: 2, needRestart: true })).toEqual([
        { path: '', message: `unknown field "replicas", "needRestart"; the fields are ${FIELDS}` },
      ]);
    });

    it('an id in the body: the server assigns it', () => {
      expect(errorsOf({ ...body, id: 1 })).toEqual([{ path: '', message: `unknown field "id"; the fields are ${FIELDS}` }]);
    });

    it.each([null, [], 'acme', 42])('a body that is not an object: %j', (input) => {
      expect(errorsOf(input)).toEqual([{ path: '', message: `the body must be a JSON object with the fields ${FIELDS}` }]);
    });
  });
});
