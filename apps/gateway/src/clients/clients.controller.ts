import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { EXAMPLES } from '../common/openapi-examples';
import type { FastifyReply } from 'fastify';
import {
  type Client,
  type ClientBody,
  clientBodySchema,
  type ClientDetails,
  type Page,
  type PageQuery,
  pageQuerySchema,
} from '@podsync/domain';
import { IdPipe } from '../common/id.pipe';
import { IdempotencyKey } from '../common/idempotency-key.decorator';
import { ApiQueryFrom, openApiSchema } from '../common/openapi';
import { ClientsService } from './clients.service';
import { RequireRole, type OkMessage, ZodPipe } from '@podsync/platform';

@ApiTags('clients')
@Controller('api/v1/clients')
@RequireRole('reader')
export class ClientsController {
  constructor(private readonly clients: ClientsService) {}

  @Post()
  @RequireRole('writer')
  @ApiOperation({ summary: 'Register a client' })
  @ApiBody({ schema: openApiSchema(clientBodySchema) })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'a retry with the same key and body returns the first answer',
  })
  @ApiResponse({ status: 201, description: 'the client, with a Location header', example: EXAMPLES.client })
  @ApiResponse({ status: 400, example: EXAMPLES.validationError })
  async create(
    @Body(new ZodPipe(clientBodySchema, 'body')) body: ClientBody,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Client> {
    const { client, replayed } = await this.clients.create(body, idempotencyKey);
    void reply.status(201).header('Location', `/api/v1/clients/${client.id}`);
    if (replayed) void reply.header('Idempotent-Replayed', 'true');
    return client;
  }

  @Get()
  @ApiOperation({ summary: 'List clients, keyset-paginated by id' })
  @ApiQueryFrom(pageQuerySchema)
  @ApiResponse({ status: 200, example: EXAMPLES.clientPage })
  list(@Query(new ZodPipe(pageQuerySchema, 'query')) page: PageQuery): Promise<Page<Client>> {
    return this.clients.list(page);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A client with its algorithms and running pods' })
  @ApiResponse({ status: 200, example: EXAMPLES.clientDetails })
  @ApiResponse({ status: 404, example: EXAMPLES.notFound })
  get(@Param('id', IdPipe) id: number): Promise<ClientDetails> {
    return this.clients.get(id);
  }

  @Put(':id')
  @RequireRole('writer')
  @ApiOperation({ summary: 'Replace the client fields; its pods are recreated with the new spec' })
  @ApiBody({ schema: openApiSchema(clientBodySchema) })
  @ApiResponse({ status: 200, example: EXAMPLES.clientUpdated })
  @ApiResponse({ status: 404, example: EXAMPLES.notFound })
  update(@Param('id', IdPipe) id: number, @Body(new ZodPipe(clientBodySchema, 'body')) body: ClientBody): Promise<OkMessage> {
    return this.clients.update(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireRole('writer')
  @ApiOperation({ summary: 'Delete a client; the reconciler deletes its pods' })
  @ApiResponse({ status: 404, example: EXAMPLES.notFound })
  remove(@Param('id', IdPipe) id: number): Promise<void> {
    return this.clients.remove(id);
  }
}
