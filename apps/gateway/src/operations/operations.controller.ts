import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiResponse } from '@nestjs/swagger';
import { EXAMPLES } from '../common/openapi-examples';
import { type OperationsQuery, operationsQuerySchema, type OpsMessage, type Page } from '@podsync/domain';
import { ApiQueryFrom } from '../common/openapi';
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
  list(@Query(new ZodPipe(operationsQuerySchema, 'query')) query: OperationsQuery): Promise<Page<OpsMessage>> {
    return this.operations.list(query);
  }
}
