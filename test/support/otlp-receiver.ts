import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** OTLP span kinds (the API's SpanKind + 1). */
export const OTLP_KIND = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;

export type AttributeValue = string | number | boolean;

/** One span as the receiver got it, the same whichever OTLP encoding carried it. */
export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  /** Undefined on a trace's root span. */
  parentSpanId: string | undefined;
  name: string;
  kind: number;
  attributes: Record<string, AttributeValue>;
  links: { traceId: string; spanId: string }[];
}

/** An export request: its content type says which protocol the exporter used. */
export interface ReceivedExport {
  contentType: string;
  spans: number;
}

/**
 * A small OTLP/HTTP trace collector for tests: `POST /v1/traces` in `http/json` or
 * `http/protobuf` (gzipped or not) on a free loopback port, answered `200 {}`; it keeps every span.
 */
export class OtlpReceiver {
  private constructor(
    private readonly server: ReturnType<typeof createServer>,
    /** Base URL for OTEL_EXPORTER_OTLP_ENDPOINT (the exporter appends `/v1/traces`). */
    readonly url: string,
    readonly spans: readonly ReceivedSpan[],
    readonly exports: readonly ReceivedExport[],
  ) {}

  static async start(): Promise<OtlpReceiver> {
    const spans: ReceivedSpan[] = [];
    const exports: ReceivedExport[] = [];
    const server = createServer((request, response) => {
      void readBody(request).then(
        (body) => {
          if (request.method !== 'POST' || request.url !== '/v1/traces') {
            response.writeHead(404).end();
            return;
          }
          const contentType = request.headers['content-type'] ?? '';
          try {
            const received = contentType.includes('protobuf') ? decodeProtobuf(body) : decodeJson(body);
            spans.push(...received);
            exports.push({ contentType, spans: received.length });
            response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
          } catch (error) {
            response.writeHead(400).end(error instanceof Error ? error.message : String(error));
          }
        },
        () => response.writeHead(400).end(),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return new OtlpReceiver(server, `http://127.0.0.1:${port}`, spans, exports);
  }

  /** The spans of one trace. */
  trace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((span) => span.traceId === traceId);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The chain of spans from `span` up to the trace's root, within what was received. */
export function ancestry(span: ReceivedSpan, trace: readonly ReceivedSpan[]): ReceivedSpan[] {
  const byId = new Map(trace.map((each) => [each.spanId, each]));
  const chain: ReceivedSpan[] = [];
  for (let current: ReceivedSpan | undefined = span; current !== undefined; current = byId.get(current.parentSpanId ?? '')) {
    chain.push(current);
  }
  return chain;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  return request.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
}

// ---- http/json: ExportTraceServiceRequest in the protobuf JSON mapping, ids in hex.

interface JsonKeyValue {
  key: string;
  value: { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
}

interface JsonSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: JsonKeyValue[];
  links?: { traceId: string; spanId: string }[];
}

interface JsonRequest {
  resourceSpans?: { resource?: { attributes?: JsonKeyValue[] }; scopeSpans?: { spans?: JsonSpan[] }[] }[];
}

function jsonAttributes(attributes: JsonKeyValue[] | undefined): Record<string, AttributeValue> {
  const result: Record<string, AttributeValue> = {};
  for (const { key, value } of attributes ?? []) {
    const { stringValue, intValue, boolValue, doubleValue } = value;
    const scalar = stringValue ?? (intValue === undefined ? undefined : Number(intValue)) ?? boolValue ?? doubleValue;
    if (scalar !== undefined) result[key] = scalar;
  }
  return result;
}

function decodeJson(body: Buffer): ReceivedSpan[] {
  const request = JSON.parse(body.toString('utf8')) as JsonRequest;
  return (request.resourceSpans ?? []).flatMap((resourceSpans) => {
    const service = String(jsonAttributes(resourceSpans.resource?.attributes)['service.name'] ?? '');
    return (resourceSpans.scopeSpans ?? []).flatMap((scopeSpans) =>
      (scopeSpans.spans ?? []).map((span) => ({
        service,
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId === undefined || span.parentSpanId === '' ? undefined : span.parentSpanId,
        name: span.name,
        kind: span.kind,
        attributes: jsonAttributes(span.attributes),
        links: (span.links ?? []).map((link) => ({ traceId: link.traceId, spanId: link.spanId })),
      })),
    );
  });
}

// ---- http/protobuf: just enough of the protobuf wire format to read the fields asserted on.

type WireValue = { wire: 0; value: bigint } | { wire: 2; value: Buffer } | { wire: 1 | 5; value: Buffer };

/** The fields of one message, by field number, in order. */
function readFields(message: Buffer): Map<number, WireValue[]> {
  const fields = new Map<number, WireValue[]>();
  let offset = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const byte = message[offset++];
      if (byte === undefined) throw new Error('truncated protobuf varint');
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
    }
  };
  while (offset < message.length) {
    const tag = Number(varint());
    const field = tag >>> 3;
    const wire = tag & 7;
    let value: WireValue;
    if (wire === 0) value = { wire, value: varint() };
    else if (wire === 2) {
      const length = Number(varint());
      value = { wire, value: message.subarray(offset, offset + length) };
      offset += length;
    } else if (wire === 1 || wire === 5) {
      const length = wire === 1 ? 8 : 4;
      value = { wire, value: message.subarray(offset, offset + length) };
      offset += length;
    } else throw new Error(`unexpected protobuf wire type ${wire}`);
    fields.set(field, [...(fields.get(field) ?? []), value]);
  }
  return fields;
}

function bytesOf(fields: Map<number, WireValue[]>, field: number): Buffer[] {
  return (fields.get(field) ?? []).flatMap((entry) => (entry.wire === 2 ? [entry.value] : []));
}

function firstBytes(fields: Map<number, WireValue[]>, field: number): Buffer | undefined {
  return bytesOf(fields, field)[0];
}

function varintOf(fields: Map<number, WireValue[]>, field: number): bigint | undefined {
  const entry = fields.get(field)?.[0];
  return entry?.wire === 0 ? entry.value : undefined;
}

/** KeyValue { string key = 1; AnyValue value = 2 }, AnyValue { string = 1, bool = 2, int = 3, double = 4 }. */
function protobufAttributes(keyValues: Buffer[]): Record<string, AttributeValue> {
  const result: Record<string, AttributeValue> = {};
  for (const keyValue of keyValues) {
    const fields = readFields(keyValue);
    const key = firstBytes(fields, 1)?.toString('utf8');
    const anyValue = firstBytes(fields, 2);
    if (key === undefined || anyValue === undefined) continue;
    const value = readFields(anyValue);
    const text = firstBytes(value, 1);
    const flag = varintOf(value, 2);
    const integer = varintOf(value, 3);
    const double = value.get(4)?.[0];
    if (text !== undefined) result[key] = text.toString('utf8');
    else if (flag !== undefined) result[key] = flag !== 0n;
    else if (integer !== undefined) result[key] = Number(BigInt.asIntN(64, integer));
    else if (double?.wire === 1) result[key] = double.value.readDoubleLE(0);
  }
  return result;
}

/**
 * ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1 }; ResourceSpans { Resource
 * resource = 1; repeated ScopeSpans scope_spans = 2 }; ScopeSpans { repeated Span spans = 2 }; Span
 * { trace_id = 1; span_id = 2; parent_span_id = 4; name = 5; kind = 6; attributes = 9; links = 13 }.
 */
function decodeProtobuf(body: Buffer): ReceivedSpan[] {
  return bytesOf(readFields(body), 1).flatMap((resourceSpansBytes) => {
    const resourceSpans = readFields(resourceSpansBytes);
    const resource = firstBytes(resourceSpans, 1);
    const service =
      resource === undefined ? '' : String(protobufAttributes(bytesOf(readFields(resource), 1))['service.name'] ?? '');
    return bytesOf(resourceSpans, 2).flatMap((scopeSpansBytes) =>
      bytesOf(readFields(scopeSpansBytes), 2).map((spanBytes) => {
        const span = readFields(spanBytes);
        const parent = firstBytes(span, 4);
        return {
          service,
          traceId: firstBytes(span, 1)?.toString('hex') ?? '',
          spanId: firstBytes(span, 2)?.toString('hex') ?? '',
          parentSpanId: parent === undefined || parent.length === 0 ? undefined : parent.toString('hex'),
          name: firstBytes(span, 5)?.toString('utf8') ?? '',
          kind: Number(varintOf(span, 6) ?? 0n),
          attributes: protobufAttributes(bytesOf(span, 9)),
          links: bytesOf(span, 13).map((linkBytes) => {
            const link = readFields(linkBytes);
            return { traceId: firstBytes(link, 1)?.toString('hex') ?? '', spanId: firstBytes(link, 2)?.toString('hex') ?? '' };
          }),
        };
      }),
    );
  });
}
