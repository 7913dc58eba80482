import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiResponse } from '@nestjs/swagger';
import { EXAMPLES } from '../common/openapi-examples';
import { ApiQueryFrom } from '../common/openapi';
import { type OperationsQuery, operationsQuerySchema, type Page } from '@podsync/domain';
import type { OperationMessage } from '@podsync/db';
import { OperationsService } from './operations.service';
import { RequireRole, ZodPipe } from '@podsync/platform';

@ApiTags('operations')
@Controller('api/v1/operations')
@RequireRole('reader')
export class OperationsController {
  constructor(private readonly operations: OperationsService) {}

  @Get()
  @ApiOperation({ summary: 'Audit history of pod operations, newest first' })
  @ApiQueryFrom(operationsQuerySchema)
  @ApiResponse({ status: 200, example: EXAMPLES.operations })
  list(@Query(new ZodPipe(operationsQuerySchema, 'query')) query: OperationsQuery): Promise<Page<OperationMessage>> {
    return this.operations.list(query);
  }
}
