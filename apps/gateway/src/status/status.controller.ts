import { Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiTags, ApiResponse } from '@nestjs/swagger';
import { EXAMPLES } from '../common/openapi-examples';
import {
  AlgorithmCatalogue,
  type ClientStatus,
  DEFAULT_ALGORITHMS,
  type StatusBody,
  type StatusQuery,
  statusBodySchema,
  statusQuerySchema,
} from '@podsync/domain';
import { IdPipe } from '../common/id.pipe';
import { openApiSchema } from '../common/openapi';
import { StatusBodyPipe } from './status-body.pipe';
import { StatusService } from './status.service';
import { RequireRole, type OkMessage, ZodPipe } from '@podsync/platform';

@ApiTags('status')
@Controller('api/v1/status')
@RequireRole('reader')
export class StatusController {
  constructor(private readonly status: StatusService) {}

  @Put(':id')
  @RequireRole('writer')
  @ApiOperation({ summary: 'Switch algorithms on or off; keys left out keep their value' })
  @ApiBody({ schema: openApiSchema(statusBodySchema(new AlgorithmCatalogue(DEFAULT_ALGORITHMS))) })
  @ApiQuery({
    name: 'need_restart',
    required: false,
    enum: ['true', 'false'],
    description: 'true recreates each running pod once',
  })
  @ApiResponse({ status: 200, example: EXAMPLES.statusUpdated })
  @ApiResponse({ status: 400, example: EXAMPLES.validationError })
  @ApiResponse({ status: 404, example: EXAMPLES.notFound })
  update(
    @Param('id', IdPipe) id: number,
    @Body(StatusBodyPipe) flags: StatusBody,
    @Query(new ZodPipe(statusQuerySchema, 'query')) query: StatusQuery,
  ): Promise<OkMessage> {
    return this.status.update(id, flags, query.need_restart);
  }

  @Get(':id')
  @ApiOperation({ summary: "A client's algorithm flags and pending restart" })
  @ApiResponse({ status: 200, example: EXAMPLES.status })
  @ApiResponse({ status: 404, example: EXAMPLES.notFound })
  get(@Param('id', IdPipe) id: number): Promise<ClientStatus> {
    return this.status.get(id);
  }
}
